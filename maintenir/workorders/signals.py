"""Points where other apps add their rules to the work orders' (workorders never imports them)."""

from django.dispatch import Signal

# Sent by `services.record_step` before it records a checklist step: user=, step=. A receiver
# refuses the recording by raising ValidationError; nothing is written then.
step_recording = Signal()

# Sent by `services.plan_work_order` once the order is planned, inside its transaction: user=, order=.
# A receiver adds what planning brings (the preventive side reserves its gamme's expected parts); it
# must not refuse the planning.
order_planned = Signal()

# Sent by the order pages: user=, order=. A receiver answers a list of dicts, one per part the order is
# expected to use: part, expected, reserved (at planning), short, planned (whether it was planned yet).
parts_expected = Signal()

# Sent after work orders, or their downtimes, time entries or parts used, were written without `save()`
# (bulk inserts, `QuerySet.update`), inside the same transaction: equipment_ids= (None: any equipment).
# A receiver brings up to date what it keeps from those rows (the reliability app, its monthly figures).
rows_written_in_bulk = Signal()
