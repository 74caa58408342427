"""Where used: an equipment's spare-parts list with what is available of each, and the critical spares short.

Availability is what the user may see of it: on hand − reserved, summed over the locations the user sees that
may serve the equipment (the company's own stores and vans, and the stores of the equipment's client; never
another client's). A critical spare is short when the part itself and its functional equivalents (the parts
that may replace it, `services.equivalents`) together have less available than the fit's minimum: an
equivalent on the shelf keeps the machine running just as well.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum

from maintenir.assets.models import Equipment
from maintenir.core.choices import Action
from maintenir.core.models import User
from maintenir.core.services import check_model_permission, delete_restricted, save_restricted
from maintenir.stores import services
from maintenir.stores.models import Part, PartFit, StockBalance


@dataclass
class SpareLine:
    """One row of an equipment's spare-parts list."""

    fit: PartFit
    equipment: Equipment
    available: Decimal
    equivalents_available: Decimal
    equivalents: list[int] = field(default_factory=list)

    @property
    def part(self) -> Part:
        return self.fit.part

    @property
    def covered(self) -> Decimal:
        """What may be fitted: the part and its equivalents."""
        return self.available + self.equivalents_available

    @property
    def short(self) -> bool:
        return self.fit.critical and self.covered < self.fit.minimum_stock

    @property
    def missing(self) -> Decimal:
        return max(Decimal(0), self.fit.minimum_stock - self.covered) if self.fit.critical else Decimal(0)


class Availability:
    """What each part has available to a user, per owner of the locations holding it, read in one query."""

    def __init__(self, user: User | Any, part_ids: Iterable[int]) -> None:
        self.by_owner: dict[int, dict[int | None, Decimal]] = defaultdict(dict)
        rows = (
            StockBalance.objects.restrict(user)
            .filter(part_id__in=set(part_ids))
            .values("part_id", "location__owner_id")
            .annotate(free=Sum(F("on_hand") - F("reserved")))
        )
        for row in rows:
            self.by_owner[row["part_id"]][row["location__owner_id"]] = row["free"] or Decimal(0)

    def serving(self, part_id: int, equipment: Equipment) -> Decimal:
        """Available in the company's locations and in those of the equipment's client."""
        held = self.by_owner.get(part_id, {})
        return held.get(None, Decimal(0)) + (
            held.get(equipment.site.organisation_id, Decimal(0)) if equipment.site.organisation_id else Decimal(0)
        )


def fits_of(user: User | Any, equipment: Equipment) -> QuerySet[PartFit]:
    """The fits the user sees that apply to the equipment: its own and those of its type."""
    return (
        PartFit.objects.restrict(user)
        .filter(Q(equipment=equipment) | Q(equipment_type_id=equipment.equipment_type_id))
        .select_related("part", "equipment_type")
    )


def _lines(user: User | Any, pairs: list[tuple[PartFit, Equipment]]) -> list[SpareLine]:
    equivalents = {fit.part_id: list(services.equivalents(fit.part)) for fit, _equipment in pairs}
    visible = set(
        Part.objects.restrict(user)
        .filter(pk__in={pk for ids in equivalents.values() for pk in ids})
        .values_list("pk", flat=True)
    )
    stock = Availability(user, {*equivalents, *visible})
    lines = []
    for fit, equipment in pairs:
        others = [pk for pk in equivalents[fit.part_id] if pk in visible]
        lines.append(
            SpareLine(
                fit=fit,
                equipment=equipment,
                available=stock.serving(fit.part_id, equipment),
                equivalents_available=sum((stock.serving(pk, equipment) for pk in others), Decimal(0)),
                equivalents=others,
            )
        )
    return lines


def spare_parts(user: User | Any, equipment: Equipment) -> list[SpareLine]:
    """The equipment's spare-parts list: its own fits, then its type's for parts it has no fit of its own for
    (its own fit says better how many are installed and how many to keep)."""
    fits = sorted(fits_of(user, equipment), key=lambda fit: (fit.equipment_id is None, fit.part.reference))
    seen: set[int] = set()
    chosen = []
    for fit in fits:
        if fit.part_id not in seen:
            seen.add(fit.part_id)
            chosen.append((fit, equipment))
    return sorted(_lines(user, chosen), key=lambda line: (not line.short, line.part.reference))


def critical_short(user: User | Any, equipment: Equipment | None = None) -> list[SpareLine]:
    """The critical spares short for one equipment, or for every equipment the user sees (a manager's list)."""
    if equipment is not None:
        return [line for line in spare_parts(user, equipment) if line.short]
    check_model_permission(user, Action.CHANGE, PartFit)
    fits = PartFit.objects.restrict(user).filter(critical=True).select_related("part", "equipment_type")
    type_fits: dict[int, list[PartFit]] = defaultdict(list)
    own: dict[tuple[int, int], PartFit] = {}
    for fit in fits:
        if fit.equipment_id is not None:
            own[(fit.equipment_id, fit.part_id)] = fit
        else:
            type_fits[fit.equipment_type_id].append(fit)
    # Every equipment with a fit of its own, any fit at all (its own, non-critical one overrides its type's).
    overridden = set(
        PartFit.objects.restrict(user).filter(equipment__isnull=False).values_list("equipment_id", "part_id")
    )
    equipments = (
        Equipment.objects.restrict(user)
        .filter(Q(pk__in={pk for pk, _part in own}) | Q(equipment_type_id__in=type_fits))
        .select_related("site")
    )
    pairs: list[tuple[PartFit, Equipment]] = []
    for item in equipments:
        for fit in type_fits.get(item.equipment_type_id, []):
            if (item.pk, fit.part_id) not in overridden:
                pairs.append((fit, item))
        pairs.extend((fit, item) for (pk, _part), fit in own.items() if pk == item.pk)
    lines = [line for line in _lines(user, pairs) if line.short]
    return sorted(lines, key=lambda line: (line.equipment.code, line.part.reference))


def add_fit(user: User | Any, fit: PartFit) -> PartFit:
    """List a part on an equipment or a type (managers), checked like any other save."""
    save_restricted(user, fit)
    return fit


@transaction.atomic
def remove_fit(user: User | Any, fit: PartFit) -> None:
    delete_restricted(user, fit)
