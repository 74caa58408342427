from django.urls import URLPattern, URLResolver, path

from maintenir.certification import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("certification/titles/", views.title_list, name="certification-title-list"),
    path("certification/titles/<int:pk>/", views.title_detail, name="certification-title-detail"),
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
