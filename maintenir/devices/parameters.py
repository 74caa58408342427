"""Parameterisation (paramétrage): apply a parameter set to devices, verify it, revert it.

Applying writes each point, reads it back and records the value before, the value asked and the
value read back, with who and when. A device that refuses or answers differently is put back as
it was (its points already written get their old values again, checked by reading them) and the
application is recorded as failed — as failed with the device left changed, naming each point
that could not be put back, when that is so. Reverting writes the old values back; a BACnet command
at a priority slot that was empty before is relinquished instead, so the point returns to what
lower priorities (or its relinquish default) say.
"""

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import (
    TransitionError,
    check_model_permission,
    check_permission,
    clean_row,
    save_restricted,
)
from maintenir.devices import services
from maintenir.devices.choices import ApplicationStatus
from maintenir.devices.drivers import driver_for
from maintenir.devices.drivers.base import DeviceError, Driver, PointSpec, Restore
from maintenir.devices.models import Application, Device, ParameterEntry, ParameterSet, Point, PointWrite


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


def apply_parameter_set(user: User, parameter_set: ParameterSet, devices: Sequence[Device]) -> list[Application]:
    """Apply the set to each device (checked first: every entry must name a writable point of every device)."""
    check_model_permission(user, Action.ADD, Application)
    entries = list(parameter_set.entries.all())
    plans = []
    for device in devices:
        check_permission(user, Action.CHANGE, device)
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
        applications.append(_record(user, parameter_set, device, writes, error))
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
    user: User, parameter_set: ParameterSet, device: Device, writes: list[tuple[Point, Write]], error: str
) -> Application:
    """Record the application; a failure keeps its first cause, and says which points stay changed."""
    done = [write for _point, write in writes]
    application = Application(
        parameter_set=parameter_set,
        device=device,
        status=_status(done, error),
        applied_by=user,
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
