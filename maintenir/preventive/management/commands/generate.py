import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maintenir.preventive.services import generate


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--until: {value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "Generate the preventive work orders that fall due, and print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--until", type=str, help="generate what falls due up to this date (default: today + the horizon)"
        )
        parser.add_argument("--dry-run", action="store_true", help="print what would be created; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        until = parse_date(options["until"]) if options["until"] else None
        report = generate(until=until, dry_run=options["dry_run"])
        verb = "would create" if report.dry_run else "created"
        for order in report.orders:
            forecast = f" (limit forecast {order.forecast_at:%Y-%m-%d})" if order.forecast_at else ""
            self.stdout.write(
                f"{order.scheduled_for}  {order.equipment_code:<20} {order.title}  "
                f"[{order.work_type}, due by {order.tolerance_end}]{forecast}"
            )
        for trigger_id in sorted(report.without_gamme):
            self.stderr.write(f"trigger {trigger_id}: its gamme has no published version, nothing generated")
        self.stdout.write(
            f"{verb} {len(report.orders)} work orders up to {report.until}; "
            f"{report.skipped} occurrences skipped while an order was open; {report.completions} completions recorded"
        )
