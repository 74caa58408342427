"""Cycle counts (inventaire tournant): plan which parts of a location to count, record what is found, and
complete the count, which puts each discrepancy in the ledger as a COUNT movement, all in one transaction."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import TransitionError, check_model_permission, check_permission
from maintenir.stores import services
from maintenir.stores.choices import CountStatus, MovementKind
from maintenir.stores.models import CycleCount, CycleCountLine, Location, StockBalance, StockMovement

OPEN_STATUSES = (CountStatus.PLANNED, CountStatus.IN_PROGRESS)


def rotation(location: Location, lines: int | None = None) -> list[int]:
    """The ids of the parts held at `location`, those counted longest ago (or never) first; `lines` of them.

    Repairable parts are left out: their units are followed one by one, by serial number."""
    last_counted = (
        StockMovement.objects.filter(part=OuterRef("part"), location=location, kind=MovementKind.COUNT)
        .order_by("-created")
        .values("created")[:1]
    )
    parts = (
        StockBalance.objects.filter(location=location, part__is_repairable=False)
        .annotate(last_counted=Subquery(last_counted))
        .order_by(F("last_counted").asc(nulls_first=True), "part__reference")
        .values_list("part_id", flat=True)
    )
    return list(parts if lines is None else parts[:lines])


@transaction.atomic
def plan(user: User | Any, location: Location, planned_for: datetime.date, lines: int | None = None) -> CycleCount:
    """A count of every part at `location`, or of the `lines` parts counted longest ago."""
    check_model_permission(user, Action.ADD, CycleCount)
    check_permission(user, Action.VIEW, location)
    if lines is not None and lines < 1:
        raise ValidationError({"lines": _("Count at least one part.")})
    if CycleCount.objects.filter(location=location, status__in=OPEN_STATUSES).exists():
        raise ValidationError({"location": _("%(location)s already has a count under way.") % {"location": location}})
    parts = rotation(location, lines)
    if not parts:
        raise ValidationError({"location": _("%(location)s holds no part to count.") % {"location": location}})
    count = CycleCount(location=location, planned_for=planned_for, created_by=user)
    count.full_clean()
    count.save()
    CycleCountLine.objects.bulk_create(CycleCountLine(cycle_count=count, part_id=part) for part in parts)
    return count


def _locked(count: CycleCount) -> CycleCount:
    return CycleCount.objects.select_for_update().select_related("location").get(pk=count.pk)


def _refuse(count: CycleCount, *allowed: str) -> None:
    if count.status not in allowed:
        raise TransitionError(
            {"status": _("This count is %(status)s.") % {"status": count.get_status_display().lower()}}
        )


@transaction.atomic
def start(user: User | Any, count: CycleCount) -> CycleCount:
    """Counting begins: each line keeps what the balance says now, to compare with what is found."""
    check_permission(user, Action.CHANGE, count)
    count = _locked(count)
    _refuse(count, CountStatus.PLANNED)
    on_hand = dict(
        StockBalance.objects.filter(location=count.location, part__in=count.lines.values("part")).values_list(
            "part_id", "on_hand"
        )
    )
    lines = list(count.lines.all())
    for line in lines:
        line.expected = on_hand.get(line.part_id, Decimal(0))
    CycleCountLine.objects.bulk_update(lines, ["expected"])
    count.status = CountStatus.IN_PROGRESS
    count.started_at = timezone.now()
    count.save(update_fields=["status", "started_at", "last_updated"])
    return count


@transaction.atomic
def record(user: User | Any, line: CycleCountLine, counted: Decimal) -> CycleCountLine:
    """What was found on the shelf for one line; recorded again, the last figure counts."""
    check_permission(user, Action.CHANGE, line.cycle_count)
    count = _locked(line.cycle_count)
    _refuse(count, CountStatus.IN_PROGRESS)
    counted = Decimal(counted)
    if counted < 0:
        raise ValidationError({"counted": _("A count cannot find less than nothing.")})
    line.counted = counted
    line.full_clean(exclude=["movement"])
    line.save(update_fields=["counted", "last_updated"])
    return line


@transaction.atomic
def complete(user: User | Any, count: CycleCount) -> CycleCount:
    """Every line's count goes to the ledger (a COUNT movement of the difference), then the count is closed.

    All or nothing: an uncounted line, or a count below what is reserved there, refuses the whole of it.
    """
    check_permission(user, Action.CHANGE, count)
    count = _locked(count)
    _refuse(count, CountStatus.IN_PROGRESS)
    lines = list(count.lines.select_related("part"))
    uncounted = [line.part.reference for line in lines if line.counted is None]
    if uncounted:
        raise TransitionError({"lines": _("Not counted yet: %(parts)s.") % {"parts": ", ".join(uncounted)}})
    for line in lines:
        assert line.counted is not None
        line.movement = services.count(user, line.part, count.location, line.counted, reference=count.reference)
        line.save(update_fields=["movement", "last_updated"])
    count.status = CountStatus.COMPLETED
    count.completed_by = user
    count.completed_at = timezone.now()
    count.save(update_fields=["status", "completed_by", "completed_at", "last_updated"])
    return count


def next_line(count: CycleCount, after: CycleCountLine | None = None) -> CycleCountLine | None:
    """The line to count next on a phone: the first uncounted one after `after`, else the first uncounted."""
    uncounted = count.lines.filter(counted__isnull=True).select_related("part")
    if after is not None:
        following = uncounted.filter(part__reference__gt=after.part.reference).first()
        if following is not None:
            return following
    return uncounted.first()
