"""Communicating devices, their points, current values and readings."""

import datetime
from typing import Any, Literal

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from maintenir.api.common import (
    CsvIn,
    CsvText,
    ImportOut,
    Input,
    Integer,
    Pagination,
    Text,
    acting_user,
    apply_changes,
    get_visible,
    partial_schema,
    resolve,
    resolve_many,
    restricted,
)
from maintenir.assets.models import Equipment, Site
from maintenir.core.csvio import ImportReport
from maintenir.core.models import User
from maintenir.core.services import save_restricted
from maintenir.devices import history, parameters, transfer
from maintenir.devices.choices import DataType, Protocol, RegisterType, WordOrder
from maintenir.devices.models import Application, Device, ParameterEntry, ParameterSet, Point, PointWrite, Reading

router = Router(tags=["devices"])


class DeviceIn(Input, model=Device):
    equipment: int
    name: str
    protocol: Protocol
    host: str
    port: int | None = None
    unit_id: int = 1
    options: dict[str, Any] = Field(default_factory=dict)
    is_enabled: bool = True
    poll_interval: int = 30
    timeout: float = 3.0
    grace_period: int = 300


class DevicePatch(partial_schema(DeviceIn)):  # type: ignore[misc]
    """Only the fields sent are changed."""


class DeviceOut(Schema):
    id: int
    equipment: int = Field(alias="equipment_id")
    name: str
    protocol: str
    host: str
    port: int = Field(alias="effective_port")
    unit_id: int
    options: dict[str, Any]
    is_enabled: bool
    poll_interval: int
    timeout: float
    grace_period: int
    status: str
    status_display: str = Field(alias="get_status_display")
    last_seen: datetime.datetime | None
    last_error: str


class PointIn(Input, model=Point):
    name: str
    display_name: str = Field("", description="What people read; empty: the name.")
    description: str = ""
    address: str
    register_type: RegisterType | Literal[""] = ""
    data_type: DataType | Literal[""] = ""
    word_order: WordOrder = WordOrder.BIG
    scale: float = 1.0
    offset: float = 0.0
    unit: str = ""
    min_value: float | None = None
    max_value: float | None = None
    writable: bool = False
    write_priority: int = 16
    dpt: str = Field("", description="KNX datapoint type, e.g. 9.001 (temperature), 1.001 (switch).")
    poll_interval: int | None = None
    subscribed: bool = Field(
        False, description="Received on change (BACnet COV, OPC UA data change, KNX telegrams) instead of polled."
    )
    brick_class: str = ""


class PointPatch(partial_schema(PointIn)):  # type: ignore[misc]
    """Only the fields sent are changed."""


class PointOut(PointIn):
    id: int
    device: int = Field(alias="device_id")
    last_value: float | None
    last_time: datetime.datetime | None
    last_quality: str
    last_error: str


class PointReadingOut(Schema):
    time: datetime.datetime
    value: float | None
    quality: str


class BucketOut(Schema):
    start: datetime.datetime
    seconds: int = Field(description="The bucket's length; 0 for one raw reading.")
    count: int = Field(description="Readings in the bucket, bad-quality ones included.")
    valid_count: int = Field(description="Readings the statistics are computed from (not of bad quality).")
    min: float | None
    max: float | None
    mean: float | None


class HistoryOut(Schema):
    point: int
    span: history.Span
    unit: str
    since: datetime.datetime
    until: datetime.datetime
    buckets: list[BucketOut]

    @staticmethod
    def resolve_point(series: history.History) -> int:
        return series.point.pk

    @staticmethod
    def resolve_unit(series: history.History) -> str:
        return series.point.unit


DEVICE_KEYS: dict[str, type[Model]] = {"equipment": Equipment}


def _devices(request: HttpRequest) -> QuerySet[Device]:
    return restricted(Device, request)


@router.get("/devices", response=list[DeviceOut])
@paginate(Pagination)
def list_devices(
    request: HttpRequest, equipment: Integer | None = None, status: Text | None = None
) -> QuerySet[Device]:
    devices = _devices(request)
    if equipment is not None:
        devices = devices.filter(equipment_id=equipment)
    if status:
        devices = devices.filter(status=status)
    return devices


@router.get("/devices/{device_id}", response=DeviceOut)
def get_device(request: HttpRequest, device_id: int) -> Device:
    return get_visible(_devices(request), device_id)


@router.post("/devices", response={201: DeviceOut})
def create_device(request: HttpRequest, payload: DeviceIn) -> Device:
    device = apply_changes(request, Device(), payload.model_dump(), DEVICE_KEYS)
    save_restricted(acting_user(request), device)
    return device


@router.patch("/devices/{device_id}", response=DeviceOut)
def update_device(request: HttpRequest, device_id: int, payload: DevicePatch) -> Device:
    device = get_visible(_devices(request), device_id)
    apply_changes(request, device, payload.model_dump(exclude_unset=True), DEVICE_KEYS)
    save_restricted(acting_user(request), device)
    return device


@router.get("/devices/{device_id}/points", response=list[PointOut])
def list_points(request: HttpRequest, device_id: int) -> QuerySet[Point]:
    return get_visible(_devices(request), device_id).points.order_by("name")


@router.post("/devices/{device_id}/points", response={201: PointOut})
def create_point(request: HttpRequest, device_id: int, payload: PointIn) -> Point:
    device = get_visible(_devices(request), device_id)
    point = apply_changes(request, Point(device=device), payload.model_dump(), {})
    save_restricted(acting_user(request), point)
    return point


