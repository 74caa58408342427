"""Parameterisation (paramétrage): apply a parameter set to devices, verify it, revert it.

Applying writes each point, reads it back and records the value before, the value asked and the
value read back, with who and when. A device that refuses or answers differently is put back as
it was (its points already written get their old values again, checked by reading them) and the
application is recorded as failed — as failed with the device left changed, naming each point
that could not be put back, when that is so. Reverting writes the old values back; a BACnet command
at a priority slot that was empty before is relinquished instead, so the point returns to what
lower priorities (or its relinquish default) say.

Who may write to live equipment is decided here, once, for the pages and the API alike
(`write_rights`, `apply_refusal`, `revert_refusal`); a refusal is raised before anything is written.
"""

import contextlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from asgiref.sync import async_to_sync
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.core.choices import MANAGING_ROLES, Action, Role
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_permission, clean_row, save_restricted
from maintenir.devices import services, signals
from maintenir.devices.choices import ApplicationStatus
from maintenir.devices.drivers import driver_for
from maintenir.devices.drivers.base import DeviceError, Driver, PointSpec, Restore
from maintenir.devices.models import Application, Device, ParameterEntry, ParameterSet, Point, PointWrite
from maintenir.people.models import REMOTE_PARAMETERISATION, Technician
from maintenir.people.safety import holds_habilitation


@dataclass
class Write:
    name: str  # the point's, for saying which one failed
    point: PointSpec
    new_value: float
    old_value: float | None = None
    read_back: float | None = None
    # How to put the point back as it was: learnt before writing, or kept from the application when reverting.
    restore: Restore | None = None
    undo_error: str = ""


def _matches(write: Write, value: float | None) -> bool:
    return value is not None and services.reads_as(write.point, value, write.new_value)


def _reason(error: Exception) -> str:
    """The device's own reason; an error the driver did not foresee is named by its type."""
    return str(error) if isinstance(error, DeviceError) else f"{type(error).__name__}: {error}"


async def _put_back(driver: Driver, write: Write) -> None:
    """Undo one write after a failure, and check the point reads its old value again; says why not in `undo_error`."""
    try:
        assert write.restore is not None
        await driver.restore(write.point, write.restore)
        now = await services.read_value(driver, write.point)
    except Exception as error:
        write.undo_error = _reason(error)
        return
    if write.old_value is not None and not services.reads_as(write.point, now, write.old_value):
        write.undo_error = _("reads %(read)s, not %(old)s as before") % {"read": now, "old": write.old_value}


async def _write_one(driver: Driver, write: Write, reverting: bool) -> str:
    """Write and read back one point; returns what went wrong, naming the point."""
    try:
        write.old_value = await services.read_value(driver, write.point)
        if reverting:
            assert write.restore is not None
            await driver.restore(write.point, write.restore)
        else:
            write.restore = await driver.restore_of(write.point, write.old_value)
            await driver.write(write.point, write.new_value)
        write.read_back = await services.read_value(driver, write.point)
    except Exception as error:
        return _("%(point)s: %(error)s") % {"point": write.name, "error": _reason(error)}
    if _matches(write, write.read_back):
        return ""
    failure = _("%(point)s reads %(read)s after writing %(asked)s.") % {
        "point": write.name,
        "read": write.read_back,
        "asked": write.new_value,
    }
    try:
        why = await driver.why_not(write.point)
    except Exception:  # the explanation is a courtesy; the failure stands without it
        why = ""
    return f"{failure} ({why})" if why else failure


