"""Work requests and work orders: one function per transition, each checking and recording it."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maintenir.assets import services as asset_services
from maintenir.assets.choices import EquipmentStatus, Technology
from maintenir.assets.models import Equipment, Site, TechnologyTag
from maintenir.core.choices import Action, Role
from maintenir.core.files import reencode_photo
from maintenir.core.models import User
from maintenir.core.services import (
    TransitionError,
    check_model_permission,
    check_permission,
    delete_restricted,
    save_restricted,
)
from maintenir.people.safety import holds_habilitation
from maintenir.stores import services as stock
from maintenir.stores.models import Location, Part
from maintenir.workorders import oncall, qualifications
from maintenir.workorders.choices import (
    EXECUTION_STATUSES,
    LOCKOUT_STATUSES,
    OPEN_STATUSES,
    CheckStatus,
    DowntimeCause,
    Energy,
    Priority,
    SignOffRole,
    WorkOrderStatus,
    WorkOrderType,
    WorkRequestStatus,
)
from maintenir.workorders.models import (
    EXECUTION_ROLES,
    ChecklistStep,
    DetectionMethod,
    Downtime,
    FailureCause,
    FailureMechanism,
    FailureMode,
    LockoutStep,
    PartReservation,
    PartUsage,
    Remedy,
    Requirement,
    SignOff,
    Supervision,
    TimeEntry,
    WorkOrder,
    WorkOrderRequirement,
    WorkOrderTransition,
    WorkRequest,
    WorkRequestPhoto,
)
from maintenir.workorders.signals import order_planned, step_recording
from maintenir.workorders.templatetags.workorder_tags import expected_range, measure

S = WorkOrderStatus


MANAGER = "manager"
EXECUTOR = "executor"


@dataclass(frozen=True)
class Transition:
    """A move of the state machine: from which statuses, to which, and who may make it.

    `by` is MANAGER (a maintenance manager) or EXECUTOR (a person assigned to the
    order, or a manager acting for them).
    """

    allowed_from: frozenset[str]
    to: str
    by: str
    # What the refusal message says the user may not do.
    what: Promise


TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(frozenset({S.REQUESTED}), S.APPROVED, MANAGER, gettext_lazy("approve a work order")),
    "plan": Transition(frozenset({S.APPROVED}), S.PLANNED, MANAGER, gettext_lazy("plan a work order")),
    "start": Transition(frozenset({S.PLANNED}), S.IN_PROGRESS, EXECUTOR, gettext_lazy("start a work order")),
    "hold": Transition(frozenset({S.IN_PROGRESS}), S.ON_HOLD, EXECUTOR, gettext_lazy("put a work order on hold")),
    "resume": Transition(frozenset({S.ON_HOLD}), S.IN_PROGRESS, EXECUTOR, gettext_lazy("resume a work order")),
    "complete": Transition(frozenset({S.IN_PROGRESS}), S.DONE, EXECUTOR, gettext_lazy("complete a work order")),
    "close": Transition(frozenset({S.DONE}), S.CLOSED, MANAGER, gettext_lazy("close a work order")),
    "cancel": Transition(
        frozenset({S.REQUESTED, S.APPROVED, S.PLANNED, S.ON_HOLD}),
        S.CANCELLED,
        MANAGER,
        gettext_lazy("cancel a work order"),
    ),
}
ASSIGNABLE_STATUSES = frozenset({S.APPROVED, S.PLANNED, S.IN_PROGRESS, S.ON_HOLD})
# Stock is promised to approved work, until the work ends.
RESERVABLE_STATUSES = ASSIGNABLE_STATUSES
# NF X 60-000 level 1: simple work that trained operators may take over (their other steps are the technicians').
OPERATOR_LEVEL = 1
SIGN_OFF_STATUSES = {
    SignOffRole.TECHNICIAN: EXECUTION_STATUSES | {S.DONE},
    SignOffRole.CLIENT: frozenset({S.IN_PROGRESS, S.DONE}),
}


def _require_manager(user: User, what: str) -> None:
    if not user.is_manager:
        raise PermissionDenied(_("Only a maintenance manager may %(what)s.") % {"what": what})


def require_executor(user: User, order: WorkOrder) -> None:
    """The people doing the work are its assignees; managers may act for them."""
    check_permission(user, Action.VIEW, order)
    if user.is_manager:
        return
    if not order.assignees.filter(pk=user.pk).exists():
        raise PermissionDenied(_("Only a technician assigned to %(order)s may do this.") % {"order": order.reference})
    check_permission(user, Action.CHANGE, order)


def _require(user: User, order: WorkOrder, by: str, what: str) -> None:
    if by == MANAGER:
        _require_manager(user, what)
        check_permission(user, Action.CHANGE, order)
    else:
        require_executor(user, order)


def may_act(user: User, order: WorkOrder, by: str) -> bool:
    """Whether `user` is who `by` names for this order (for showing only usable buttons)."""
    if user.is_manager or by == MANAGER:
        return user.is_manager
    return user.role in EXECUTION_ROLES and any(person.pk == user.pk for person in order.assignees.all())


def available_transitions(user: User, order: WorkOrder) -> list[str]:
    """The transitions this user may make on the order as it is now."""
    return [
        name
        for name, transition in TRANSITIONS.items()
        if order.status in transition.allowed_from and may_act(user, order, transition.by)
    ]


def _move(
    user: User,
    order: WorkOrder,
    name: str,
    note: str = "",
    note_required: str = "",
    problems: Callable[[WorkOrder], dict[str, str]] | None = None,
    **fields: Any,
) -> WorkOrder:
    """Make transition `name`: check who, the current state, the note and any `problems`; save and record it."""
    transition = TRANSITIONS[name]
    _require(user, order, transition.by, str(transition.what))
    # Lock the row so two people cannot move the same order at once.
    current = WorkOrder.objects.select_for_update().values_list("status", flat=True).get(pk=order.pk)
    if current not in transition.allowed_from:
        raise TransitionError(
            {
                "status": _("A work order cannot go from %(from)s to %(to)s.")
                % {"from": S(current).label, "to": S(transition.to).label}
            }
        )
    if note_required and not note.strip():
        raise ValidationError({"reason": note_required})
    found = problems(order) if problems else {}
    if found:
        raise TransitionError(found)
    order.status = transition.to
    for field, value in fields.items():
        setattr(order, field, value)
    # Write only what the transition changes, so a stale copy of the order cannot undo someone else's edit.
    order.save(update_fields=["status", *fields, "last_updated"])
    WorkOrderTransition.objects.create(
        work_order=order, from_status=current, to_status=transition.to, user=user, note=note.strip()
    )
    return order


# --- Work requests ---------------------------------------------------------------------------


@transaction.atomic
def submit_work_request(
    user: User,
    site: Site,
    symptom: str,
    equipment: Equipment | None = None,
    urgency: int = Priority.NORMAL,
    equipment_stopped: bool = False,
    photos: Iterable[UploadedFile] = (),
) -> WorkRequest:
    """Report a fault; a stopped equipment goes down at once, with a failure downtime."""
    check_permission(user, Action.VIEW, site)
    if equipment is not None:
        check_permission(user, Action.VIEW, equipment)
    try:
        images = [reencode_photo(photo) for photo in photos]
    except ValidationError as error:
        raise ValidationError({"photos": error.error_list}) from error
    request = WorkRequest(
        site=site,
        equipment=equipment,
        symptom=symptom,
        urgency=urgency,
        equipment_stopped=equipment_stopped,
        reported_by=user,
    )
    save_restricted(user, request)
    for image in images:
        photo = WorkRequestPhoto(work_request=request, image=image)
        photo.full_clean()
        photo.save()
    if equipment is not None and equipment_stopped and not equipment.downtimes.filter(ended_at__isnull=True).exists():
        # Whoever reports a stopped machine records that it is down, whatever their role.
        _open_downtime(user, equipment, DowntimeCause.FAILURE, timezone.now(), None, request.reference)
    oncall.route_work_request(request)
    return request


@transaction.atomic
def raise_work_request(equipment: Equipment, symptom: str, urgency: int = Priority.HIGH) -> WorkRequest | None:
    """A request raised by Maintenir itself, for the manager to decide; none while one is still
    waiting on the same equipment with the same symptom."""
    waiting = WorkRequest.objects.filter(
        equipment=equipment, symptom=symptom, status=WorkRequestStatus.SUBMITTED, reported_by__isnull=True
    )
    if waiting.exists():
        return None
    request = WorkRequest(site=equipment.site, equipment=equipment, symptom=symptom, urgency=urgency)
    request.full_clean()
    request.save()
    oncall.route_work_request(request)
    return request


def _decide(user: User, request: WorkRequest) -> WorkRequest:
    _require_manager(user, _("decide on a work request"))
    check_permission(user, Action.CHANGE, request)
    locked = WorkRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != WorkRequestStatus.SUBMITTED:
        raise TransitionError(
            {"status": _("This request was already decided: %(status)s.") % {"status": locked.get_status_display()}}
        )
    return locked


@transaction.atomic
def approve_work_request(
    user: User,
    request: WorkRequest,
    work_type: str = WorkOrderType.CORRECTIVE,
    priority: int | None = None,
    due_date: datetime.date | None = None,
    assignees: Iterable[User] = (),
    title: str = "",
    accept_warnings: bool = True,
) -> WorkOrder:
    """Turn a request into an approved work order (planned at once if assignees are given).

    With `accept_warnings` False, an approval whose assignees could not do part of the work (see
    `assignment_warnings`) is refused with the warnings and nothing is written, so that the manager
    confirms it knowingly.
    """
    request = _decide(user, request)
    order = WorkOrder(
        site=request.site,
        equipment=request.equipment,
        work_type=work_type,
        title=title or request.symptom.splitlines()[0][:200],
        description=request.symptom,
        priority=priority or request.urgency,
        due_date=due_date,
        requested_by=request.reported_by,
        status=S.APPROVED,
    )
    save_restricted(user, order)
    WorkOrderTransition.objects.create(
        work_order=order,
        from_status="",
        to_status=S.APPROVED,
        user=user,
        note=_("From request %(ref)s") % {"ref": request.reference},
    )
    request.status = WorkRequestStatus.APPROVED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.work_order = order
    request.save()
    add_standard_lockout(order)
    if request.equipment is not None:
        # Saved one by one so the change log shows the downtime joining the order.
        for downtime in request.equipment.downtimes.filter(ended_at__isnull=True, work_order__isnull=True):
            downtime.work_order = order
            downtime.save()
    assignees = list(assignees)
    if assignees:
        plan_work_order(user, order, assignees)
    warnings = assignment_warnings(order)
    if warnings and not accept_warnings:
        raise ValidationError({"accept_warnings": warnings})
    return order


def assignment_warnings(order: WorkOrder) -> list[str]:
    """What the people assigned to an open order cannot do of it, though the assignment stands: its electrical
    lockout is confirmed by a holder of a valid BC habilitation (chargé de consignation), and without one among
    them the work cannot start."""
    people = list(order.assignees.all())
    if not people or order.status not in OPEN_STATUSES:
        return []
    if not order.lockout_steps.filter(energy=Energy.ELECTRICAL, confirmed_at__isnull=True).exists():
        return []
    day = qualifications.planned_day(order)
    if any(holds_habilitation(person, LOCKOUT_HABILITATION, day) for person in people):
        return []
    return [
        _(
            "Nobody assigned holds a valid %(code)s habilitation (chargé de consignation): %(people)s cannot "
            "confirm the lockout, so the work cannot start. Assign a holder too, or another technician."
        )
        % {"code": LOCKOUT_HABILITATION, "people": ", ".join(qualifications.name_of(person) for person in people)}
    ]


@transaction.atomic
def reject_work_request(user: User, request: WorkRequest, reason: str) -> WorkRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is rejected.")})
    request = _decide(user, request)
    request.status = WorkRequestStatus.REJECTED
    request.rejection_reason = reason.strip()
    request.decided_by = user
    request.decided_at = timezone.now()
    request.save()
    return request


# --- Work order transitions ------------------------------------------------------------------


@transaction.atomic
def create_work_order(user: User, order: WorkOrder, steps: Iterable[dict[str, Any]] = ()) -> WorkOrder:
    """Create a work order; a manager's order is approved at once, anyone else's is requested."""
    check_model_permission(user, Action.ADD, WorkOrder)
    order.status = S.APPROVED if user.is_manager else S.REQUESTED
    order.requested_by = order.requested_by or user
    save_restricted(user, order)
    WorkOrderTransition.objects.create(work_order=order, from_status="", to_status=order.status, user=user)
    for step in steps:
        _append_step(order, step)
    add_standard_lockout(order)
    return order


def follow_up_fields(step: ChecklistStep) -> dict[str, Any]:
    """A corrective order following up a measurement out of its tolerance: on the same equipment, titled
    with the measurement and its value, linked to the step (which is then followed up)."""
    order = step.work_order
    value = {
        "instruction": step.instruction.splitlines()[0][:80] if step.instruction else "",
        "value": measure(step.measured_value, step.unit),
        "expected": expected_range(step),
        "order": order.reference,
        "position": step.position,
    }
    return {
        "site": order.site_id,
        "equipment": order.equipment_id,
        "work_type": WorkOrderType.CORRECTIVE,
        "priority": order.priority,
        "title": (_("Out of tolerance: %(instruction)s = %(value)s") % value)[:200],
        "description": _(
            "Measured %(value)s at step %(position)s of %(order)s (%(instruction)s), expected %(expected)s."
        )
        % value,
        "follow_up_of": step.pk,
    }


def _require_open(order: WorkOrder) -> None:
    if order.status not in OPEN_STATUSES:
        raise TransitionError(
            {"status": _("A %(status)s work order cannot change.") % {"status": order.get_status_display()}}
        )


def _append_step(order: WorkOrder, fields: dict[str, Any]) -> ChecklistStep:
    last = order.steps.order_by("-position").values_list("position", flat=True).first() or 0
    step = ChecklistStep(work_order=order, position=last + 1, **fields)
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def add_step(user: User, order: WorkOrder, **fields: Any) -> ChecklistStep:
    """Add a checklist step at the end of an open order's checklist (the manager prepares the work)."""
    _require_manager(user, _("change a work order's checklist"))
    check_permission(user, Action.CHANGE, order)
    _require_open(order)
    return _append_step(order, fields)


