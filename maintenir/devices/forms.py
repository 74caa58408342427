from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.devices.models import Device, Point


class DeviceForm(RestrictedChoicesForm):
    class Meta:
        model = Device
        fields = [
            "equipment",
            "name",
            "protocol",
            "host",
            "port",
            "unit_id",
            "is_enabled",
            "poll_interval",
            "timeout",
            "grace_period",
        ]


class PointForm(RestrictedChoicesForm):
    class Meta:
        model = Point
        fields = [
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
            "poll_interval",
            "brick_class",
        ]
