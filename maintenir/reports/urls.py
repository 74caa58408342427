from django.urls import URLPattern, URLResolver, path

from maintenir.reports import certification_views, purchase_order_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("orders/<int:pk>/commissioning-report.pdf", views.commissioning_report, name="commissioning-report"),
    path("orders/<int:pk>/intervention-report.pdf", views.intervention_report, name="intervention-report"),
    path("sites/<int:pk>/equipment-state-report.pdf", views.equipment_state_report, name="equipment-state-report"),
    path("reports/monthly.pdf", views.monthly_report, name="monthly-report"),
    path("orders/<int:pk>/intervention-report/send/", views.send_intervention_report, name="intervention-report-send"),
    path(
        "sites/<int:pk>/equipment-state-report/send/",
        views.send_equipment_state_report,
        name="equipment-state-report-send",
    ),
    path("reports/monthly/send/", views.send_monthly_report, name="monthly-report-send"),
    path(
        "certification/candidates/<int:pk>/titles/<int:title_pk>/livret.pdf",
        certification_views.livret,
        name="certification-livret",
    ),
    path(
        "certification/decisions/<int:pk>/parchemin.pdf", certification_views.parchemin, name="certification-parchemin"
    ),
]

# A purchase order as the supplier receives it.
urlpatterns += [
    path(
        "purchasing/orders/<int:pk>/order.pdf", purchase_order_views.purchase_order_document, name="purchaseorder-pdf"
    ),
    path("purchasing/orders/<int:pk>/send/", purchase_order_views.send_purchase_order, name="purchaseorder-send"),
]
