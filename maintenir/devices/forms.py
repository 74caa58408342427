from maintenir.assets.forms import RestrictedChoicesForm
from maintenir.devices.models import POINT_SETTINGS, Device, Point


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
            "options",
            "is_enabled",
            "poll_interval",
            "timeout",
            "grace_period",
        ]


class PointForm(RestrictedChoicesForm):
    class Meta:
        model = Point
        fields = list(POINT_SETTINGS)
