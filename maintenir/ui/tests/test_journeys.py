"""Each role's day in a real browser, on a desktop screen and on a phone, in French: log in through the
form, land on the role's home, open its main pages from the navigation. No page scrolls sideways, the
navigation reaches every one of them, and a screenshot of each is kept under test-results/journeys/ for
a person to look at."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils.text import slugify

from maintenir.ui.tests.browser import PASSWORD, open_browser, screenshot_path

# Per role: who logs in (a persona of maintenir/conftest.py) and the navigation's links to follow.
JOURNEYS = {
    "manager": ("manager", ("Ordres de travail", "Planification", "Fiabilité")),
    "technician": ("technician", ("Ma journée", "Ordres de travail", "Équipement")),
    "operator": ("operator_a", ("Signaler une panne", "Demandes", "Équipement")),
    "client": ("client_a", ("Sites", "Ordres de travail", "Fiabilité")),
    "administrator": ("administrator", ("Techniciens", "Appareils", "Astreinte")),
}
WIDTHS = (1280, 360)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from open_browser(monkeypatch)


def fits(tab: Any) -> bool:
    return bool(tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", JOURNEYS)
def test_a_day_of_each_role(
    role: str, width: int, live_server: Any, browser: Any, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    # Asked for here, not as an argument: as an argument it would be made before the database is restored.
    request.getfixturevalue("tenant_world")
    persona, links = JOURNEYS[role]
    user = request.getfixturevalue(persona)
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    overflowing = []

    def look(name: str) -> None:
        tab.screenshot(path=screenshot_path(f"journeys/{role}-{width}-{slugify(name)}.png"), full_page=True)
        if not fits(tab):
            overflowing.append(name)

    tab.goto(f"{live_server.url}{reverse('login')}")
    tab.locator('[name="username"]').fill(user.username)
    tab.locator('[name="password"]').fill(PASSWORD)
    tab.locator("main").get_by_role("button").click()
    expect(tab).to_have_url(f"{live_server.url}{reverse('home')}")
    look("home")
    toggle = tab.get_by_role("button", name="Menu")
    for label in links:
        # The menu button hides the navigation on a phone only; a desktop shows it at all times.
        if toggle.is_visible():
            toggle.click()
        link = tab.locator("#main-nav").get_by_role("link", name=label, exact=True)
        link.click()
        expect(tab.locator("h1")).not_to_be_empty()
        look(label)
    context.close()
    assert not overflowing, f"{role} at {width} px: {', '.join(overflowing)} scroll sideways"
