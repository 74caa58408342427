from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from maintenir.core import formats
from maintenir.core.choices import Role
from maintenir.core.models import User
from maintenir.stores.purchasing import create_requests
from maintenir.stores.reorder import NEEDS_WEEKS, reorder_proposals

COLUMNS = ("part", "location", "available", "on order", "needs", "reorder point", "quantity", "supplier")


def acting_user(username: str | None) -> User:
    """Who the requests are made by: the user named, else the first active administrator."""
    users = User.objects.filter(is_active=True)
    found = (
        users.filter(username=username).first()
        if username
        else users.filter(Q(is_superuser=True) | Q(role=Role.ADMINISTRATOR)).order_by("pk").first()
    )
    if found is None:
        raise CommandError(f"no active user {username!r}" if username else "no active administrator: give --user")
    return found


class Command(BaseCommand):
    help = "Print the parts to reorder (at or below their reorder point) and create their purchase requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="print the proposals; create nothing")
        parser.add_argument("--weeks", type=int, default=NEEDS_WEEKS, help="weeks of coming needs to count")
        parser.add_argument("--user", help="who requests the purchases (default: the first administrator)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["weeks"] < 0:
            raise CommandError("--weeks cannot be negative")
        user = None if options["dry_run"] else acting_user(options["user"])
        proposals = reorder_proposals(options["weeks"], suggestions=False)
        rows = [
            (
                proposal.part_reference,
                proposal.location_name,
                *(formats.quantity(value) for value in (proposal.available, proposal.on_order, proposal.needs)),
                formats.quantity(proposal.reorder_point),
                formats.quantity(proposal.quantity),
                proposal.supplier_name or "-",
            )
            for proposal in proposals
        ]
        widths = [max(len(str(row[i])) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
        for row in [COLUMNS, *rows]:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        if user is None:
            self.stdout.write(f"{counted(len(proposals), 'part')} to reorder; nothing created (dry run)")
            return
        created = create_requests(user, proposals)
        self.stdout.write(
            f"{counted(len(proposals), 'part')} to reorder; {counted(len(created), 'purchase request')} created, "
            f"{len(proposals) - len(created)} already requested or on order"
        )


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
