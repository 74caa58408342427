import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from maintenir.assets.choices import EquipmentStatus, Technology
from maintenir.assets.forms import EquipmentForm
from maintenir.assets.models import Building, CounterReading, Document, Equipment, Floor, ProductionLine, Site, Space
from maintenir.assets.services import record_counter_reading, save_equipment, technology_tags
from maintenir.assets.tests.factories import CounterFactory, EquipmentFactory, SiteFactory
from maintenir.core.changelog import changes_for
from maintenir.core.models import ObjectChange
from maintenir.core.tests.clients import client_for
from maintenir.workorders.choices import DowntimeCause
from maintenir.workorders.models import Downtime
from maintenir.workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter_a(equipment_a: Any) -> Any:
    counter = CounterFactory(equipment=equipment_a)
    CounterReading.objects.create(
        counter=counter, value=Decimal(100), read_at=timezone.now() - datetime.timedelta(days=1)
    )
    return counter


def site_data(site: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "organisation": site.organisation_id,
        "code": site.code,
        "name": site.name,
        "address": site.address,
        "postcode": site.postcode,
        "city": site.city,
        "country": site.country,
        "latitude": "45.75",
        "longitude": "4.85",
        "description": "",
    }
    data.update(changes)
    return data


def equipment_data(equipment: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "site": equipment.site_id,
        "parent": equipment.parent_id or "",
        "code": equipment.code,
        "name": equipment.name,
        "equipment_type": equipment.equipment_type_id,
        "manufacturer": equipment.manufacturer,
        "criticality": equipment.criticality,
        "service_lot": equipment.service_lot,
        "status": equipment.status,
        "technologies": [Technology.HYDRAULIC, Technology.ELECTRICAL],
    }
    data.update(changes)
    return data


# Anonymous visitors are sent to the login page, for every asset page.
@pytest.mark.parametrize(
    ("url_name", "needs_pk", "method"),
    [
        ("site-list", False, "get"),
        ("site-add", False, "get"),
        ("site-detail", True, "get"),
        ("site-edit", True, "get"),
        ("building-add", True, "get"),
        ("floor-add", True, "get"),
        ("space-add", True, "get"),
        ("productionline-add", True, "get"),
        ("equipment-list", False, "get"),
        ("equipment-add", False, "get"),
        ("equipment-detail", True, "get"),
        ("equipment-edit", True, "get"),
        ("equipment-reading-add", True, "post"),
        ("document-add", True, "post"),
        ("document-file", True, "get"),
    ],
)
def test_anonymous_is_sent_to_login(url_name: str, needs_pk: bool, method: str) -> None:
    url = reverse(url_name, args=[1] if needs_pk else [])
    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


class TestSiteList:
    def test_each_persona_sees_only_its_sites(
        self, client_a: Any, client_b: Any, manager: Any, site_a: Any, site_b: Any
    ) -> None:
        page_a = client_for(client_a).get(reverse("site-list")).content.decode()
        page_b = client_for(client_b).get(reverse("site-list")).content.decode()
        page_manager = client_for(manager).get(reverse("site-list")).content.decode()
        assert site_a.name in page_a
        assert site_b.name not in page_a
        assert site_b.name in page_b
        assert site_a.name not in page_b
        assert site_a.name in page_manager
        assert site_b.name in page_manager

    def test_search_and_add_button(self, manager: Any, client_a: Any, site_a: Any, site_b: Any) -> None:
        page = client_for(manager).get(reverse("site-list"), {"q": "Durand"}).content.decode()
        assert site_b.name in page
        assert site_a.name not in page
        assert reverse("site-add") in page
        assert reverse("site-add") not in client_for(client_a).get(reverse("site-list")).content.decode()

    def test_organisation_filter_offers_only_visible_organisations(
        self, client_a: Any, org_b: Any, site_a: Any
    ) -> None:
        page = client_for(client_a).get(reverse("site-list")).content.decode()
        assert org_b.name not in page

    def test_query_budget(self, manager: Any, django_assert_max_num_queries: Any) -> None:
        SiteFactory.create_batch(30)
        client = client_for(manager)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("site-list"))
        assert response.status_code == 200


