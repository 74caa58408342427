from django.urls import URLPattern, URLResolver, path

from maintenir.stores import (
    count_views,
    location_views,
    purchasing_views,
    scan_views,
    views,
    views_fits,
    views_repairables,
)

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
    path("stores/import/", views.stores_import, name="stores-import"),
    path("stores/import/progress/<slug:token>/", views.stores_import_progress, name="stores-import-progress"),
]

# Reorder and purchasing: the company's, for its staff.
urlpatterns += [
    path("purchasing/reorder/", purchasing_views.reorder_page, name="purchasing-reorder"),
    path("purchasing/requests/", purchasing_views.purchaserequest_list, name="purchaserequest-list"),
    path("purchasing/requests/order/", purchasing_views.purchaserequest_order, name="purchaserequest-order"),
    path(
        "purchasing/requests/<int:pk>/cancel/", purchasing_views.purchaserequest_cancel, name="purchaserequest-cancel"
    ),
    path("purchasing/orders/", purchasing_views.purchaseorder_list, name="purchaseorder-list"),
    path("purchasing/orders/<int:pk>/", purchasing_views.purchaseorder_detail, name="purchaseorder-detail"),
    path("purchasing/orders/<int:pk>/cancel/", purchasing_views.purchaseorder_cancel, name="purchaseorder-cancel"),
    path("purchasing/lines/<int:pk>/receive/", purchasing_views.purchaseorder_receive, name="purchaseorder-receive"),
    path("suppliers/", purchasing_views.supplier_list, name="supplier-list"),
    path("suppliers/add/", purchasing_views.supplier_add, name="supplier-add"),
    path("suppliers/<int:pk>/", purchasing_views.supplier_detail, name="supplier-detail"),
    path("suppliers/<int:pk>/edit/", purchasing_views.supplier_edit, name="supplier-edit"),
    path("suppliers/<int:pk>/parts/add/", purchasing_views.supplierpart_add, name="supplierpart-add"),
    path("supplier-parts/<int:pk>/edit/", purchasing_views.supplierpart_edit, name="supplierpart-edit"),
    path("parts/<int:pk>/reorder-rules/add/", purchasing_views.reorderrule_add, name="reorderrule-add"),
    path("reorder-rules/<int:pk>/edit/", purchasing_views.reorderrule_edit, name="reorderrule-edit"),
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
