"""Events of the connected equipment that other apps act on (devices never imports them)."""

from django.dispatch import Signal

# Sent once when a device has been unreachable longer than its grace period: device=, error=.
device_unreachable = Signal()