@router.patch("/points/{point_id}", response=PointOut)
def update_point(request: HttpRequest, point_id: int, payload: PointPatch) -> Point:
    point = get_visible(restricted(Point, request), point_id)
    apply_changes(request, point, payload.model_dump(exclude_unset=True), {})
    save_restricted(acting_user(request), point)
    return point


@router.get("/points/{point_id}/readings", response=list[PointReadingOut])
@paginate(Pagination)
def point_readings(request: HttpRequest, point_id: int, since: datetime.datetime | None = None) -> QuerySet[Reading]:
    """The point's readings, newest first."""
    point = get_visible(restricted(Point, request), point_id)
    readings = Reading.objects.filter(point=point).order_by("-time")
    return readings.filter(time__gte=since) if since else readings


@router.get("/points/{point_id}/history", response=HistoryOut)
def point_history(request: HttpRequest, point_id: int, span: history.Span = history.Span.DAY) -> history.History:
    """The point's readings over the last hour, day or month, in at most about 300 buckets (count, min,
    max and mean of each; over the hour, the raw readings when there are that few)."""
    return history.point_history(get_visible(restricted(Point, request), point_id), span)


@router.get("/devices/{device_id}/points/export", response={200: CsvText})
def export_points(request: HttpRequest, device_id: int) -> HttpResponse:
    device = get_visible(_devices(request), device_id)
    response = HttpResponse(transfer.export_points(device), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="points-{device.pk}.csv"'
    return response


@router.post("/devices/{device_id}/points/import", response=ImportOut)
def import_points(request: HttpRequest, device_id: int, payload: CsvIn) -> ImportReport:
    """Create or update the device's points from CSV, all or nothing; errors name the line and the column."""
    device = get_visible(_devices(request), device_id)
    return transfer.import_points(acting_user(request), device, payload.csv)


# --- Parameter sets --------------------------------------------------------------------------


class ParameterEntryIn(Input, model=ParameterEntry):
    point_name: str
    value: float


class ParameterSetIn(Input, model=ParameterSet):
    name: str
    description: str = ""
    site: int | None = Field(None, description="The client's site it is for; none for a company template.")
    entries: list[ParameterEntryIn]


class ParameterSetOut(Schema):
    id: int
    name: str
    description: str
    site: int | None = Field(None, alias="site_id")
    entries: list[ParameterEntryIn]

    @staticmethod
    def resolve_entries(parameter_set: ParameterSet) -> list[ParameterEntry]:
        return list(parameter_set.entries.all())


class ApplyIn(Input):
    devices: list[int]
    tutor: int | None = Field(
        None, description="A trainee's tutor, assigned with them to an open work order on the devices' equipment."
    )


class PointWriteOut(Schema):
    point: int = Field(alias="point_id")
    old_value: float | None
    new_value: float
    read_back: float | None
    # Why the point could not be put back after a failed application (empty when it was, or had not to be).
    undo_error: str


class ApplicationOut(Schema):
    id: int
    parameter_set: int = Field(alias="parameter_set_id")
    device: int = Field(alias="device_id")
    status: str
    applied_by: int = Field(alias="applied_by_id")
    tutor: int | None = Field(None, alias="tutor_id")
    created: datetime.datetime
    reverted_at: datetime.datetime | None
    error: str
    writes: list[PointWriteOut]

    @staticmethod
    def resolve_writes(application: Application) -> list[PointWrite]:
        return list(application.writes.all())


@router.get("/parameter-sets", response=list[ParameterSetOut])
@paginate(Pagination)
def list_parameter_sets(request: HttpRequest) -> QuerySet[ParameterSet]:
    return restricted(ParameterSet, request).prefetch_related("entries")


@router.post("/parameter-sets", response={201: ParameterSetOut})
def create_parameter_set(request: HttpRequest, payload: ParameterSetIn) -> ParameterSet:
    return parameters.save_parameter_set(
        acting_user(request),
        ParameterSet(
            name=payload.name, description=payload.description, site=resolve(Site, request, payload.site, "site")
        ),
        [(entry.point_name, entry.value) for entry in payload.entries],
    )


@router.post("/parameter-sets/{set_id}/apply", response=list[ApplicationOut])
def apply_parameter_set(request: HttpRequest, set_id: int, payload: ApplyIn) -> list[Application]:
    """Write the set to each device, read back to verify, and record old and new values.

    A technician writes to the devices of equipment on which they hold an open work order, or anywhere
    with the remote parameterisation habilitation; a trainee only naming their tutor on that order. A
    refusal answers 403 saying why, and nothing is written."""
    parameter_set = get_visible(restricted(ParameterSet, request), set_id)
    devices = resolve_many(Device, request, payload.devices, "devices")
    tutor = resolve(User, request, payload.tutor, "tutor")
    return parameters.apply_parameter_set(acting_user(request), parameter_set, devices, tutor)


@router.get("/devices/{device_id}/applications", response=list[ApplicationOut])
def device_applications(request: HttpRequest, device_id: int) -> QuerySet[Application]:
    return get_visible(_devices(request), device_id).applications.prefetch_related("writes")


@router.post("/applications/{application_id}/revert", response=ApplicationOut)
def revert_application(request: HttpRequest, application_id: int) -> Application:
    """Write back the values from before the application: a manager's act, or its author's (their tutor's, for a
    trainee's) while they may still write to the device; a refusal answers 403 saying why."""
    application = get_visible(restricted(Application, request), application_id)
    return parameters.revert_application(acting_user(request), application)
