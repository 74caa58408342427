"""Work-request and work-order pages: anonymous, other client, refused role, permitted, bad input."""

import base64
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.services import technology_tags
from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.models import ObjectChange
from maintenir.core.tests.clients import client_for
from maintenir.workorders.choices import DowntimeCause, SignOffRole, WorkOrderStatus, WorkRequestStatus
from maintenir.workorders.models import (
    ChecklistStep,
    CommissioningCheck,
    CommissioningRun,
    Downtime,
    FailureMode,
    PartUsage,
    SignOff,
    TimeEntry,
    WorkOrder,
    WorkRequest,
)
from maintenir.workorders.tests.factories import (
    ChecklistStepFactory,
    CommissioningCheckFactory,
    WorkOrderFactory,
    WorkRequestFactory,
    lockout_holder,
)

S = WorkOrderStatus
PNG_SIGNATURE = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    # Assertions read the English msgids, whatever translations exist.
    settings.LANGUAGE_CODE = "en"


def png_upload(name: str = "leak.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def fingerprint() -> tuple[int, ...]:
    """Counts that any write through these pages would change."""
    return (
        ObjectChange.objects.count(),
        WorkOrder.objects.count(),
        WorkRequest.objects.count(),
        TimeEntry.objects.count(),
        PartUsage.objects.count(),
        SignOff.objects.count(),
        Downtime.objects.count(),
        ChecklistStep.objects.count(),
        CommissioningCheck.objects.count(),
        CommissioningRun.objects.count(),
    )


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def order_a(equipment_a: Any, technician: Any) -> Any:
    """An order of client A in progress, assigned to `technician`, with a measured step."""
    order = WorkOrderFactory(equipment=equipment_a, status=S.IN_PROGRESS, title="Fix the air handling unit")
    order.assignees.add(technician)
    ChecklistStepFactory(
        work_order=order,
        instruction="Measure the pressure",
        requires_measurement=True,
        unit="bar",
        expected_min=Decimal(2),
        expected_max=Decimal(4),
    )
    return order


@pytest.fixture
def request_a(equipment_a: Any, operator_a: Any) -> Any:
    return WorkRequestFactory(equipment=equipment_a, reported_by=operator_a)


@pytest.fixture
def objects(order_a: Any, request_a: Any, technician: Any) -> dict[str, Any]:
    step = order_a.steps.get()
    photo = request_a.photos.create(image=png_upload())
    check = CommissioningCheckFactory(work_order__equipment=order_a.equipment, work_order__assignees=[technician])
    return {
        "order": order_a.pk,
        "request": request_a.pk,
        "step": step.pk,
        "photo": photo.pk,
        "check": check.pk,
        "commissioning": check.work_order_id,
    }


# Every page and POST, with the object its URL takes.
GET_PAGES = [
    ("workrequest-list", None),
    ("workrequest-add", None),
    ("workrequest-detail", "request"),
    ("workrequest-photo", "photo"),
    ("workorder-list", None),
    ("workorder-add", None),
    ("workorder-detail", "order"),
    ("workorder-edit", "order"),
    ("workorder-execute", "order"),
    ("workorder-execute", "commissioning"),
    ("commissioning-report", "commissioning"),
]
POSTS = [
    ("workrequest-approve", "request"),
    ("workrequest-reject", "request"),
    ("workorder-step", "step"),
    ("workorder-check-run", "check"),
    ("workorder-checks-run-all", "commissioning"),
    *[
        (f"workorder-{name}", "order")
        for name in [
            "approve",
            "plan",
            "assign",
            "start",
            "hold",
            "resume",
            "complete",
            "close",
            "cancel",
            "step-add",
            "check-add",
            "time",
            "part",
            "failure",
            "downtime-start",
            "downtime-end",
            "signoff-technician",
            "signoff-client",
        ]
    ],
]


def url(name: str, key: str | None, objects: dict[str, Any]) -> str:
    return reverse(name, args=[objects[key]] if key else [])


@pytest.mark.parametrize(("name", "key"), GET_PAGES + POSTS)
def test_anonymous_is_sent_to_login(client: Client, objects: dict[str, Any], name: str, key: str | None) -> None:
    before = fingerprint()
    target = url(name, key, objects)
    response = client.post(target) if (name, key) in POSTS else client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert fingerprint() == before


@pytest.mark.parametrize(("name", "key"), [(name, key) for name, key in GET_PAGES + POSTS if key])
def test_other_client_gets_404_and_nothing_changes(client_b: Any, objects: dict[str, Any], name: str, key: str) -> None:
    before = fingerprint()
    client = client_for(client_b)
    target = url(name, key, objects)
    data = {
        "reject-reason": "no",
        "hold-reason": "x",
        "cancel-reason": "x",
        "time-hours": "1",
        "time-date": "2026-01-05",
    }
    response = client.post(target, data) if (name, key) in POSTS else client.get(target)
    assert response.status_code == 404
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("persona", "name", "key", "data"),
    [
        ("operator_a", "workorder-add", None, None),
        ("client_a", "workorder-add", None, None),
        ("technician", "workorder-edit", "order", None),
        ("operator_a", "workorder-edit", "order", None),
        ("client_a", "workrequest-approve", "request", {"approve-work_type": "corrective", "approve-priority": "3"}),
        ("technician", "workrequest-reject", "request", {"reject-reason": "Not a fault"}),
        ("other_technician", "workorder-time", "order", {"time-hours": "1", "time-date": "2026-01-05"}),
        (
            "other_technician",
            "workorder-step",
            "step",
            {"step-{step}-is_done": "on", "step-{step}-measured_value": "3"},
        ),
        ("other_technician", "workorder-complete", "order", {}),
        ("operator_a", "workorder-hold", "order", {"hold-reason": "Waiting for parts"}),
        ("technician", "workorder-cancel", "order", {"cancel-reason": "Duplicate"}),
        ("client_a", "workorder-failure", "order", {}),
        ("other_technician", "workorder-check-run", "check", {}),
        ("other_technician", "workorder-checks-run-all", "commissioning", {}),
        ("client_a", "workorder-check-run", "check", {}),
    ],
)
def test_refused_role_gets_403_and_nothing_changes(
    request: pytest.FixtureRequest, objects: dict[str, Any], persona: str, name: str, key: str | None, data: Any
) -> None:
    user = request.getfixturevalue(persona)
    before = fingerprint()
    client = client_for(user)
    target = url(name, key, objects)
    if data is None:
        response = client.get(target)
    else:
        response = client.post(target, {field.format(step=objects["step"]): value for field, value in data.items()})
    assert response.status_code == 403
    assert fingerprint() == before
    assert WorkOrder.objects.get(pk=objects["order"]).status == S.IN_PROGRESS


