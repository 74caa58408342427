"""The people pages for the anonymous, client users and operators, technicians and managers."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenir.core.changelog import changes_for
from maintenir.core.choices import Role
from maintenir.core.tests.clients import client_for
from maintenir.core.tests.factories import UserFactory
from maintenir.people.models import (
    Absence,
    Habilitation,
    HabilitationType,
    Skill,
    Team,
    Technician,
    TechnicianSkill,
)
from maintenir.people.tests.factories import (
    HabilitationFactory,
    HabilitationTypeFactory,
    SkillFactory,
    TeamFactory,
    TechnicianFactory,
    habilitation_type,
    staff_records,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(technician: Any) -> Technician:
    """The technician persona's profile, with a skill, a B1V habilitation, an absence and an on-call duty."""
    return staff_records(technician)


def pages(profile: Technician) -> list[str]:
    """Every page, with one record of each kind to show or change."""
    skill = profile.skills.get()
    habilitation = profile.habilitations.get()
    absence = profile.absences.get()
    return [
        reverse("technician-list"),
        reverse("technician-add"),
        reverse("technician-detail", args=[profile.pk]),
        reverse("technician-edit", args=[profile.pk]),
        reverse("technician-skill-add", args=[profile.pk]),
        reverse("technician-skill-edit", args=[skill.pk]),
        reverse("technician-habilitation-add", args=[profile.pk]),
        reverse("technician-habilitation-edit", args=[habilitation.pk]),
        reverse("technician-absence-add", args=[profile.pk]),
        reverse("technician-absence-edit", args=[absence.pk]),
        reverse("team-list"),
        reverse("team-add"),
        reverse("team-detail", args=[profile.team_id]),
        reverse("team-edit", args=[profile.team_id]),
        reverse("skill-list"),
        reverse("skill-add"),
        reverse("habilitation-type-list"),
        reverse("habilitation-type-add"),
    ]


def writes(profile: Technician) -> list[tuple[str, dict[str, Any]]]:
    """A POST to every page that writes, each with valid data."""
    custom = HabilitationTypeFactory(code="ATEX")
    return [
        (
            reverse("technician-edit", args=[profile.pk]),
            {"work_start": "07:00", "work_end": "15:00", "working_days": "1234"},
        ),
        (reverse("technician-skill-add", args=[profile.pk]), {"skill": SkillFactory().pk, "level": 1}),
        (reverse("technician-skill-remove", args=[profile.skills.get().pk]), {}),
        (reverse("technician-habilitation-remove", args=[profile.habilitations.get().pk]), {}),
        (reverse("technician-absence-remove", args=[profile.absences.get().pk]), {}),
        (reverse("team-edit", args=[profile.team_id]), {"name": "Renamed"}),
        (reverse("team-add"), {"name": "New team"}),
        (reverse("skill-add"), {"code": "cvc", "name": "CVC"}),
        (reverse("habilitation-type-add"), {"code": "NEW", "name": "New", "category": "other"}),
        (reverse("habilitation-type-delete", args=[custom.pk]), {}),
    ]


def snapshot() -> tuple[Any, ...]:
    return (
        list(Technician.objects.values()),
        list(TechnicianSkill.objects.values()),
        list(Habilitation.objects.values()),
        list(Absence.objects.values()),
        list(Team.objects.values()),
        list(Skill.objects.values()),
        list(HabilitationType.objects.values()),
    )


def test_the_anonymous_are_sent_to_log_in(profile: Technician) -> None:
    client = Client()
    for url in pages(profile):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["client_a", "operator_a"])
def test_client_users_and_operators_reach_no_staff_record(request: Any, persona: str, profile: Technician) -> None:
    client = client_for(request.getfixturevalue(persona))
    for url in pages(profile):
        assert client.get(url).status_code in (403, 404), url
    assert "Technicians" not in client.get(reverse("home"), follow=True).content.decode()
    changes = writes(profile)
    before = snapshot()
    for url, data in changes:
        assert client.post(url, data).status_code in (403, 404), url
    assert snapshot() == before


def test_a_technician_reads_and_cannot_change(technician: Any, profile: Technician) -> None:
    client = client_for(technician)
    readable = {
        reverse("technician-list"),
        reverse("technician-detail", args=[profile.pk]),
        reverse("team-list"),
        reverse("team-detail", args=[profile.team_id]),
        reverse("skill-list"),
        reverse("habilitation-type-list"),
    }
    for url in pages(profile):
        assert client.get(url).status_code == (200 if url in readable else 403), url
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "B1V" in page
    assert "Edit the profile" not in page
    assert "Remove" not in page
    assert "Add a technician" not in client.get(reverse("technician-list")).content.decode()
    changes = writes(profile)
    before = snapshot()
    for url, data in changes:
        assert client.post(url, data).status_code == 403, url
    assert snapshot() == before


