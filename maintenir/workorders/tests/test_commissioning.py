"""Commissioning checks run live against a real pymodbus server; sign-off with reservations."""

import struct
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from maintenir.assets.tests.factories import EquipmentFactory
from maintenir.core.services import TransitionError
from maintenir.core.tests.clients import client_for
from maintenir.devices.choices import DataType, RegisterType
from maintenir.devices.models import Device
from maintenir.devices.tests.factories import DeviceFactory, PointFactory
from maintenir.devices.tests.peers import ModbusPeer, modbus_peer_in_thread
from maintenir.workorders import commissioning, services
from maintenir.workorders.choices import CheckStatus, SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.forms import CheckForm
from maintenir.workorders.models import CommissioningCheck, CommissioningRun
from maintenir.workorders.templatetags.workorder_tags import reading
from maintenir.workorders.tests.factories import SignOffFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db
S = WorkOrderStatus


def float32(value: float) -> list[int]:
    return list(struct.unpack(">HH", struct.pack(">f", value)))


@pytest.fixture
def peer() -> Iterator[ModbusPeer]:
    # Register 0–1: active power 12.5 kW; register 10: a status that never leaves 0.
    with modbus_peer_in_thread(holding={**dict(enumerate(float32(12.5))), 10: 0}) as running:
        yield running


@pytest.fixture
def order(equipment_a: Any, technician: Any) -> Any:
    return WorkOrderFactory(
        equipment=equipment_a,
        work_type=WorkOrderType.INSTALLATION,
        status=S.IN_PROGRESS,
        title="Mise en service éclairage plateau",
        assignees=[technician],
    )


@pytest.fixture
def points(equipment_a: Any, peer: ModbusPeer) -> dict[str, Any]:
    """A lighting controller on a sub-equipment of the order's equipment."""
    lighting = EquipmentFactory(site=equipment_a.site, parent=equipment_a, code="ECL-01")
    device = DeviceFactory(equipment=lighting, name="Contrôleur éclairage", port=peer.port, timeout=2)
    coil = {"register_type": RegisterType.COIL, "data_type": DataType.BOOL, "address": "3", "unit": ""}
    return {
        "command": PointFactory(device=device, name="circuit_1_command", writable=True, **coil),
        "status": PointFactory(device=device, name="circuit_1_status", **coil),
        "power": PointFactory(device=device, name="active_power", address="0", data_type=DataType.FLOAT32),
        "fault": PointFactory(device=device, name="fault_status", address="10", data_type=DataType.UINT16, unit=""),
    }


def add(user: Any, order: Any, **fields: Any) -> CommissioningCheck:
    return commissioning.add_check(user, order, **fields)


def test_a_command_then_its_status_passes(technician: Any, order: Any, points: dict[str, Any]) -> None:
    check = add(
        technician,
        order,
        name="Circuit 1 ON",
        command_point=points["command"],
        command_value=1,
        point=points["status"],
        expected_value=1,
    )
    assert check.status == CheckStatus.NOT_RUN
    run = commissioning.run_check(technician, check)
    check.refresh_from_db()
    assert (run.status, run.measured_value, run.run_by) == (CheckStatus.PASSED, 1.0, technician)
    assert check.last_run == run
    assert check.status == CheckStatus.PASSED
    assert "Wrote 1 to circuit_1_command." in run.message


def test_a_status_that_never_comes_fails_after_its_timeout(technician: Any, order: Any, points: dict[str, Any]) -> None:
    check = add(technician, order, name="No fault", point=points["fault"], expected_value=1, timeout=1)
    run = commissioning.run_check(technician, check)
    assert run.status == CheckStatus.FAILED
    assert run.measured_value == 0
    assert "after 1." in run.message


def test_a_range_check(technician: Any, order: Any, points: dict[str, Any]) -> None:
    inside = add(technician, order, name="Power plausible", point=points["power"], expected_min=10, expected_max=15)
    above = add(technician, order, name="Power above 20", point=points["power"], expected_min=20, timeout=0.5)
    assert commissioning.run_check(technician, inside).status == CheckStatus.PASSED
    run = commissioning.run_check(technician, above)
    assert (run.status, run.measured_value) == (CheckStatus.FAILED, 12.5)


