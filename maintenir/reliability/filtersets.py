"""Filters shared by the improvement proposals page and the API list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from maintenir.assets.filtersets import SearchFilterSet, visible
from maintenir.assets.models import Equipment, Site
from maintenir.reliability.choices import ModificationKind, ProposalStatus
from maintenir.reliability.models import ImprovementProposal


class ImprovementProposalFilterSet(SearchFilterSet):
    search_fields = ("title", "modification", "equipment__code", "equipment__name")
    status = django_filters.MultipleChoiceFilter(choices=ProposalStatus.choices, label=_("Status"))
    site = django_filters.ModelChoiceFilter(field_name="equipment__site", queryset=visible(Site), label=_("Site"))
    equipment = django_filters.ModelChoiceFilter(queryset=visible(Equipment), label=_("Equipment"))
    kind = django_filters.MultipleChoiceFilter(choices=ModificationKind.choices, label=_("Kind of modification"))

    class Meta:
        model = ImprovementProposal
        fields = ["q", "status", "site", "equipment", "kind"]
