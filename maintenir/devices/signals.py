"""Events of the connected equipment that other apps act on (devices never imports them)."""

from django.dispatch import Signal

# Sent once when a device has been unreachable longer than its grace period: device=, error=.
device_unreachable = Signal()

# Sent after readings are committed: point_ids= the points that have new values, and
# samples= the readings themselves (`drivers.base.Sample`), oldest first.
readings_stored = Signal()