@pytest.mark.parametrize(("name", "key"), GET_PAGES)
def test_manager_sees_every_page(manager: Any, objects: dict[str, Any], name: str, key: str | None) -> None:
    assert client_for(manager).get(url(name, key, objects)).status_code == 200


# --- Work requests ---------------------------------------------------------------------------


def test_operator_reports_a_stopped_equipment_with_photos(operator_a: Any, equipment_a: Any) -> None:
    client = client_for(operator_a)
    form = client.get(reverse("workrequest-add"), {"equipment": equipment_a.pk})
    assert form.context["form"].initial["equipment"] == equipment_a
    response = client.post(
        reverse("workrequest-add"),
        {
            "equipment": equipment_a.pk,
            "symptom": "Oil under the press",
            "urgency": "1",
            "equipment_stopped": "on",
            "photos": [png_upload("one.png"), png_upload("two.png")],
        },
    )
    work_request = WorkRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == work_request.get_absolute_url()
    assert work_request.site == equipment_a.site
    assert work_request.reported_by == operator_a
    assert work_request.photos.count() == 2
    equipment_a.refresh_from_db()
    assert equipment_a.status == EquipmentStatus.DOWN
    page = client.get(work_request.get_absolute_url())
    assert b"Oil under the press" in page.content
    photo = work_request.photos.first()
    assert client.get(reverse("workrequest-photo", args=[photo.pk])).status_code == 200