def test_an_unreachable_device_is_an_error_with_its_message(
    technician: Any, order: Any, points: dict[str, Any]
) -> None:
    check = add(technician, order, name="Power plausible", point=points["power"], expected_min=0)
    with modbus_peer_in_thread() as stopped:
        port = stopped.port
    Device.objects.filter(pk=points["power"].device_id).update(port=port, timeout=0.5)
    check = CommissioningCheck.objects.get(pk=check.pk)
    run = commissioning.run_check(technician, check)
    assert run.status == CheckStatus.ERROR
    assert run.measured_value is None
    assert f"127.0.0.1:{port}" in run.message


def test_runs_are_kept_and_the_last_one_counts(technician: Any, order: Any, points: dict[str, Any]) -> None:
    check = add(technician, order, name="Power plausible", point=points["power"], expected_min=10)
    first = commissioning.run_check(technician, check)
    commissioning.update_check(technician, check, expected_min=20, timeout=0.3)
    check.refresh_from_db()
    assert check.status == CheckStatus.NOT_RUN  # changed: it must run again
    second = commissioning.run_check(technician, check)
    assert list(check.runs.all()) == [second, first]
    assert (first.status, second.status) == (CheckStatus.PASSED, CheckStatus.FAILED)
    assert CommissioningCheck.objects.get(pk=check.pk).last_run == second


def test_run_all_in_order(technician: Any, order: Any, points: dict[str, Any]) -> None:
    add(
        technician,
        order,
        name="On",
        command_point=points["command"],
        command_value=1,
        point=points["status"],
        expected_value=1,
    )
    add(
        technician,
        order,
        name="Off",
        command_point=points["command"],
        command_value=0,
        point=points["status"],
        expected_value=0,
    )
    add(technician, order, name="Fault", point=points["fault"], expected_value=1, timeout=0.3)
    runs = commissioning.run_all(technician, order)
    assert [(run.commissioning_check.name, run.status) for run in runs] == [
        ("On", CheckStatus.PASSED),
        ("Off", CheckStatus.PASSED),
        ("Fault", CheckStatus.FAILED),
    ]


def test_sign_off_is_refused_while_a_check_has_not_passed_unless_reservations(
    technician: Any, order: Any, points: dict[str, Any]
) -> None:
    check = add(technician, order, name="No fault", point=points["fault"], expected_value=1, timeout=0.3)
    commissioning.run_check(technician, check)
    with pytest.raises(ValidationError) as refused:
        services.sign_off(technician, order, SignOffRole.TECHNICIAN, "Tech")
    assert "1. No fault" in refused.value.message_dict["reservations"][0]
    assert not order.sign_offs.exists()
    signed = services.sign_off(
        technician, order, SignOffRole.TECHNICIAN, "Tech", reservations="Fault contact not wired yet."
    )
    assert signed.reservations == "Fault contact not wired yet."


def test_sign_off_once_every_check_passed(technician: Any, order: Any, points: dict[str, Any]) -> None:
    check = add(technician, order, name="Power plausible", point=points["power"], expected_min=10)
    with pytest.raises(ValidationError):
        services.sign_off(technician, order, SignOffRole.TECHNICIAN, "Tech")  # not run yet
    commissioning.run_check(technician, check)
    assert services.sign_off(technician, order, SignOffRole.TECHNICIAN, "Tech").reservations == ""


