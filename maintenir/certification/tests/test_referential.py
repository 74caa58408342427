"""Keeping the referential outside the admin site: versions, revisions and their correspondences, closure with
the CCP holders' new deadlines, CCS and centres — by administrators, read by the training centre, in the change log."""

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from maintenir.certification import referential, services
from maintenir.certification.choices import VersionStatus
from maintenir.certification.models import ActivityType, Ccs, Centre, TitleVersion
from maintenir.certification.tests.factories import (
    ActivityTypeFactory,
    CcsFactory,
    CentreFactory,
    GrantedCcpFactory,
    TitleVersionFactory,
    regulation,
)
from maintenir.certification.tests.factories import (
    correspondence as make_correspondence,
)
from maintenir.core.choices import ChangeAction
from maintenir.core.models import ObjectChange
from maintenir.core.services import TransitionError
from maintenir.core.tests.clients import client_for
from maintenir.core.tests.tables import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_version() -> Any:
    """A version under the 2006 rules with two CCPs, one of them held by a candidate since 1 June 2027."""
    version = TitleVersionFactory(
        regulation=regulation("arrete-2006"),
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2030, 12, 31),
    )
    first = ActivityTypeFactory(version=version, position=1, name="Diagnostiquer")
    ActivityTypeFactory(version=version, position=2, name="Améliorer")
    granted = GrantedCcpFactory(
        decision__registration__session__version=version,
        decision__registration__session__date=datetime.date(2027, 6, 1),
        decision__decided_on=datetime.date(2027, 6, 1),
        ccp=first,
    )
    granted.decision.registration.candidate.last_name = "Holder"
    granted.decision.registration.candidate.save()
    return version


def holder(version: Any) -> Any:
    return version.ccps.get(position=1).grants.get().decision.registration.candidate


def logged(instance: Any) -> list[str]:
    return list(
        ObjectChange.objects.filter(
            object_type=ContentType.objects.get_for_model(instance), object_id=instance.pk
        ).values_list("action", flat=True)
    )


def test_an_administrator_revises_a_version_sets_its_correspondences_and_the_change_log_records_it(
    old_version: Any, administrator: Any
) -> None:
    new = referential.revise(
        administrator,
        old_version,
        TitleVersion(name="Arrêté 2031", valid_from=datetime.date(2031, 1, 1), regulation=regulation("arrete-2015")),
    )
    ccp = referential.save(administrator, ActivityType(version=new, position=1, name="Diagnostiquer et réparer"))
    correspondence = services.add_correspondence(administrator, ccp, [old_version.ccps.get(position=1)])

    old_version.refresh_from_db()
    assert (new.title, new.revises, old_version.status) == (old_version.title, old_version, VersionStatus.REVISED)
    assert list(referential.correspondences_into(new)) == [correspondence]
    assert logged(new) == [ChangeAction.CREATE]
    assert logged(old_version)[0] == ChangeAction.UPDATE
    # The version's change log shows its CCPs and the correspondences into them.
    related = ObjectChange.objects.filter(
        related_object_type=ContentType.objects.get_for_model(TitleVersion), related_object_id=new.pk
    )
    assert {change.object_type.model for change in related} == {"activitytype", "correspondence"}


def test_a_correspondence_links_only_a_version_to_the_one_it_revises(old_version: Any, administrator: Any) -> None:
    elsewhere = ActivityTypeFactory()
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.add_correspondence(administrator, elsewhere, [old_version.ccps.get(position=1)])
    assert "the version the new CCP's version revises" in refused.value.messages[0]
    assert snapshot() == before


def test_closing_a_version_shows_the_ccp_holders_new_deadlines_before_and_after(
    old_version: Any, administrator: Any
) -> None:
    before, changes = snapshot(), ObjectChange.objects.count()
    preview = referential.closure_effects(old_version, datetime.date(2028, 12, 31))
    assert (snapshot(), ObjectChange.objects.count()) == (before, changes)
    # Older rules: one year after the closure, never beyond five years from the first CCP.
    assert [(str(effect.candidate.last_name), effect.deadline) for effect in preview] == [
        ("Holder", datetime.date(2029, 12, 31))
    ]

    effects = referential.close(administrator, old_version, datetime.date(2031, 12, 31))

    assert [effect.deadline for effect in effects] == [datetime.date(2032, 6, 1)]
    old_version.refresh_from_db()
    assert (old_version.status, old_version.valid_until) == (VersionStatus.CLOSED, datetime.date(2031, 12, 31))
    assert logged(old_version)[0] == ChangeAction.UPDATE


