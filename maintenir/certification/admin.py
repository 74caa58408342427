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


# The referential is kept by the training centre from the orders published for each title.
admin.site.register([RegulationVersion, Title, TitleVersion, Ccs, Correspondence, Centre])