EDITABLE_FIELDS = (
    "site",
    "equipment",
    "work_type",
    "title",
    "description",
    "priority",
    "due_date",
    "planned_start",
    "estimated_hours",
)


@transaction.atomic
def update_work_order(user: User, order: WorkOrder, **fields: Any) -> WorkOrder:
    """Change an open order's descriptive fields; its status only moves through the transitions."""
    _require_manager(user, _("edit a work order"))
    check_permission(user, Action.CHANGE, order)
    _require_open(order)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be edited.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(order, name, value)
    order.full_clean()
    order.save(update_fields=[*fields, "last_updated"])
    # Nobody may move an order to a site they cannot see.
    check_permission(user, Action.CHANGE, order)
    return order


@transaction.atomic
def approve_work_order(user: User, order: WorkOrder) -> WorkOrder:
    return _move(user, order, "approve")


@transaction.atomic
def assign_work_order(
    user: User, order: WorkOrder, assignees: Iterable[User], planned_start: datetime.datetime | None = None
) -> WorkOrder:
    """Set who does the work, checked for the order's planned day (`planned_start`'s when it is being planned).

    Every assignee must be able to see the order's site and be qualified for its requirements; a trainee
    works beside a qualified technician, recorded as their tutor. A refusal names each person and what
    they lack, and changes nothing.
    """
    _require_manager(user, _("assign a work order"))
    check_permission(user, Action.CHANGE, order)
    if order.status not in ASSIGNABLE_STATUSES:
        raise TransitionError(
            {"status": _("A %(status)s work order cannot be reassigned.") % {"status": order.get_status_display()}}
        )
    people = list(dict.fromkeys(assignees))
    for person in people:
        if not WorkOrder.objects.restrict(person, Action.CHANGE).filter(pk=order.pk).exists():
            raise ValidationError({"assignees": _("%(user)s cannot work on this order.") % {"user": person}})
    needs = qualifications.requirements_of([order])[order.pk]
    verdict = qualifications.check_assignment(needs, people, qualifications.planned_day(order, planned_start))
    if verdict.refusals:
        raise ValidationError({"assignees": verdict.refusals})
    order.assignees.set(people)
    order.supervisions.all().delete()
    for trainee, tutor in verdict.tutors.items():
        Supervision.objects.create(work_order=order, trainee_id=trainee, tutor_id=tutor)
    return order