async def _write_all(driver_class: type[Driver], device: Device, writes: list[Write], reverting: bool = False) -> str:
    """Write and verify each point; on the first failure put back those written (each write's
    `undo_error` says where that failed). Returns the error, if any.

    Reverting, each write's new value is the value from before the application, which the point must
    read again once given back."""
    if not writes:
        return ""
    driver = driver_class(services.connection_of(device))
    try:
        await driver.connect()
    except Exception as error:
        return _reason(error)
    failure = ""
    try:
        for write in writes:
            failure = await _write_one(driver, write, reverting)
            if failure:
                break
        if failure and not reverting:
            # Those written and the one that failed (a device may apply a write and still answer an error).
            for undone in reversed(writes):
                if undone.restore is not None:
                    await _put_back(driver, undone)
    finally:
        with contextlib.suppress(Exception):
            await driver.close()
    return failure


def _specs_by_name(device: Device) -> dict[str, tuple[Point, PointSpec]]:
    points = {point.pk: point for point in device.points.all()}
    return {points[spec.id].name: (points[spec.id], spec) for spec in services.point_specs(device)}


@transaction.atomic
def save_parameter_set(user: User, parameter_set: ParameterSet, entries: Sequence[tuple[str, float]]) -> ParameterSet:
    """Save the set with these (point name, value) entries in place of its former ones.

    A bad entry raises a ValidationError naming its row and field ("entries.2.value"), and nothing
    is written.
    """
    save_restricted(user, parameter_set)
    parameter_set.entries.all().delete()
    rows: list[ParameterEntry] = []
    first_row: dict[str, int] = {}
    for row, (point_name, value) in enumerate(entries, start=1):
        entry = ParameterEntry(parameter_set=parameter_set, point_name=point_name, value=value)
        if point_name in first_row:
            raise ValidationError(
                {
                    f"entries.{row}.point_name": _("%(point)s is already set on row %(row)d.")
                    % {"point": point_name, "row": first_row[point_name]}
                }
            )
        first_row[point_name] = row
        clean_row(entry, "entries", row, exclude=["parameter_set"])
        rows.append(entry)
    ParameterEntry.objects.bulk_create(rows)
    return parameter_set


def applicable_devices(parameter_set: ParameterSet, devices: QuerySet[Device]) -> QuerySet[Device]:
    """The devices the set can be applied to: those of its site (if it has one), each with a writable
    point of every entry's name, as `apply_parameter_set` matches them."""
    if parameter_set.site_id is not None:
        devices = devices.filter(equipment__site_id=parameter_set.site_id)
    for point_name in parameter_set.entries.values_list("point_name", flat=True):
        devices = devices.filter(Exists(Point.objects.filter(device=OuterRef("pk"), name=point_name, writable=True)))
    return devices


# --- Who may write to live equipment ----------------------------------------------------------


@dataclass(frozen=True)
class WriteRights:
    """Where a person may write parameter sets to devices.

    Managers and administrators: every device, and they revert anyone's application. A technician: the
    devices of the equipment on which they hold a work order not closed or cancelled, or every device
    with the remote parameterisation habilitation; they revert their own applications and those made
    under them as a tutor. A trainee: only beside a tutor recorded with them on such an order, who is
    named on the application. Nobody else writes to live equipment.
    """

    manages: bool = False
    technician: bool = False
    trainee: bool = False
    anywhere: bool = False
    # Equipment id -> the tutors beside the person there (for a trainee, only where there is one).
    work: Mapping[int, frozenset[int]] = field(default_factory=dict)

    @property
    def in_trade(self) -> bool:
        """Whether the person's role writes parameter sets at all, wherever their work allows it."""
        return self.manages or self.technician

    def covers(self, device: Device) -> bool:
        return self.anywhere or device.equipment_id in self.work

    def devices(self, devices: QuerySet[Device]) -> QuerySet[Device]:
        return devices if self.anywhere else devices.filter(equipment_id__in=list(self.work))

    def tutors(self) -> set[int]:
        return set().union(*self.work.values())


