"""The safety pages: a site's prevention plans and risks, the work order's safety reminder and lockout,
the on-call rosters, the calls log and the acknowledgement from the home page."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenir.core.tests.clients import client_for
from maintenir.people.choices import RiskRating
from maintenir.people.models import OnCallDuty, PreventionPlan, SiteRisk
from maintenir.people.oncall import week_of
from maintenir.people.tests.factories import (
    PreventionPlanFactory,
    SiteRiskFactory,
    TeamFactory,
    TechnicianFactory,
    habilitation_type,
)
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.models import LockoutStep, OnCallCall
from maintenir.workorders.tests.factories import (
    LockoutStepFactory,
    OnCallCallFactory,
    WorkOrderFactory,
    lockout_holder,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def safety_a(site_a: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "expired": PreventionPlanFactory(
            site=site_a,
            reference="PDP-OLD",
            valid_from=today.replace(year=today.year - 2),
            valid_until=today.replace(year=today.year - 1),
        ),
        "current": PreventionPlanFactory(
            site=site_a, reference="PDP-NOW", document=SimpleUploadedFile("pdp.pdf", b"%PDF-1.4 plan")
        ),
        "minor": SiteRiskFactory(site=site_a, hazard="Slippery floor", severity=RiskRating.VERY_HIGH, likelihood=1),
        "major": SiteRiskFactory(
            site=site_a,
            hazard="Live switchboard",
            severity=RiskRating.HIGH,
            likelihood=RiskRating.HIGH,
            required_habilitation=habilitation_type("BR"),
        ),
    }


def section(response: Any, anchor: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


class TestSitePage:
    def test_plans_with_the_current_one_and_risks_by_score(self, manager: Any, site_a: Any, safety_a: Any) -> None:
        response = client_for(manager).get(reverse("site-detail", args=[site_a.pk]))
        plans = section(response, "safety")
        current = plans[plans.index("PDP-NOW") : plans.index("</li>", plans.index("PDP-NOW"))]
        expired = plans[plans.index("PDP-OLD") : plans.index("</li>", plans.index("PDP-OLD"))]
        assert "Current" in current
        assert reverse("prevention-plan-document", args=[safety_a["current"].pk]) in current
        assert "Expired" in expired
        assert "Add a prevention plan" in plans
        risks = section(response, "risks")
        assert risks.index("Live switchboard") < risks.index("Slippery floor")  # 9 before 4
        assert "BR" in risks

    def test_no_valid_plan_is_a_warning(self, manager: Any, site_a: Any) -> None:
        response = client_for(manager).get(reverse("site-detail", args=[site_a.pk]))
        assert "No valid prevention plan for this site." in section(response, "safety")

    def test_the_client_reads_them_without_edit_links(self, client_a: Any, site_a: Any, safety_a: Any) -> None:
        response = client_for(client_a).get(reverse("site-detail", args=[site_a.pk]))
        assert "PDP-NOW" in section(response, "safety")
        assert "Add a prevention plan" not in response.content.decode()
        assert reverse("site-risk-edit", args=[safety_a["major"].pk]) not in response.content.decode()
        document = client_for(client_a).get(reverse("prevention-plan-document", args=[safety_a["current"].pk]))
        assert document.status_code == 200
        assert b"".join(document.streaming_content) == b"%PDF-1.4 plan"

    def test_the_other_client_gets_nothing(self, client_b: Any, safety_a: Any) -> None:
        client = client_for(client_b)
        for name, key in (
            ("prevention-plan-document", "current"),
            ("prevention-plan-edit", "current"),
            ("site-risk-edit", "major"),
        ):
            assert client.get(reverse(name, args=[safety_a[key].pk])).status_code == 404
        assert client.post(reverse("site-risk-delete", args=[safety_a["major"].pk])).status_code == 404
        assert SiteRisk.objects.filter(pk=safety_a["major"].pk).exists()

    def test_anonymous_is_sent_to_log_in(self, site_a: Any, safety_a: Any) -> None:
        response = Client().get(reverse("prevention-plan-add", args=[site_a.pk]))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


class TestSafetyForms:
    def test_the_manager_adds_edits_and_deletes(self, manager: Any, site_a: Any) -> None:
        client = client_for(manager)
        response = client.post(
            reverse("prevention-plan-add", args=[site_a.pk]),
            {"kind": "ppsps", "reference": "PPSPS-7", "valid_from": "2026-01-05", "valid_until": "2026-12-31"},
        )
        assert response.status_code == 302
        plan = PreventionPlan.objects.get(reference="PPSPS-7")
        assert plan.site == site_a
        response = client.post(
            reverse("site-risk-add", args=[site_a.pk]),
            {"hazard": "Fall from height", "severity": 4, "likelihood": 2, "required_habilitation": ""},
        )
        assert response.status_code == 302
        risk = SiteRisk.objects.get(hazard="Fall from height")
        client.post(
            reverse("site-risk-edit", args=[risk.pk]), {"hazard": "Fall from the roof", "severity": 4, "likelihood": 3}
        )
        risk.refresh_from_db()
        assert risk.score == 12
        assert client.post(reverse("prevention-plan-delete", args=[plan.pk])).status_code == 302
        assert not PreventionPlan.objects.filter(pk=plan.pk).exists()

    def test_a_plan_ending_before_it_starts_is_refused(self, manager: Any, site_a: Any) -> None:
        response = client_for(manager).post(
            reverse("prevention-plan-add", args=[site_a.pk]),
            {"kind": "prevention_plan", "reference": "PDP-X", "valid_from": "2026-05-01", "valid_until": "2026-04-01"},
        )
        assert response.status_code == 200
        assert "The plan ends before it starts." in response.content.decode()
        assert not PreventionPlan.objects.exists()

    @pytest.mark.parametrize("persona", ["technician", "client_a"])
    def test_not_permitted_roles(
        self, persona: str, request: pytest.FixtureRequest, site_a: Any, safety_a: Any
    ) -> None:
        client = client_for(request.getfixturevalue(persona))
        assert client.get(reverse("prevention-plan-add", args=[site_a.pk])).status_code == 403
        assert client.get(reverse("site-risk-edit", args=[safety_a["major"].pk])).status_code == 403
        assert client.post(reverse("prevention-plan-delete", args=[safety_a["current"].pk])).status_code == 403
        assert PreventionPlan.objects.count() == 2


class TestWorkOrderPage:
    def test_the_current_plan_and_the_risks_or_a_warning(self, manager: Any, equipment_a: Any, safety_a: Any) -> None:
        order = WorkOrderFactory(equipment=equipment_a)
        reminder = section(client_for(manager).get(reverse("workorder-detail", args=[order.pk])), "site-safety")
        assert "PDP-NOW" in reminder
        assert "Live switchboard" in reminder
        other = WorkOrderFactory()
        reminder = section(client_for(manager).get(reverse("workorder-detail", args=[other.pk])), "site-safety")
        assert "No valid prevention plan for this site." in reminder

    def test_the_technician_confirms_an_isolation_by_htmx(self, technician: Any, equipment_a: Any) -> None:
        lockout_holder(technician)
        order = WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.PLANNED, assignees=[technician])
        step = LockoutStepFactory(work_order=order)
        client = client_for(technician)
        page = client.get(reverse("workorder-execute", args=[order.pk])).content.decode()
        assert "Confirm the isolation" in page
        response = client.post(reverse("lockout-confirm", args=[step.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "Release the isolation" in response.content.decode()
        step.refresh_from_db()
        assert step.confirmed_by == technician

    def test_a_refusal_is_shown_in_the_row(self, technician: Any, equipment_a: Any) -> None:
        order = WorkOrderFactory(equipment=equipment_a, status=WorkOrderStatus.PLANNED, assignees=[technician])
        step = LockoutStepFactory(work_order=order)
        response = client_for(technician).post(reverse("lockout-release", args=[step.pk]), HTTP_HX_REQUEST="true")
        assert "never confirmed" in response.content.decode()
        response = client_for(technician).post(reverse("lockout-confirm", args=[step.pk]), HTTP_HX_REQUEST="true")
        assert "BC habilitation" in response.content.decode()
        assert not LockoutStep.objects.filter(confirmed_at__isnull=False).exists()

    def test_not_permitted_and_other_client(self, client_a: Any, client_b: Any, equipment_a: Any) -> None:
        step = LockoutStepFactory(work_order__equipment=equipment_a, work_order__status=WorkOrderStatus.PLANNED)
        assert client_for(client_a).post(reverse("lockout-confirm", args=[step.pk])).status_code == 403
        assert client_for(client_b).post(reverse("lockout-confirm", args=[step.pk])).status_code == 404
        assert Client().post(reverse("lockout-confirm", args=[step.pk])).status_code == 302
        step.refresh_from_db()
        assert step.confirmed_at is None


class TestOnCallPages:
    def test_the_roster_page_and_its_editing(self, manager: Any, technician: Any) -> None:
        team = TeamFactory(name="Astreinte Lyon")
        first, second = (TechnicianFactory(team=team) for _ in range(2))
        week = week_of(timezone.localdate())
        response = client_for(manager).post(
            f"{reverse('on-call-roster-edit', args=[team.pk])}?week={week.isoformat()}",
            {"rank_1": second.pk, "rank_2": first.pk},
        )
        assert response.status_code == 302
        assert [duty.technician for duty in OnCallDuty.objects.filter(team=team)] == [second, first]
        page = client_for(technician).get(reverse("on-call-rosters")).content.decode()
        assert str(second) in page
        assert "Edit the roster" not in page
        assert client_for(technician).get(reverse("on-call-roster-edit", args=[team.pk])).status_code == 403

    def test_client_users_see_no_roster_nor_call(self, client_a: Any) -> None:
        OnCallCallFactory()
        client = client_for(client_a)
        assert "Nobody on call" not in client.get(reverse("on-call-rosters")).content.decode()
        assert "No call." in client.get(reverse("on-call-calls")).content.decode()

    def test_the_technician_acknowledges_from_the_home_page(self, technician: Any, manager: Any) -> None:
        call = OnCallCallFactory(technician=TechnicianFactory(user=technician))
        client = client_for(technician)
        home = client.get(reverse("home")).content.decode()
        assert f"On call: request {call.work_request.reference}" in home
        assert client.post(reverse("on-call-acknowledge", args=[call.pk])).status_code == 302
        call.refresh_from_db()
        assert call.acknowledged_at is not None
        assert "On call: request" not in client.get(reverse("home")).content.decode()
        assert "Acknowledged" in client_for(manager).get(reverse("on-call-calls")).content.decode()

    def test_someone_else_cannot_acknowledge(self, other_technician: Any, client_b: Any) -> None:
        call = OnCallCallFactory()
        assert client_for(other_technician).post(reverse("on-call-acknowledge", args=[call.pk])).status_code == 403
        assert client_for(client_b).post(reverse("on-call-acknowledge", args=[call.pk])).status_code == 404
        assert not OnCallCall.objects.filter(acknowledged_at__isnull=False).exists()
