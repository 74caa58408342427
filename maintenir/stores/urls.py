from django.urls import URLPattern, URLResolver, path

from maintenir.stores import count_views, location_views, scan_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("parts/", views.part_list, name="part-list"),
    path("parts/add/", views.part_add, name="part-add"),
    path("parts/<int:pk>/", views.part_detail, name="part-detail"),
    path("parts/<int:pk>/edit/", views.part_edit, name="part-edit"),
    path("my-van/", views.my_van, name="my-van"),
    path("parts/scan/", scan_views.part_scan, name="part-scan"),
    path("parts/<int:pk>/label/", scan_views.part_label, name="part-label"),
    path("stores/", location_views.location_list, name="location-list"),
    path("stores/add/", location_views.location_add, name="location-add"),
    path("stores/<int:pk>/", location_views.location_detail, name="location-detail"),
    path("stores/<int:pk>/edit/", location_views.location_edit, name="location-edit"),
    path("stores/<int:pk>/labels/", scan_views.location_labels, name="location-labels"),
    path("stores/ledger/", location_views.movement_list, name="movement-list"),
    path("stores/receive/", location_views.receive, name="stock-receive"),
    path("stores/transfer/", location_views.transfer, name="stock-transfer"),
    path("stores/adjust/", location_views.adjust, name="stock-adjust"),
    path("stores/counts/", count_views.cyclecount_list, name="cyclecount-list"),
    path("stores/counts/add/", count_views.cyclecount_add, name="cyclecount-add"),
    path("stores/counts/<int:pk>/", count_views.cyclecount_detail, name="cyclecount-detail"),
    path("stores/counts/<int:pk>/start/", count_views.cyclecount_start, name="cyclecount-start"),
    path("stores/counts/<int:pk>/complete/", count_views.cyclecount_complete, name="cyclecount-complete"),
    path("stores/counts/lines/<int:pk>/", count_views.cyclecount_line, name="cyclecount-line"),
]
