from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from maintenir.core.models import ApiToken, ObjectChange, Organisation, User
from maintenir.core.services import save_new_token


@admin.register(User)
class MaintenirUserAdmin(UserAdmin):
    list_display = ("username", "get_full_name", "role", "organisation", "is_active")
    list_filter = ("role", "organisation", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Maintenir", {"fields": ("role", "organisation", "phone")}))  # type: ignore[misc]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "contact_email")
    search_fields = ("name", "code")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made as `maintenir token` makes them: the key is shown once, only its digest is kept."""

    list_display = ("prefix", "user", "description", "created", "last_used")

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return ("user", "description") if obj is None else ("user", "prefix", "description", "created", "last_used")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return () if obj is None else ("user", "prefix", "created", "last_used")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key = save_new_token(obj)
        message = _("The API token for %(user)s, shown only this once: %(key)s") % {"user": obj.user, "key": key}
        self.message_user(request, message, messages.WARNING)


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ("time", "user_name", "action", "object_type", "object_repr", "request_id")
    list_filter = ("action", "object_type")
    readonly_fields = [f.name for f in ObjectChange._meta.fields]
