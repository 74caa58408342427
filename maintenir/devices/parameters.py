"""Parameterisation (paramétrage): apply a parameter set to devices, verify it, revert it.

Applying writes each point, reads it back and records the value before, the value asked and the
value read back, with who and when. A device that refuses or answers differently is put back as
it was (its points already written get their old values again) and the application is recorded
as failed. Reverting writes the old values back.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_model_permission, check_permission, save_restricted
from maintenir.devices import services
from maintenir.devices.choices import ApplicationStatus, DataType
from maintenir.devices.drivers import driver_for
from maintenir.devices.drivers.base import DeviceError, Driver, PointSpec
from maintenir.devices.models import Application, Device, ParameterSet, Point, PointWrite


@dataclass
class Write:
    point: PointSpec
    new_value: float
    old_value: float | None = None
    read_back: float | None = None


def tolerance(point: PointSpec, value: float) -> float:
    """How far a read-back value may be from the value asked: float32 rounding, or half a step of an
    integer register (a register of scale 0.1 holds 21.55 as 21.5 or 21.6)."""
    if point.data_type in {DataType.FLOAT32, DataType.FLOAT64}:
        return max(1e-4, abs(value) * 1e-6)
    return abs(point.scale) / 2 + 1e-9


def _matches(write: Write, value: float | None) -> bool:
    return value is not None and math.isclose(value, write.new_value, abs_tol=tolerance(write.point, write.new_value))


async def _read_one(driver: Driver, point: PointSpec) -> float | None:
    (sample,) = await driver.read([point])
    if sample.value is None:
        raise DeviceError(sample.error)
    return sample.value


async def _write_all(driver_class: type[Driver], device: Device, writes: list[Write]) -> str:
    """Write and verify each point; on the first failure put back those written. Returns the error, if any."""
    if not writes:
        return ""
    done: list[Write] = []
    try:
        async with driver_class(services.connection_of(device)) as driver:
            try:
                for write in writes:
                    write.old_value = await _read_one(driver, write.point)
                    await driver.write(write.point, write.new_value)
                    done.append(write)
                    write.read_back = await _read_one(driver, write.point)
                    if not _matches(write, write.read_back):
                        raise DeviceError(
                            _("%(point)s reads %(read)s after writing %(asked)s.")
                            % {"point": write.point.address, "read": write.read_back, "asked": write.new_value}
                        )
            except DeviceError as error:
                for undone in reversed(done):
                    if undone.old_value is not None:
                        await driver.write(undone.point, undone.old_value)
                return str(error)
    except DeviceError as error:
        return str(error)
    return ""


def _specs_by_name(device: Device) -> dict[str, tuple[Point, PointSpec]]:
    points = {point.pk: point for point in device.points.all()}
    return {points[spec.id].name: (points[spec.id], spec) for spec in services.point_specs(device)}


def apply_parameter_set(user: User, parameter_set: ParameterSet, devices: Sequence[Device]) -> list[Application]:
    """Apply the set to each device (checked first: every entry must name a writable point of every device)."""
    check_model_permission(user, Action.ADD, Application)
    entries = list(parameter_set.entries.all())
    plans = []
    for device in devices:
        check_permission(user, Action.CHANGE, device)
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
                [(points[entry.point_name][0], Write(points[entry.point_name][1], entry.value)) for entry in entries],
            )
        )
    applications = []
    for device, writes in plans:
        error = async_to_sync(_write_all)(driver_for(device.protocol), device, [write for _point, write in writes])
        applications.append(_record(user, parameter_set, device, writes, error))
    return applications


@transaction.atomic
def _record(
    user: User, parameter_set: ParameterSet, device: Device, writes: list[tuple[Point, Write]], error: str
) -> Application:
    application = Application(
        parameter_set=parameter_set,
        device=device,
        status=ApplicationStatus.FAILED if error else ApplicationStatus.APPLIED,
        applied_by=user,
        error=error,
    )
    save_restricted(user, application)
    PointWrite.objects.bulk_create(
        PointWrite(
            application=application,
            point=point,
            old_value=write.old_value,
            new_value=write.new_value,
            read_back=write.read_back,
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
        Write(specs[write.point_id], write.old_value)
        for write in application.writes.order_by("-pk")
        if write.old_value is not None and write.point_id in specs
    ]
    error = async_to_sync(_write_all)(driver_for(device.protocol), device, writes)
    if error:
        raise ValidationError({"device": _("The device refused the revert: %(error)s") % {"error": error}})
    application.status = ApplicationStatus.REVERTED
    application.reverted_by = user
    application.reverted_at = timezone.now()
    save_restricted(user, application)
    return application
