from typing import Any

from django import forms
from django.contrib import admin

from maintenir.certification.models import (
    ActivityType,
    Ccs,
    Centre,
    Competence,
    Correspondence,
    RegulationVersion,
    Title,
    TitleVersion,
)


class CompetenceInline(admin.TabularInline):
    model = Competence
    extra = 0


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    """A CCP with its competences, as the title's order lists them."""

    list_display = ("name", "version", "position")
    list_filter = ("version__title",)
    inlines = [CompetenceInline]


class CorrespondenceForm(forms.ModelForm):
    class Meta:
        model = Correspondence
        fields = ("old_ccps", "new_ccp")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_ccp") is not None:
            Correspondence.check_ccps(data["new_ccp"], list(data.get("old_ccps") or []))
        return data


@admin.register(Correspondence)
class CorrespondenceAdmin(admin.ModelAdmin):
    """Old CCPs that together give one new CCP, as the revised title's order sets them."""

    form = CorrespondenceForm
    filter_horizontal = ("old_ccps",)


# The referential is kept by the training centre from the orders published for each title.
admin.site.register([RegulationVersion, Title, TitleVersion, Ccs, Centre])
