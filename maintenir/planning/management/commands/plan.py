import datetime
from itertools import groupby
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from maintenir.core.choices import Role
from maintenir.core.models import User
from maintenir.planning import services
from maintenir.planning.choices import Solver


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--from: {value!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = (
        "Propose a dispatch plan of the approved work orders over N days: who does what, when, what could "
        "not be placed and why. The plan is kept for a manager to accept on the planning page, or now with "
        "--accept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=_date, help="first day (default: tomorrow)")
        parser.add_argument("--days", type=int, default=5, help="number of days planned (default: 5)")
        parser.add_argument("--time-limit", type=float, default=30, help="optimiser time limit in seconds")
        parser.add_argument("--greedy", action="store_true", help="use the greedy baseline instead of the optimiser")
        parser.add_argument("--user", help="the manager the plan is made by (default: the first administrator)")
        parser.add_argument("--accept", action="store_true", help="accept the plan: write the assignments")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._planner(options["user"])
        start = options["start"] or timezone.localdate() + datetime.timedelta(days=1)
        try:
            plan = services.propose_plan(
                user,
                start,
                options["days"],
                solver=Solver.GREEDY if options["greedy"] else Solver.OPTIMISER,
                time_limit_seconds=options["time_limit"],
            )
            if options["accept"]:
                plan = services.accept_plan(user, plan)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        self._print(plan)

    def _planner(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"--user: no active user named {username!r}")
            return user
        user = User.objects.filter(is_active=True, role=Role.ADMINISTRATOR).order_by("pk").first()
        if user is None:
            raise CommandError("--user: there is no administrator; name the manager the plan is made by")
        return user

    def _print(self, plan: Any) -> None:
        figures = plan.figures
        self.stdout.write(
            f"Plan {plan.pk} ({plan.get_status_display()}), {plan.start_date} + {plan.days} days, "
            f"{plan.get_solver_display()}, {plan.solve_seconds:.1f} s: {figures['placed']} placed, "
            f"{figures['unplaced']} unplaced, weighted lateness {figures['weighted_lateness']}, "
            f"travel {figures['travel_minutes']} min"
        )
        visits = plan.visits.select_related("work_order", "technician").order_by("technician", "starts_at")
        for technician, theirs in groupby(visits, key=lambda visit: visit.technician):
            self.stdout.write(f"\n{technician.get_full_name() or technician.username}")
            for day, of_day in groupby(theirs, key=lambda visit: timezone.localtime(visit.starts_at).date()):
                self.stdout.write(f"  {day:%a %d/%m}")
                for visit in of_day:
                    self.stdout.write(
                        f"    {timezone.localtime(visit.starts_at):%H:%M}–{timezone.localtime(visit.ends_at):%H:%M}"
                        f"  {visit.work_order}  (drive {visit.travel_minutes} min)"
                    )
        unplaced = list(plan.unplaced.select_related("work_order"))
        if unplaced:
            self.stdout.write("\nNot placed")
            for row in unplaced:
                self.stdout.write(f"  {row.work_order}: {row.reason}")