@transaction.atomic
def plan_work_order(
    user: User, order: WorkOrder, assignees: Iterable[User], planned_start: datetime.datetime | None = None
) -> WorkOrder:
    people = list(assignees)
    if not people:
        raise ValidationError({"assignees": _("Assign at least one technician to plan the order.")})
    assign_work_order(user, order, people, planned_start)
    _move(user, order, "plan", planned_start=planned_start or order.planned_start)
    order_planned.send(sender=WorkOrder, user=user, order=order)
    return order


def start_problems(order: WorkOrder) -> dict[str, str]:
    """What prevents the work from starting: the isolations not yet confirmed."""
    unconfirmed = order.lockout_steps.filter(confirmed_at__isnull=True).order_by("position")
    if not unconfirmed:
        return {}
    return {
        "lockout_steps": _("Confirm these lockout steps before starting: %(steps)s.")
        % {"steps": "; ".join(str(step) for step in unconfirmed)}
    }


def lockout_problems(order: WorkOrder) -> dict[str, str]:
    """The isolations still in place, which must be released before the order is done, closed or cancelled."""
    locked = order.lockout_steps.filter(confirmed_at__isnull=False, released_at__isnull=True).order_by("position")
    if not locked:
        return {}
    return {
        "lockout_steps": _("Release these lockout steps first: %(steps)s.")
        % {"steps": "; ".join(str(step) for step in locked)}
    }


