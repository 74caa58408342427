from django.urls import URLPattern, URLResolver, path

from maintenir.workorders import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("requests/", views.workrequest_list, name="workrequest-list"),
    path("requests/add/", views.workrequest_add, name="workrequest-add"),
    path("requests/<int:pk>/", views.workrequest_detail, name="workrequest-detail"),
    path("requests/<int:pk>/approve/", views.workrequest_approve, name="workrequest-approve"),
    path("requests/<int:pk>/reject/", views.workrequest_reject, name="workrequest-reject"),
    path("requests/photos/<int:pk>/", views.workrequest_photo, name="workrequest-photo"),
    path("orders/", views.workorder_list, name="workorder-list"),
    path("orders/add/", views.workorder_add, name="workorder-add"),
    path("orders/<int:pk>/", views.workorder_detail, name="workorder-detail"),
    path("orders/<int:pk>/edit/", views.workorder_edit, name="workorder-edit"),
    path("orders/<int:pk>/execute/", views.workorder_execute, name="workorder-execute"),
    path("orders/steps/<int:pk>/", views.workorder_step, name="workorder-step"),
    *(
        path(f"orders/lockout/<int:pk>/{name}/", views.workorder_lockout, {"transition": name}, name=f"lockout-{name}")
        for name in views.LOCKOUT_TRANSITIONS
    ),
    path("on-call/calls/", views.on_call_calls, name="on-call-calls"),
    path("on-call/calls/<int:pk>/acknowledge/", views.on_call_acknowledge, name="on-call-acknowledge"),
    path("orders/checks/<int:pk>/run/", views.commissioning_run, name="workorder-check-run"),
    path("orders/checks/<int:pk>/edit/", views.commissioning_check_edit, name="workorder-check-edit"),
    path("orders/checks/<int:pk>/delete/", views.commissioning_check_delete, name="workorder-check-delete"),
    path("orders/<int:pk>/checks/run/", views.commissioning_run_all, name="workorder-checks-run-all"),
    path(
        "orders/requirements/<int:pk>/delete/",
        views.workorder_requirement_delete,
        name="workorder-requirement-delete",
    ),
    path("orders/type-requirements/", views.worktype_requirements, name="worktype-requirements"),
    path(
        "orders/type-requirements/<int:pk>/delete/",
        views.worktype_requirement_delete,
        name="worktype-requirement-delete",
    ),
    # One POST URL per transition or execution action, e.g. workorder-start, workorder-time.
    *(
        path(f"orders/<int:pk>/{name}/", views.workorder_action, {"name": name}, name=f"workorder-{name}")
        for name in views.ACTIONS
    ),
]
