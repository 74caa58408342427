from celery import shared_task

from maintenir.preventive.services import generate


@shared_task
def generate_due_work_orders() -> dict[str, int]:
    """The periodic run of the preventive generator (Celery beat, or in-process without a broker)."""
    report = generate()
    return {"created": len(report.orders), "skipped": report.skipped, "completions": report.completions}
