"""The global search: each kind of record, found as its list finds it, within what the user may see."""

import re
from typing import Any

import pytest
from django.urls import reverse

from maintenir.assets.tests.factories import DocumentFactory, EquipmentFactory, SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.clients import client_for
from maintenir.core.tests.factories import UserFactory
from maintenir.people.tests.factories import TechnicianFactory
from maintenir.ui.search import SHOWN_PER_KIND
from maintenir.ui.tests.browser import Browser
from maintenir.workorders.choices import WorkOrderStatus
from maintenir.workorders.tests.factories import WorkOrderFactory, WorkRequestFactory

pytestmark = pytest.mark.django_db


def search(user: Any, text: str, **headers: Any) -> str:
    response = client_for(user).get(reverse("search"), {"q": text}, **headers)
    assert response.status_code == 200
    return response.content.decode()


def groups(user: Any, text: str) -> dict[str, list[str]]:
    """The labels found, by kind."""
    response = client_for(user).get(reverse("search"), {"q": text})
    return {group.title: [hit.label for hit in group.hits] for group in response.context["groups"]}


def test_equipment_by_name_serial_number_and_tag(manager: Any, site_a: Any) -> None:
    pump = EquipmentFactory(site=site_a, code="P-101", name="Pompe de relevage", serial_number="SN-88231")
    EquipmentFactory(site=site_a, code="V-201", name="Vanne trois voies")
    for typed in ("POMPE", "relevage", "sn-88231", "p-101"):
        assert groups(manager, typed) == {"Equipment": [f"{pump.code} — {pump.name}"]}, typed


def test_orders_and_requests_by_reference_and_title(manager: Any, equipment_a: Any, operator_a: Any) -> None:
    order = WorkOrderFactory(equipment=equipment_a, title="Changer le vérin", status=WorkOrderStatus.CLOSED)
    WorkOrderFactory(equipment=equipment_a, title="Graisser la courroie")
    request = WorkRequestFactory(equipment=equipment_a, reported_by=operator_a, symptom="Bruit de vérin")
    for typed in (f"OT-{order.pk:06d}", f"ot{order.pk}", f"{order.pk:06d}"):
        assert groups(manager, typed)["Work orders"] == [f"{order.reference} — Changer le vérin"], typed
    for typed in (f"DI-{request.pk:06d}", f"di {request.pk}"):
        assert groups(manager, typed)["Work requests"] == [f"{request.reference} — Bruit de vérin"], typed
    # A closed order is found too; its list opens on every order, not only the unfinished ones.
    found = groups(manager, "VERIN")
    assert found["Work orders"] == [f"{order.reference} — Changer le vérin"]
    assert found["Work requests"] == [f"{request.reference} — Bruit de vérin"]
    assert "listed=all" in search(manager, "VERIN")


@pytest.mark.parametrize(("stored", "typed"), [("Vérin", "verin"), ("vérin", "VÉRIN")])
def test_accents_and_case_both_ways(manager: Any, site_a: Any, stored: str, typed: str) -> None:
    EquipmentFactory(site=site_a, code="VR-1", name=f"{stored} de bridage")
    assert groups(manager, typed) == {"Equipment": [f"VR-1 — {stored} de bridage"]}


def test_orders_by_assignee_and_location(manager: Any, site_a: Any) -> None:
    assignee = UserFactory(first_name="Hélène", last_name="Roux")
    order = WorkOrderFactory(equipment=EquipmentFactory(site=site_a), title="Contrôle annuel")
    order.assignees.add(assignee)
    WorkOrderFactory(equipment=EquipmentFactory(site=SiteFactory(name="Dépôt Vénissieux")), title="Autre")
    assert groups(manager, "helene")["Work orders"] == [f"{order.reference} — Contrôle annuel"]
    assert groups(manager, "siege lumiere")["Work orders"] == [f"{order.reference} — Contrôle annuel"]


def test_sites_technicians_and_documents(manager: Any, site_a: Any, equipment_a: Any) -> None:
    TechnicianFactory(user__first_name="Émile", user__last_name="Garçon")
    document = DocumentFactory(site=site_a, equipment=equipment_a, title="Schéma électrique")
    assert groups(manager, "emile garcon") == {"Technicians": ["Émile Garçon"]}
    assert groups(manager, "schema")["Documents"] == ["Schéma électrique"]
    assert groups(manager, "SIEGE")["Sites"] == ["Siège Lumière"]
    assert reverse("document-file", args=[document.pk]) in search(manager, "schema")


def test_a_few_of_each_kind_and_a_link_to_its_list_filtered(manager: Any, site_a: Any) -> None:
    for number in range(SHOWN_PER_KIND + 2):
        EquipmentFactory(site=site_a, name=f"Ventilo-convecteur {number}")
    page = search(manager, "ventilo")
    assert page.count("Ventilo-convecteur") == SHOWN_PER_KIND
    assert f"{reverse('equipment-list')}?q=ventilo" in page


