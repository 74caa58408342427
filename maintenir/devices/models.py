from typing import Any, ClassVar

from asyncua import ua
from asyncua.ua.uaerrors import UaStringParsingError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maintenir.assets.models import Equipment, Site
from maintenir.core.choices import ALL_ROLES, MANAGING_ROLES, Action, Role
from maintenir.core.models import RestrictedModel
from maintenir.devices import choices
from maintenir.devices.drivers import knx
from maintenir.devices.drivers.bacnet import MAX_INSTANCE, parse_address
from maintenir.devices.drivers.base import Connection

# Technicians install and parameterise devices; managers too.
DEVICE_ROLES = frozenset({*MANAGING_ROLES, Role.TECHNICIAN})


class Device(RestrictedModel):
    """A communicating controller, meter, inverter, PLC or gateway of an equipment."""

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("equipment"), on_delete=models.CASCADE, related_name="devices"
    )
    name = models.CharField(_("name"), max_length=200)
    protocol = models.CharField(_("protocol"), max_length=20, choices=choices.Protocol.choices)
    host = models.CharField(_("host"), max_length=255, help_text=_("IP address or host name."))
    port = models.PositiveIntegerField(
        _("port"), null=True, blank=True, validators=[MaxValueValidator(65535)], help_text=_("Empty: the protocol's.")
    )
    unit_id = models.PositiveSmallIntegerField(
        _("unit / device id"),
        default=1,
        validators=[MaxValueValidator(255)],
        help_text=_("Modbus unit id; BACnet device instance in the options."),
    )
    options = models.JSONField(
        _("protocol options"),
        default=dict,
        blank=True,
        help_text=_('JSON, e.g. {"path": "/plc"} (OPC UA endpoint path), {"instance": 1001} (BACnet device).'),
    )
    is_enabled = models.BooleanField(_("polled"), default=True)
    poll_interval = models.PositiveIntegerField(_("poll every (s)"), default=30, validators=[MinValueValidator(1)])
    timeout = models.FloatField(_("request timeout (s)"), default=3.0, validators=[MinValueValidator(0.1)])
    grace_period = models.PositiveIntegerField(
        _("grace period (s)"),
        default=300,
        help_text=_("Unreachable longer than this, the device raises a work request on its equipment."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=choices.DeviceStatus.choices, default=choices.DeviceStatus.UNKNOWN
    )
    last_seen = models.DateTimeField(_("last answer"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Which `maintenir poll` process polls the device, until when (see `leases`).
    lease_owner = models.CharField(_("polled by"), max_length=200, blank=True, editable=False)
    lease_expires = models.DateTimeField(_("polled until"), null=True, blank=True, editable=False)

    tenant_path = "equipment__site__organisation"
    changelog_parent = "equipment"
    # Polling updates these continually: they are state, not changes anyone made.
    changelog_exclude = frozenset(
        {"created", "last_updated", "status", "last_seen", "failing_since", "last_error"}
        | {"lease_owner", "lease_expires"}
    )
    role_permissions: ClassVar[dict[str, frozenset[str]]] = {
        Action.VIEW: ALL_ROLES,
        Action.ADD: DEVICE_ROLES,
        Action.CHANGE: DEVICE_ROLES,
        Action.DELETE: DEVICE_ROLES,
    }

    class Meta:
        ordering = ["equipment", "name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("device-detail", args=[self.pk])

    @property
    def effective_port(self) -> int:
        return self.port or choices.DEFAULT_PORTS[choices.Protocol(self.protocol)]

    def clean(self) -> None:
        if not isinstance(self.options, dict):
            raise ValidationError({"options": _('The options are a JSON object, e.g. {"instance": 1001}.')})
        if self.protocol == choices.Protocol.BACNET_IP and "instance" in self.options:
            instance = self.options["instance"]
            if not isinstance(instance, int) or isinstance(instance, bool) or not 0 <= instance <= MAX_INSTANCE:
                raise ValidationError(
                    {
                        "options": _("A BACnet device instance is a whole number from 0 to %(max)d.")
                        % {"max": MAX_INSTANCE}
                    }
                )
        if self.protocol == choices.Protocol.KNX_IP:
            # The driver's own reading of the settings, so what is saved is what it can connect with.
            try:
                knx.connection_config(Connection(self.host, self.effective_port, options=self.options))
            except knx.SettingError as error:
                raise ValidationError({error.field: _("KNX connection: %(error)s") % {"error": error}}) from error


class Point(RestrictedModel):
    """A value a device exposes, in the protocol's terms, with its unit and scaling."""

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="points")
    name = models.CharField(_("name"), max_length=200)
    display_name = models.CharField(
        _("display name"),
        max_length=200,
        blank=True,
        help_text=_("What people read, e.g. Filter pressure drop; empty: the name."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    address = models.CharField(
        _("address"),
        max_length=300,
        help_text=_(
            "Modbus: register number from 0; BACnet: object type,instance; KNX: group address; "
            "OPC UA: node id; MQTT: topic."
        ),
    )
    register_type = models.CharField(_("Modbus table"), max_length=10, choices=choices.RegisterType.choices, blank=True)
    data_type = models.CharField(_("data type"), max_length=10, choices=choices.DataType.choices, blank=True)
    word_order = models.CharField(
        _("word order"), max_length=10, choices=choices.WordOrder.choices, default=choices.WordOrder.BIG
    )
    scale = models.FloatField(_("scale"), default=1.0, help_text=_("value = raw × scale + offset"))
    offset = models.FloatField(_("offset"), default=0.0)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    writable = models.BooleanField(_("writable"), default=False)
    write_priority = models.PositiveSmallIntegerField(
        _("write priority"),
        default=16,
        validators=[MinValueValidator(1), MaxValueValidator(16)],
        help_text=_("BACnet command priority (1 highest, 16 lowest)."),
    )
    poll_interval = models.PositiveIntegerField(
        _("poll every (s)"), null=True, blank=True, help_text=_("Empty: the device's interval.")
    )
    dpt = models.CharField(
        _("KNX datapoint type"), max_length=20, blank=True, help_text=_("e.g. 9.001 (temperature), 1.001 (switch).")
    )
    subscribed = models.BooleanField(
        _("by subscription"),
        default=False,
        help_text=_("Received on change (BACnet COV, OPC UA data change, KNX telegrams) instead of polled."),
    )
    brick_class = models.CharField(
        _("Brick class"), max_length=100, blank=True, help_text=_("e.g. Supply_Air_Temperature_Sensor")
    )
    last_value = models.FloatField(_("current value"), null=True, blank=True)
    last_time = models.DateTimeField(_("read at"), null=True, blank=True)
    last_quality = models.CharField(_("quality"), max_length=20, choices=choices.Quality.choices, blank=True)
    last_error = models.TextField(_("last error"), blank=True, help_text=_("Why the last reading was bad."))

    tenant_path = "device__equipment__site__organisation"
    changelog_parent = "device.equipment"
    changelog_exclude = frozenset({"created", "last_updated", "last_value", "last_time", "last_quality", "last_error"})
    role_permissions = Device.role_permissions

    class Meta:
        ordering = ["device", "name"]
        constraints = [models.UniqueConstraint(fields=["device", "name"], name="point_name_unique_per_device")]
        verbose_name = _("point")
        verbose_name_plural = _("points")

    def __str__(self) -> str:
        return f"{self.device} — {self.label}"

    @property
    def label(self) -> str:
        """The point as people read it: its display name, or its name (an identifier) when it has none."""
        return self.display_name or self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = _("The maximum is below the minimum.")
        if self.device_id and self.device.protocol == choices.Protocol.MODBUS_TCP:
            if not self.address.isdigit() or int(self.address) > 65535:
                errors["address"] = _("A Modbus address is a register number from 0 to 65535.")
            if not self.register_type:
                errors["register_type"] = _("A Modbus point needs its table.")
            if self.register_type in choices.BIT_TABLES:
                self.data_type = choices.DataType.BOOL
            elif not self.data_type or self.data_type == choices.DataType.BOOL:
                errors["data_type"] = _("A register holds a number: choose its data type.")
            if self.writable and self.register_type in {choices.RegisterType.INPUT, choices.RegisterType.DISCRETE}:
                errors["writable"] = _("Input registers and discrete inputs are read-only.")
        if self.device_id and self.device.protocol == choices.Protocol.BACNET_IP:
            try:
                target = parse_address(self.address)
            except ValueError as error:
                errors["address"] = _(
                    "A BACnet address is object-type,instance[,property], e.g. analog-input,1: %(error)s"
                ) % {"error": error}
            else:
                if self.subscribed and not target.is_present_value:
                    errors["subscribed"] = _("BACnet notifies changes of the present value only.")
        if self.device_id and self.device.protocol == choices.Protocol.OPC_UA:
            try:
                ua.NodeId.from_string(self.address)
            except UaStringParsingError:
                errors["address"] = _("An OPC UA address is a node id, e.g. ns=2;s=AHU1.SupplyTemp.")
        if self.device_id and self.device.protocol == choices.Protocol.KNX_IP:
            try:
                knx.group_address(self.address)
            except ValueError:
                errors["address"] = _("A KNX address is a group address, e.g. 1/2/3 (not 0/0/0).")
            try:
                knx.transcoder(self.dpt)
            except ValueError:
                errors["dpt"] = _(
                    "A KNX point needs a numeric or boolean datapoint type, e.g. 9.001 (temperature), "
                    "5.001 (percent), 1.001 (switch)."
                )
        if errors:
            raise ValidationError(errors)


# What a user sets on a point: the point form's fields and the point list's CSV columns, in order.
POINT_SETTINGS = (
    "name",
    "description",
    "address",
    "register_type",
    "data_type",
    "word_order",
    "scale",
    "offset",
    "unit",
    "min_value",
    "max_value",
    "writable",
    "write_priority",
    "dpt",
    "poll_interval",
    "subscribed",
    "brick_class",
    # Last, so that point lists written before it existed still import.
    "display_name",
)


class Reading(models.Model):
    """One stored value of a point; append-only."""

    # Neither a foreign-key check nor an index of its own: checking the point of every row took
    # about a third of an insert, and the index below serves lookups by point. The readings of a
    # point go with it (on_delete, done by Maintenir); ingestion only stores readings of known points.
    point = models.ForeignKey(
        Point, on_delete=models.CASCADE, related_name="readings", db_index=False, db_constraint=False
    )
    time = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"), null=True)
    quality = models.CharField(_("quality"), max_length=20, choices=choices.Quality.choices)

    class Meta:
        indexes = [models.Index(fields=["point", "-time"])]
        verbose_name = _("reading")
        verbose_name_plural = _("readings")

    def __str__(self) -> str:
        return f"{self.point_id} {self.time:%Y-%m-%d %H:%M:%S} {self.value}"


class ReadingRollup(models.Model):
    """The readings of a point over one period, kept once its raw readings have been compacted.

    Bad-quality readings are counted in `count` but not in the statistics, which `valid_count` weighs.
    """

    point = models.ForeignKey(Point, on_delete=models.CASCADE, related_name="rollups")
    start = models.DateTimeField(_("period start"))
    seconds = models.PositiveIntegerField(_("period length (s)"))
    count = models.PositiveIntegerField(_("readings"))
    valid_count = models.PositiveIntegerField(
        _("readings in the statistics"), help_text=_("Those with a value and not of bad quality.")
    )
    min_value = models.FloatField(_("minimum"), null=True)
    max_value = models.FloatField(_("maximum"), null=True)
    mean = models.FloatField(_("mean"), null=True)
    last_value = models.FloatField(_("last value"), null=True)
    last_time = models.DateTimeField(_("last value at"), null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["point", "start", "seconds"], name="reading_rollup_unique_period")
        ]
        verbose_name = _("reading rollup")
        verbose_name_plural = _("reading rollups")

    def __str__(self) -> str:
        return f"{self.point_id} {self.start:%Y-%m-%d %H:%M} +{self.seconds}s"


class ParameterSet(RestrictedModel):
    """A named list of point writes (setpoints, schedules, thresholds), applied to one or many devices.

    Entries name points by their name, so one set serves every device with the same point list.

    Whose data it is: a set tied to a client's site is that client's data (its staff see it, its
    users too, nobody of another client), and it applies to that site's devices only; a set tied to
    no site is the company's reference data, a template that only the company's staff see.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parameter_sets",
        help_text=_("The client's site whose devices it is for; empty for a company template."),
    )

    # A client's user has no row where the site is empty: templates stay the company's.
    tenant_path = "site__organisation"
    role_permissions = Device.role_permissions

    class Meta:
        ordering = ["name"]
        verbose_name = _("parameter set")
        verbose_name_plural = _("parameter sets")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("parameterset-detail", args=[self.pk])


class ParameterEntry(models.Model):
    parameter_set = models.ForeignKey(ParameterSet, on_delete=models.CASCADE, related_name="entries")
    point_name = models.CharField(_("point"), max_length=200)
    value = models.FloatField(_("value"))

    class Meta:
        ordering = ["parameter_set", "point_name"]
        constraints = [
            models.UniqueConstraint(fields=["parameter_set", "point_name"], name="parameter_entry_unique_point")
        ]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")

    def __str__(self) -> str:
        return f"{self.point_name} = {self.value}"


class Application(RestrictedModel):
    """One application of a parameter set to one device: what was written, by whom, and whether it held."""

    parameter_set = models.ForeignKey(
        ParameterSet, verbose_name=_("parameter set"), on_delete=models.PROTECT, related_name="applications"
    )
    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(_("status"), max_length=20, choices=choices.ApplicationStatus.choices)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )
    # A trainee applies under their tutor, who answers for the application with them.
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tutor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reverted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    tenant_path = "device__equipment__site__organisation"
    changelog_parent = "device"
    role_permissions = Device.role_permissions

    class Meta:
        ordering = ["-created"]
        verbose_name = _("parameter set application")
        verbose_name_plural = _("parameter set applications")

    def __str__(self) -> str:
        return f"{self.parameter_set} → {self.device}"


class PointWrite(models.Model):
    """One point written by an application: the value before, the value asked and the value read back."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="writes")
    point = models.ForeignKey(Point, verbose_name=_("point"), on_delete=models.PROTECT, related_name="+")
    old_value = models.FloatField(_("value before"), null=True)
    new_value = models.FloatField(_("value asked"))
    read_back = models.FloatField(_("value read back"), null=True)
    # A BACnet command at a priority slot that was empty is given back by relinquishing it; anything
    # else by writing the value before.
    restore_by_relinquish = models.BooleanField(_("given back by relinquishing"), default=False)
    undo_error = models.TextField(
        _("not put back"), blank=True, help_text=_("Why the point could not be put back after a failure.")
    )

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("point write")
        verbose_name_plural = _("point writes")

    def __str__(self) -> str:
        return f"{self.point_id}: {self.old_value} → {self.new_value}"


class Poller(models.Model):
    """A running `maintenir poll` process: it says it is alive at each renewal of its leases, so that
    each poller knows how many share the devices."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("poller")
        verbose_name_plural = _("pollers")

    def __str__(self) -> str:
        return self.name


class IngestSession(models.Model):
    """The MQTT messages of a `maintenir ingest` session whose readings are stored but whose
    acknowledgement may not have reached the broker: written in the same transaction as the readings,
    so that a restarted process knows the broker's redelivery of them and does not store them twice."""

    client_id = models.CharField(_("MQTT client id"), max_length=200, unique=True)
    # [packet id, digest of topic and payload] of each message.
    unacknowledged = models.JSONField(_("unacknowledged messages"), default=list)

    class Meta:
        verbose_name = _("MQTT ingestion session")
        verbose_name_plural = _("MQTT ingestion sessions")

    def __str__(self) -> str:
        return self.client_id