def test_a_closed_version_has_its_closing_date(old_version: Any, administrator: Any) -> None:
    old_version.status, old_version.valid_until = VersionStatus.CLOSED, None
    with pytest.raises(TransitionError):
        referential.save(administrator, old_version)


def test_the_training_centre_reads_but_does_not_write_the_referential(old_version: Any, training_staff: Any) -> None:
    before = snapshot()
    for write in (
        lambda: referential.save(training_staff, Centre(name="Centre", approval_number="AGR-X")),
        lambda: referential.close(training_staff, old_version, datetime.date(2031, 12, 31)),
        lambda: referential.revise(
            training_staff, old_version, TitleVersion(name="R", regulation=old_version.regulation)
        ),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert snapshot() == before


def test_the_api_keeps_the_referential_with_its_change_log(old_version: Any, administrator: Any) -> None:
    api = client_for(administrator)
    revised = api.post(
        f"/api/certification/versions/{old_version.pk}/revisions",
        {"name": "Arrêté 2031", "valid_from": "2031-01-01"},
        content_type="application/json",
    ).json()
    ccp = api.post(
        f"/api/certification/versions/{revised['id']}/ccps",
        {"position": 1, "name": "Diagnostiquer et réparer"},
        content_type="application/json",
    ).json()
    added = api.post(
        f"/api/certification/versions/{revised['id']}/correspondences",
        {"old_ccps": [old_version.ccps.get(position=1).pk], "new_ccp": ccp["id"]},
        content_type="application/json",
    )
    assert added.status_code == 201
    assert api.get(f"/api/certification/versions/{revised['id']}").json()["correspondences"] == [added.json()]
    preview = api.get(f"/api/certification/versions/{revised['id']}/closure?valid_until=2035-12-31").json()
    # The old CCP counts on the revision through the correspondence; the older rules' five years still bound it.
    assert [(effect["name"], effect["deadline"]) for effect in preview] == [(str(holder(old_version)), "2032-06-01")]
    closed = api.post(
        f"/api/certification/versions/{old_version.pk}/closure",
        {"valid_until": "2031-12-31"},
        content_type="application/json",
    )
    assert closed.status_code == 409  # a revised version is not closed
    changes = api.get(f"/api/certification/versions/{revised['id']}/changes").json()["items"]
    assert {change["object_type"] for change in changes} == {
        "certification.titleversion",
        "certification.activitytype",
        "certification.correspondence",
    }
    centre = api.post(
        "/api/certification/centres",
        {"name": "Centre de Lyon", "approval_number": "AGR-LYON"},
        content_type="application/json",
    ).json()
    api.patch(f"/api/certification/centres/{centre['id']}", {"city": "Lyon"}, content_type="application/json")
    assert [
        change["action"] for change in api.get(f"/api/certification/centres/{centre['id']}/changes").json()["items"]
    ] == [
        "update",
        "create",
    ]


def test_the_api_closes_a_version_and_answers_the_new_deadlines(old_version: Any, administrator: Any) -> None:
    response = client_for(administrator).post(
        f"/api/certification/versions/{old_version.pk}/closure",
        {"valid_until": "2031-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert [(effect["ccps_held"], effect["deadline"]) for effect in response.json()] == [(1, "2032-06-01")]


def test_the_pages_close_a_version_after_showing_the_deadlines(old_version: Any, administrator: Any) -> None:
    client = client_for(administrator)
    url = reverse("certification-version-close", args=[old_version.pk])
    shown = client.post(url, {"valid_until": "2031-12-31", "preview": "1"}).content.decode()
    assert "Holder" in shown
    assert "06/01/2032" in shown
    old_version.refresh_from_db()
    assert old_version.status == VersionStatus.ACTIVE

    response = client.post(url, {"valid_until": "2031-12-31"})

    assert response.status_code == 302
    old_version.refresh_from_db()
    assert old_version.status == VersionStatus.CLOSED
    page = client.get(old_version.get_absolute_url()).content.decode()
    assert "Holder" in page
    assert "Change log" in page


def test_the_pages_add_a_centre_a_ccs_a_revision_and_a_correspondence(old_version: Any, administrator: Any) -> None:
    client = client_for(administrator)
    client.post(reverse("certification-centre-add"), {"name": "Centre de Nantes", "approval_number": "AGR-NTE"})
    client.post(reverse("certification-ccs-add", args=[old_version.title_id]), {"name": "Supervision"})
    client.post(
        reverse("certification-version-revise", args=[old_version.pk]),
        {"name": "Arrêté 2031", "valid_from": "2031-01-01", "regulation": old_version.regulation_id},
    )
    new = TitleVersion.objects.get(revises=old_version)
    client.post(reverse("certification-ccp-add", args=[new.pk]), {"position": 1, "name": "Diagnostiquer"})
    refused = client.post(
        reverse("certification-correspondence-add", args=[new.pk]),
        {"old_ccps": [ActivityTypeFactory().pk], "new_ccp": new.ccps.get().pk},
    )
    assert refused.status_code == 200  # another title's CCP is not offered
    client.post(
        reverse("certification-correspondence-add", args=[new.pk]),
        {"old_ccps": [old_version.ccps.get(position=1).pk], "new_ccp": new.ccps.get().pk},
    )

    assert Centre.objects.filter(approval_number="AGR-NTE").exists()
    assert Ccs.objects.filter(title=old_version.title, name="Supervision").exists()
    assert referential.correspondences_into(new).count() == 1
    correspondence = referential.correspondences_into(new).get()
    client.post(reverse("certification-correspondence-remove", args=[correspondence.pk]))
    assert not referential.correspondences_into(new).exists()
    # Created, then its old CCPs set (a many-to-many relation is saved after its row), then removed.
    assert logged(correspondence) == [ChangeAction.DELETE, ChangeAction.UPDATE, ChangeAction.CREATE]


WRITE_PAGES = [
    ("certification-version-add", "title"),
    ("certification-version-edit", "version"),
    ("certification-version-revise", "version"),
    ("certification-version-close", "version"),
    ("certification-ccp-add", "version"),
    ("certification-correspondence-add", "version"),
    ("certification-ccs-add", "title"),
    ("certification-ccs-edit", "ccs"),
    ("certification-centre-add", None),
    ("certification-centre-edit", "centre"),
]
READ_PAGES = [
    ("certification-version-detail", "version"),
    ("certification-centre-list", None),
    ("certification-centre-detail", "centre"),
]


@pytest.fixture
def kept(old_version: Any) -> dict[str, Any]:
    return {"version": old_version, "title": old_version.title, "ccs": CcsFactory(), "centre": CentreFactory()}


def _url(name: str, about: str | None, kept: dict[str, Any]) -> str:
    return reverse(name, args=[kept[about].pk] if about else None)


@pytest.mark.parametrize(("name", "about"), WRITE_PAGES + READ_PAGES)
def test_who_opens_the_pages_that_keep_the_referential(
    name: str,
    about: str | None,
    kept: dict[str, Any],
    request: pytest.FixtureRequest,
) -> None:
    url = _url(name, about, kept)
    writes = (name, about) in WRITE_PAGES
    expected = {
        "administrator": 200,
        "training_staff": 403 if writes else 200,
        "manager": 403,
        "technician": 403,
        "client_a": 403,
        "candidate_user": 403,
    }
    for persona, status in expected.items():
        client = client_for(request.getfixturevalue(persona))
        assert client.get(url).status_code == status, persona
        if writes and status == 403:
            before = snapshot()
            client.post(url, {"name": "X", "approval_number": "AGR-Z", "position": 9, "valid_until": "2031-12-31"})
            assert snapshot() == before, persona


def test_the_removal_of_a_correspondence_is_refused_to_the_training_centre(
    old_version: Any, training_staff: Any, manager: Any
) -> None:
    revised = TitleVersionFactory(title=old_version.title, revises=old_version, valid_from=datetime.date(2031, 1, 1))
    correspondence = make_correspondence(ActivityTypeFactory(version=revised), old_version.ccps.get(position=1))
    before = snapshot()
    for person in (training_staff, manager):
        response = client_for(person).post(reverse("certification-correspondence-remove", args=[correspondence.pk]))
        assert response.status_code == 403
    assert snapshot() == before