class TestSiteDetail:
    def test_owner_sees_the_site(self, client_a: Any, site_a: Any, equipment_a: Any) -> None:
        Document.objects.create(site=site_a, title="Plan de masse", file=SimpleUploadedFile("plan.pdf", b"%PDF"))
        response = client_for(client_a).get(site_a.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 200
        assert site_a.name in page
        assert equipment_a.code in page
        assert "Plan de masse" in page
        assert site_a.organisation.name in page
        assert str(site_a.latitude) in page
        assert reverse("site-edit", args=[site_a.pk]) not in page

    def test_other_client_gets_404(self, client_b: Any, site_a: Any) -> None:
        assert client_for(client_b).get(site_a.get_absolute_url()).status_code == 404

    def test_manager_sees_edit_button_and_change_log(self, manager: Any, site_a: Any) -> None:
        page = client_for(manager).get(site_a.get_absolute_url()).content.decode()
        assert reverse("site-edit", args=[site_a.pk]) in page
        assert 'id="changelog"' in page


class TestSiteForms:
    def test_manager_creates_a_site(self, manager: Any, org_a: Any) -> None:
        data = site_data(Site(organisation=org_a, code="new-site", name="Nouveau site", city="Lyon"))
        response = client_for(manager).post(reverse("site-add"), data)
        site = Site.objects.get(code="new-site")
        assert response.status_code == 302
        assert response["Location"] == site.get_absolute_url()
        assert site.latitude == Decimal("45.75")

    def test_bad_input_shows_the_field_error_and_writes_nothing(self, manager: Any, org_a: Any) -> None:
        data = site_data(Site(organisation=org_a, code="bad-site", name="Bad"), latitude="123")
        response = client_for(manager).post(reverse("site-add"), data)
        assert response.status_code == 200
        field = response.context["form"]["latitude"]
        assert field.errors
        assert 'class="field has-error"' in response.content.decode()
        assert not Site.objects.filter(code="bad-site").exists()

    def test_client_may_not_add_a_site(self, client_a: Any, org_a: Any) -> None:
        data = site_data(Site(organisation=org_a, code="sneaky", name="Sneaky"))
        assert client_for(client_a).get(reverse("site-add")).status_code == 403
        assert client_for(client_a).post(reverse("site-add"), data).status_code == 403
        assert not Site.objects.filter(code="sneaky").exists()

    def test_manager_edits_a_site(self, manager: Any, site_a: Any) -> None:
        response = client_for(manager).post(reverse("site-edit", args=[site_a.pk]), site_data(site_a, name="Siège"))
        assert response.status_code == 302
        site_a.refresh_from_db()
        assert site_a.name == "Siège"
        assert ObjectChange.objects.filter(object_id=site_a.pk, action="update").exists()

    def test_edit_with_bad_input_changes_nothing(self, manager: Any, site_a: Any) -> None:
        response = client_for(manager).post(reverse("site-edit", args=[site_a.pk]), site_data(site_a, name=""))
        assert response.context["form"]["name"].errors
        site_a.refresh_from_db()
        assert site_a.name == "Siège Lumière"

    def test_client_may_not_edit_its_site(self, client_a: Any, site_a: Any) -> None:
        url = reverse("site-edit", args=[site_a.pk])
        assert client_for(client_a).get(url).status_code == 403
        assert client_for(client_a).post(url, site_data(site_a, name="Hacked")).status_code == 403
        site_a.refresh_from_db()
        assert site_a.name == "Siège Lumière"

    def test_other_client_gets_404_and_nothing_changes(self, client_b: Any, site_a: Any) -> None:
        url = reverse("site-edit", args=[site_a.pk])
        assert client_for(client_b).get(url).status_code == 404
        assert client_for(client_b).post(url, site_data(site_a, name="Hacked")).status_code == 404
        site_a.refresh_from_db()
        assert site_a.name == "Siège Lumière"


class TestSiteLocations:
    def test_manager_builds_the_site_structure(self, manager: Any, site_a: Any) -> None:
        client = client_for(manager)
        page = client.get(site_a.get_absolute_url()).content.decode()
        assert reverse("building-add", args=[site_a.pk]) in page
        assert reverse("floor-add", args=[site_a.pk]) not in page  # no building to put a floor in yet

        assert client.post(reverse("building-add", args=[site_a.pk]), {"name": "Bâtiment C"}).status_code == 302
        building = Building.objects.get(site=site_a, name="Bâtiment C")
        response = client.post(
            reverse("floor-add", args=[site_a.pk]), {"building": building.pk, "name": "R+1", "level": 1}
        )
        assert response["Location"] == site_a.get_absolute_url()
        floor = Floor.objects.get(building=building)
        client.post(reverse("space-add", args=[site_a.pk]), {"floor": floor.pk, "name": "Salle 101", "usage": "Bureau"})
        client.post(
            reverse("productionline-add", args=[site_a.pk]), {"code": "line-9", "name": "Ligne 9", "description": ""}
        )

        assert Space.objects.get(floor=floor).usage == "Bureau"
        assert ProductionLine.objects.get(site=site_a).code == "line-9"
        page = client.get(site_a.get_absolute_url()).content.decode()
        for text in ("Bâtiment C", "R+1", "Salle 101", "Ligne 9", reverse("space-add", args=[site_a.pk])):
            assert text in page
        # Each addition is in the site's change log.
        assert {change.object_repr for change in changes_for(site_a)} >= {
            "Bâtiment C",
            "Bâtiment C — R+1",
            "Bâtiment C — R+1 — Salle 101",
            "Ligne 9",
        }

    def test_floors_go_only_into_the_sites_own_buildings(self, manager: Any, site_a: Any, org_a: Any) -> None:
        other_site = SiteFactory(organisation=org_a)
        foreign = Building.objects.create(site=other_site, name="Ailleurs")
        response = client_for(manager).post(
            reverse("floor-add", args=[site_a.pk]), {"building": foreign.pk, "name": "R+2", "level": 2}
        )
        assert response.status_code == 200
        assert response.context["form"]["building"].errors
        assert not Floor.objects.exists()

    def test_bad_input_names_the_field_and_writes_nothing(self, manager: Any, site_a: Any) -> None:
        response = client_for(manager).post(reverse("building-add", args=[site_a.pk]), {"name": ""})
        assert response.context["form"]["name"].errors
        assert not Building.objects.exists()

    def test_a_line_code_is_unique_on_its_site(self, manager: Any, site_a: Any) -> None:
        ProductionLine.objects.create(site=site_a, code="line-1", name="Ligne 1")
        response = client_for(manager).post(
            reverse("productionline-add", args=[site_a.pk]), {"code": "line-1", "name": "Doublon", "description": ""}
        )
        assert response.status_code == 200
        assert response.context["form"].errors
        assert ProductionLine.objects.filter(site=site_a).count() == 1

    def test_client_may_not_add_and_other_client_gets_404(self, client_a: Any, client_b: Any, site_a: Any) -> None:
        url = reverse("building-add", args=[site_a.pk])
        assert (
            reverse("building-add", args=[site_a.pk])
            not in client_for(client_a).get(site_a.get_absolute_url()).content.decode()
        )
        assert client_for(client_a).post(url, {"name": "Sneaky"}).status_code == 403
        assert client_for(client_b).get(url).status_code == 404
        assert client_for(client_b).post(url, {"name": "Sneaky"}).status_code == 404
        assert not Building.objects.exists()


class TestEquipmentList:
    def test_each_persona_sees_only_its_equipment(
        self, client_a: Any, client_b: Any, manager: Any, equipment_a: Any, equipment_b: Any
    ) -> None:
        page_a = client_for(client_a).get(reverse("equipment-list")).content.decode()
        page_b = client_for(client_b).get(reverse("equipment-list")).content.decode()
        page_manager = client_for(manager).get(reverse("equipment-list")).content.decode()
        assert equipment_a.code in page_a
        assert equipment_b.code not in page_a
        assert equipment_b.code in page_b
        assert equipment_a.code not in page_b
        assert equipment_a.code in page_manager
        assert equipment_b.code in page_manager
        # The site filter's choices do not reveal the other client's sites either.
        assert equipment_b.site.name not in page_a

    def test_filters_and_search(self, manager: Any, site_a: Any, equipment_a: Any, equipment_b: Any) -> None:
        down = EquipmentFactory(site=site_a, code="PMP-07", status=EquipmentStatus.DOWN)
        client = client_for(manager)
        page = client.get(reverse("equipment-list"), {"status": EquipmentStatus.DOWN}).content.decode()
        assert down.code in page
        assert equipment_a.code not in page
        page = client.get(reverse("equipment-list"), {"q": "presse"}).content.decode()
        assert equipment_b.code in page
        assert equipment_a.code not in page
        page = client.get(reverse("equipment-list"), {"site": site_a.pk}).content.decode()
        assert equipment_a.code in page
        assert equipment_b.code not in page

    def test_live_filtering_markup(self, manager: Any) -> None:
        page = client_for(manager).get(reverse("equipment-list")).content.decode()
        assert 'hx-get="/equipment/"' in page
        assert 'hx-select="#results"' in page
        assert 'id="results"' in page
        # Multiple choices are checkboxes, usable on a phone.
        assert 'type="checkbox" name="status"' in page

    def test_pagination_keeps_filters(self, manager: Any, site_a: Any) -> None:
        EquipmentFactory.create_batch(30, site=site_a)
        page = client_for(manager).get(reverse("equipment-list"), {"site": site_a.pk}).content.decode()
        assert f"?site={site_a.pk}&amp;page=2" in page

    def test_query_budget(self, manager: Any, django_assert_max_num_queries: Any) -> None:
        for equipment in EquipmentFactory.create_batch(30):
            equipment.technologies.set(technology_tags([Technology.ELECTRICAL]))
        client = client_for(manager)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("equipment-list"))
        assert response.status_code == 200


