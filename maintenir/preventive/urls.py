from django.urls import URLPattern, URLResolver, path

from maintenir.preventive import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/add/", views.plan_add, name="plan-add"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    *(
        path(f"plans/<int:pk>/{name}/", views.plan_action, {"name": name}, name=f"plan-{name}")
        for name in views.PLAN_ACTIONS
    ),
    path("plans/<int:pk>/triggers/add/", views.trigger_add, name="trigger-add"),
    path("triggers/<int:pk>/", views.trigger_detail, name="trigger-detail"),
    path("triggers/<int:pk>/edit/", views.trigger_edit, name="trigger-edit"),
    path("gammes/", views.gamme_list, name="gamme-list"),
    path("gammes/export/", views.gamme_export, name="gamme-export"),
    path("gammes/import/", views.gamme_import, name="gamme-import"),
    path("triggers/export/", views.trigger_export, name="trigger-export"),
    path("triggers/import/", views.trigger_import, name="trigger-import"),
    path("gammes/add/", views.gamme_add, name="gamme-add"),
    path("gammes/<int:pk>/", views.gamme_detail, name="gamme-detail"),
    path("gammes/<int:pk>/edit/", views.gamme_edit, name="gamme-edit"),
    path("gammes/steps/<int:pk>/requirements/add/", views.step_requirement_add, name="gamme-step-requirement-add"),
    path("gammes/requirements/<int:pk>/delete/", views.step_requirement_delete, name="gamme-step-requirement-delete"),
    path("trainings/", views.training_list, name="training-list"),
    path("trainings/add/", views.training_add, name="training-add"),
    path("trainings/<int:pk>/", views.training_detail, name="training-detail"),
    path("trainings/<int:pk>/edit/", views.training_edit, name="training-edit"),
    path("preventive/", views.forecast, name="preventive-forecast"),
    path("preventive/generate/", views.generate_now, name="preventive-generate"),
]
