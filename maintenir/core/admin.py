from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from maintenir.core.models import ApiToken, ObjectChange, Organisation, User


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
    list_display = ("prefix", "user", "description", "created", "last_used")
    readonly_fields = ("prefix", "digest", "created", "last_used")


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ("time", "user_name", "action", "object_type", "object_repr", "request_id")
    list_filter = ("action", "object_type")
    readonly_fields = [f.name for f in ObjectChange._meta.fields]
