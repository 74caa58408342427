from celery import shared_task
from django.utils import timezone

from maintenir.devices import partitions, retention


@shared_task
def compact_readings() -> dict[str, int]:
    """The periodic upkeep of the readings (Celery beat, or in-process without a broker): the day
    partitions ahead created, old readings compacted."""
    now = timezone.now()
    created = partitions.ensure_partitions(now).created
    report = retention.compact_readings(now)
    return {
        "readings": report.readings,
        "rollups": report.rollups,
        "expired_rollups": report.expired_rollups,
        "partitions_created": len(created),
        "partitions_dropped": report.partitions,
    }