# --- Bad input and who may do what -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"point": "other", "expected_value": 1}, "point"),
        ({"point": "power", "expected_min": 5, "expected_max": 1}, "expected_max"),
        ({"point": "power"}, "expected_value"),
        ({"point": "power", "expected_value": 1, "expected_max": 2}, "expected_value"),
        ({"point": "power", "expected_value": 1, "command_point": "status", "command_value": 1}, "command_point"),
        ({"point": "power", "expected_value": 1, "command_point": "command"}, "command_value"),
        ({"point": "power", "expected_value": 1, "command_value": 1}, "command_point"),
        ({"point": "power", "expected_value": 1, "timeout": 0}, "timeout"),
    ],
)
def test_bad_input_names_the_field_and_adds_nothing(
    technician: Any, order: Any, points: dict[str, Any], equipment_b: Any, fields: dict[str, Any], field: str
) -> None:
    points["other"] = PointFactory(device__equipment=equipment_b)
    resolved = {name: points[value] if name.endswith("point") else value for name, value in fields.items()}
    with pytest.raises(ValidationError) as refused:
        add(technician, order, name="Bad", **resolved)
    assert field in refused.value.message_dict
    assert not CommissioningCheck.objects.exists()


def test_checks_belong_to_commissioning_orders(technician: Any, equipment_a: Any, points: dict[str, Any]) -> None:
    corrective = WorkOrderFactory(equipment=equipment_a, status=S.IN_PROGRESS, assignees=[technician])
    with pytest.raises(ValidationError) as refused:
        add(technician, corrective, name="x", point=points["power"], expected_min=0)
    assert "work_order" in refused.value.message_dict


def test_who_may_prepare_and_run(
    technician: Any, other_technician: Any, client_a: Any, order: Any, points: dict[str, Any]
) -> None:
    for person in (client_a, other_technician):
        with pytest.raises(PermissionDenied):
            add(person, order, name="x", point=points["power"], expected_min=0)
    check = add(technician, order, name="x", point=points["power"], expected_min=0)
    for person in (client_a, other_technician):
        with pytest.raises(PermissionDenied):
            commissioning.run_check(person, check)
    assert not CommissioningRun.objects.exists()


def test_checks_run_only_while_the_work_is_in_progress(technician: Any, order: Any, points: dict[str, Any]) -> None:
    check = add(technician, order, name="x", point=points["power"], expected_min=0)
    order.status = S.DONE
    order.save()
    with pytest.raises(TransitionError):
        commissioning.run_check(technician, check)
    order.status = S.CLOSED
    order.save()
    with pytest.raises(TransitionError):
        add(technician, order, name="y", point=points["power"], expected_min=0)
    assert not CommissioningRun.objects.exists()


# --- The work order page ---------------------------------------------------------------------


