from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from maintenir.devices import partitions
from maintenir.devices.retention import compact_readings


class Command(BaseCommand):
    help = (
        "Roll the readings older than MAINTENIR_READINGS_RAW_DAYS up into hourly statistics and delete them; "
        "delete the hourly rollups older than MAINTENIR_READINGS_ROLLUP_DAYS (0: kept forever)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="print what would be done; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        report = compact_readings(timezone.now(), dry_run=options["dry_run"])
        if report.already_running:
            self.stdout.write("Another compaction is under way; nothing done.")
            return
        would = "would be " if report.dry_run else ""
        self.stdout.write(
            f"{report.readings} raw readings older than {timezone.localtime(report.cutoff):%Y-%m-%d %H:%M} "
            f"{would}rolled up into {report.rollups} hourly rollups"
        )
        self.stdout.write(f"{report.readings} raw readings {would}deleted")
        if partitions.partitioned():
            self.stdout.write(f"of which {report.partitions} whole day partitions {would}dropped")
            if report.busy_partitions:
                self.stdout.write(f"{report.busy_partitions} day partitions left for the next run: the table was busy")
        if report.rollup_cutoff is None:
            self.stdout.write("rollups are kept forever (MAINTENIR_READINGS_ROLLUP_DAYS=0)")
        else:
            days = settings.MAINTENIR_READINGS_ROLLUP_DAYS
            self.stdout.write(f"{report.expired_rollups} rollups older than {days} days {would}deleted")
