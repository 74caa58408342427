"""The change log: who changed what, when, in which request."""

import uuid
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from maintenir.assets.models import Equipment, Site
from maintenir.assets.services import save_equipment
from maintenir.assets.tests.factories import DocumentFactory
from maintenir.core.changelog import changes_for
from maintenir.core.choices import ChangeAction
from maintenir.core.context import acting_as, current
from maintenir.core.middleware import RequestContextMiddleware
from maintenir.core.models import ObjectChange
from maintenir.core.services import delete_restricted, save_restricted
from maintenir.workorders.tests.factories import (
    ChecklistStepFactory,
    SignOffFactory,
    TimeEntryFactory,
    WorkOrderFactory,
    WorkRequestPhotoFactory,
)


def changes_of(instance: Any) -> Any:
    return ObjectChange.objects.filter(
        object_type=ContentType.objects.get_for_model(instance), object_id=instance.pk
    ).order_by("pk")


def assert_recorded_by(change: ObjectChange, user: Any, request_id: uuid.UUID) -> None:
    assert change.user == user
    assert change.user_name == user.username
    assert change.request_id == request_id


def test_create_update_delete_are_recorded(manager: Any, org_a: Any) -> None:
    with acting_as(manager) as context:
        site = save_restricted(manager, Site(organisation=org_a, code="depot", name="Dépôt"))
        created = changes_of(site).get()
        assert created.action == ChangeAction.CREATE
        assert created.prechange_data is None
        assert created.postchange_data["name"] == "Dépôt"
        assert "created" not in created.postchange_data
        assert_recorded_by(created, manager, context.request_id)

        site.name = "Dépôt nord"
        site.city = "Lille"
        save_restricted(manager, site)
        updated = changes_of(site).last()
        assert updated.action == ChangeAction.UPDATE
        assert updated.diff() == [("city", "", "Lille"), ("name", "Dépôt", "Dépôt nord")]
        assert_recorded_by(updated, manager, context.request_id)

        site_id = site.pk
        delete_restricted(manager, site)
    deleted = ObjectChange.objects.filter(object_id=site_id, action=ChangeAction.DELETE).get()
    assert deleted.prechange_data["name"] == "Dépôt nord"
    assert deleted.postchange_data is None
    assert_recorded_by(deleted, manager, context.request_id)


def test_saving_unchanged_object_writes_nothing(site_a: Any) -> None:
    before = ObjectChange.objects.count()
    site_a.save()
    Site.objects.get(pk=site_a.pk).save()
    assert ObjectChange.objects.count() == before


def test_refreshed_object_diffs_against_fresh_values(site_a: Any) -> None:
    stale = Site.objects.get(pk=site_a.pk)
    site_a.city = "Grenoble"
    site_a.save()
    stale.refresh_from_db()
    stale.name = "Siège"
    stale.save()
    assert changes_of(site_a).last().diff() == [("name", "Siège Lumière", "Siège")]


def test_m2m_change_is_recorded(technician: Any, equipment_a: Any) -> None:
    with acting_as(technician) as context:
        save_equipment(technician, equipment_a, technologies=["hydraulic", "electrical"])
        save_equipment(technician, equipment_a, technologies=["electrical", "automation"])
    m2m = [change for change in changes_of(equipment_a) if "technologies" in (change.postchange_data or {})]
    assert m2m[0].diff() == [("technologies", [], ["Electrical", "Hydraulic"])]
    assert m2m[-1].postchange_data == {"technologies": ["Automation", "Electrical"]}
    for change in m2m:
        assert_recorded_by(change, technician, context.request_id)


def test_outside_any_context_the_change_has_no_author(site_a: Any) -> None:
    assert current() is None
    change = changes_of(site_a).get()
    assert change.user is None
    assert change.user_name == ""
    assert change.request_id is None


def test_changes_for_an_order_include_its_children(technician: Any, equipment_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a)
    other = WorkOrderFactory(equipment=equipment_a)
    children = [
        ChecklistStepFactory(work_order=order),
        TimeEntryFactory(work_order=order, technician=technician),
        SignOffFactory(work_order=order, signature="data:image/png;base64,AAAA"),
    ]
    ChecklistStepFactory(work_order=other)
    listed = {(change.object_type.model_class(), change.object_id) for change in changes_for(order)}
    assert listed == {(type(obj), obj.pk) for obj in [order, *children]}
    sign_off_change = changes_of(children[2]).get()
    assert "signature" not in sign_off_change.postchange_data


