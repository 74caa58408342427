from django.urls import URLPattern, URLResolver, path

from maintenir.reliability import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reliability/", views.kpi_page, name="reliability-kpis"),
    path("reliability/proposals/", views.proposal_list, name="proposal-list"),
    path("reliability/proposals/add/", views.proposal_add, name="proposal-add"),
    path("reliability/proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("reliability/proposals/<int:pk>/<str:action>/", views.proposal_action, name="proposal-action"),
    path("reliability/<str:kind>/<int:pk>/", views.kpi_page, name="reliability-scope"),
]
