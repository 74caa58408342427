from django.urls import URLPattern, URLResolver, path

from maintenir.people import safety_views as views
from maintenir.people.models import PreventionPlan, SiteRisk

urlpatterns: list[URLPattern | URLResolver] = [
    path("sites/<int:pk>/prevention-plans/add/", views.prevention_plan_add, name="prevention-plan-add"),
    path("prevention-plans/<int:pk>/edit/", views.prevention_plan_edit, name="prevention-plan-edit"),
    path(
        "prevention-plans/<int:pk>/delete/",
        views.safety_delete,
        {"model": PreventionPlan},
        name="prevention-plan-delete",
    ),
    path("prevention-plans/<int:pk>/document/", views.prevention_plan_document, name="prevention-plan-document"),
    path("sites/<int:pk>/risks/add/", views.site_risk_add, name="site-risk-add"),
    path("risks/<int:pk>/edit/", views.site_risk_edit, name="site-risk-edit"),
    path("risks/<int:pk>/delete/", views.safety_delete, {"model": SiteRisk}, name="site-risk-delete"),
    path("on-call/", views.on_call_rosters, name="on-call-rosters"),
    path("on-call/<int:pk>/edit/", views.on_call_roster_edit, name="on-call-roster-edit"),
]
