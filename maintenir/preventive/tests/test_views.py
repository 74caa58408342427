import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenir.core.tests.clients import HOSTILE, client_for, csv_rows
from maintenir.preventive import services
from maintenir.preventive.choices import PlanStatus, TriggerKind
from maintenir.preventive.models import Gamme, MaintenancePlan, Trigger
from maintenir.preventive.tests.factories import (
    GammeFactory,
    GammeStepFactory,
    MaintenancePlanFactory,
    TriggerFactory,
)
from maintenir.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_a(site_a: Any) -> Any:
    return MaintenancePlanFactory(site=site_a, name="Contrat Siège Lumière")


@pytest.fixture
def trigger_a(plan_a: Any, equipment_a: Any, manager: Any) -> Any:
    gamme = GammeStepFactory(version__gamme__code="cta-trim").version.gamme
    trigger = TriggerFactory.build(plan=plan_a, gamme=gamme, equipment=equipment_a, start_date=timezone.localdate())
    return services.save_trigger(manager, trigger)


PAGES = [
    ("plan-list", None),
    ("plan-add", None),
    ("plan-detail", "plan"),
    ("plan-edit", "plan"),
    ("trigger-add", "plan"),
    ("trigger-detail", "trigger"),
    ("trigger-edit", "trigger"),
    ("gamme-list", None),
    ("gamme-add", None),
    ("gamme-detail", "gamme"),
    ("gamme-edit", "gamme"),
    ("preventive-forecast", None),
    ("gamme-export", None),
    ("gamme-import", None),
    ("trigger-export", None),
    ("trigger-import", None),
]


@pytest.mark.parametrize(("name", "needs"), [*PAGES, ("plan-activate", "plan"), ("preventive-generate", None)])
def test_anonymous_is_sent_to_login(name: str, needs: str | None) -> None:
    response = Client().post(reverse(name, args=[1] if needs else []))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "needs"), PAGES)
def test_every_page_renders_for_the_manager(name: str, needs: str | None, manager: Any, trigger_a: Any) -> None:
    objects = {"plan": trigger_a.plan, "trigger": trigger_a, "gamme": trigger_a.gamme}
    response = client_for(manager).get(reverse(name, args=[objects[needs].pk] if needs else []))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["plan-detail", "plan-edit", "trigger-add"])
def test_other_client_gets_404_for_plan_pages(name: str, client_b: Any, plan_a: Any) -> None:
    assert client_for(client_b).get(reverse(name, args=[plan_a.pk])).status_code == 404


@pytest.mark.parametrize("name", ["trigger-detail", "trigger-edit"])
def test_other_client_gets_404_for_trigger_pages(name: str, client_b: Any, trigger_a: Any) -> None:
    assert client_for(client_b).get(reverse(name, args=[trigger_a.pk])).status_code == 404


def test_clients_see_their_plans_only(client_a: Any, client_b: Any, plan_a: Any) -> None:
    assert "Contrat Siège Lumière" in client_for(client_a).get(reverse("plan-list")).content.decode()
    assert "Contrat Siège Lumière" not in client_for(client_b).get(reverse("plan-list")).content.decode()


def test_clients_do_not_browse_the_gammes(client_a: Any, trigger_a: Any) -> None:
    assert client_for(client_a).get(reverse("gamme-detail", args=[trigger_a.gamme.pk])).status_code == 404
    assert client_for(client_a).get(reverse("gamme-add")).status_code == 403