def test_report_form_refuses_bad_input(operator_a: Any, equipment_a: Any, equipment_b: Any) -> None:
    other_site = EquipmentFactory(site=equipment_a.site.organisation.sites.create(code="s2", name="Annexe"))
    client = client_for(operator_a)
    before = fingerprint()
    empty = client.post(reverse("workrequest-add"), {"equipment": equipment_a.pk, "symptom": "", "urgency": "3"})
    assert empty.status_code == 200
    assert empty.context["form"].errors["symptom"]
    other_client = client.post(
        reverse("workrequest-add"), {"equipment": equipment_b.pk, "symptom": "x", "urgency": "3"}
    )
    assert "equipment" in other_client.context["form"].errors
    mismatch = client.post(
        reverse("workrequest-add"),
        {"site": equipment_a.site_id, "equipment": other_site.pk, "symptom": "x", "urgency": "3"},
    )
    assert "This equipment is on another site." in str(mismatch.context["form"].errors["equipment"])
    assert fingerprint() == before


def test_manager_approves_a_request_into_a_planned_order(manager: Any, technician: Any, request_a: Any) -> None:
    client = client_for(manager)
    page = client.get(request_a.get_absolute_url())
    assert b'action="%s"' % reverse("workrequest-approve", args=[request_a.pk]).encode() in page.content
    response = client.post(
        reverse("workrequest-approve", args=[request_a.pk]),
        {
            "approve-title": "Repair the leak",
            "approve-work_type": "corrective",
            "approve-priority": "2",
            "approve-assignees": [technician.pk],
        },
    )
    order = WorkOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert order.status == S.PLANNED
    assert list(order.assignees.all()) == [technician]
    assert order.title == "Repair the leak"
    assert order.priority == 2
    request_a.refresh_from_db()
    assert request_a.status == WorkRequestStatus.APPROVED


def test_approving_for_someone_who_cannot_lock_out_warns_before_and_after(
    manager: Any, technician: Any, request_a: Any
) -> None:
    request_a.equipment.technologies.set(technology_tags(["electrical"]))
    client = client_for(manager)
    target = reverse("workrequest-approve", args=[request_a.pk])
    data = {
        "approve-title": "Repair the fan",
        "approve-work_type": "corrective",
        "approve-priority": "3",
        "approve-due_date": "2026-12-09",
        "approve-assignees": [technician.pk],
    }
    before = fingerprint()
    response = client.post(target, data)
    assert response.status_code == 200
    form = response.context["approve_form"]
    assert "valid BC habilitation" in str(form.errors["accept_warnings"])
    assert 'type="checkbox" name="approve-accept_warnings"' in response.content.decode()
    assert fingerprint() == before
    request_a.refresh_from_db()
    assert request_a.status == WorkRequestStatus.SUBMITTED
    # Confirmed knowingly: the order is planned, and its page keeps the warning.
    response = client.post(target, {**data, "approve-accept_warnings": "on"})
    order = WorkOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert order.status == S.PLANNED
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Nobody assigned holds a valid BC habilitation" in page
    # With a holder assigned, there is nothing to warn about.
    lockout_holder(technician)
    assert "Nobody assigned holds" not in client.get(order.get_absolute_url()).content.decode()