@transaction.atomic
def save_requirement(user: User, requirement: Requirement) -> Requirement:
    """Add or change a requirement: of an order while it is open, of a work type, or of a gamme step.

    People already assigned are not checked again: the order page shows what each of them lacks.
    """
    if isinstance(requirement, WorkOrderRequirement):
        _require_open(requirement.work_order)
    save_restricted(user, requirement)
    return requirement


@transaction.atomic
def delete_requirement(user: User, requirement: Requirement) -> None:
    if isinstance(requirement, WorkOrderRequirement):
        _require_open(requirement.work_order)
    delete_restricted(user, requirement)


@transaction.atomic
def start_work_order(user: User, order: WorkOrder) -> WorkOrder:
    return _move(user, order, "start", problems=start_problems, started_at=order.started_at or timezone.now())


@transaction.atomic
def hold_work_order(user: User, order: WorkOrder, reason: str) -> WorkOrder:
    return _move(
        user, order, "hold", note=reason, note_required=_("Say why the work is on hold (waiting for parts, access…).")
    )


@transaction.atomic
def resume_work_order(user: User, order: WorkOrder) -> WorkOrder:
    return _move(user, order, "resume")


def completion_problems(order: WorkOrder) -> dict[str, str]:
    """What still prevents the order from being done, by field."""
    problems: dict[str, str] = {}
    steps = list(order.steps.all())
    if any(not step.is_done for step in steps):
        problems["steps"] = _("Every checklist step must be done.")
    elif any(step.requires_measurement and step.measured_value is None for step in steps):
        problems["steps"] = _("Every step that asks for a measurement needs its measured value.")
    if order.work_type == WorkOrderType.CORRECTIVE and order.failure_mode_id is None:
        problems["failure_mode"] = _("A corrective order needs its failure mode.")
    if not order.sign_offs.filter(role=SignOffRole.TECHNICIAN).exists():
        problems["sign_offs"] = _("The technician must sign off the work.")
    return problems | lockout_problems(order)


