"""What the stores lists download as (see `ui.exports`).

The catalogue's columns are those `maintenir import parts` reads, under the fields' labels, so that a catalogue
downloaded, edited in a spreadsheet and imported again updates what it lists.
"""

from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from maintenir.stores.importers import PART_COLUMNS
from maintenir.stores.models import Part, StockBalance
from maintenir.ui.exports import Column, Export


def label(model: type[models.Model], name: str) -> Any:
    field: Any = model._meta.get_field(name)
    return capfirst(field.verbose_name)


PART_ACCESSORS = {"superseded_by": "superseded_by.reference"}
PARTS = Export("parts", [(label(Part, name), PART_ACCESSORS.get(name, name)) for name in PART_COLUMNS])

BALANCE_COLUMNS: list[Column] = [
    (_("Location code"), "location.code"),
    (_("Location"), "location.name"),
    (_("Part"), "part.reference"),
    (_("Description"), "part.description"),
    (label(Part, "unit"), "part.unit"),
    (label(StockBalance, "on_hand"), "on_hand"),
    (label(StockBalance, "reserved"), "reserved"),
    (_("Available"), "available"),
    (label(StockBalance, "average_cost"), "average_cost"),
]
BALANCES = Export("stock", BALANCE_COLUMNS)
