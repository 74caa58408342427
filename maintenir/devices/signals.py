"""Events of the connected equipment that other apps act on (devices never imports them)."""

from django.dispatch import Signal

# Sent once when a device has been unreachable longer than its grace period: device=, error=.
device_unreachable = Signal()

# Sent after readings are committed: point_ids= the points that have new values, and
# samples= the readings themselves (`drivers.base.Sample`), oldest first.
readings_stored = Signal()

# Asked before someone writes a parameter set to live equipment: user=. Each receiver answers the
# equipment on which the user holds unfinished work, as {equipment id: the user ids of the tutors beside
# them there} (a trainee's tutors; an empty set for anyone else).
work_in_hand = Signal()