@transaction.atomic
def complete_work_order(user: User, order: WorkOrder, findings: str | None = None) -> WorkOrder:
    """Finish the work: the order's open downtimes end now and the equipment is back in service."""
    now = timezone.now()
    written = {"completed_at": now} if findings is None else {"completed_at": now, "findings": findings}
    _move(user, order, "complete", problems=completion_problems, **written)
    for downtime in order.downtimes.filter(ended_at__isnull=True):
        end_downtime(user, downtime, now)
    release_reservations(order)
    return order


@transaction.atomic
def close_work_order(user: User, order: WorkOrder) -> WorkOrder:
    return _move(user, order, "close", problems=lockout_problems, closed_at=timezone.now())


@transaction.atomic
def cancel_work_order(user: User, order: WorkOrder, reason: str) -> WorkOrder:
    _move(
        user,
        order,
        "cancel",
        note=reason,
        note_required=_("Say why the order is cancelled."),
        problems=lockout_problems,
    )
    release_reservations(order)
    return order


# --- Lockout (consignation) ------------------------------------------------------------------

# The standard lockout of each energy, in its order; the manager adapts the isolation points.
# Electrical: NF C 18-510. The others follow the same four stages (INRS ED 6109): separate, lock,
# dissipate what is stored, verify.
STANDARD_LOCKOUT = {
    Energy.ELECTRICAL: (
        gettext_lazy("Electrical supply of %(equipment)s"),
        (
            gettext_lazy(
                "Separation: open the separating device(s) so the equipment is cut off from every source of "
                "electrical energy, back-feeds included."
            ),
            gettext_lazy(
                "Locking: lock the separating device(s) in the open position; fit the padlock and the lockout tag."
            ),
            gettext_lazy(
                "Identification: check on site that the locked-out circuit is the one of the equipment worked on."
            ),
            gettext_lazy(
                "Verification of absence of voltage (VAT) on every conductor, as close as possible to the work, "
                "with a tester checked before and after."
            ),
            gettext_lazy(
                "Earthing and short-circuiting where required (high voltage, or low voltage with a risk of induced "
                "voltage or back-feed)."
            ),
        ),
    ),
    Energy.HYDRAULIC: (
        gettext_lazy("Hydraulic power of %(equipment)s"),
        (
            gettext_lazy("Separation: stop the hydraulic power unit and close the isolating valve(s) of the circuit."),
            gettext_lazy("Locking: lock the isolating valve(s) in the closed position; fit the padlock and the tag."),
            gettext_lazy(
                "Dissipation: discharge the accumulators, release the residual pressure and lower or block "
                "the loads held by cylinders."
            ),
            gettext_lazy("Verification: check on the gauge that the pressure at the work point is zero."),
        ),
    ),
    Energy.PNEUMATIC: (
        gettext_lazy("Compressed-air supply of %(equipment)s"),
        (
            gettext_lazy("Separation: close the isolating valve of the compressed-air supply."),
            gettext_lazy("Locking: lock the isolating valve in the closed position; fit the padlock and the tag."),
            gettext_lazy(
                "Dissipation: vent the circuit and its reservoirs downstream; block the actuators that air "
                "trapped in them or gravity could move."
            ),
            gettext_lazy("Verification: check on the gauge that the pressure is zero and that no actuator moves."),
        ),
    ),
    Energy.MECHANICAL: (
        gettext_lazy("Moving parts and stored mechanical energy of %(equipment)s"),
        (
            gettext_lazy("Immobilisation: wait for the moving parts to stop (flywheels, spindles, conveyors)."),
            gettext_lazy(
                "Dissipation: release or block the stored energy (springs, counterweights, raised loads, "
                "tensioned belts) with mechanical stops or chocks."
            ),
            gettext_lazy("Locking: lock the stops in place; fit the padlock and the tag."),
            gettext_lazy("Verification: try to start the movement and check that nothing moves."),
        ),
    ),
}
# The energy each technology brings to an equipment.
TECHNOLOGY_ENERGIES = {
    Technology.ELECTRICAL: Energy.ELECTRICAL,
    Technology.HYDRAULIC: Energy.HYDRAULIC,
    Technology.PNEUMATIC: Energy.PNEUMATIC,
    Technology.MECHANICAL: Energy.MECHANICAL,
}
# The habilitation of whoever carries out an electrical lockout: chargé de consignation.
LOCKOUT_HABILITATION = "BC"


def lockout_energies(equipment: Equipment) -> list[Energy]:
    """The energies to isolate on an equipment: those of its technologies and of its sub-assemblies'."""
    tree = [equipment.pk, *(item.pk for item in asset_services.descendants(equipment))]
    codes = set(TechnologyTag.objects.filter(equipment__in=tree).values_list("code", flat=True))
    return [energy for technology, energy in TECHNOLOGY_ENERGIES.items() if technology in codes]


