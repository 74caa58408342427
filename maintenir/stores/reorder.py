"""When to reorder: the suggested reorder point from consumption, and the proposals of what to order now.

Both run over every part in a handful of queries (one grouped query for twelve months of issues, one for the
rules with their balances, one for what is on order, one for the suppliers), whatever the size of the catalogue.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from statistics import NormalDist

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import DecimalField, Exists, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from maintenir.stores.choices import MovementKind, Unit
from maintenir.stores.models import Location, Part, ReorderRule, StockBalance, StockMovement
from maintenir.stores.purchasing import Offer, Pair, best_offers, on_order

# The consumption a reorder point is computed from.
HISTORY_DAYS = 365
# The order-up-to level covers at least this many days of demand beyond the reorder point (a monthly review).
REVIEW_DAYS = 30
# How far ahead the coming needs are counted, by default.
NEEDS_WEEKS = 4
WHOLE_UNITS = frozenset({Unit.PIECE, Unit.SET})


# --- Coming needs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """Stock that planned work will take from a location by a date (e.g. the parts of a gamme due)."""

    part_id: int
    location_id: int
    quantity: Decimal
    due: datetime.date
    reference: str


NeedSource = Callable[[int], list[Need]]
NEED_SOURCES: list[NeedSource] = []


def register_need_source(source: NeedSource) -> NeedSource:
    """Add a function `source(weeks) -> list[Need]` whose needs the reorder subtracts from the projected stock.

    Apps above `stores` (preventive, from its AppConfig.ready) register theirs; registering twice counts once."""
    if source not in NEED_SOURCES:
        NEED_SOURCES.append(source)
    return source


def coming_needs(weeks: int = NEEDS_WEEKS) -> dict[Pair, Decimal]:
    """The needs of every registered source over the coming weeks, summed per part and location."""
    totals: dict[Pair, Decimal] = defaultdict(Decimal)
    for source in NEED_SOURCES:
        for need in source(weeks):
            totals[(need.part_id, need.location_id)] += Decimal(need.quantity)
    return dict(totals)


# --- Suggested reorder point -----------------------------------------------------------------


def service_level() -> float:
    level = float(getattr(settings, "MAINTENIR_STOCK_SERVICE_LEVEL", 0.95))
    if not 0.5 <= level < 1:
        raise ImproperlyConfigured("MAINTENIR_STOCK_SERVICE_LEVEL must be at least 0.5 and below 1.")
    return level


@dataclass(frozen=True)
class Suggestion:
    """A reorder point covering the demand over the lead time, plus a safety stock for its variation:
    d·L + z·σ·√L rounded up, where d and σ are the mean and standard deviation of the daily demand."""

    mean: float  # units a day
    deviation: float  # standard deviation of the units a day
    lead_time_days: int
    service_level: float
    reorder_point: Decimal
    maximum: Decimal


def suggest(total: float, squares: float, lead_time_days: int, level: float, days: int = HISTORY_DAYS) -> Suggestion:
    """The suggestion from the sum of the daily demands and the sum of their squares over `days` days
    (days without issues count as zero demand)."""
    mean = total / days
    deviation = math.sqrt(max(0.0, squares / days - mean * mean))
    z = NormalDist().inv_cdf(level)
    point = math.ceil(round(mean * lead_time_days + z * deviation * math.sqrt(lead_time_days), 9))
    maximum = point + math.ceil(round(mean * max(lead_time_days, REVIEW_DAYS), 9))
    return Suggestion(mean, deviation, lead_time_days, level, Decimal(point), Decimal(maximum))


def daily_demand(pair: Pair | None = None) -> dict[Pair, tuple[float, float]]:
    """(sum of daily demands, sum of their squares) over the last HISTORY_DAYS days, per part and location,
    in one query: issues are summed per day in a subquery, which the outer query sums per pair.

    Without a pair, for every part and location that has a reorder rule."""
    end = timezone.now()
    issues = StockMovement.objects.filter(
        kind=MovementKind.ISSUE, created__gte=end - datetime.timedelta(days=HISTORY_DAYS), created__lt=end
    )
    if pair is not None:
        issues = issues.filter(part_id=pair[0], location_id=pair[1])
    else:
        issues = issues.filter(
            Exists(ReorderRule.objects.filter(part_id=OuterRef("part_id"), location_id=OuterRef("location_id")))
        )
    daily = (
        issues.annotate(day=TruncDate("created"))
        .values("part_id", "location_id", "day")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    # The inner SQL is Django's own, its values passed as parameters; issues are negative in the ledger.
    inner, params = daily.query.sql_with_params()
    sql = f"SELECT part_id, location_id, SUM(-total), SUM(total * total) FROM ({inner}) daily GROUP BY part_id, location_id"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(part, location): (float(total), float(squares)) for part, location, total, squares in cursor}


def suggest_reorder_point(part: Part | int, location: Location | int) -> Suggestion:
    """The suggested reorder point and order-up-to level of one part (or part id) at one location (or its id),
    from its last twelve months of issues and the lead time of the supplier it would be bought from."""
    pair = (part if isinstance(part, int) else part.pk, location if isinstance(location, int) else location.pk)
    total, squares = daily_demand(pair).get(pair, (0.0, 0.0))
    offer = best_offers([pair[0]]).get(pair[0])
    return suggest(total, squares, offer.lead_time_days if offer else 0, service_level())


# --- Proposals -------------------------------------------------------------------------------


def order_quantity(projected: Decimal, maximum: Decimal, minimum_order: Decimal, whole: bool) -> Decimal:
    """What to order to bring the projected stock up to `maximum`: at least the supplier's minimum order,
    in whole units for parts counted in pieces or sets."""
    quantity = max(maximum - projected, minimum_order)
    return quantity.to_integral_value(ROUND_CEILING) if whole else quantity


@dataclass(frozen=True)
class Proposal:
    rule_id: int
    part_id: int
    part_reference: str
    location_id: int
    location_name: str
    available: Decimal
    on_order: Decimal
    needs: Decimal
    reorder_point: Decimal
    maximum: Decimal
    quantity: Decimal
    supplier_id: int | None
    supplier_name: str
    unit_price: Decimal | None
    suggestion: Suggestion | None

    @property
    def projected(self) -> Decimal:
        return self.available + self.on_order - self.needs


def reorder_proposals(
    weeks: int = NEEDS_WEEKS, needs: Mapping[Pair, Decimal] | None = None, suggestions: bool = True
) -> list[Proposal]:
    """A proposal for every reorder rule whose available stock, plus what is on order, less the coming needs
    (those given, else those of the registered sources over `weeks`), is at or below its reorder point: to
    order up to the rule's maximum from the supplier `best_offers` chooses. With `suggestions`, each carries
    the reorder point its consumption suggests."""
    # Unordered: a part has one balance per location, and the balances' default ordering would join the part
    # and the location into the subquery and sort, for every rule.
    available = Subquery(
        StockBalance.objects.filter(part=OuterRef("part"), location=OuterRef("location"))
        .order_by()
        .values(available=F("on_hand") - F("reserved"))[:1]
    )
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=3))
    rules = (
        ReorderRule.objects.filter(part__owner__isnull=True, location__owner__isnull=True)
        .annotate(available=Coalesce(available, zero))
        .values_list(
            *("pk", "part_id", "part__reference", "part__unit", "location_id", "location__name"),
            *("reorder_point", "maximum", "available"),
        )
        .order_by("part__reference", "location__name")
    )
    ordered = on_order()
    coming = coming_needs(weeks) if needs is None else needs
    offers = best_offers(ReorderRule.objects.values_list("part_id", flat=True))
    demand = daily_demand() if suggestions else {}
    level = service_level() if suggestions else 0.0
    proposals = []
    for pk, part_id, reference, unit, location_id, location_name, point, maximum, stock in rules:
        pair = (part_id, location_id)
        stock, pending, need = Decimal(stock), ordered.get(pair, Decimal(0)), Decimal(coming.get(pair, 0))
        if stock + pending - need > point:
            continue
        offer: Offer | None = offers.get(part_id)
        minimum = offer.minimum_order if offer else Decimal(0)
        suggestion = None
        if suggestions:
            total, squares = demand.get(pair, (0.0, 0.0))
            suggestion = suggest(total, squares, offer.lead_time_days if offer else 0, level)
        proposals.append(
            Proposal(
                *(pk, part_id, reference, location_id, location_name, stock, pending, need, point, maximum),
                order_quantity(stock + pending - need, maximum, minimum, unit in WHOLE_UNITS),
                offer.supplier_id if offer else None,
                offer.supplier_name if offer else "",
                offer.price if offer else None,
                suggestion,
            )
        )
    return proposals


def proposals_for(rule_ids: Iterable[int], weeks: int = NEEDS_WEEKS) -> list[Proposal]:
    """The current proposals of the chosen rules (a page posts the rules it showed)."""
    wanted = set(rule_ids)
    return [proposal for proposal in reorder_proposals(weeks, suggestions=False) if proposal.rule_id in wanted]