def write_rights(user: User) -> WriteRights:
    if not user.is_authenticated or not user.is_active:
        return WriteRights()
    if user.is_superuser or user.role in MANAGING_ROLES:
        return WriteRights(manages=True, anywhere=True)
    if user.role != Role.TECHNICIAN:
        return WriteRights()
    trainee = Technician.objects.filter(user=user, is_trainee=True).exists()
    if not trainee and holds_habilitation(user, REMOTE_PARAMETERISATION):
        return WriteRights(technician=True, anywhere=True)
    # The work orders are another app's, which answers (devices never imports it).
    work: dict[int, set[int]] = {}
    for _receiver, answer in signals.work_in_hand.send(sender=Device, user=user):
        for equipment_id, tutors in cast(Mapping[int, Collection[int]], answer).items():
            work.setdefault(equipment_id, set()).update(tutors)
    return WriteRights(
        technician=True,
        trainee=trainee,
        work={equipment_id: frozenset(tutors) for equipment_id, tutors in work.items() if tutors or not trainee},
    )


def write_refusal(rights: WriteRights) -> str:
    """Why the person may write to no device at all; empty if they may write to some."""
    if rights.anywhere or rights.work:
        return ""
    if rights.trainee:
        return _("A trainee applies parameter sets only beside their tutor, both assigned to an open work order.")
    if rights.technician:
        return _(
            "You may apply parameter sets to the devices of equipment on which you hold an open work order "
            "(assigned to you, not closed or cancelled), or anywhere with the remote parameterisation habilitation."
        )
    return _("Your role may not write to live equipment.")


def apply_refusal(user: User, device: Device, tutor: User | None = None, rights: WriteRights | None = None) -> str:
    """Why the user may not write a parameter set to the device (a trainee, with `tutor`); empty if they may."""
    rights = rights or write_rights(user)
    if not rights.covers(device):
        if rights.trainee:
            return _(
                "A trainee applies parameter sets only beside their tutor, both assigned to an open work order "
                "on the equipment: there is none on %(equipment)s."
            ) % {"equipment": device.equipment}
        if rights.technician:
            return _(
                "You hold no open work order on %(equipment)s (assigned to you, not closed or cancelled), "
                "nor the remote parameterisation habilitation."
            ) % {"equipment": device.equipment}
        return _("Your role may not write to live equipment.")
    if not rights.trainee:
        return ""
    if tutor is None:
        return _("A trainee applies parameter sets only with their tutor: name your tutor.")
    if tutor.pk not in rights.work[device.equipment_id]:
        return _("%(tutor)s is not your tutor on an open work order of %(equipment)s.") % {
            "tutor": tutor,
            "equipment": device.equipment,
        }
    refusal = apply_refusal(tutor, device)
    return _("Your tutor may not apply it: %(reason)s") % {"reason": refusal} if refusal else ""


def revert_refusal(user: User, application: Application, rights: WriteRights | None = None) -> str:
    """Why the user may not revert the application; empty if they may. Reverting writes to the device too."""
    rights = rights or write_rights(user)
    if rights.manages:
        return ""
    if rights.trainee:
        return _("A trainee's application is reverted by their tutor or a manager.")
    if rights.technician and user.pk not in {application.applied_by_id, application.tutor_id}:
        return _("Reverting another person's application is a manager's act.")
    return apply_refusal(user, application.device, rights=rights)


def check_may_apply(user: User, devices: Sequence[Device], tutor: User | None = None) -> None:
    rights = write_rights(user)
    if tutor is not None and not rights.trainee:
        raise ValidationError({"tutor": _("Only a trainee applies under a tutor.")})
    for device in devices:
        if refusal := apply_refusal(user, device, tutor, rights):
            raise PermissionDenied(refusal)


def check_may_revert(user: User, application: Application) -> None:
    if refusal := revert_refusal(user, application):
        raise PermissionDenied(refusal)


