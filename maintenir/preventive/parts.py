"""Spare parts of preventive work: reserved when an order is planned, and the coming needs of the forecast.

A gamme version lists the parts its work is expected to use (`GammePart`). When an order following it is
planned, they are reserved from the stores serving its site, the site's own store first, then the central
store; what cannot be reserved is recorded as short (`PlannedPart`) and never stops the planning.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from maintenir.assets.choices import EquipmentStatus
from maintenir.assets.models import Site
from maintenir.core.models import User
from maintenir.preventive import services
from maintenir.preventive.choices import PlanStatus
from maintenir.preventive.models import GammePart, PlannedPart, PreventiveOrder, Trigger, TriggerState
from maintenir.stores import sourcing
from maintenir.stores.models import Location, Part, StockBalance
from maintenir.stores.reorder import Need
from maintenir.workorders import services as workorders
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.models import PartReservation, WorkOrder

# Orders whose parts are not reserved yet: all their expected parts are still to come out of stock.
UNPLANNED_STATUSES = (WorkOrderStatus.REQUESTED, WorkOrderStatus.APPROVED)
PLANNED_STATUSES = (WorkOrderStatus.PLANNED, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD)


def _reserve(user: User, order: WorkOrder, part: Part, wanted: Decimal) -> Decimal:
    """Reserve up to `wanted` of the part from the stores serving the order's site, nearest first; how much."""
    reserved = Decimal(0)
    for balance in sourcing.supplies(part, order.site):
        quantity = min(balance.available, wanted - reserved)
        if quantity <= 0:
            break
        try:
            # A savepoint: a reservation refused (taken meanwhile) leaves the planning whole.
            with transaction.atomic():
                workorders.reserve_part(user, order, part, balance.location, quantity)
        except (ValidationError, PermissionDenied):
            continue
        reserved += quantity
    return reserved


def reserve_expected_parts(sender: Any, user: User, order: WorkOrder, **kwargs: Any) -> None:
    """On planning a preventive order: reserve its gamme version's expected parts, record what is short."""
    origin = PreventiveOrder.objects.filter(work_order=order).first()
    if origin is None:
        return
    held = dict(
        PartReservation.objects.filter(work_order=order)
        .values_list("part_id")
        .annotate(total=Sum("quantity"))
        .values_list("part_id", "total")
    )
    for expected in GammePart.objects.filter(version_id=origin.gamme_version_id).select_related("part"):
        # Reserved by hand before planning counts towards what the gamme expects.
        already = min(held.get(expected.part_id, Decimal(0)), expected.quantity)
        reserved = already + _reserve(user, order, expected.part, expected.quantity - already)
        PlannedPart.objects.update_or_create(
            preventive_order=origin,
            part=expected.part,
            defaults={"expected": expected.quantity, "reserved": reserved},
        )


def expected_parts(sender: Any, user: User, order: WorkOrder, **kwargs: Any) -> list[dict[str, Any]]:
    """For the order pages: the expected parts of a preventive order, with what planning reserved of each."""
    origin = PreventiveOrder.objects.filter(work_order=order).first()
    if origin is None:
        return []
    visible = Part.objects.restrict(user)
    planned = {
        planned.part_id: planned
        for planned in PlannedPart.objects.filter(preventive_order=origin, part__in=visible).select_related("part")
    }
    if planned:
        return [
            {
                "part": item.part,
                "expected": item.expected,
                "reserved": item.reserved,
                "short": item.short,
                "planned": True,
            }
            for item in planned.values()
        ]
    return [
        {"part": item.part, "expected": item.quantity, "reserved": Decimal(0), "short": Decimal(0), "planned": False}
        for item in GammePart.objects.filter(version_id=origin.gamme_version_id, part__in=visible).select_related(
            "part"
        )
    ]


# --- Coming needs ---------------------------------------------------------------------------------


class _Sources:
    """Where each part would be drawn from for each site, looked up once per pair."""

    def __init__(self) -> None:
        self.sites: dict[int, Site] = {}
        self.found: dict[tuple[int, int], Location | None] = {}

    def location(self, part: Part, site_id: int, quantity: Decimal) -> Location | None:
        key = (part.pk, site_id)
        if key not in self.found:
            site = self.sites.get(site_id) or Site.objects.get(pk=site_id)
            self.sites[site_id] = site
            self.found[key] = sourcing.reserve_location(part, site, quantity)
        return self.found[key]


