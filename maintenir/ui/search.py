"""The global search: the few most recent records of each kind that match, each kind found as its own list finds it.

Each kind runs its list's FilterSet (same fields, same reference forms, accents and case aside) over
`restrict(user)`, exactly as the list page does, so the search never shows what the list would not.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst

from maintenir.assets.filtersets import DocumentFilterSet, EquipmentFilterSet, SiteFilterSet
from maintenir.assets.models import Document, Equipment, Site
from maintenir.core.choices import Action
from maintenir.people.filtersets import TechnicianFilterSet
from maintenir.people.models import Technician
from maintenir.workorders.choices import ListedOrders
from maintenir.workorders.filtersets import WorkOrderFilterSet, WorkRequestFilterSet
from maintenir.workorders.models import WorkOrder, WorkRequest

# Enough to recognise what one looks for; the list behind "See all" has the rest.
SHOWN_PER_KIND = 5


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    filterset: type[django_filters.FilterSet]
    related: tuple[str, ...]  # what `label` and `detail` read, fetched in the same query
    label: Callable[[Any], str]
    detail: Callable[[Any], str]
    url: Callable[[Any], str]
    list_name: str | None = None  # the list page "See all" opens, filtered by the same text
    list_query: dict[str, str] = field(default_factory=dict)

    def title(self) -> str:
        return capfirst(str(self.model._meta.verbose_name_plural))

    def see_all(self, text: str) -> str | None:
        if self.list_name is None:
            return None
        return f"{reverse(self.list_name)}?{urlencode({'q': text, **self.list_query})}"


def _site_and_equipment(row: Any) -> str:
    return f"{row.site} · {row.equipment.code}" if row.equipment else str(row.site)


KINDS = (
    Kind(
        Equipment,
        EquipmentFilterSet,
        ("site",),
        label=lambda row: f"{row.code} — {row.name}",
        detail=lambda row: " · ".join(filter(None, [str(row.site), row.serial_number])),
        url=lambda row: row.get_absolute_url(),
        list_name="equipment-list",
    ),
    Kind(
        WorkOrder,
        WorkOrderFilterSet,
        ("site", "equipment"),
        label=lambda row: f"{row.reference} — {row.title}",
        detail=lambda row: f"{_site_and_equipment(row)} · {row.get_status_display()}",
        url=lambda row: row.get_absolute_url(),
        list_name="workorder-list",
        # The list shows unfinished orders unless asked; the search finds closed ones too.
        list_query={"listed": ListedOrders.ALL},
    ),
    Kind(
        WorkRequest,
        WorkRequestFilterSet,
        ("site", "equipment"),
        label=lambda row: f"{row.reference} — {row.symptom[:80]}",
        detail=lambda row: f"{_site_and_equipment(row)} · {row.get_status_display()}",
        url=lambda row: row.get_absolute_url(),
        list_name="workrequest-list",
    ),
    Kind(
        Site,
        SiteFilterSet,
        ("organisation",),
        label=str,
        detail=lambda row: " · ".join(filter(None, [row.city, str(row.organisation)])),
        url=lambda row: row.get_absolute_url(),
        list_name="site-list",
    ),
    Kind(
        Technician,
        TechnicianFilterSet,
        ("user", "team"),
        label=str,
        detail=lambda row: " · ".join(filter(None, [str(row.team or ""), row.home_base])),
        url=lambda row: row.get_absolute_url(),
        list_name="technician-list",
    ),
    Kind(
        Document,
        DocumentFilterSet,
        ("site", "equipment"),
        label=str,
        detail=lambda row: f"{_site_and_equipment(row)} · {row.get_document_type_display()}",
        url=lambda row: reverse("document-file", args=[row.pk]),
    ),
)


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class Group:
    title: str
    hits: list[Hit]
    more: bool  # more match than are shown
    see_all: str | None


def global_search(request: HttpRequest, text: str) -> list[Group]:
    """The kinds of record that match `text` for the requesting user, with the first few of each."""
    if not text.strip():
        return []
    groups = []
    for kind in KINDS:
        visible = kind.model._default_manager.restrict(request.user, Action.VIEW)  # type: ignore[attr-defined]
        # The most recent first: along the primary key, the first few of a common word come at once,
        # where another order would sort every match (a rare word is taken from the text index).
        visible = visible.select_related(*kind.related).order_by("-pk")
        filterset = kind.filterset({"q": text}, queryset=visible, request=request)
        rows = list(filterset.qs[: SHOWN_PER_KIND + 1])
        if rows:
            hits = [Hit(kind.label(row), kind.detail(row), kind.url(row)) for row in rows[:SHOWN_PER_KIND]]
            groups.append(Group(kind.title(), hits, len(rows) > SHOWN_PER_KIND, kind.see_all(text)))
    return groups
