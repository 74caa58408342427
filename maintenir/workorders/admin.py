from django.contrib import admin

from maintenir.workorders.models import DetectionMethod, FailureCause, FailureMechanism, FailureMode, Remedy


@admin.register(FailureMode, FailureMechanism, FailureCause, Remedy, DetectionMethod)
class CodedEntryAdmin(admin.ModelAdmin):
    """The ISO 14224 coded lists: the seeded entries are extended or retired (never deleted once used)."""

    list_display = ("code", "name", "name_fr", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_fr")