def test_reject_needs_a_reason_and_is_shown(manager: Any, operator_a: Any, request_a: Any) -> None:
    client = client_for(manager)
    target = reverse("workrequest-reject", args=[request_a.pk])
    response = client.post(target, {"reject-reason": ""})
    assert response.context["reject_form"].errors["reason"]
    request_a.refresh_from_db()
    assert request_a.status == WorkRequestStatus.SUBMITTED
    client.post(target, {"reject-reason": "Normal wear, planned next month"})
    request_a.refresh_from_db()
    assert request_a.status == WorkRequestStatus.REJECTED
    page = client_for(operator_a).get(request_a.get_absolute_url())
    assert b"Normal wear, planned next month" in page.content
    assert b"approve-work_type" not in page.content
    # A decided request cannot be decided again: the form says why, nothing changes.
    again = client.post(
        reverse("workrequest-approve", args=[request_a.pk]),
        {"approve-work_type": "corrective", "approve-priority": "3"},
    )
    assert "already decided" in str(again.context["approve_form"].non_field_errors())
    assert not WorkOrder.objects.exists()


# --- Work orders: create and edit -----------------------------------------------------------


def test_manager_creates_and_edits_an_order(manager: Any, equipment_a: Any) -> None:
    client = client_for(manager)
    fields = {"site": equipment_a.site_id, "equipment": equipment_a.pk, "work_type": "improvement", "priority": "3"}
    response = client.post(reverse("workorder-add"), {**fields, "title": "Add a guard"})
    order = WorkOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert order.status == S.APPROVED
    assert order.requested_by == manager
    client.post(
        reverse("workorder-edit", args=[order.pk]), {**fields, "title": "Add a safety guard", "status": "closed"}
    )
    order.refresh_from_db()
    assert order.title == "Add a safety guard"
    assert order.status == S.APPROVED


