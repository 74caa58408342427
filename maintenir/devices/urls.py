from django.urls import URLPattern, URLResolver, path

from maintenir.devices import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("devices/", views.device_list, name="device-list"),
    path("devices/add/", views.device_add, name="device-add"),
    path("devices/<int:pk>/", views.device_detail, name="device-detail"),
    path("devices/<int:pk>/edit/", views.device_edit, name="device-edit"),
    path("devices/<int:pk>/points/add/", views.point_add, name="point-add"),
    path("devices/<int:pk>/points/export/", views.points_export, name="points-export"),
    path("devices/<int:pk>/points/import/", views.points_import, name="points-import"),
    path("points/<int:pk>/edit/", views.point_edit, name="point-edit"),
    path("points/<int:pk>/history/", views.point_history, name="point-history"),
    path("parameter-sets/", views.parameterset_list, name="parameterset-list"),
    path("parameter-sets/add/", views.parameterset_add, name="parameterset-add"),
    path("parameter-sets/<int:pk>/", views.parameterset_detail, name="parameterset-detail"),
    path("parameter-sets/<int:pk>/edit/", views.parameterset_edit, name="parameterset-edit"),
    path("parameter-sets/<int:pk>/apply/", views.parameterset_apply, name="parameterset-apply"),
    path("applications/<int:pk>/revert/", views.application_revert, name="application-revert"),
]
