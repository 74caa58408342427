from celery import shared_task

from maintenir.workorders.oncall import escalate_overdue_calls


@shared_task
def escalate_on_call() -> dict[str, int]:
    """Every minute: call the next technician on call when a call was not acknowledged in time."""
    return {"escalated": escalate_overdue_calls()}
