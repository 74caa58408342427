from celery import shared_task
from django.utils import timezone

from maintenir.devices import retention


@shared_task
def compact_readings() -> dict[str, int]:
    """The periodic compaction of old readings (Celery beat, or in-process without a broker)."""
    report = retention.compact_readings(timezone.now())
    return {"readings": report.readings, "rollups": report.rollups, "expired_rollups": report.expired_rollups}
