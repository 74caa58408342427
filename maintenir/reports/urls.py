from django.urls import URLPattern, URLResolver, path

from maintenir.reports import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("orders/<int:pk>/commissioning-report.pdf", views.commissioning_report, name="commissioning-report"),
]
