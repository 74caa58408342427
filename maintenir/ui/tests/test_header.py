"""The header fits every width, in French (the longer labels) and in English: the navigation's labels
stay on one line, and the search box, the user's name, "log out" and the language switch are inside
the screen, behind the menu button on a phone and a tablet. A screenshot of the header at each width is
kept under test-results/header/."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from maintenir.ui.tests.browser import open_browser, screenshot_path, session_cookies

WIDTHS = (1920, 1440, 1280, 1100, 1024, 768, 412, 360)
LOG_OUT = {"fr": "Se déconnecter", "en": "Log out"}

# Each navigation link's lines of text, and what of the header lies outside the screen.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const header = document.querySelector(".topbar");
  const outside = [...header.querySelectorAll("a, button, input, .whoami")].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width && (box.left < 0 || box.right > width);
  });
  const lines = (link) => {
    const text = document.createRange();
    text.selectNodeContents(link);
    return text.getClientRects().length;
  };
  const wrapped = [...header.querySelectorAll(".nav-links a")].filter((link) => lines(link) > 1);
  return {
    outside: outside.map((element) => element.textContent.trim() || element.outerHTML.slice(0, 60)),
    wrapped: wrapped.map((link) => link.textContent.trim()),
  };
}"""


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from open_browser(monkeypatch)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_header_fits_every_width(
    language: str, live_server: Any, browser: Any, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    # A superuser has every link of the navigation, the longest it gets; a technician has "My day".
    manager = request.getfixturevalue("manager")
    manager.is_staff = manager.is_superuser = True
    manager.first_name, manager.last_name = "Marie-Christine", "Lefèvre-Delacroix"
    manager.save()
    problems = []
    for width in WIDTHS:
        context = browser.new_context(locale=language, viewport={"width": width, "height": 800})
        context.add_cookies(session_cookies(live_server.url, manager, language))
        tab = context.new_page()
        tab.goto(f"{live_server.url}{reverse('workorder-list')}")
        expect(tab.locator(".global-search input")).to_be_visible()
        toggle = tab.get_by_role("button", name="Menu")
        if toggle.is_visible():
            toggle.click()
        expect(tab.get_by_role("button", name=LOG_OUT[language])).to_be_visible()
        expect(tab.locator(".lang button")).to_have_count(2)
        tab.locator(".topbar").screenshot(path=screenshot_path(f"header/{language}-{width}.png"))
        measured = tab.evaluate(MEASURE)
        if measured["outside"]:
            problems.append(f"{width} px: outside the screen: {measured['outside']}")
        if measured["wrapped"]:
            problems.append(f"{width} px: labels on two lines: {measured['wrapped']}")
        if not tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            problems.append(f"{width} px: the page scrolls sideways")
        context.close()
    assert not problems, f"header in {language}:\n" + "\n".join(problems)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_technician_finds_my_day_in_the_navigation(
    live_server: Any, browser: Any, request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.add_cookies(session_cookies(live_server.url, request.getfixturevalue("technician"), "fr"))
    tab = context.new_page()
    tab.goto(f"{live_server.url}{reverse('home')}")
    tab.locator("#main-nav").get_by_role("link", name="Ma journée").click()
    expect(tab).to_have_url(f"{live_server.url}{reverse('planning-my-day')}")
    expect(tab.locator("#main-nav [aria-current=page]")).to_have_text("Ma journée")