def test_a_manager_reaches_every_page(manager: Any, profile: Technician) -> None:
    client = client_for(manager)
    for url in pages(profile):
        assert client.get(url).status_code == 200, url
    assert "Technicians" in client.get(reverse("technician-list")).content.decode()


def test_the_list_flags_expired_and_expiring_habilitations(manager: Any) -> None:
    today = timezone.localdate()
    expired = HabilitationFactory(
        habilitation_type=habilitation_type("B1V"), expires_on=today - datetime.timedelta(days=1)
    )
    expiring = HabilitationFactory(
        habilitation_type=habilitation_type("H0V"), expires_on=today + datetime.timedelta(days=30)
    )
    TechnicianFactory(is_trainee=True, user__last_name="Valide")
    client = client_for(manager)
    page = client.get(reverse("technician-list")).content.decode()
    assert '<span class="badge badge-danger" title="expired">B1V</span>' in page
    assert '<span class="badge badge-warn" title="expires soon">H0V</span>' in page
    assert "trainee" in page
    flagged = client.get(reverse("technician-list"), {"expiring": "true"}).content.decode()
    assert str(expired.technician) in flagged
    assert str(expiring.technician) in flagged
    assert "Valide" not in flagged


def test_the_detail_shows_the_profile_records_and_certificates(manager: Any, profile: Technician) -> None:
    referent = TechnicianFactory(user__last_name="Référente")
    profile.technical_referent = referent
    profile.save()
    page = client_for(manager).get(profile.get_absolute_url()).content.decode()
    assert "Référente" in page
    assert "Monday, Tuesday, Wednesday, Thursday, Friday" in page
    assert str(profile.skills.get().skill) in page
    assert "Week of" in page
    assert "No certification recorded for this technician." in page
    assert 'id="changelog"' in page


def test_a_colleague_does_not_see_a_technicians_certificates(other_technician: Any, profile: Technician) -> None:
    page = client_for(other_technician).get(profile.get_absolute_url()).content.decode()
    assert 'id="certificates"' not in page


def test_a_manager_creates_and_edits_a_profile(manager: Any, other_technician: Any) -> None:
    client = client_for(manager)
    team = TeamFactory()
    data = {
        "user": other_technician.pk,
        "team": team.pk,
        "is_trainee": "on",
        "phone": "06 12 34 56 78",
        "home_base": "Villeurbanne",
        "home_latitude": "45.77",
        "home_longitude": "4.88",
        "work_start": "08:00",
        "work_end": "16:30",
        "working_days": "12345",
    }
    response = client.post(reverse("technician-add"), data)
    created = Technician.objects.get(user=other_technician)
    assert response.url == created.get_absolute_url()
    assert created.is_trainee
    assert created.team == team
    assert created.work_end == datetime.time(16, 30)
    edited = {**data, "is_trainee": "", "working_days": "1234"}
    assert client.post(reverse("technician-edit", args=[created.pk]), edited).status_code == 302
    created.refresh_from_db()
    assert not created.is_trainee
    assert created.working_days == "1234"