def add_standard_lockout(order: WorkOrder) -> list[LockoutStep]:
    """The standard lockout steps of each energy of the order's equipment (see `lockout_energies`)."""
    equipment = order.equipment
    if equipment is None:
        return []
    steps = []
    # Stored text: in the company's language, whoever creates the order.
    with translation.override(settings.LANGUAGE_CODE):
        for energy in lockout_energies(equipment):
            point_text, actions = STANDARD_LOCKOUT[energy]
            point = str(point_text) % {"equipment": equipment.code}
            steps += [
                _append_lockout_step(order, {"isolation_point": point, "energy": energy, "action": str(text)})
                for text in actions
            ]
    return steps


def _append_lockout_step(order: WorkOrder, fields: dict[str, Any]) -> LockoutStep:
    last = order.lockout_steps.order_by("-position").values_list("position", flat=True).first() or 0
    step = LockoutStep(work_order=order, position=last + 1, **fields)
    step.full_clean()
    step.save()
    return step


def _require_preparing(user: User, order: WorkOrder) -> None:
    _require_manager(user, _("change a work order's lockout"))
    check_permission(user, Action.CHANGE, order)
    if order.status not in OPEN_STATUSES:
        raise TransitionError(
            {"status": _("A %(status)s work order cannot change.") % {"status": order.get_status_display()}}
        )


def _require_unconfirmed(step: LockoutStep) -> None:
    if step.confirmed_at is not None:
        raise TransitionError({"confirmed_at": _("This isolation is confirmed: it can no longer change.")})


@transaction.atomic
def add_lockout_step(user: User, order: WorkOrder, **fields: Any) -> LockoutStep:
    """Add an isolation at the end of an open order's lockout."""
    _require_preparing(user, order)
    return _append_lockout_step(order, fields)


LOCKOUT_EDITABLE_FIELDS = ("isolation_point", "energy", "action")


