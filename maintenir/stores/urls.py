from django.urls import URLPattern, URLResolver, path

from maintenir.stores import views, views_fits, views_repairables

urlpatterns: list[URLPattern | URLResolver] = [
    path("parts/", views.part_list, name="part-list"),
    path("parts/add/", views.part_add, name="part-add"),
    path("parts/<int:pk>/", views.part_detail, name="part-detail"),
    path("parts/<int:pk>/edit/", views.part_edit, name="part-edit"),
    path("my-van/", views.my_van, name="my-van"),
    # Where used, critical spares and part documents
    path("parts/<int:pk>/where-used/", views_fits.part_where_used, name="part-where-used"),
    path("parts/<int:pk>/documents/", views_fits.part_documents, name="part-documents"),
    path("parts/<int:pk>/documents/add/", views_fits.part_document_add, name="part-document-add"),
    path("part-documents/<int:pk>/file/", views_fits.part_document_file, name="part-document-file"),
    path("equipment/<int:pk>/spare-parts/", views_fits.equipment_spare_parts, name="equipment-spare-parts"),
    path("spare-parts/fits/add/", views_fits.fit_add, name="part-fit-add"),
    path("spare-parts/fits/<int:pk>/remove/", views_fits.fit_remove, name="part-fit-remove"),
    path("spare-parts/critical-short/", views_fits.critical_spares_short, name="critical-spares-short"),
    # Repairable units (échange standard)
    path("repairables/", views_repairables.unit_list, name="repairable-list"),
    path("repairables/add/", views_repairables.unit_add, name="repairable-add"),
    path("repairables/<int:pk>/", views_repairables.unit_detail, name="repairable-detail"),
    path("repairables/<int:pk>/<slug:transition>/", views_repairables.unit_transition, name="repairable-transition"),
]
