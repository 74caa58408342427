"""Commissioning (mise en service): live checks of an installation order, run against its devices.

A check may first write a command (a lighting circuit ON), then reads its point every
`POLL_EVERY` seconds until the value is as expected or its timeout has passed. Every run is
recorded with the value measured, who ran it and when; the last run of a check counts. No
database transaction is held while a device is being asked.
"""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_model_permission, delete_restricted, save_restricted
from maintenir.devices import services as devices
from maintenir.devices.drivers import driver_for
from maintenir.devices.drivers.base import Connection, DeviceError, PointSpec
from maintenir.devices.models import Point
from maintenir.workorders import services
from maintenir.workorders.choices import CHECK_EDITABLE_STATUSES, CheckStatus
from maintenir.workorders.models import CommissioningCheck, CommissioningRun, WorkOrder
from maintenir.workorders.templatetags.workorder_tags import reading

POLL_EVERY = 0.25
CHECK_FIELDS = (
    "name",
    "point",
    "command_point",
    "command_value",
    "expected_value",
    "tolerance",
    "expected_min",
    "expected_max",
    "timeout",
)


def checks_of(order: WorkOrder) -> QuerySet[CommissioningCheck]:
    return order.commissioning_checks.select_related(
        "point__device", "command_point__device", "last_run__run_by"
    ).order_by("position")


# --- Preparing the checks --------------------------------------------------------------------


def signed_off(order: WorkOrder) -> bool:
    """The commissioning is signed off once the order has a sign-off: its report is then final, a draft before."""
    return bool(order.sign_offs.all())  # prefetched on the order pages


def require_editable(user: User, order: WorkOrder) -> None:
    """Whoever does the work (or a manager) prepares its checks, until the order is closed or its
    commissioning signed off (the signed report must stay what was signed)."""
    check_model_permission(user, Action.ADD, CommissioningCheck)
    services.require_executor(user, order)
    if order.status not in CHECK_EDITABLE_STATUSES:
        raise TransitionError(
            {"status": _("A %(status)s work order cannot change.") % {"status": order.get_status_display()}}
        )
    if signed_off(order):
        raise TransitionError({"status": _("The commissioning is signed off: its checks can no longer change.")})


def may_edit_checks(user: User, order: WorkOrder) -> bool:
    """Whether `user` may add, change or delete the order's checks now: `require_editable`'s rule."""
    try:
        require_editable(user, order)
    except (PermissionDenied, TransitionError):
        return False
    return True


def _unknown_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CHECK_FIELDS)
    if unknown:
        raise TransitionError({name: _("This field cannot be edited.") for name in sorted(unknown)})


@transaction.atomic
def add_check(user: User, order: WorkOrder, **fields: Any) -> CommissioningCheck:
    """Add a check at the end of the order's list."""
    require_editable(user, order)
    _unknown_fields(fields)
    last = order.commissioning_checks.order_by("-position").values_list("position", flat=True).first() or 0
    check = CommissioningCheck(work_order=order, position=last + 1, **fields)
    save_restricted(user, check)
    return check


@transaction.atomic
def update_check(user: User, check: CommissioningCheck, **fields: Any) -> CommissioningCheck:
    """Change a check; its earlier runs stay in the history but no longer count: it must run again."""
    require_editable(user, check.work_order)
    _unknown_fields(fields)
    for name, value in fields.items():
        setattr(check, name, value)
    check.last_run = None
    save_restricted(user, check)
    return check


@transaction.atomic
def delete_check(user: User, check: CommissioningCheck) -> None:
    """Remove a check with its runs; the checks after it move up one place."""
    order = check.work_order
    require_editable(user, order)
    delete_restricted(user, check)
    # One by one, upwards: each place is free before the next check moves into it.
    for later in order.commissioning_checks.filter(position__gt=check.position).order_by("position"):
        CommissioningCheck.objects.filter(pk=later.pk).update(position=later.position - 1)


# --- Running them ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A point and how to reach its device, read from the database before any request."""

    driver: str  # the device's protocol
    connection: Connection
    spec: PointSpec


@dataclass(frozen=True)
class Plan:
    read: Target
    command: Target | None
    command_value: float | None
    expected_value: float | None
    tolerance: float
    expected_min: float | None
    expected_max: float | None
    timeout: float

    def accepts(self, value: float) -> bool:
        if self.expected_value is not None:
            return devices.reads_as(self.read.spec, value, self.expected_value, self.tolerance)
        return (self.expected_min is None or value >= self.expected_min) and (
            self.expected_max is None or value <= self.expected_max
        )