def coming_needs(weeks: int, user: User | None = None, site_id: int | None = None) -> list[Need]:
    """The parts preventive work will take in the coming `weeks`: the expected parts of the triggers falling
    due, of the open orders not planned yet, and what planned orders are still short of; each from the
    store it would be drawn from. With `user`, only the work that user sees (as the forecast page shows it)."""
    today = timezone.localdate()
    end = today + datetime.timedelta(weeks=weeks)
    triggers = Trigger.objects.filter(is_active=True, plan__status=PlanStatus.ACTIVE)
    origins = PreventiveOrder.objects.all()
    if user is not None:
        triggers = triggers.filter(pk__in=Trigger.objects.restrict(user))
        origins = origins.filter(work_order__in=WorkOrder.objects.restrict(user))
    states = TriggerState.objects.filter(trigger__in=triggers).exclude(equipment__status=EquipmentStatus.OUT_OF_SERVICE)
    if site_id is not None:
        states = states.filter(equipment__site_id=site_id)
        origins = origins.filter(work_order__site_id=site_id)
    # (version id, site id, date, reference) of each piece of work, then its parts.
    work: list[tuple[int, int, datetime.date, str]] = []
    occurrences = list(services.due_occurrences(states, today, end))
    versions = services.current_versions({rule.gamme_id for _row, rule, _dates in occurrences})
    for row, rule, dates in occurrences:
        version_id = versions.get(rule.gamme_id)
        if version_id is not None:
            reference = f"{row['trigger__gamme__code']} · {row['equipment__code']}"
            work.extend((version_id, row["equipment__site_id"], day, reference) for day in dates)
    unplanned = origins.filter(work_order__status__in=UNPLANNED_STATUSES).select_related("work_order")
    for origin in unplanned:
        due = _order_day(origin, today)
        if due <= end:
            work.append((origin.gamme_version_id, origin.work_order.site_id, due, origin.work_order.reference))
    parts_by_version: dict[int, list[GammePart]] = defaultdict(list)
    for expected in GammePart.objects.filter(version_id__in={item[0] for item in work}).select_related("part"):
        parts_by_version[expected.version_id].append(expected)
    sources = _Sources()
    needs: list[Need] = []

    def add(part: Part, site: int, quantity: Decimal, due: datetime.date, reference: str) -> None:
        location = sources.location(part, site, quantity)
        if location is not None:
            needs.append(Need(part.pk, location.pk, quantity, due, reference))

    for version_id, site, due, reference in work:
        for expected in parts_by_version[version_id]:
            add(expected.part, site, expected.quantity, due, reference)
    short = PlannedPart.objects.filter(
        preventive_order__in=origins.filter(work_order__status__in=PLANNED_STATUSES),
        expected__gt=F("reserved"),
    ).select_related("part", "preventive_order__work_order")
    for planned in short:
        origin = planned.preventive_order
        due = _order_day(origin, today)
        if due <= end:
            add(planned.part, origin.work_order.site_id, planned.short, due, origin.work_order.reference)
    needs.sort(key=lambda need: (need.due, need.part_id, need.reference))
    return needs


def _order_day(origin: PreventiveOrder, today: datetime.date) -> datetime.date:
    planned = origin.work_order.planned_start
    return max(today, timezone.localdate(planned) if planned else origin.scheduled_for)


@dataclass(frozen=True)
class NeedLine:
    """The coming needs of one part from one store, as the forecast page lists them."""

    part: Part
    location: Location
    quantity: Decimal
    due: datetime.date
    available: Decimal

    @property
    def short(self) -> bool:
        return self.available < self.quantity


def need_lines(user: User, weeks: int, site_id: int | None = None) -> list[NeedLine]:
    """The coming needs the user sees, summed per part and store: how many, by when (the first), available."""
    totals: dict[tuple[int, int], tuple[Decimal, datetime.date]] = {}
    for need in coming_needs(weeks, user, site_id):
        key = (need.part_id, need.location_id)
        quantity, due = totals.get(key, (Decimal(0), need.due))
        totals[key] = (quantity + need.quantity, min(due, need.due))
    if not totals:
        return []
    parts = Part.objects.restrict(user).in_bulk({part for part, _location in totals})
    locations = Location.objects.restrict(user).in_bulk({location for _part, location in totals})
    balances = {
        (balance.part_id, balance.location_id): balance.available
        for balance in StockBalance.objects.filter(part_id__in=parts, location_id__in=locations)
    }
    lines = [
        NeedLine(parts[part], locations[location], quantity, due, balances.get((part, location), Decimal(0)))
        for (part, location), (quantity, due) in totals.items()
        if part in parts and location in locations
    ]
    lines.sort(key=lambda line: (line.due, line.part.reference))
    return lines