def test_middleware_gives_the_request_id_and_user_to_the_log(rf: RequestFactory, manager: Any, org_a: Any) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        # Token authentication sets the user after the middleware has run.
        request.user = manager
        Site.objects.create(organisation=org_a, code="annexe", name="Annexe")
        return HttpResponse()

    request = rf.post("/sites/")
    response = RequestContextMiddleware(view)(request)
    change = ObjectChange.objects.get(object_repr="Annexe")
    assert_recorded_by(change, manager, uuid.UUID(response["X-Request-ID"]))
    assert request.id == change.request_id  # type: ignore[attr-defined]
    assert current() is None


def test_middleware_records_anonymous_as_nobody(rf: RequestFactory, org_a: Any) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        Site.objects.create(organisation=org_a, code="annexe", name="Annexe")
        return HttpResponse()

    response = RequestContextMiddleware(view)(rf.get("/"))
    change = ObjectChange.objects.get(object_repr="Annexe")
    assert change.user is None
    assert change.user_name == ""
    assert change.request_id == uuid.UUID(response["X-Request-ID"])


def test_deferred_field_loaded_on_access_is_not_reported_as_changed(site_a: Any) -> None:
    site = Site.objects.only("name").get(pk=site_a.pk)
    assert site.city == "Lyon"
    site.name = "Siège"
    site.save()
    assert changes_of(site_a).last().diff() == [("name", "Siège Lumière", "Siège")]


def test_m2m_before_is_read_fresh(technician: Any, equipment_a: Any) -> None:
    save_equipment(technician, equipment_a, technologies=["hydraulic"])
    other_copy = Equipment.objects.get(pk=equipment_a.pk)
    save_equipment(technician, other_copy, technologies=["hydraulic", "electrical"])
    equipment_a.technologies.remove(*equipment_a.technologies.filter(code="hydraulic"))
    assert changes_of(equipment_a).last().diff() == [("technologies", ["Electrical", "Hydraulic"], ["Electrical"])]


def test_readable_diff_uses_labels(manager: Any, equipment_a: Any) -> None:
    from maintenir.assets.choices import EquipmentStatus
    from maintenir.assets.services import save_equipment, set_status

    with acting_as(manager):
        set_status(manager, equipment_a, EquipmentStatus.DOWN)
        save_equipment(manager, equipment_a, ["hydraulic", "electrical"])
    status_change, technology_change = list(changes_for(equipment_a).order_by("pk"))[-2:]
    assert status_change.readable_diff() == [("status", "In service", "Down")]
    assert technology_change.readable_diff() == [("technologies", None, "Electrical, Hydraulic")]


def test_a_file_shows_by_its_name_not_its_storage_path(manager: Any, site_a: Any) -> None:
    document = DocumentFactory(site=site_a, file=SimpleUploadedFile("schema.pdf", b"%PDF-1.4"))
    with acting_as(manager):
        document.file = SimpleUploadedFile("notice pompe.pdf", b"%PDF-1.4")
        save_restricted(manager, document)
    assert document.file.name.startswith("documents/")
    [(field, before, after)] = changes_of(document).last().readable_diff()
    assert (field, before, after) == ("file", "schema.pdf", "notice_pompe.pdf")


def test_a_decimal_shows_in_the_language(manager: Any) -> None:
    entry = TimeEntryFactory(hours=Decimal("2.50"))
    with acting_as(manager):
        entry.hours = Decimal("2.8")
        save_restricted(manager, entry)
    with translation.override("fr"):
        rows = changes_of(entry).last().readable_diff()
    assert [row[1:] for row in rows if row[0] == "heures"] == [("2,5", "2,8")]


def test_a_photo_of_a_request_is_named_by_its_file(equipment_a: Any) -> None:
    photo = WorkRequestPhotoFactory(work_request__equipment=equipment_a)
    assert "/" in photo.image.name
    assert str(photo) == PurePosixPath(photo.image.name).name