def test_a_bad_profile_names_the_field_and_writes_nothing(manager: Any, profile: Technician) -> None:
    client = client_for(manager)
    before = snapshot()
    response = client.post(
        reverse("technician-edit", args=[profile.pk]),
        {"work_start": "17:00", "work_end": "08:00", "working_days": "12345", "home_latitude": "45.7"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "The working day ends before it starts." in form.errors["work_end"]
    assert "home_longitude" in form.errors
    assert snapshot() == before


def test_a_manager_keeps_skills_habilitations_and_absences(manager: Any, profile: Technician) -> None:
    client = client_for(manager)
    skill = SkillFactory()
    assert client.post(reverse("technician-skill-add", args=[profile.pk]), {"skill": skill.pk, "level": 3}).url == (
        profile.get_absolute_url()
    )
    held = profile.skills.get(skill=skill)
    client.post(reverse("technician-skill-edit", args=[held.pk]), {"skill": skill.pk, "level": 2})
    held.refresh_from_db()
    assert held.level == 2
    data = {"habilitation_type": habilitation_type("H0V").pk, "granted_on": "2025-01-10", "expires_on": "2028-01-10"}
    client.post(reverse("technician-habilitation-add", args=[profile.pk]), data)
    assert profile.habilitations.filter(habilitation_type__code="H0V").exists()
    data = {"starts_at": "2030-03-02T08:00", "ends_at": "2030-03-06T17:00", "reason": "training"}
    client.post(reverse("technician-absence-add", args=[profile.pk]), data)
    assert profile.absences.filter(reason="training").exists()
    logged = {change.object_repr for change in changes_for(profile)}
    assert {str(held), "H0V", str(profile.absences.get(reason="training"))} <= logged
    for name, record in (
        ("technician-skill-remove", held),
        ("technician-habilitation-remove", profile.habilitations.get(habilitation_type__code="H0V")),
        ("technician-absence-remove", profile.absences.get(reason="training")),
    ):
        assert client.post(reverse(name, args=[record.pk])).status_code == 302
        assert not type(record).objects.filter(pk=record.pk).exists()


def test_bad_records_name_the_field_and_write_nothing(manager: Any, profile: Technician) -> None:
    client = client_for(manager)
    before = snapshot()
    response = client.post(
        reverse("technician-habilitation-add", args=[profile.pk]),
        {"habilitation_type": habilitation_type("H0V").pk, "granted_on": "2025-01-10", "expires_on": "2024-01-10"},
    )
    assert "The habilitation expires before it is granted." in response.context["form"].errors["expires_on"]
    response = client.post(
        reverse("technician-absence-add", args=[profile.pk]),
        {"starts_at": "2030-03-06T08:00", "ends_at": "2030-03-02T17:00", "reason": "leave"},
    )
    assert "The absence ends before it starts." in response.context["form"].errors["ends_at"]
    response = client.post(
        reverse("technician-skill-add", args=[profile.pk]), {"skill": profile.skills.get().skill_id, "level": 1}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert snapshot() == before


def test_a_manager_keeps_the_teams(manager: Any) -> None:
    client = client_for(manager)
    response = client.post(reverse("team-add"), {"name": "Lyon Est", "description": "Rhône"})
    team = Team.objects.get(name="Lyon Est")
    assert response.url == team.get_absolute_url()
    client.post(reverse("team-edit", args=[team.pk]), {"name": "Lyon Est et Isère"})
    team.refresh_from_db()
    assert team.name == "Lyon Est et Isère"
    member = TechnicianFactory(team=team, user__last_name="Membre")
    assert "Membre" in client.get(team.get_absolute_url()).content.decode()
    assert member.team == team
    before = snapshot()
    response = client.post(reverse("team-add"), {"name": team.name})
    assert "name" in response.context["form"].errors
    assert snapshot() == before


def test_a_manager_adds_and_deletes_habilitation_types(manager: Any, profile: Technician) -> None:
    client = client_for(manager)
    response = client.post(
        reverse("habilitation-type-add"), {"code": "ATEX-1", "name": "ATEX niveau 1", "category": "other"}
    )
    assert response.url == reverse("habilitation-type-list")
    added = HabilitationType.objects.get(code="ATEX-1")
    assert "ATEX niveau 1" in client.get(reverse("habilitation-type-list")).content.decode()
    before = snapshot()
    response = client.post(reverse("habilitation-type-add"), {"code": "ATEX-1", "name": "Again", "category": "other"})
    assert "code" in response.context["form"].errors
    assert snapshot() == before

    standard = habilitation_type("B1V")
    refused = client.post(reverse("habilitation-type-delete", args=[standard.pk]), follow=True).content.decode()
    assert "A standard habilitation type cannot be deleted." in refused
    used = HabilitationFactory(technician=profile).habilitation_type
    refused = client.post(reverse("habilitation-type-delete", args=[used.pk]), follow=True).content.decode()
    assert "is still in use and cannot be deleted." in refused
    assert HabilitationType.objects.filter(pk__in=[standard.pk, used.pk]).count() == 2

    client.post(reverse("habilitation-type-delete", args=[added.pk]))
    assert not HabilitationType.objects.filter(pk=added.pk).exists()


def test_a_manager_adds_a_skill_to_the_catalogue(manager: Any) -> None:
    client = client_for(manager)
    data = {"code": "cvc-froid", "name": "Froid et climatisation", "technology": "electrical", "service_lot": "comfort"}
    assert client.post(reverse("skill-add"), data).url == reverse("skill-list")
    assert "Froid et climatisation" in client.get(reverse("skill-list")).content.decode()
    before = snapshot()
    response = client.post(reverse("skill-add"), {**data, "name": "Again"})
    assert "code" in response.context["form"].errors
    assert snapshot() == before


def test_the_pages_query_budget_does_not_grow_with_rows(manager: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(manager)
    for _ in range(5):
        profile = staff_records(UserFactory(role=Role.TECHNICIAN))
        HabilitationFactory(technician=profile)
    with django_assert_max_num_queries(8):
        client.get(reverse("technician-list"))
    with django_assert_max_num_queries(13):
        client.get(profile.get_absolute_url())


def test_removing_a_habilitation_asks_first(manager: Any, profile: Technician) -> None:
    client = client_for(manager)
    held = profile.habilitations.get()
    url = reverse("technician-habilitation-remove", args=[held.pk])
    page = client.get(profile.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page
    assert f'action="{url}"' not in page
    confirm = client.get(url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert f"Remove {held}?" in text
    assert '<form method="post"' in text
    assert "<script" not in text.split("<main", 1)[1]
    assert Habilitation.objects.filter(pk=held.pk).exists()
    assert client.post(url).url == f"{profile.get_absolute_url()}#habilitations"
    assert not Habilitation.objects.filter(pk=held.pk).exists()