def test_the_header_field_gets_only_the_results(manager: Any, site_a: Any) -> None:
    EquipmentFactory(site=site_a, name="Pompe de relevage")
    partial = search(manager, "pompe", HTTP_HX_REQUEST="true")
    assert "Pompe de relevage" in partial
    assert "<html" not in partial
    assert "<html" in search(manager, "pompe")


def test_every_page_has_the_search_field_that_answers_as_one_types(manager: Any) -> None:
    page = search(manager, "")
    field = re.search(r'<input type="search" name="q" id="global-search-q"[^>]*>', page, re.DOTALL)
    assert field is not None
    assert f'hx-get="{reverse("search")}"' in field[0]
    assert 'hx-trigger="input changed delay:250ms, search"' in field[0]
    assert f'action="{reverse("search")}"' in page


def test_nothing_found_says_so_and_a_too_long_search_is_refused(manager: Any) -> None:
    assert "Nothing found for “zzzz”." in search(manager, "zzzz")
    assert "at most 100 characters" in search(manager, "x" * 101)


def test_the_other_client_finds_nothing_of_client_a(client_b: Any, tenant_world: None, operator_a: Any) -> None:
    order_a = WorkOrderFactory(equipment__site__organisation=operator_a.organisation, title="Remplacer le vérin")
    request_a = WorkRequestFactory(
        equipment=order_a.equipment, reported_by=operator_a, symptom="Vérin qui fuit", work_order=order_a
    )
    DocumentFactory(site=order_a.site, title="Notice du vérin")
    for typed in (
        "Tertiaire Lumière",
        "Siège Lumière",
        "AHU-01",
        "Centrale de traitement",
        "vérin",
        order_a.reference,
        request_a.reference,
        f"{order_a.pk:06d}",
        f"{request_a.pk:06d}",
    ):
        assert groups(client_b, typed) == {}, typed
    # The other client's own names are found: the search works for them, within their organisation.
    assert groups(client_b, "PR-01")["Equipment"] == ["PR-01 — Presse hydraulique"]


def test_technicians_are_searched_by_the_company_staff_only(client_a: Any, operator_a: Any, technician: Any) -> None:
    TechnicianFactory(user=technician)
    name = str(technician.technician)
    assert groups(UserFactory(role=Role.MANAGER), name) == {"Technicians": [name]}
    assert groups(client_a, name) == {}
    assert groups(operator_a, name) == {}


def test_the_training_centre_has_no_maintenance_search(training_staff: Any, manager: Any) -> None:
    page = client_for(training_staff).get(reverse("certification-candidate-list")).content.decode()
    assert "global-search-q" not in page
    assert groups(training_staff, "Siège") == {}


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    from django.test import Client

    response = Client().get(reverse("search"), {"q": "pompe"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_typing_in_the_header_search_shows_results_without_enter(
    live_server: Any, browser_page: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    UserFactory(username="manager", role=Role.MANAGER)
    pump = EquipmentFactory(code="P-101", name="Pompe de relevage")
    browser = Browser(page, live_server.url)
    browser.log_in("manager")
    # On a list page, whose own search field filters the list as one types.
    browser.go(reverse("workorder-list"))
    list_requests: list[str] = []
    page.on("request", lambda request: list_requests.append(request.url) if "/orders/" in request.url else None)

    # On a phone the header's field is behind the menu button.
    page.get_by_role("button", name="Menu").click()
    page.locator("#global-search-q").press_sequentially("RELEVAGE", delay=30)
    result = page.locator("#global-search-results").get_by_role("link", name="P-101 — Pompe de relevage")
    expect(result).to_be_visible()
    # What one types is readable (the header's white text is not the field's).
    colours = page.locator("#global-search-q").evaluate(
        "field => [getComputedStyle(field).color, getComputedStyle(field).backgroundColor]"
    )
    assert colours[0] != colours[1]
    # The results fit the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Typing in the header is not typing in the list's own field: the list is not asked again.
    assert list_requests == []
    result.click()
    expect(page).to_have_url(re.compile(re.escape(pump.get_absolute_url()) + "$"))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_list_still_filters_as_one_types_in_its_own_field(live_server: Any, browser_page: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    settings.LANGUAGE_CODE = "en"
    page = browser_page
    UserFactory(username="manager", role=Role.MANAGER)
    WorkOrderFactory(title="Graisser les paliers")
    WorkOrderFactory(title="Changer le vérin")
    browser = Browser(page, live_server.url)
    browser.log_in("manager")
    browser.go(reverse("workorder-list"))
    page.locator("main").get_by_role("searchbox").press_sequentially("verin", delay=30)
    expect(page.locator("#results")).not_to_contain_text("Graisser les paliers")
    expect(page.locator("#results")).to_contain_text("Changer le vérin")