@transaction.atomic
def update_lockout_step(user: User, step: LockoutStep, **fields: Any) -> LockoutStep:
    """Change an isolation before it is confirmed."""
    _require_preparing(user, step.work_order)
    _require_unconfirmed(step)
    unknown = set(fields) - set(LOCKOUT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be edited.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(step, name, value)
    step.full_clean()
    step.save(update_fields=[*fields, "last_updated"])
    return step


@transaction.atomic
def delete_lockout_step(user: User, step: LockoutStep) -> None:
    _require_preparing(user, step.work_order)
    _require_unconfirmed(step)
    step.delete()


def _lockout_transition(user: User, step: LockoutStep) -> LockoutStep:
    """Check who and when for a confirmation or a release; the step, locked against a concurrent one."""
    order = step.work_order
    require_executor(user, order)
    if order.status not in LOCKOUT_STATUSES:
        raise TransitionError(
            {
                "status": _("Lockouts are confirmed and released on a planned or started order, not a %(status)s one.")
                % {"status": order.get_status_display().lower()}
            }
        )
    return LockoutStep.objects.select_for_update().get(pk=step.pk)


@transaction.atomic
def confirm_lockout_step(user: User, step: LockoutStep) -> LockoutStep:
    """The isolation is in place: recorded with who confirmed it and when; an electrical one by a
    chargé de consignation (BC, NF C 18-510)."""
    locked = _lockout_transition(user, step)
    if locked.released_at is not None:
        raise TransitionError({"released_at": _("This isolation has already been released.")})
    if locked.confirmed_at is not None:
        raise TransitionError({"confirmed_at": _("This isolation is already confirmed.")})
    if locked.energy == Energy.ELECTRICAL and not holds_habilitation(user, LOCKOUT_HABILITATION):
        raise PermissionDenied(
            _("Only a holder of a valid %(code)s habilitation (chargé de consignation) may confirm a lockout.")
            % {"code": LOCKOUT_HABILITATION}
        )
    locked.confirmed_by = user
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_by", "confirmed_at", "last_updated"])
    return locked


@transaction.atomic
def release_lockout_step(user: User, step: LockoutStep) -> LockoutStep:
    """The isolation is removed (déconsignation): only once confirmed, and only once."""
    locked = _lockout_transition(user, step)
    if locked.confirmed_at is None:
        raise TransitionError({"confirmed_at": _("This isolation was never confirmed: there is nothing to release.")})
    if locked.released_at is not None:
        raise TransitionError({"released_at": _("This isolation has already been released.")})
    locked.released_by = user
    locked.released_at = timezone.now()
    locked.save(update_fields=["released_by", "released_at", "last_updated"])
    return locked


# --- Execution -------------------------------------------------------------------------------


def require_execution(user: User, order: WorkOrder) -> None:
    require_executor(user, order)
    if order.status not in EXECUTION_STATUSES:
        raise TransitionError(
            {
                "status": _("Work can only be recorded on an order in progress or on hold, not %(status)s.")
                % {"status": order.get_status_display()}
            }
        )


@transaction.atomic
def record_step(
    user: User,
    step: ChecklistStep,
    is_done: bool = True,
    measured_value: Decimal | None = None,
    remark: str = "",
) -> ChecklistStep:
    require_execution(user, step.work_order)
    if user.role == Role.OPERATOR and not user.is_superuser and step.level != OPERATOR_LEVEL:
        raise ValidationError(
            {
                "step": _("An operator may only do level-1 steps; step %(position)s is a technician's.")
                % {"position": step.position}
            }
        )
    step_recording.send(sender=ChecklistStep, user=user, step=step)
    if is_done and step.requires_measurement and measured_value is None:
        raise ValidationError({"measured_value": _("This step needs a measured value.")})
    step.is_done = is_done
    step.measured_value = measured_value
    step.remark = remark
    step.done_by = user if is_done else None
    step.done_at = timezone.now() if is_done else None
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def log_time(
    user: User,
    order: WorkOrder,
    hours: Decimal,
    date: datetime.date | None = None,
    technician: User | None = None,
    note: str = "",
) -> TimeEntry:
    """Record time spent; technicians log their own time, managers may log anyone's."""
    require_execution(user, order)
    technician = technician or user
    if technician != user and not user.is_manager:
        raise PermissionDenied(_("You may only log your own time."))
    if not WorkOrder.objects.restrict(technician, Action.CHANGE).filter(pk=order.pk).exists():
        raise ValidationError({"technician": _("%(user)s cannot work on this order.") % {"user": technician}})
    entry = TimeEntry(
        work_order=order, technician=technician, hours=hours, date=date or timezone.localdate(), note=note
    )
    entry.full_clean()
    logged = TimeEntry.objects.filter(technician=technician, date=entry.date).aggregate(total=Sum("hours"))["total"]
    if (logged or 0) + entry.hours > 24:
        raise ValidationError(
            {
                "hours": _("%(user)s already has %(hours)s h logged that day; a day has 24 hours.")
                % {"user": technician, "hours": logged}
            }
        )
    entry.save()
    return entry


@transaction.atomic
def add_part(
    user: User, order: WorkOrder, description: str, quantity: Decimal = Decimal(1), unit_cost: Decimal | None = None
) -> PartUsage:
    require_execution(user, order)
    part = PartUsage(work_order=order, description=description, quantity=quantity, unit_cost=unit_cost)
    part.full_clean()
    part.save()
    return part


# --- Parts from stock --------------------------------------------------------------------------

COST_CENT = Decimal("0.01")


@transaction.atomic
def reserve_part(user: User, order: WorkOrder, part: Part, location: Location, quantity: Decimal) -> PartReservation:
    """Promise stock at `location` to the order; what is available there drops by as much."""
    require_executor(user, order)
    if order.status not in RESERVABLE_STATUSES:
        raise TransitionError(
            {
                "status": _("Parts are reserved for an approved order until its work ends, not a %(status)s one.")
                % {"status": order.get_status_display()}
            }
        )
    check_permission(user, Action.VIEW, part)
    check_permission(user, Action.VIEW, location)
    stock.reserve(part, location, quantity)
    reservation, _created = PartReservation.objects.select_for_update().get_or_create(
        work_order=order, part=part, location=location, defaults={"quantity": Decimal(0)}
    )
    reservation.quantity += Decimal(quantity)
    reservation.save(update_fields=["quantity", "last_updated"])
    return reservation


def _consume(order: WorkOrder, part: Part, location: Location, quantity: Decimal) -> Decimal:
    """Take up to `quantity` from the order's reservation of this part there; how much it held of it."""
    reservation = (
        PartReservation.objects.select_for_update().filter(work_order=order, part=part, location=location).first()
    )
    if reservation is None:
        return Decimal(0)
    used = min(reservation.quantity, quantity)
    reservation.quantity -= used
    reservation.save(update_fields=["quantity", "last_updated"])
    return used


@transaction.atomic
def issue_part(
    user: User,
    order: WorkOrder,
    part: Part,
    location: Location,
    quantity: Decimal,
    instead_of: Part | None = None,
) -> PartUsage:
    """Take a part from stock for the order at work, using its reservation there first.

    When an equivalent is fitted `instead_of` the part the work called for, the order records both,
    and the reservation of the part it replaces is released.
    """
    require_execution(user, order)
    quantity = Decimal(quantity)
    if instead_of is not None:
        if instead_of.pk == part.pk:
            instead_of = None
        elif part.pk not in stock.equivalents(instead_of):
            raise ValidationError(
                {
                    "part": _("%(part)s may not replace %(other)s.")
                    % {"part": part.reference, "other": instead_of.reference}
                }
            )
    movement = stock.issue(
        user,
        part,
        location,
        quantity,
        reference=order.reference,
        from_reserved=_consume(order, part, location, quantity),
    )
    if instead_of is not None:
        for reservation in PartReservation.objects.select_for_update().filter(work_order=order, part=instead_of):
            replaced = min(reservation.quantity, quantity)
            if replaced > 0:
                stock.release(instead_of, reservation.location, replaced)
                reservation.quantity -= replaced
                reservation.save(update_fields=["quantity", "last_updated"])
    usage = PartUsage(
        work_order=order,
        description=str(part)[: PartUsage._meta.get_field("description").max_length],
        quantity=quantity,
        unit_cost=movement.unit_cost.quantize(COST_CENT),
        part=part,
        movement=movement,
        instead_of=instead_of,
    )
    usage.full_clean()
    usage.save()
    return usage


def release_reservations(order: WorkOrder) -> None:
    """Give back to stock what the order reserved and did not use (on completion or cancellation)."""
    for reservation in PartReservation.objects.select_for_update().filter(work_order=order, quantity__gt=0):
        stock.release(reservation.part, reservation.location, reservation.quantity)
        reservation.quantity = Decimal(0)
        reservation.save(update_fields=["quantity", "last_updated"])


@transaction.atomic
def code_failure(
    user: User,
    order: WorkOrder,
    failure_mode: FailureMode | None,
    failure_mechanism: FailureMechanism | None = None,
    failure_cause: FailureCause | None = None,
    remedy: Remedy | None = None,
    detection_method: DetectionMethod | None = None,
    findings: str | None = None,
) -> WorkOrder:
    """Record the ISO 14224 failure coding (and findings) of an order."""
    require_execution(user, order)
    order.failure_mode = failure_mode
    order.failure_mechanism = failure_mechanism
    order.failure_cause = failure_cause
    order.remedy = remedy
    order.detection_method = detection_method
    if findings is not None:
        order.findings = findings
    order.full_clean()
    order.save()
    return order


@transaction.atomic
def sign_off(
    user: User, order: WorkOrder, role: str, name: str, signature: str = "", reservations: str = ""
) -> SignOff:
    """The technician signs while finishing; the client signs once the work is done.

    While a commissioning check has not passed, signing means accepting with reservations
    (réserves): the signer must write them."""
    check_permission(user, Action.VIEW, order)
    if role == SignOffRole.TECHNICIAN:
        require_executor(user, order)
    if order.status not in SIGN_OFF_STATUSES[SignOffRole(role)]:
        raise TransitionError(
            {"status": _("This order cannot be signed while %(status)s.") % {"status": order.get_status_display()}}
        )
    if order.sign_offs.filter(role=role).exists():
        raise ValidationError(
            {"role": _("This order already has a %(role)s sign-off.") % {"role": SignOffRole(role).label.lower()}}
        )
    not_passed = order.commissioning_checks.exclude(last_run__status=CheckStatus.PASSED).order_by("position")
    if not reservations.strip() and not_passed.exists():
        raise ValidationError(
            {
                "reservations": _("These checks have not passed: %(checks)s. Record your reservations to sign anyway.")
                % {"checks": "; ".join(str(check) for check in not_passed)}
            }
        )
    signed = SignOff(
        work_order=order,
        role=role,
        name=name.strip(),
        signature=signature,
        reservations=reservations.strip(),
        signed_at=timezone.now(),
        user=user,
    )
    signed.full_clean()
    signed.save()
    return signed


# --- Downtime --------------------------------------------------------------------------------


@transaction.atomic
def start_downtime(
    user: User,
    equipment: Equipment,
    cause: str,
    started_at: datetime.datetime | None = None,
    work_order: WorkOrder | None = None,
    note: str = "",
) -> Downtime:
    """Open a downtime interval: the equipment is down until it ends."""
    check_permission(user, Action.VIEW, equipment)
    check_model_permission(user, Action.ADD, Downtime)
    if equipment.downtimes.filter(ended_at__isnull=True).exists():
        raise ValidationError({"equipment": _("%(equipment)s is already down.") % {"equipment": equipment}})
    return _open_downtime(user, equipment, cause, started_at or timezone.now(), work_order, note)


def _open_downtime(
    user: User, equipment: Equipment, cause: str, started_at: datetime.datetime, work_order: WorkOrder | None, note: str
) -> Downtime:
    downtime = Downtime(equipment=equipment, work_order=work_order, cause=cause, started_at=started_at, note=note)
    downtime.full_clean()
    downtime.save()
    asset_services.set_status(user, equipment, EquipmentStatus.DOWN)
    return downtime


@transaction.atomic
def end_downtime(user: User, downtime: Downtime, ended_at: datetime.datetime | None = None) -> Downtime:
    """Close a downtime interval: the equipment is restarted (remise en service)."""
    check_permission(user, Action.VIEW, downtime)
    check_model_permission(user, Action.CHANGE, Downtime)
    if downtime.ended_at is not None:
        raise ValidationError({"ended_at": _("This downtime has already ended.")})
    downtime.ended_at = ended_at or timezone.now()
    downtime.full_clean()
    downtime.save()
    asset_services.set_status(user, downtime.equipment, EquipmentStatus.IN_SERVICE)
    return downtime
