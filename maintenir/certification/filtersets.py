"""Filters of the certification list pages."""

import django_filters
from django.utils.translation import gettext_lazy as _

from maintenir.assets.filtersets import SearchFilterSet, visible
from maintenir.certification.choices import SessionKind
from maintenir.certification.models import Candidate, Centre, Session, Title


class CandidateFilterSet(SearchFilterSet):
    search_fields = ("first_name", "last_name", "email")

    class Meta:
        model = Candidate
        fields = ["q"]


class SessionFilterSet(SearchFilterSet):
    search_fields = ("version__title__name", "ccp__name", "ccs__name", "centre__name")
    kind = django_filters.MultipleChoiceFilter(choices=SessionKind.choices, label=_("Kind"))
    title = django_filters.ModelChoiceFilter(field_name="version__title", queryset=visible(Title), label=_("Title"))
    centre = django_filters.ModelChoiceFilter(queryset=visible(Centre), label=_("Approved centre"))

    class Meta:
        model = Session
        fields = ["q", "kind", "title", "centre"]
