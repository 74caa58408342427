"""The work-order state machine: every transition × every status × every role."""

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from maintenir.core.choices import Role
from maintenir.core.context import acting_as
from maintenir.core.models import ObjectChange
from maintenir.core.services import TransitionError
from maintenir.core.tests.factories import UserFactory
from maintenir.workorders import services
from maintenir.workorders.choices import SignOffRole, WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import WorkOrder
from maintenir.workorders.tests.factories import SignOffFactory, WorkOrderFactory

S = WorkOrderStatus
MANAGING = frozenset({"administrator", "manager"})
EXECUTING = MANAGING | {"tech_assigned", "operator_assigned"}
ROLES = [
    "administrator",
    "manager",
    "tech_assigned",
    "tech_unassigned",
    "operator_assigned",
    "operator_unassigned",
    "client",
]


@dataclass(frozen=True)
class Rule:
    service: Callable[..., Any]
    allowed_from: frozenset[str]
    to: str | None  # None: the status does not change
    roles: frozenset[str]
    kwargs: dict[str, Any] = field(default_factory=dict)


REASON = "Waiting for the seal kit"
ASSIGNEES = "assignees"  # replaced by the people to assign when the test runs
RULES = {
    "approve": Rule(services.approve_work_order, frozenset({S.REQUESTED}), S.APPROVED, MANAGING),
    "plan": Rule(services.plan_work_order, frozenset({S.APPROVED}), S.PLANNED, MANAGING, {"assignees": ASSIGNEES}),
    "assign": Rule(
        services.assign_work_order,
        frozenset({S.APPROVED, S.PLANNED, S.IN_PROGRESS, S.ON_HOLD}),
        None,
        MANAGING,
        {"assignees": ASSIGNEES},
    ),
    "start": Rule(services.start_work_order, frozenset({S.PLANNED}), S.IN_PROGRESS, EXECUTING),
    "hold": Rule(services.hold_work_order, frozenset({S.IN_PROGRESS}), S.ON_HOLD, EXECUTING, {"reason": REASON}),
    "resume": Rule(services.resume_work_order, frozenset({S.ON_HOLD}), S.IN_PROGRESS, EXECUTING),
    "complete": Rule(services.complete_work_order, frozenset({S.IN_PROGRESS}), S.DONE, EXECUTING),
    "close": Rule(services.close_work_order, frozenset({S.DONE}), S.CLOSED, MANAGING),
    "cancel": Rule(
        services.cancel_work_order,
        frozenset({S.REQUESTED, S.APPROVED, S.PLANNED, S.ON_HOLD}),
        S.CANCELLED,
        MANAGING,
        {"reason": REASON},
    ),
}
CASES = [(name, status) for name in RULES for status in S.values]


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Each role tries the transition on the same starting data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def people(request: pytest.FixtureRequest, org_a: Any) -> dict[str, Any]:
    get = request.getfixturevalue
    return {
        "administrator": get("administrator"),
        "manager": get("manager"),
        "tech_assigned": get("technician"),
        "tech_unassigned": get("other_technician"),
        "operator_assigned": get("operator_a"),
        "operator_unassigned": UserFactory(username="operator2", role=Role.OPERATOR, organisation=org_a),
        "client": get("client_a"),
    }


