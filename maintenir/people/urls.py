from django.urls import URLPattern, URLResolver, path

from maintenir.people import views
from maintenir.people.models import Absence, Habilitation, TechnicianSkill

urlpatterns: list[URLPattern | URLResolver] = [
    path("people/technicians/", views.technician_list, name="technician-list"),
    path("people/technicians/add/", views.technician_add, name="technician-add"),
    path("people/technicians/<int:pk>/", views.technician_detail, name="technician-detail"),
    path("people/technicians/<int:pk>/edit/", views.technician_edit, name="technician-edit"),
    path("people/teams/", views.team_list, name="team-list"),
    path("people/teams/add/", views.team_add, name="team-add"),
    path("people/teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("people/teams/<int:pk>/edit/", views.team_edit, name="team-edit"),
    path("people/skills/", views.skill_list, name="skill-list"),
    path("people/skills/add/", views.skill_add, name="skill-add"),
    path("people/habilitation-types/", views.habilitation_type_list, name="habilitation-type-list"),
    path("people/habilitation-types/add/", views.habilitation_type_add, name="habilitation-type-add"),
    path("people/habilitation-types/<int:pk>/delete/", views.habilitation_type_delete, name="habilitation-type-delete"),
]

# A technician's skills, habilitations and absences: added from their page, changed and removed one by one.
for model, listed, records, name in (
    (TechnicianSkill, "skills", "technician-skills", "technician-skill"),
    (Habilitation, "habilitations", "habilitations", "technician-habilitation"),
    (Absence, "absences", "absences", "technician-absence"),
):
    urlpatterns += [
        path(f"people/technicians/<int:pk>/{listed}/add/", views.record_add, {"model": model}, name=f"{name}-add"),
        path(f"people/{records}/<int:pk>/edit/", views.record_edit, {"model": model}, name=f"{name}-edit"),
        path(f"people/{records}/<int:pk>/remove/", views.record_remove, {"model": model}, name=f"{name}-remove"),
    ]
