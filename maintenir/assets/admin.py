from django.contrib import admin

from maintenir.assets.models import EquipmentType

# Sites, equipment and their parts are managed in Maintenir's own pages, which apply tenancy and
# record changes through the services; the admin keeps only the shared catalogue.


@admin.register(EquipmentType)
class EquipmentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)