class TestEquipmentDetail:
    def test_owner_sees_everything_about_the_equipment(self, client_a: Any, equipment_a: Any, counter_a: Any) -> None:
        child = EquipmentFactory(site=equipment_a.site, parent=equipment_a, code="FAN-01")
        grandchild = EquipmentFactory(site=equipment_a.site, parent=child, code="MOT-01")
        Document.objects.create(
            site=equipment_a.site, equipment=equipment_a, title="Notice CTA", file=SimpleUploadedFile("n.pdf", b"%PDF")
        )
        Downtime.objects.create(equipment=equipment_a, cause=DowntimeCause.FAILURE, started_at=timezone.now())
        order = WorkOrderFactory(equipment=equipment_a, title="Changer la courroie")
        response = client_for(client_a).get(child.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 200
        assert 'class="breadcrumb"' in page
        assert equipment_a.get_absolute_url() in page
        assert grandchild.get_absolute_url() in page

        page = client_for(client_a).get(equipment_a.get_absolute_url()).content.decode()
        assert "100" in page  # the counter's current value
        assert "Notice CTA" in page
        assert order.reference in page
        assert "Down since" in page or "Arrêt depuis" in page
        assert f"{reverse('workrequest-add')}?equipment={equipment_a.pk}" in page
        # A client user may neither edit the equipment nor record readings.
        assert reverse("equipment-edit", args=[equipment_a.pk]) not in page
        assert reverse("equipment-reading-add", args=[equipment_a.pk]) not in page

    def test_technician_sees_the_forms(self, technician: Any, equipment_a: Any, counter_a: Any) -> None:
        page = client_for(technician).get(equipment_a.get_absolute_url()).content.decode()
        assert reverse("equipment-edit", args=[equipment_a.pk]) in page
        assert reverse("equipment-reading-add", args=[equipment_a.pk]) in page
        assert reverse("document-add", args=[equipment_a.pk]) in page

    def test_other_client_gets_404(self, client_b: Any, equipment_a: Any) -> None:
        assert client_for(client_b).get(equipment_a.get_absolute_url()).status_code == 404

    def test_change_log_shows_field_diffs(self, technician: Any, equipment_a: Any) -> None:
        client = client_for(technician)
        client.post(reverse("equipment-edit", args=[equipment_a.pk]), equipment_data(equipment_a, name="CTA Nord"))
        page = client.get(equipment_a.get_absolute_url()).content.decode()
        assert 'class="before">Centrale de traitement d&#x27;air<' in page
        assert 'class="after">CTA Nord<' in page


class TestEquipmentForms:
    def test_technician_edits_equipment_and_technologies(self, technician: Any, equipment_a: Any) -> None:
        response = client_for(technician).post(
            reverse("equipment-edit", args=[equipment_a.pk]), equipment_data(equipment_a, manufacturer="Carrier")
        )
        assert response.status_code == 302
        equipment_a.refresh_from_db()
        assert equipment_a.manufacturer == "Carrier"
        assert sorted(tag.code for tag in equipment_a.technologies.all()) == ["electrical", "hydraulic"]

    def test_edit_form_checks_current_technologies(self, technician: Any, equipment_a: Any) -> None:
        save_equipment(technician, equipment_a, [Technology.PNEUMATIC])
        page = client_for(technician).get(reverse("equipment-edit", args=[equipment_a.pk])).content.decode()
        assert 'value="pneumatic" id="id_technologies_1" checked' in page

    def test_model_validation_error_is_shown_on_its_field(self, technician: Any, equipment_a: Any) -> None:
        data = equipment_data(equipment_a, installation_date="2024-05-01", warranty_end="2023-01-01", name="Changed")
        response = client_for(technician).post(reverse("equipment-edit", args=[equipment_a.pk]), data)
        assert response.status_code == 200
        assert response.context["form"]["warranty_end"].errors
        equipment_a.refresh_from_db()
        assert equipment_a.name == "Centrale de traitement d'air"
        assert not equipment_a.technologies.exists()

    def test_parent_on_another_site_is_refused(self, manager: Any, equipment_a: Any, equipment_b: Any) -> None:
        data = equipment_data(equipment_a, parent=equipment_b.pk)
        response = client_for(manager).post(reverse("equipment-edit", args=[equipment_a.pk]), data)
        assert response.context["form"]["parent"].errors
        equipment_a.refresh_from_db()
        assert equipment_a.parent_id is None

    def test_technician_adds_equipment(self, technician: Any, equipment_a: Any) -> None:
        data = equipment_data(
            Equipment(site=equipment_a.site, equipment_type=equipment_a.equipment_type), code="VAV-01", name="Boîte VAV"
        )
        response = client_for(technician).post(reverse("equipment-add"), data)
        created = Equipment.objects.get(code="VAV-01")
        assert response["Location"] == created.get_absolute_url()
        assert created.technologies.count() == 2

    def test_add_form_presets_the_site(self, technician: Any, site_a: Any) -> None:
        response = client_for(technician).get(reverse("equipment-add"), {"site": site_a.pk})
        assert response.context["form"]["site"].value() == str(site_a.pk)

    def test_choices_are_limited_to_visible_objects(self, client_a: Any, equipment_a: Any, equipment_b: Any) -> None:
        form = EquipmentForm(user=client_a)
        assert list(form.fields["site"].queryset) == [equipment_a.site]
        assert list(form.fields["parent"].queryset) == [equipment_a]

    def test_client_may_not_add_or_edit(self, client_a: Any, equipment_a: Any) -> None:
        client = client_for(client_a)
        assert client.get(reverse("equipment-add")).status_code == 403
        data = equipment_data(equipment_a, name="Hacked")
        assert client.post(reverse("equipment-edit", args=[equipment_a.pk]), data).status_code == 403
        equipment_a.refresh_from_db()
        assert equipment_a.name == "Centrale de traitement d'air"

    def test_other_client_gets_404(self, client_b: Any, equipment_a: Any) -> None:
        url = reverse("equipment-edit", args=[equipment_a.pk])
        assert client_for(client_b).get(url).status_code == 404
        assert client_for(client_b).post(url, equipment_data(equipment_a, name="Hacked")).status_code == 404
        equipment_a.refresh_from_db()
        assert equipment_a.name == "Centrale de traitement d'air"


class TestCounterReadings:
    def url(self, equipment: Any) -> str:
        return reverse("equipment-reading-add", args=[equipment.pk])

    def data(self, counter: Any, value: str) -> dict[str, Any]:
        return {"counter": counter.pk, f"counter-{counter.pk}-value": value}

    @pytest.mark.parametrize("persona", ["technician", "operator_a"])
    def test_field_staff_and_operators_record_readings(
        self, persona: str, request: Any, equipment_a: Any, counter_a: Any
    ) -> None:
        user = request.getfixturevalue(persona)
        response = client_for(user).post(self.url(equipment_a), self.data(counter_a, "150.5"))
        assert response.status_code == 302
        reading = counter_a.readings.order_by("-read_at").first()
        assert reading.value == Decimal("150.5")
        assert reading.recorded_by == user

    def test_lower_value_is_refused_on_the_field(self, technician: Any, equipment_a: Any, counter_a: Any) -> None:
        response = client_for(technician).post(self.url(equipment_a), self.data(counter_a, "50"))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'class="field has-error"' in page
        assert "100" in page
        assert counter_a.readings.count() == 1

    def test_client_may_not_record(self, client_a: Any, equipment_a: Any, counter_a: Any) -> None:
        assert client_for(client_a).post(self.url(equipment_a), self.data(counter_a, "200")).status_code == 403
        assert counter_a.readings.count() == 1

    def test_other_client_gets_404(self, client_b: Any, equipment_a: Any, counter_a: Any) -> None:
        assert client_for(client_b).post(self.url(equipment_a), self.data(counter_a, "200")).status_code == 404
        assert counter_a.readings.count() == 1

    def test_counter_of_another_equipment_is_404(
        self, technician: Any, equipment_a: Any, equipment_b: Any, counter_a: Any
    ) -> None:
        response = client_for(technician).post(self.url(equipment_b), self.data(counter_a, "200"))
        assert response.status_code == 404
        assert counter_a.readings.count() == 1

    def test_get_is_not_allowed(self, technician: Any, equipment_a: Any) -> None:
        assert client_for(technician).get(self.url(equipment_a)).status_code == 405

    def test_detail_shows_latest_value(self, technician: Any, equipment_a: Any, counter_a: Any) -> None:
        record_counter_reading(technician, counter_a, 321)
        page = client_for(technician).get(equipment_a.get_absolute_url()).content.decode()
        assert "321" in page


class TestDocuments:
    def url(self, equipment: Any) -> str:
        return reverse("document-add", args=[equipment.pk])

    def data(self, **changes: Any) -> dict[str, Any]:
        data = {
            "document_type": "manual",
            "title": "Notice de maintenance",
            "version": "B",
            "file": SimpleUploadedFile("notice.pdf", b"%PDF-1.4 test"),
        }
        data.update(changes)
        return data

    def test_technician_uploads_a_document(self, technician: Any, equipment_a: Any) -> None:
        response = client_for(technician).post(self.url(equipment_a), self.data())
        assert response.status_code == 302
        document = Document.objects.get()
        assert (document.site, document.equipment, document.uploaded_by) == (equipment_a.site, equipment_a, technician)

    def test_missing_file_is_shown_on_the_field(self, technician: Any, equipment_a: Any) -> None:
        data = self.data()
        del data["file"]
        response = client_for(technician).post(self.url(equipment_a), data)
        assert response.status_code == 200
        assert response.context["document_form"]["file"].errors
        assert not Document.objects.exists()

    def test_client_may_not_upload(self, client_a: Any, equipment_a: Any) -> None:
        assert client_for(client_a).post(self.url(equipment_a), self.data()).status_code == 403
        assert not Document.objects.exists()

    def test_other_client_gets_404(self, client_b: Any, equipment_a: Any) -> None:
        assert client_for(client_b).post(self.url(equipment_a), self.data()).status_code == 404
        assert not Document.objects.exists()

    def test_file_is_served_only_to_those_who_see_it(self, client_a: Any, client_b: Any, equipment_a: Any) -> None:
        document = Document.objects.create(
            site=equipment_a.site, equipment=equipment_a, title="Schéma", file=SimpleUploadedFile("s.pdf", b"%PDF-data")
        )
        url = reverse("document-file", args=[document.pk])
        response = client_for(client_a).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-data"
        assert client_for(client_b).get(url).status_code == 404


def test_date_pickers_get_iso_dates_in_french(technician: Any, equipment_a: Any) -> None:
    equipment_a.installation_date = datetime.date(2025, 3, 15)
    with translation.override("fr"):
        field = str(EquipmentForm(instance=equipment_a, user=technician)["installation_date"])
    assert 'type="date"' in field
    assert 'value="2025-03-15"' in field