def state(order: WorkOrder) -> tuple[Any, ...]:
    order = WorkOrder.objects.get(pk=order.pk)
    return (
        order.status,
        order.transitions.count(),
        ObjectChange.objects.count(),
        set(order.assignees.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize(("transition", "from_status"), CASES, ids=["-".join(case) for case in CASES])
def test_transition_for_every_role(
    transition: str, from_status: str, people: dict[str, Any], equipment_a: Any, subtests: Any
) -> None:
    # Everything needed to complete is in place, so only the status and the role decide.
    order = WorkOrderFactory(
        equipment=equipment_a,
        status=from_status,
        work_type=WorkOrderType.PREVENTIVE_SYSTEMATIC,
        assignees=[people["tech_assigned"], people["operator_assigned"]],
    )
    SignOffFactory(work_order=order, role=SignOffRole.TECHNICIAN)
    for role in ROLES:
        with subtests.test(role=role), rolled_back():
            check_transition(RULES[transition], WorkOrder.objects.get(pk=order.pk), role, people)


def check_transition(rule: Rule, order: WorkOrder, role: str, people: dict[str, Any]) -> None:
    user = people[role]
    from_status = order.status
    new_assignees = [people["tech_assigned"], people["tech_unassigned"]]
    kwargs = {key: new_assignees if value == ASSIGNEES else value for key, value in rule.kwargs.items()}
    before = state(order)

    if role not in rule.roles or from_status not in rule.allowed_from:
        expected = PermissionDenied if role not in rule.roles else TransitionError
        with acting_as(user), pytest.raises(expected):
            rule.service(user, order, **kwargs)
        assert state(order) == before
        return

    with acting_as(user) as context:
        rule.service(user, order, **kwargs)
    order.refresh_from_db()
    changes = ObjectChange.objects.filter(object_id=order.pk, object_type__model="workorder", user=user)
    assert changes.filter(request_id=context.request_id).exists()
    if rule.to is None:
        assert order.status == from_status
        assert order.transitions.count() == before[1]
        assert set(order.assignees.all()) == set(new_assignees)
        return
    assert order.status == rule.to
    assert order.transitions.count() == before[1] + 1
    recorded = order.transitions.last()
    assert (recorded.from_status, recorded.to_status, recorded.user, recorded.note) == (
        from_status,
        rule.to,
        user,
        kwargs.get("reason", ""),
    )
    assert changes.latest("pk").postchange_data["status"] == rule.to


@pytest.mark.parametrize("transition", ["hold", "cancel"])
def test_reason_is_required(transition: str, manager: Any, equipment_a: Any) -> None:
    rule = RULES[transition]
    order = WorkOrderFactory(equipment=equipment_a, status=next(iter(rule.allowed_from)))
    before = state(order)
    with pytest.raises(services.ValidationError) as error:
        rule.service(manager, order, reason="  ")
    assert "reason" in error.value.message_dict
    assert state(order) == before


def test_plan_needs_an_assignee(manager: Any, equipment_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, status=S.APPROVED)
    with pytest.raises(services.ValidationError):
        services.plan_work_order(manager, order, [])
    assert WorkOrder.objects.get(pk=order.pk).status == S.APPROVED


def test_assignee_must_be_able_to_work_on_the_order(
    manager: Any, client_a: Any, client_b: Any, operator_a: Any, equipment_b: Any
) -> None:
    order = WorkOrderFactory(equipment=equipment_b, status=S.APPROVED)
    for outsider in (client_a, client_b, operator_a):
        with pytest.raises(services.ValidationError):
            services.assign_work_order(manager, order, [outsider])
    assert not order.assignees.exists()


def test_a_whole_life_is_recorded_in_order(manager: Any, technician: Any, equipment_a: Any) -> None:
    order = services.create_work_order(
        technician, WorkOrder(site=equipment_a.site, equipment=equipment_a, title="Replace filter"), steps=[]
    )
    assert order.status == S.REQUESTED
    assert order.requested_by == technician
    services.approve_work_order(manager, order)
    services.plan_work_order(manager, order, [technician])
    services.start_work_order(technician, order)
    services.hold_work_order(technician, order, REASON)
    services.resume_work_order(technician, order)
    order.work_type = WorkOrderType.IMPROVEMENT
    order.save()
    services.sign_off(technician, order, SignOffRole.TECHNICIAN, "Camille Martin")
    services.complete_work_order(technician, order, findings="Filter replaced")
    services.close_work_order(manager, order)
    order.refresh_from_db()
    assert [(t.from_status, t.to_status) for t in order.transitions.all()] == [
        ("", S.REQUESTED),
        (S.REQUESTED, S.APPROVED),
        (S.APPROVED, S.PLANNED),
        (S.PLANNED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.ON_HOLD),
        (S.ON_HOLD, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.DONE),
        (S.DONE, S.CLOSED),
    ]
    assert order.started_at is not None
    assert order.completed_at is not None
    assert order.closed_at is not None
    assert order.findings == "Filter replaced"


def test_manager_creates_approved_orders(manager: Any, equipment_a: Any) -> None:
    order = services.create_work_order(
        manager,
        WorkOrder(site=equipment_a.site, equipment=equipment_a, title="Inspect"),
        steps=[{"instruction": "Measure the pressure", "requires_measurement": True, "unit": "bar"}],
    )
    assert order.status == S.APPROVED
    assert order.transitions.get().to_status == S.APPROVED
    assert order.steps.get().position == 1


@pytest.mark.parametrize("persona", ["client_a", "operator_a"])
def test_organisation_users_cannot_create_orders(
    persona: str, request: pytest.FixtureRequest, equipment_a: Any
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.create_work_order(user, WorkOrder(site=equipment_a.site, equipment=equipment_a, title="X"))
    assert not WorkOrder.objects.exists()


def test_staff_cannot_create_an_order_for_another_site_equipment(
    technician: Any, site_a: Any, equipment_b: Any
) -> None:
    with pytest.raises(services.ValidationError):
        services.create_work_order(technician, WorkOrder(site=site_a, equipment=equipment_b, title="X"))
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("from_status", S.values)
def test_available_transitions_match_the_rules(from_status: str, people: dict[str, Any], equipment_a: Any) -> None:
    """The buttons offered to each role are exactly the transitions the services accept."""
    order = WorkOrderFactory(
        equipment=equipment_a, status=from_status, assignees=[people["tech_assigned"], people["operator_assigned"]]
    )
    order = WorkOrder.objects.prefetch_related("assignees").get(pk=order.pk)
    for role in ROLES:
        expected = [
            name
            for name, rule in RULES.items()
            if name != "assign" and role in rule.roles and from_status in rule.allowed_from
        ]
        assert services.available_transitions(people[role], order) == expected, role