def test_an_operator_reads_only_the_gammes_of_its_clients_plans(
    operator_a: Any, manager: Any, trigger_a: Any, site_b: Any, equipment_b: Any
) -> None:
    """A generic gamme and another client's are the company's or that client's: not the operator's."""
    generic = GammeStepFactory(version__gamme__code="generique").version.gamme
    other = GammeStepFactory(version__gamme__code="autre-client").version.gamme
    TriggerFactory(plan=MaintenancePlanFactory(site=site_b), gamme=other, equipment=equipment_b)
    client = client_for(operator_a)
    listed = client.get(reverse("gamme-list")).content.decode()
    assert "cta-trim" in listed
    assert "generique" not in listed
    assert "autre-client" not in listed
    assert client.get(reverse("gamme-detail", args=[trigger_a.gamme.pk])).status_code == 200
    for hidden in (generic, other):
        assert client.get(reverse("gamme-detail", args=[hidden.pk])).status_code == 404
    exported = client.get(reverse("gamme-export")).content.decode()
    assert "cta-trim" in exported
    assert "generique" not in exported
    assert "autre-client" not in exported
    staff = client_for(manager).get(reverse("gamme-list")).content.decode()
    assert all(code in staff for code in ("cta-trim", "generique", "autre-client"))


class TestPlans:
    def test_manager_creates_and_activates_a_plan(self, manager: Any, site_a: Any) -> None:
        client = client_for(manager)
        response = client.post(reverse("plan-add"), {"site": site_a.pk, "name": "Visites", "description": ""})
        plan = MaintenancePlan.objects.get(name="Visites")
        assert response["Location"] == plan.get_absolute_url()
        assert plan.status == PlanStatus.DRAFT
        page = client.get(plan.get_absolute_url()).content.decode()
        assert reverse("plan-activate", args=[plan.pk]) in page
        assert reverse("plan-suspend", args=[plan.pk]) not in page
        client.post(reverse("plan-activate", args=[plan.pk]))
        plan.refresh_from_db()
        assert plan.status == PlanStatus.ACTIVE

    def test_a_refused_transition_says_why(self, manager: Any, plan_a: Any) -> None:
        services.archive_plan(manager, plan_a)
        response = client_for(manager).post(reverse("plan-suspend", args=[plan_a.pk]), follow=True)
        assert "cannot become" in response.content.decode()
        plan_a.refresh_from_db()
        assert plan_a.status == PlanStatus.ARCHIVED

    def test_technician_may_not_change_a_plan(self, technician: Any, plan_a: Any) -> None:
        assert client_for(technician).post(reverse("plan-suspend", args=[plan_a.pk])).status_code == 403
        assert client_for(technician).get(reverse("plan-edit", args=[plan_a.pk])).status_code == 403
        plan_a.refresh_from_db()
        assert plan_a.status == PlanStatus.ACTIVE


class TestTriggers:
    def test_manager_adds_a_calendar_trigger(self, manager: Any, plan_a: Any, equipment_a: Any) -> None:
        gamme = GammeStepFactory().version.gamme
        data = {
            "gamme": gamme.pk,
            "equipment": equipment_a.pk,
            "kind": TriggerKind.CALENDAR,
            "priority": 3,
            "is_active": "on",
            "interval": 3,
            "interval_unit": "month",
            "anchor": "schedule",
            "start_date": "2027-01-15",
            "tolerance_days": 7,
            "lead_percent": 90,
            "hold_minutes": 0,
            "horizon_days": 30,
            "window_days": 90,
        }
        response = client_for(manager).post(reverse("trigger-add", args=[plan_a.pk]), data)
        trigger = Trigger.objects.get(plan=plan_a)
        assert response["Location"] == trigger.get_absolute_url()
        assert trigger.start_date == datetime.date(2027, 1, 15)

    def test_a_missing_interval_is_named_and_nothing_is_written(
        self, manager: Any, plan_a: Any, equipment_a: Any
    ) -> None:
        gamme = GammeFactory()
        data = {"gamme": gamme.pk, "equipment": equipment_a.pk, "kind": TriggerKind.CALENDAR, "priority": 3}
        data |= {"interval_unit": "month", "anchor": "schedule", "tolerance_days": 0, "lead_percent": 90}
        data |= {"hold_minutes": 0, "horizon_days": 30, "window_days": 90}
        response = client_for(manager).post(reverse("trigger-add", args=[plan_a.pk]), data)
        assert response.status_code == 200
        assert response.context["form"]["interval"].errors
        assert not Trigger.objects.exists()

    def test_equipment_choices_are_the_plans_site(
        self, manager: Any, plan_a: Any, equipment_a: Any, equipment_b: Any
    ) -> None:
        form = client_for(manager).get(reverse("trigger-add", args=[plan_a.pk])).context["form"]
        assert list(form.fields["equipment"].queryset) == [equipment_a]

    def test_the_trigger_page_shows_its_schedule_and_orders(self, manager: Any, trigger_a: Any) -> None:
        services.generate()
        page = client_for(manager).get(trigger_a.get_absolute_url()).content.decode()
        order = WorkOrder.objects.get()
        assert order.reference in page


