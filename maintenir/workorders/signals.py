"""Points where other apps add their rules to the work orders' (workorders never imports them)."""

from django.dispatch import Signal

# Sent by `services.record_step` before it records a checklist step: user=, step=. A receiver
# refuses the recording by raising ValidationError; nothing is written then.
step_recording = Signal()
