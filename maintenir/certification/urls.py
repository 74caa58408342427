from django.urls import URLPattern, URLResolver, path

from maintenir.certification import referential_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("certification/titles/", views.title_list, name="certification-title-list"),
    path("certification/titles/<int:pk>/", views.title_detail, name="certification-title-detail"),
    path(
        "certification/titles/<int:pk>/versions/add/", referential_views.version_add, name="certification-version-add"
    ),
    path("certification/titles/<int:pk>/ccs/add/", referential_views.ccs_add, name="certification-ccs-add"),
    path("certification/versions/<int:pk>/", referential_views.version_detail, name="certification-version-detail"),
    path("certification/versions/<int:pk>/edit/", referential_views.version_edit, name="certification-version-edit"),
    path(
        "certification/versions/<int:pk>/revise/", referential_views.version_revise, name="certification-version-revise"
    ),
    path("certification/versions/<int:pk>/close/", referential_views.version_close, name="certification-version-close"),
    path("certification/versions/<int:pk>/ccps/add/", referential_views.ccp_add, name="certification-ccp-add"),
    path(
        "certification/versions/<int:pk>/correspondences/add/",
        referential_views.correspondence_add,
        name="certification-correspondence-add",
    ),
    path(
        "certification/correspondences/<int:pk>/remove/",
        referential_views.correspondence_remove,
        name="certification-correspondence-remove",
    ),
    path("certification/ccs/<int:pk>/edit/", referential_views.ccs_edit, name="certification-ccs-edit"),
    path("certification/centres/", referential_views.centre_list, name="certification-centre-list"),
    path("certification/centres/add/", referential_views.centre_add, name="certification-centre-add"),
    path("certification/centres/<int:pk>/", referential_views.centre_detail, name="certification-centre-detail"),
    path("certification/centres/<int:pk>/edit/", referential_views.centre_edit, name="certification-centre-edit"),
    path("certification/ccps/<int:pk>/holders/", views.ccp_holders, name="certification-ccp-holders"),
    path("certification/technicians/<int:pk>/", views.technician_profile, name="certification-technician"),
    path("certification/candidates/", views.candidate_list, name="certification-candidate-list"),
    path("certification/candidates/add/", views.candidate_add, name="certification-candidate-add"),
    path("certification/candidates/<int:pk>/", views.candidate_detail, name="certification-candidate-detail"),
    path("certification/candidates/<int:pk>/edit/", views.candidate_edit, name="certification-candidate-edit"),
    path("certification/candidates/<int:pk>/paths/add/", views.path_add, name="certification-path-add"),
    path("certification/paths/<int:pk>/edit/", views.path_edit, name="certification-path-edit"),
    path("certification/paths/<int:pk>/experience/add/", views.experience_add, name="certification-experience-add"),
    path("certification/paths/<int:pk>/admissibility/", views.admissibility, name="certification-admissibility"),
    path("certification/sessions/", views.session_list, name="certification-session-list"),
    path("certification/sessions/add/", views.session_add, name="certification-session-add"),
    path("certification/sessions/<int:pk>/", views.session_detail, name="certification-session-detail"),
    path("certification/sessions/<int:pk>/edit/", views.session_edit, name="certification-session-edit"),
    path("certification/sessions/<int:pk>/jury/add/", views.jury_add, name="certification-jury-add"),
    path("certification/jury/<int:pk>/remove/", views.jury_remove, name="certification-jury-remove"),
    path("certification/sessions/<int:pk>/register/", views.registration_add, name="certification-register"),
    path("certification/registrations/<int:pk>/elements/add/", views.element_add, name="certification-element-add"),
    path("certification/registrations/<int:pk>/decision/", views.decision_add, name="certification-decision"),
]