# The expected parts' formset, left empty.
NO_PARTS = {"parts-TOTAL_FORMS": "0", "parts-INITIAL_FORMS": "0"}


class TestGammes:
    def test_manager_creates_a_gamme_with_its_steps(self, manager: Any) -> None:
        data = {
            "code": "presse-500h",
            "name": "Visite presse 500 h",
            "description": "",
            "equipment_type": "",
            "note": "",
            "steps-TOTAL_FORMS": "2",
            "steps-INITIAL_FORMS": "0",
            **NO_PARTS,
            "steps-0-instruction": "Contrôler le niveau d'huile",
            "steps-0-level": "1",
            "steps-0-duration_minutes": "10",
            "steps-1-instruction": "Mesurer la pression",
            "steps-1-level": "2",
            "steps-1-duration_minutes": "15",
            "steps-1-unit": "bar",
            "steps-1-expected_min": "180",
            "steps-1-expected_max": "210",
        }
        response = client_for(manager).post(reverse("gamme-add"), data)
        gamme = Gamme.objects.get(code="presse-500h")
        assert response["Location"] == gamme.get_absolute_url()
        version = services.current_version(gamme)
        assert version is not None
        assert [step["instruction"] for step in services.version_steps(version)] == [
            "Contrôler le niveau d'huile",
            "Mesurer la pression",
        ]

    def test_a_bad_step_is_shown_on_that_step_and_nothing_is_written(self, manager: Any) -> None:
        data = {
            "code": "g",
            "name": "G",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            **NO_PARTS,
            "steps-0-instruction": "Mesurer",
            "steps-0-level": "2",
            "steps-0-duration_minutes": "10",
            "steps-0-expected_min": "5",
        }
        response = client_for(manager).post(reverse("gamme-add"), data)
        assert response.status_code == 200
        assert response.context["steps"].forms[0]["unit"].errors
        assert not Gamme.objects.exists()

    def test_editing_the_steps_publishes_a_new_version_and_renaming_does_not(self, manager: Any) -> None:
        gamme = GammeFactory(code="g1", name="G1")
        services.publish_gamme(manager, gamme, [{"instruction": "Nettoyer", "duration_minutes": 10}])
        client = client_for(manager)
        edit = reverse("gamme-edit", args=[gamme.pk])
        base = {"code": "g1", "name": "G1 renamed", "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "1", **NO_PARTS}
        step = {"steps-0-instruction": "Nettoyer", "steps-0-level": "2", "steps-0-duration_minutes": "10"}
        client.post(edit, base | step)
        assert gamme.versions.count() == 1
        client.post(edit, base | step | {"steps-0-instruction": "Nettoyer et sécher", "note": "séchage"})
        assert list(gamme.versions.values_list("number", "note")) == [(2, "séchage"), (1, "")]


class TestForecast:
    def test_shows_the_load_and_the_next_due_dates(self, manager: Any, trigger_a: Any) -> None:
        response = client_for(manager).get(reverse("preventive-forecast"))
        page = response.content.decode()
        assert "cta-trim" in page
        assert response.context["totals"][0] > 0

    def test_other_clients_triggers_are_not_in_it(self, client_b: Any, trigger_a: Any) -> None:
        response = client_for(client_b).get(reverse("preventive-forecast"))
        assert "cta-trim" not in response.content.decode()
        assert response.context["forecast"].due_dates == []

    def test_manager_generates_now(self, manager: Any, trigger_a: Any) -> None:
        response = client_for(manager).post(reverse("preventive-generate"), follow=True)
        assert "1 preventive work order generated." in response.content.decode()
        assert WorkOrder.objects.count() == 1

    def test_technician_may_not_generate(self, technician: Any, trigger_a: Any) -> None:
        assert client_for(technician).post(reverse("preventive-generate")).status_code == 403
        assert not WorkOrder.objects.exists()


class TestCsv:
    def test_gamme_export_and_a_failed_import_that_names_the_cell(self, manager: Any, trigger_a: Any) -> None:
        client = client_for(manager)
        exported = client.get(reverse("gamme-export"))
        assert exported["Content-Type"].startswith("text/csv")
        assert "cta-trim" in exported.content.decode()
        bad = b"code,name,instruction,duration_minutes\nnew,New,Clean,ten\n"
        response = client.post(reverse("gamme-import"), {"file": SimpleUploadedFile("g.csv", bad)})
        assert "line 2, column duration_minutes" in response.content.decode()
        assert not Gamme.objects.filter(code="new").exists()

    def test_gamme_import(self, manager: Any) -> None:
        good = b"code,name,instruction\nnew,New,Nettoyer le filtre\n"
        response = client_for(manager).post(reverse("gamme-import"), {"file": SimpleUploadedFile("g.csv", good)})
        assert response["Location"] == reverse("gamme-list")
        assert Gamme.objects.filter(code="new").exists()

    def test_a_file_that_is_not_utf8_is_refused(self, manager: Any) -> None:
        latin = "code,name,instruction\nnew,Éclairage,Nettoyer\n".encode("latin-1")
        response = client_for(manager).post(reverse("gamme-import"), {"file": SimpleUploadedFile("g.csv", latin)})
        assert response.context["form"]["file"].errors
        assert not Gamme.objects.exists()

    def test_gamme_export_neutralises_formulas_and_an_import_reads_them_back(
        self, manager: Any, trigger_a: Any
    ) -> None:
        Gamme.objects.update(name=HOSTILE, description="@SUM(A1)")
        client = client_for(manager)
        exported = client.get(reverse("gamme-export"))
        [row] = csv_rows(exported)
        assert (row["name"], row["description"]) == ("'" + HOSTILE, "'@SUM(A1)")
        client.post(reverse("gamme-import"), {"file": SimpleUploadedFile("g.csv", exported.content)})
        assert Gamme.objects.values_list("name", "description").get() == (HOSTILE, "@SUM(A1)")

    def test_trigger_export_neutralises_formulas(self, manager: Any, trigger_a: Any) -> None:
        Gamme.objects.update(code="-cta")
        [row] = csv_rows(client_for(manager).get(reverse("trigger-export")))
        assert (row["gamme"], row["plan"]) == ("'-cta", str(trigger_a.plan.pk))

    def test_trigger_export_of_one_plan_and_tenancy(self, client_a: Any, client_b: Any, trigger_a: Any) -> None:
        url = reverse("trigger-export") + f"?plan={trigger_a.plan.pk}"
        assert "cta-trim" in client_for(client_a).get(url).content.decode()
        assert client_for(client_b).get(url).status_code == 404
        assert "cta-trim" not in client_for(client_b).get(reverse("trigger-export")).content.decode()

    def test_clients_may_not_import(self, client_a: Any) -> None:
        assert client_for(client_a).get(reverse("trigger-import")).status_code == 403
        assert client_for(client_a).get(reverse("gamme-import")).status_code == 403