def apply_parameter_set(
    user: User, parameter_set: ParameterSet, devices: Sequence[Device], tutor: User | None = None
) -> list[Application]:
    """Apply the set to each device, a trainee's under their `tutor` (checked first: the user may write to
    every device, and every entry must name a writable point of every device)."""
    for device in devices:
        check_permission(user, Action.CHANGE, device)
    check_may_apply(user, devices, tutor)
    entries = list(parameter_set.entries.all())
    plans = []
    for device in devices:
        if parameter_set.site_id is not None and device.equipment.site_id != parameter_set.site_id:
            raise ValidationError(
                {
                    "devices": _("%(device)s: the set is for the devices of %(site)s only.")
                    % {"device": device, "site": parameter_set.site}
                }
            )
        points = _specs_by_name(device)
        missing = [entry.point_name for entry in entries if entry.point_name not in points]
        read_only = [
            entry.point_name
            for entry in entries
            if entry.point_name in points and not points[entry.point_name][0].writable
        ]
        if missing or read_only:
            raise ValidationError(
                {
                    "devices": _("%(device)s: no point %(missing)s; not writable: %(read_only)s.")
                    % {"device": device, "missing": ", ".join(missing) or "-", "read_only": ", ".join(read_only) or "-"}
                }
            )
        plans.append(
            (
                device,
                [
                    (points[entry.point_name][0], Write(entry.point_name, points[entry.point_name][1], entry.value))
                    for entry in entries
                ],
            )
        )
    applications = []
    for device, writes in plans:
        error = async_to_sync(_write_all)(driver_for(device.protocol), device, [write for _point, write in writes])
        applications.append(_record(user, tutor, parameter_set, device, writes, error))
    return applications


def _status(writes: list[Write], error: str) -> str:
    if not error:
        return ApplicationStatus.APPLIED
    return ApplicationStatus.LEFT_CHANGED if any(write.undo_error for write in writes) else ApplicationStatus.FAILED


def _not_put_back(writes: list[Write]) -> str:
    return "; ".join(
        _("%(point)s not put back: %(error)s") % {"point": write.name, "error": write.undo_error}
        for write in writes
        if write.undo_error
    )


@transaction.atomic
def _record(
    user: User,
    tutor: User | None,
    parameter_set: ParameterSet,
    device: Device,
    writes: list[tuple[Point, Write]],
    error: str,
) -> Application:
    """Record the application; a failure keeps its first cause, and says which points stay changed."""
    done = [write for _point, write in writes]
    application = Application(
        parameter_set=parameter_set,
        device=device,
        status=_status(done, error),
        applied_by=user,
        tutor=tutor,
        error="\n".join(filter(None, [error, _not_put_back(done)])),
    )
    save_restricted(user, application)
    PointWrite.objects.bulk_create(
        PointWrite(
            application=application,
            point=point,
            old_value=write.old_value,
            new_value=write.new_value,
            read_back=write.read_back,
            restore_by_relinquish=write.restore is not None and write.restore.relinquish,
            undo_error=write.undo_error,
        )
        for point, write in writes
        if write.old_value is not None
    )
    return application


def revert_application(user: User, application: Application) -> Application:
    """Write back the values from before the application, verified like any write."""
    check_permission(user, Action.CHANGE, application)
    check_may_revert(user, application)
    if application.status != ApplicationStatus.APPLIED:
        raise TransitionError({"status": _("Only an applied parameter set can be reverted.")})
    device = application.device
    specs = {spec.id: spec for spec in services.point_specs(device)}
    writes = [
        Write(
            write.point.name,
            specs[write.point_id],
            write.old_value,
            restore=Restore(relinquish=True) if write.restore_by_relinquish else Restore(write.old_value),
        )
        for write in application.writes.select_related("point").order_by("-pk")
        if write.old_value is not None and write.point_id in specs
    ]
    error = async_to_sync(_write_all)(driver_for(device.protocol), device, writes, reverting=True)
    if error:
        raise ValidationError({"device": _("The device refused the revert: %(error)s") % {"error": error}})
    application.status = ApplicationStatus.REVERTED
    application.reverted_by = user
    application.reverted_at = timezone.now()
    save_restricted(user, application)
    return application
