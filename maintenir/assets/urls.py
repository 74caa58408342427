from django.urls import URLPattern, URLResolver, path

from maintenir.assets import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("sites/", views.site_list, name="site-list"),
    path("sites/add/", views.site_add, name="site-add"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site-edit"),
    *(
        path(f"sites/<int:pk>/{kind}s/add/", views.site_location_add, {"kind": kind}, name=f"{kind}-add")
        for kind in views.SITE_LOCATIONS
    ),
    path("equipment/", views.equipment_list, name="equipment-list"),
    path("equipment/add/", views.equipment_add, name="equipment-add"),
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment-detail"),
    path("equipment/<int:pk>/edit/", views.equipment_edit, name="equipment-edit"),
    path("equipment/<int:pk>/readings/add/", views.equipment_reading_add, name="equipment-reading-add"),
    path("equipment/<int:pk>/documents/add/", views.document_add, name="document-add"),
    path("documents/<int:pk>/file/", views.document_file, name="document-file"),
]