@dataclass(frozen=True)
class Outcome:
    status: str
    value: float | None = None
    seconds: float = 0.0
    error: str = ""


def _target(point: Point) -> Target:
    return Target(point.device.protocol, devices.connection_of(point.device), devices.point_spec(point))


def _plan(check: CommissioningCheck) -> Plan:
    return Plan(
        read=_target(check.point),
        command=_target(check.command_point) if check.command_point is not None else None,
        command_value=check.command_value,
        expected_value=check.expected_value,
        tolerance=check.tolerance,
        expected_min=check.expected_min,
        expected_max=check.expected_max,
        timeout=check.timeout,
    )


async def _execute(plan: Plan) -> Outcome:
    """Write the command, then read until the point is as expected or the timeout has passed."""
    value: float | None = None
    try:
        if plan.command is not None and plan.command_value is not None:
            async with driver_for(plan.command.driver)(plan.command.connection) as driver:
                await driver.write(plan.command.spec, plan.command_value)
        async with driver_for(plan.read.driver)(plan.read.connection) as driver:
            loop = asyncio.get_running_loop()
            started = loop.time()
            while True:
                value = await devices.read_value(driver, plan.read.spec)
                seconds = loop.time() - started
                if plan.accepts(value):
                    return Outcome(CheckStatus.PASSED, value, seconds)
                if seconds >= plan.timeout:
                    return Outcome(CheckStatus.FAILED, value, seconds)
                await asyncio.sleep(min(POLL_EVERY, plan.timeout - seconds))
    except DeviceError as error:
        return Outcome(CheckStatus.ERROR, value, error=str(error) or type(error).__name__)


def _message(check: CommissioningCheck, outcome: Outcome) -> str:
    said = []
    if check.command_point is not None:
        said.append(
            _("Wrote %(value)s to %(point)s.")
            % {"value": reading(check.command_value, check.command_point.unit), "point": check.command_point.label}
        )
    measured = {"value": reading(outcome.value, check.point.unit), "seconds": number_format(outcome.seconds, 1)}
    if outcome.status == CheckStatus.PASSED:
        said.append(_("Read %(value)s after %(seconds)s s.") % measured)
    elif outcome.status == CheckStatus.FAILED:
        said.append(_("Still %(value)s after %(seconds)s s.") % measured)
    else:
        said.append(_("The device did not answer as asked: %(error)s") % {"error": outcome.error})
    return " ".join(said)


def _require_run(user: User, order: WorkOrder) -> None:
    """Running a check writes to the client's equipment: a technician or manager on the work, in progress."""
    check_model_permission(user, Action.ADD, CommissioningRun)
    services.require_execution(user, order)


def may_run(user: User, order: WorkOrder) -> bool:
    """Whether `user` may run the order's checks now (for showing only usable buttons): `_require_run`'s rule."""
    try:
        _require_run(user, order)
    except (PermissionDenied, TransitionError):
        return False
    return True


@transaction.atomic
def _record(user: User, results: Iterable[tuple[CommissioningCheck, Outcome]]) -> list[CommissioningRun]:
    runs = []
    for check, outcome in results:
        run = CommissioningRun(
            commissioning_check=check,
            status=outcome.status,
            measured_value=outcome.value,
            message=_message(check, outcome),
            run_by=user,
            run_at=timezone.now(),
        )
        save_restricted(user, run)
        # Not an edit of the check (see `changelog_exclude`): the run itself is the record.
        CommissioningCheck.objects.filter(pk=check.pk).update(last_run=run)
        check.last_run = run
        runs.append(run)
    return runs


def run_check(user: User, check: CommissioningCheck) -> CommissioningRun:
    """Run one check live and record its result; an unreachable device is a result (error), not a crash."""
    _require_run(user, check.work_order)
    outcome = async_to_sync(_execute)(_plan(check))
    (run,) = _record(user, [(check, outcome)])
    return run


def run_all(user: User, order: WorkOrder) -> list[CommissioningRun]:
    """Run every check of the order in order, then record all the results in one transaction."""
    _require_run(user, order)
    checks = list(checks_of(order))
    plans = [_plan(check) for check in checks]

    async def execute_all() -> list[Outcome]:
        return [await _execute(plan) for plan in plans]

    return _record(user, zip(checks, async_to_sync(execute_all)(), strict=True))