def test_the_page_adds_runs_and_shows_checks(technician: Any, order: Any, points: dict[str, Any]) -> None:
    client = client_for(technician)
    page = client.get(order.get_absolute_url())
    assert "Commissioning checks" in page.content.decode()
    assert page.context["actions"]["check_add"]
    response = client.post(
        reverse("workorder-check-add", args=[order.pk]),
        {
            "check-add-name": "Circuit 1 ON",
            "check-add-point": points["status"].pk,
            "check-add-command_point": points["command"].pk,
            "check-add-command_value": "1",
            "check-add-expected_value": "1",
            "check-add-tolerance": "0",
            "check-add-timeout": "5",
        },
    )
    assert response.status_code == 302
    check = order.commissioning_checks.get()
    # With htmx only the checks come back, with their result.
    partial = client.post(reverse("workorder-check-run", args=[check.pk]), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert partial.status_code == 200
    assert 'id="commissioning-checks"' in html
    assert "<html" not in html
    assert "Passed" in html
    assert "Read 1 after" in html
    # Without JavaScript: the whole page again, at the checks.
    response = client.post(reverse("workorder-checks-run-all", args=[order.pk]))
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url() + "#commissioning"
    assert check.runs.count() == 2
    # Before the sign-off, the report is offered as a draft.
    page = client.get(order.get_absolute_url()).content.decode()
    link = page[page.index(reverse("commissioning-report", args=[order.pk])) :]
    assert "Draft — not signed off" in link[: link.index("</p>")]


def test_the_add_form_shows_field_errors_and_adds_nothing(
    technician: Any, order: Any, points: dict[str, Any], equipment_b: Any
) -> None:
    other = PointFactory(device__equipment=equipment_b)
    client = client_for(technician)
    base = {"check-add-name": "Bad", "check-add-tolerance": "0", "check-add-timeout": "5"}
    foreign = client.post(
        reverse("workorder-check-add", args=[order.pk]),
        {**base, "check-add-point": other.pk, "check-add-expected_value": "1"},
    )
    assert "point" in foreign.context["actions"]["check_add"]["form"].errors
    reversed_range = client.post(
        reverse("workorder-check-add", args=[order.pk]),
        {**base, "check-add-point": points["power"].pk, "check-add-expected_min": "5", "check-add-expected_max": "1"},
    )
    assert "expected_max" in reversed_range.context["actions"]["check_add"]["form"].errors
    assert not CommissioningCheck.objects.exists()


def test_sign_off_page_asks_for_reservations_then_offers_the_report(
    technician: Any, order: Any, points: dict[str, Any]
) -> None:
    check = add(technician, order, name="No fault", point=points["fault"], expected_value=1, timeout=0.3)
    commissioning.run_check(technician, check)
    client = client_for(technician)
    url = reverse("workorder-signoff-technician", args=[order.pk])
    refused = client.post(url, {"signoff-technician-name": "Tech"})
    assert "reservations" in refused.context["actions"]["signoff_technician"]["form"].errors
    assert not order.sign_offs.exists()
    client.post(url, {"signoff-technician-name": "Tech", "signoff-technician-reservations": "Contact à câbler."})
    assert order.sign_offs.get().reservations == "Contact à câbler."
    page = client.get(order.get_absolute_url()).content.decode()
    assert reverse("commissioning-report", args=[order.pk]) in page


def test_another_client_gets_404_everywhere(client_b: Any, order: Any, points: dict[str, Any], technician: Any) -> None:
    check = add(technician, order, name="x", point=points["power"], expected_min=0)
    client = client_for(client_b)
    for url in (
        order.get_absolute_url(),
        reverse("workorder-execute", args=[order.pk]),
        reverse("commissioning-report", args=[order.pk]),
    ):
        assert client.get(url).status_code == 404
    for url in (
        reverse("workorder-check-run", args=[check.pk]),
        reverse("workorder-checks-run-all", args=[order.pk]),
        reverse("workorder-check-add", args=[order.pk]),
    ):
        assert client.post(url).status_code == 404
    assert not CommissioningRun.objects.exists()
    assert CommissioningCheck.objects.count() == 1


# --- Editing and deleting checks ------------------------------------------------------------


def edit_data(point: Any, **fields: Any) -> dict[str, Any]:
    data = {"name": "Power in range", "point": point.pk, "expected_min": 0, "tolerance": 0, "timeout": 5} | fields
    return {f"check-{name}": value for name, value in data.items()}


def test_the_page_edits_a_check_which_must_run_again(technician: Any, order: Any, points: dict[str, Any]) -> None:
    check = add(technician, order, name="Power", point=points["power"], expected_min=0)
    commissioning.run_check(technician, check)
    client = client_for(technician)
    url = reverse("workorder-check-edit", args=[check.pk])
    assert url in client.get(order.get_absolute_url()).content.decode()
    form = client.get(url).context["form"]
    assert (form["name"].value(), form["point"].value()) == ("Power", points["power"].pk)
    response = client.post(url, edit_data(points["power"], expected_min=10, expected_max=20))
    assert response["Location"] == order.get_absolute_url() + "#commissioning"
    check.refresh_from_db()
    assert (check.name, check.expected_min, check.expected_max) == ("Power in range", 10, 20)
    assert check.last_run is None
    assert check.runs.count() == 1


def test_a_bad_edit_names_the_field_and_changes_nothing(technician: Any, order: Any, points: dict[str, Any]) -> None:
    check = add(technician, order, name="Power", point=points["power"], expected_min=0)
    response = client_for(technician).post(
        reverse("workorder-check-edit", args=[check.pk]), edit_data(points["power"], expected_min=5, expected_max=1)
    )
    assert "expected_max" in response.context["form"].errors
    check.refresh_from_db()
    assert (check.name, check.expected_max) == ("Power", None)


def test_deleting_a_check_moves_the_next_ones_up(technician: Any, order: Any, points: dict[str, Any]) -> None:
    first, *_others = [add(technician, order, name=name, point=points["power"], expected_min=0) for name in "ABC"]
    commissioning.run_check(technician, first)
    response = client_for(technician).post(reverse("workorder-check-delete", args=[first.pk]))
    assert response["Location"] == order.get_absolute_url() + "#commissioning"
    assert list(commissioning.checks_of(order).values_list("name", "position")) == [("B", 1), ("C", 2)]
    assert not CommissioningRun.objects.exists()
    # Adding goes on at the end.
    assert add(technician, order, name="D", point=points["power"], expected_min=0).position == 3


def test_another_client_gets_404_on_editing_and_deleting(
    client_b: Any, technician: Any, order: Any, points: dict[str, Any]
) -> None:
    check = add(technician, order, name="Power", point=points["power"], expected_min=0)
    client = client_for(client_b)
    assert client.get(reverse("workorder-check-edit", args=[check.pk])).status_code == 404
    assert client.post(reverse("workorder-check-edit", args=[check.pk]), edit_data(points["power"])).status_code == 404
    assert client.post(reverse("workorder-check-delete", args=[check.pk])).status_code == 404
    check.refresh_from_db()
    assert check.name == "Power"


def test_refused_people_change_nothing(
    client_a: Any, other_technician: Any, technician: Any, order: Any, points: dict[str, Any]
) -> None:
    check = add(technician, order, name="Power", point=points["power"], expected_min=0)
    for person in (client_a, other_technician):
        client = client_for(person)
        assert (
            reverse("workorder-check-edit", args=[check.pk])
            not in client.get(order.get_absolute_url()).content.decode()
        )
        assert client.get(reverse("workorder-check-edit", args=[check.pk])).status_code == 403
        response = client.post(reverse("workorder-check-edit", args=[check.pk]), edit_data(points["power"]))
        assert response.status_code == 403
        assert client.post(reverse("workorder-check-delete", args=[check.pk])).status_code == 403
    check.refresh_from_db()
    assert check.name == "Power"


@pytest.mark.parametrize("state", ["signed", "closed"])
def test_checks_cannot_change_once_signed_off_or_closed(
    technician: Any, order: Any, points: dict[str, Any], state: str
) -> None:
    check = add(technician, order, name="Power", point=points["power"], expected_min=0)
    if state == "signed":
        SignOffFactory(work_order=order, user=technician)
        reason = "The commissioning is signed off: its checks can no longer change."
    else:
        order.status = S.CLOSED
        order.save()
        reason = "A Closed work order cannot change."
    client = client_for(technician)
    page = client.get(order.get_absolute_url())
    assert reverse("workorder-check-edit", args=[check.pk]) not in page.content.decode()
    assert "check_add" not in page.context["actions"]
    for response in (
        client.get(reverse("workorder-check-edit", args=[check.pk]), follow=True),
        client.post(reverse("workorder-check-edit", args=[check.pk]), edit_data(points["power"]), follow=True),
        client.post(reverse("workorder-check-delete", args=[check.pk]), follow=True),
    ):
        assert [str(message) for message in response.context["messages"]] == [reason]
    with pytest.raises(TransitionError):
        add(technician, order, name="Late", point=points["power"], expected_min=0)
    check.refresh_from_db()
    assert check.name == "Power"
    assert order.commissioning_checks.count() == 1


def test_values_read_are_shown_short_and_localized() -> None:
    assert reading(14.035287857055664, "kW") == "14.0353 kW"
    assert reading(1254000.0, "kWh") == "1254000 kWh"
    assert reading(None) == "—"
    with translation.override("fr"):
        assert reading(0.1, "kW") == "0,1 kW"
        # Labels follow the language of each request, not the one active at import.
        assert str(CheckForm.base_fields["expected_min"].label) == "Minimum attendu"
    assert str(CheckForm.base_fields["expected_min"].label) == "Expected minimum"
