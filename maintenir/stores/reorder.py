"""Reorder: what to buy, from the stock, the consumption and the coming needs."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Need:
    """Stock that planned work will take: `quantity` of a part from a location by `due`."""

    part_id: int
    location_id: int
    quantity: Decimal
    due: date
    reference: str


NeedSource = Callable[[int], list[Need]]
NEED_SOURCES: list[NeedSource] = []


def register_need_source(source: NeedSource) -> None:
    """Add a source of coming needs (the preventive forecast registers itself); each is asked for `weeks` ahead."""
    if source not in NEED_SOURCES:
        NEED_SOURCES.append(source)
