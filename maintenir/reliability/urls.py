from django.urls import URLPattern, URLResolver, path

from maintenir.reliability import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reliability/", views.kpi_page, name="reliability-kpis"),
    path(
        "reliability/<str:kind>/<int:pk>/",
        views.kpi_page,
        name="reliability-scope",
    ),
]