def test_order_form_refuses_bad_input(manager: Any, equipment_a: Any, equipment_b: Any) -> None:
    client = client_for(manager)
    before = fingerprint()
    response = client.post(
        reverse("workorder-add"),
        {
            "site": equipment_a.site_id,
            "equipment": equipment_b.pk,
            "work_type": "corrective",
            "priority": "3",
            "title": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["equipment"]
    assert fingerprint() == before


# --- Work orders: transitions ----------------------------------------------------------------


def buttons(client: Client, order: Any) -> set[str]:
    """The actions whose forms the order's pages show."""
    pages = [client.get(reverse(page, args=[order.pk])) for page in ("workorder-detail", "workorder-execute")]
    names = set()
    for page in pages:
        for name in page.context["actions"]:
            names.add(name)
    return names


@pytest.mark.parametrize(
    ("status", "persona", "expected"),
    [
        (S.REQUESTED, "manager", {"approve", "cancel", "step_add", "requirement_add", "lockout_add"}),
        (S.REQUESTED, "technician", set()),
        (S.APPROVED, "manager", {"plan", "cancel", "step_add", "requirement_add", "lockout_add", "reserve"}),
        (S.PLANNED, "technician", {"start", "reserve"}),
        (S.PLANNED, "other_technician", set()),
        (S.PLANNED, "operator_a", set()),
        (
            S.IN_PROGRESS,
            "technician",
            {
                *("hold", "complete", "time", "part", "reserve", "issue", "failure", "downtime_start"),
                *("signoff_technician", "signoff_client"),
            },
        ),
        (S.IN_PROGRESS, "client_a", {"signoff_client"}),
        (
            S.ON_HOLD,
            "technician",
            {"resume", "time", "part", "reserve", "issue", "failure", "downtime_start", "signoff_technician"},
        ),
        (S.DONE, "manager", {"close", "signoff_technician", "signoff_client"}),
        (S.CLOSED, "manager", set()),
    ],
)
def test_actions_shown_per_role_and_status(
    request: pytest.FixtureRequest, order_a: Any, status: str, persona: str, expected: set[str]
) -> None:
    WorkOrder.objects.filter(pk=order_a.pk).update(status=status)
    assert buttons(client_for(request.getfixturevalue(persona)), order_a) == expected


def post_action(client: Client, order: Any, name: str, data: dict[str, Any] | None = None, page: str = "detail") -> Any:
    return client.post(f"{reverse(f'workorder-{name}', args=[order.pk])}?page={page}", data or {})


def test_order_goes_through_its_transitions(manager: Any, technician: Any, equipment_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, status=S.REQUESTED, work_type="improvement")
    boss, tech = client_for(manager), client_for(technician)
    assert post_action(boss, order, "approve").status_code == 302
    response = post_action(
        boss, order, "plan", {"plan-assignees": [technician.pk], "plan-planned_start": "2026-03-02T08:00"}
    )
    assert response["Location"] == order.get_absolute_url()
    response = post_action(tech, order, "start", page="execute")
    assert response["Location"] == reverse("workorder-execute", args=[order.pk])
    post_action(tech, order, "hold", {"hold-reason": "Waiting for a seal"})
    post_action(tech, order, "resume")
    post_action(
        tech,
        order,
        "signoff-technician",
        {"signoff-technician-name": "Tech Nicien", "signoff-technician-signature": PNG_SIGNATURE},
    )
    post_action(tech, order, "complete")
    post_action(boss, order, "close")
    order.refresh_from_db()
    assert order.status == S.CLOSED
    steps = list(order.transitions.values_list("to_status", flat=True))
    assert steps == [S.APPROVED, S.PLANNED, S.IN_PROGRESS, S.ON_HOLD, S.IN_PROGRESS, S.DONE, S.CLOSED]
    assert order.transitions.get(to_status=S.ON_HOLD).note == "Waiting for a seal"
    page = boss.get(order.get_absolute_url())
    assert PNG_SIGNATURE.encode() in page.content


def test_reassign_and_cancel(manager: Any, technician: Any, other_technician: Any, equipment_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, status=S.PLANNED)
    order.assignees.add(technician)
    client = client_for(manager)
    post_action(client, order, "assign", {"assign-assignees": [other_technician.pk]})
    assert list(order.assignees.all()) == [other_technician]
    response = post_action(client, order, "cancel", {"cancel-reason": ""})
    assert response.status_code == 200
    assert response.context["actions"]["cancel"]["form"].errors["reason"]
    post_action(client, order, "cancel", {"cancel-reason": "Machine scrapped"})
    order.refresh_from_db()
    assert order.status == S.CANCELLED


def test_refused_transition_says_what_is_missing_and_changes_nothing(technician: Any, order_a: Any) -> None:
    client = client_for(technician)
    before = fingerprint()
    response = post_action(client, order_a, "complete", page="execute")
    assert response.status_code == 200
    texts = messages_of(response)
    assert "Every checklist step must be done." in texts
    assert "A corrective order needs its failure mode." in texts
    assert "The technician must sign off the work." in texts
    assert fingerprint() == before
    order_a.refresh_from_db()
    assert order_a.status == S.IN_PROGRESS
    # The wrong state is refused the same way.
    response = post_action(client, order_a, "resume")
    assert any("cannot go from In progress to In progress" in text for text in messages_of(response))
    assert fingerprint() == before


def test_edit_is_refused_on_a_closed_order(manager: Any, order_a: Any) -> None:
    WorkOrder.objects.filter(pk=order_a.pk).update(status=S.CLOSED)
    assert client_for(manager).get(reverse("workorder-edit", args=[order_a.pk])).status_code == 403


# --- Execution -------------------------------------------------------------------------------


def test_step_saved_with_htmx_is_flagged_out_of_range(technician: Any, order_a: Any) -> None:
    step = order_a.steps.get()
    client = client_for(technician)
    prefix = f"step-{step.pk}"
    response = client.post(
        reverse("workorder-step", args=[step.pk]),
        {f"{prefix}-is_done": "on", f"{prefix}-measured_value": "5.5", f"{prefix}-remark": "High"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.templates[0].name == "workorders/includes/step_row.html"
    assert b"Out of range" in response.content
    step.refresh_from_db()
    assert step.is_done
    assert step.measured_value == Decimal("5.5")
    assert step.done_by == technician


def test_an_out_of_tolerance_measurement_is_followed_up_by_a_corrective_order(
    manager: Any, technician: Any, order_a: Any
) -> None:
    step = order_a.steps.get()
    client = client_for(technician)
    prefix = f"step-{step.pk}"
    row = client.post(
        reverse("workorder-step", args=[step.pk]),
        {f"{prefix}-is_done": "on", f"{prefix}-measured_value": "5.5"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    offer = f"{reverse('workorder-add')}?follow_up={step.pk}"
    assert offer in row
    # The manager's home lists the result until an order follows it up.
    home = client_for(manager).get(reverse("home"))
    assert list(home.context["to_follow_up"]) == [step]
    form = client.get(offer).context["form"]
    assert form.initial["equipment"] == order_a.equipment_id
    assert form.initial["work_type"] == "corrective"
    assert form.initial["follow_up_of"] == step.pk
    assert form.initial["title"] == "Out of tolerance: Measure the pressure = 5.5 bar"
    assert order_a.reference in form.initial["description"]
    assert "between 2 and 4 bar" in form.initial["description"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = client.post(reverse("workorder-add"), data)
    follow_up = WorkOrder.objects.get(follow_up_of=step)
    assert response["Location"] == follow_up.get_absolute_url()
    assert follow_up.equipment == order_a.equipment
    assert follow_up.status == S.REQUESTED  # a technician's order waits for the manager
    assert f"#step-{step.pk}" in client.get(follow_up.get_absolute_url()).content.decode()
    page = client.get(reverse("workorder-execute", args=[order_a.pk])).content.decode()
    assert follow_up.reference in page
    assert offer not in page
    assert list(client_for(manager).get(reverse("home")).context["to_follow_up"]) == []


def test_a_follow_up_is_offered_only_for_a_measurement_out_of_tolerance_on_its_site(
    manager: Any, order_a: Any, equipment_b: Any
) -> None:
    step = order_a.steps.get()
    client = client_for(manager)
    ChecklistStep.objects.filter(pk=step.pk).update(measured_value=Decimal("3"))
    within = client.get(f"{reverse('workorder-add')}?follow_up={step.pk}")
    assert "follow_up_of" not in within.context["form"].initial
    assert reverse("workorder-add") + "?follow_up=" not in client.get(order_a.get_absolute_url()).content.decode()
    ChecklistStep.objects.filter(pk=step.pk).update(measured_value=Decimal("9"))
    before = fingerprint()
    data = {"site": equipment_b.site_id, "equipment": equipment_b.pk, "work_type": "corrective", "priority": 3}
    response = client.post(reverse("workorder-add"), {**data, "title": "Elsewhere", "follow_up_of": step.pk})
    assert response.status_code == 200
    assert "The measurement followed up is on another site." in str(response.context["form"].errors)
    assert fingerprint() == before


def test_step_without_its_measurement_is_refused(technician: Any, order_a: Any) -> None:
    step = order_a.steps.get()
    client = client_for(technician)
    before = fingerprint()
    response = client.post(reverse("workorder-step", args=[step.pk]), {f"step-{step.pk}-is_done": "on"})
    assert response.status_code == 200
    assert "This step needs a measured value." in str(response.context["steps"][0]["form"].errors["measured_value"])
    plain = client.post(
        reverse("workorder-step", args=[step.pk]),
        {f"step-{step.pk}-is_done": "on", f"step-{step.pk}-measured_value": "3"},
    )
    assert plain["Location"] == reverse("workorder-execute", args=[order_a.pk])
    assert fingerprint() != before


def test_technician_records_time_parts_failure_downtime_and_signs(technician: Any, client_a: Any, order_a: Any) -> None:
    client = client_for(technician)
    mode = FailureMode.objects.create(code="ZZL", name="Leak")
    FailureMode.objects.create(code="ZZR", name="Retired", is_active=False)
    execute = client.get(reverse("workorder-execute", args=[order_a.pk]))
    choices = [str(choice) for choice in execute.context["actions"]["failure"]["form"].fields["failure_mode"].queryset]
    assert any("ZZL" in choice for choice in choices)
    assert not any("ZZR" in choice for choice in choices)

    post_action(
        client, order_a, "time", {"time-hours": "1.5", "time-date": "2026-03-02", "time-note": "Diagnosis"}, "execute"
    )
    post_action(client, order_a, "time", {"time-hours": "2", "time-date": "2026-03-02"}, "execute")
    post_action(client, order_a, "part", {"part-description": "Seal kit", "part-quantity": "2"}, "execute")
    post_action(
        client, order_a, "failure", {"failure-failure_mode": mode.pk, "failure-findings": "Worn seal"}, "execute"
    )
    post_action(client, order_a, "downtime-start", {"downtime-start-cause": DowntimeCause.FAILURE}, "execute")
    order_a.equipment.refresh_from_db()
    assert order_a.equipment.status == EquipmentStatus.DOWN
    post_action(client, order_a, "downtime-end", {}, "execute")
    post_action(client, order_a, "signoff-technician", {"signoff-technician-name": "T. Nicien"}, "execute")
    post_action(
        client_for(client_a),
        order_a,
        "signoff-client",
        {"signoff-client-name": "C. Lient", "signoff-client-signature": PNG_SIGNATURE},
        "execute",
    )

    order_a.refresh_from_db()
    order_a.equipment.refresh_from_db()
    assert order_a.equipment.status == EquipmentStatus.IN_SERVICE
    assert order_a.failure_mode == mode
    assert order_a.findings == "Worn seal"
    assert [entry.hours for entry in order_a.time_entries.all()] == [Decimal("1.5"), Decimal(2)]
    assert order_a.parts.get().quantity == 2
    assert set(order_a.sign_offs.values_list("role", flat=True)) == {SignOffRole.TECHNICIAN, SignOffRole.CLIENT}
    detail = client.get(order_a.get_absolute_url())
    assert detail.context["total_hours"] == Decimal("3.5")
    assert b"Seal kit" in detail.content
    assert b"ZZL" in detail.content


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("time", {"time-hours": "30", "time-date": "2026-03-02"}, "hours"),
        ("time", {"time-hours": "abc", "time-date": "2026-03-02"}, "hours"),
        ("part", {"part-description": "", "part-quantity": "1"}, "description"),
        ("hold", {"hold-reason": "   "}, "reason"),
        (
            "signoff-technician",
            {"signoff-technician-name": "T", "signoff-technician-signature": "javascript:x"},
            "signature",
        ),
        (
            "step-add",
            {"step-add-instruction": "Check", "step-add-expected_min": "5", "step-add-expected_max": "1"},
            "expected_max",
        ),
    ],
)
def test_bad_execution_input_shows_the_field_error_and_writes_nothing(
    manager: Any, order_a: Any, name: str, data: dict[str, str], field: str
) -> None:
    before = fingerprint()
    response = post_action(client_for(manager), order_a, name, data, "execute")
    assert response.status_code == 200
    form = response.context["actions"][name.replace("-", "_")]["form"]
    assert field in form.errors or form.non_field_errors()
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("name", "field", "data"),
    [
        ("time", "hours", {"time-hours": "abc", "time-date": "2026-12-07"}),
        ("time", "hours", {"time-hours": "-2", "time-date": "2026-12-07"}),
        ("part", "unit_cost", {"part-description": "Seal kit", "part-quantity": "1", "part-unit_cost": "abc"}),
    ],
)
def test_a_bad_value_on_the_execution_page_is_shown_there_with_the_values_kept(
    technician: Any, order_a: Any, name: str, field: str, data: dict[str, str]
) -> None:
    execute = reverse("workorder-execute", args=[order_a.pk])
    before = fingerprint()
    response = client_for(technician).post(execute, {"action": name, **data})
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == execute
    assert response.templates[0].name == "workorders/workorder_execute.html"
    assert response.context["actions"][name]["form"].errors[field]
    page = response.content.decode()
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert f'href="#id_{name}-{field}"' in summary
    assert f'id="id_{name}-{field}"' in page
    assert f'value="{data[f"{name}-{field}"]}"' in page
    # The form posts back to the execution page, and the browser comes back to it.
    assert f'action="{execute}#action-{name}" class="action-form" id="action-{name}"' in page
    assert fingerprint() == before


def test_a_good_value_on_the_execution_page_is_saved_and_back_to_it(technician: Any, order_a: Any) -> None:
    execute = reverse("workorder-execute", args=[order_a.pk])
    response = client_for(technician).post(execute, {"action": "time", "time-hours": "1.5", "time-date": "2026-12-07"})
    assert response["Location"] == execute
    assert order_a.time_entries.get().hours == Decimal("1.5")
    assert client_for(technician).post(execute, {"action": "nothing"}).status_code == 400


def test_manager_adds_checklist_steps(manager: Any, order_a: Any) -> None:
    client = client_for(manager)
    post_action(
        client,
        order_a,
        "step-add",
        {
            "step-add-instruction": "Check the oil level",
            "step-add-requires_measurement": "on",
            "step-add-unit": "%",
            "step-add-expected_min": "40",
        },
    )
    step = order_a.steps.get(instruction="Check the oil level")
    first = order_a.steps.exclude(pk=step.pk).get()
    assert step.position == first.position + 1
    assert step.requires_measurement
    assert step.expected_min == 40


# --- Lists -----------------------------------------------------------------------------------


def test_lists_show_each_persona_only_its_organisation(
    manager: Any, client_a: Any, client_b: Any, equipment_a: Any, equipment_b: Any, operator_a: Any
) -> None:
    WorkOrderFactory(equipment=equipment_a, title="Order of client A")
    WorkOrderFactory(equipment=equipment_b, title="Order of client B")
    WorkRequestFactory(equipment=equipment_a, symptom="Request of client A", reported_by=operator_a)
    WorkRequestFactory(equipment=equipment_b, symptom="Request of client B", reported_by=client_b)
    for persona, seen in [(manager, {"A", "B"}), (client_a, {"A"}), (client_b, {"B"})]:
        client = client_for(persona)
        orders = client.get(reverse("workorder-list")).content.decode()
        requests = client.get(reverse("workrequest-list")).content.decode()
        for letter in "AB":
            assert (f"Order of client {letter}" in orders) == (letter in seen)
            assert (f"Request of client {letter}" in requests) == (letter in seen)


def test_list_filters(manager: Any, technician: Any, equipment_a: Any) -> None:
    mine = WorkOrderFactory(equipment=equipment_a, title="Mine", status=S.PLANNED)
    mine.assignees.add(technician)
    WorkOrderFactory(equipment=equipment_a, title="Closed one", status=S.CLOSED)
    client = client_for(manager)
    page = client.get(reverse("workorder-list"), {"assignee": technician.pk, "is_open": "true"})
    assert list(page.context["object_list"]) == [mine]
    page = client.get(reverse("workorder-list"), {"q": "closed", "listed": "all"})
    assert [order.title for order in page.context["object_list"]] == ["Closed one"]


@pytest.mark.parametrize("name", ["workorder-list", "workrequest-list"])
def test_list_query_count_does_not_grow_with_rows(manager: Any, operator_a: Any, site_a: Any, name: str) -> None:
    client = client_for(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    def add_rows(count: int) -> None:
        for _ in range(count):
            equipment = EquipmentFactory(site=site_a)
            WorkOrderFactory(equipment=equipment)
            WorkRequestFactory(equipment=equipment, reported_by=operator_a)

    add_rows(2)
    few = queries()
    add_rows(10)
    assert queries() == few
    assert few <= 12
