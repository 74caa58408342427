import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenir.assets.choices import EquipmentStatus, ReadingSource, Technology
from maintenir.assets.models import Counter, CounterReading, Equipment, TechnologyTag
from maintenir.core import formats
from maintenir.core.choices import Action
from maintenir.core.services import check_model_permission, check_permission, save_restricted


def technology_tags(codes: Iterable[str]) -> list[TechnologyTag]:
    """The tag rows for these `Technology` codes, created on first use."""
    tags = []
    for code in codes:
        if code not in Technology.values:
            raise ValidationError({"technologies": _("Unknown technology %(code)s.") % {"code": code}})
        tags.append(TechnologyTag.objects.get_or_create(code=code)[0])
    return tags


def save_equipment(user: Any, equipment: Equipment, technologies: Iterable[str] | None = None) -> Equipment:
    many_to_many = {} if technologies is None else {"technologies": technology_tags(technologies)}
    save_restricted(user, equipment, **many_to_many)
    return equipment


def descendants(equipment: Equipment) -> list[Equipment]:
    """Every equipment below this one, level by level (one query per level)."""
    found: list[Equipment] = []
    level = [equipment.pk]
    while level:
        children = list(Equipment.objects.filter(parent_id__in=level).select_related("equipment_type"))
        found.extend(children)
        level = [child.pk for child in children]
    return found


def equipment_tree(equipment: Equipment) -> list[tuple[int, Equipment]]:
    """(depth, equipment) for this equipment's subtree, depth-first, for display."""
    below = descendants(equipment)
    children_of: dict[int | None, list[Equipment]] = {}
    for item in below:
        children_of.setdefault(item.parent_id, []).append(item)
    rows: list[tuple[int, Equipment]] = []

    def walk(node: Equipment, depth: int) -> None:
        rows.append((depth, node))
        for child in sorted(children_of.get(node.pk, []), key=lambda e: e.code):
            walk(child, depth + 1)

    walk(equipment, 0)
    return rows


def set_status(user: Any, equipment: Equipment, status: str) -> Equipment:
    """Record a status change of an equipment (the change log keeps the history)."""
    if status not in EquipmentStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    if equipment.status != status:
        equipment.status = status
        equipment.save(update_fields=["status", "last_updated"])
    return equipment


@transaction.atomic
def record_counter_reading(
    user: Any,
    counter: Counter,
    value: Decimal | int | float | str,
    read_at: datetime.datetime | None = None,
    source: str = ReadingSource.MANUAL,
) -> CounterReading:
    """Store a dated counter reading; counters only go up, so a lower value is refused."""
    check_permission(user, Action.VIEW, counter)
    # Refuse a role that may not add readings before saying anything about the value.
    check_model_permission(user, Action.ADD, CounterReading)
    reading = CounterReading(
        counter=counter,
        value=Decimal(str(value)),
        read_at=read_at or timezone.now(),
        source=source,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    reading.full_clean()
    previous = counter.readings.filter(read_at__lte=reading.read_at).order_by("-read_at").first()
    if previous is not None and reading.value < previous.value:
        raise ValidationError(
            {
                "value": _("A counter cannot go down: %(previous)s was read on %(date)s.")
                % {"previous": formats.quantity(previous.value), "date": formats.moment(previous.read_at)}
            }
        )
    following = counter.readings.filter(read_at__gt=reading.read_at).order_by("read_at").first()
    if following is not None and reading.value > following.value:
        raise ValidationError(
            {
                "value": _("A counter cannot go down: %(next)s was read later, on %(date)s.")
                % {"next": formats.quantity(following.value), "date": formats.moment(following.read_at)}
            }
        )
    reading.save()
    check_permission(user, Action.ADD, reading)
    return reading


def current_value(counter: Counter) -> Decimal | None:
    return counter.readings.order_by("-read_at").values_list("value", flat=True).first()
