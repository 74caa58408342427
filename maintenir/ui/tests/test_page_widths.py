"""Every page of the site fits a desktop screen (1280 px) and a phone (360 px) without scrolling sideways,
in French, whose labels are the longer ones.

The pages are the rows of the page-tenancy table, each opened by the person the row names, on the same
data. Files, PDFs and redirects are left out: they have no layout. A page that overflows is named with
the width and the elements that stick out, and a screenshot is kept under test-results/.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from maintenir.assets.tests.factories import SiteFactory
from maintenir.core.models import Organisation
from maintenir.core.tests.clients import client_for
from maintenir.people.models import Technician
from maintenir.people.tests.factories import HabilitationFactory, habilitation_type
from maintenir.ui.tests.browser import open_browser, screenshot_path, session_cookies
from maintenir.ui.tests.test_page_tenancy import PAGES, Page, files_and_titles  # noqa: F401 (a fixture)
from maintenir.workorders.tests.factories import WorkOrderFactory

WIDTHS = (1280, 360)


def order_without_prevention_plan() -> str:
    """An order on a site of client A with no prevention plan: its page warns in a long badge."""
    site = SiteFactory(organisation=Organisation.objects.get(code="client-a"))
    return reverse("workorder-detail", args=[WorkOrderFactory(equipment__site=site).pk])


def profile_with_staff_records() -> str:
    """The profile of the technician with a skill, an absence, an on-call duty and habilitations, one with
    the longest name of the standard ones and a note."""
    profile = Technician.objects.get(user__username="tech")
    HabilitationFactory(technician=profile, habilitation_type=habilitation_type("BC"), note="Délivrée après recyclage")
    return reverse("technician-detail", args=[profile.pk])


# Pages once reported to overflow at these widths, checked there too, also with what made them overflow.
PAGE_WIDTHS = {"workorder-detail": (390,), "technician-detail": (474,)}
EXTRA_PAGES = [
    (order_without_prevention_plan, "manager", (390, 360)),
    (profile_with_staff_records, "manager", (474, 360)),
]

# The innermost elements that stick out of the viewport where no scrollable box holds them: the culprits.
CULPRITS = """() => {
  const width = document.documentElement.clientWidth;
  const sticksOut = (element) => element.getBoundingClientRect().right > width + 1;
  const held = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const named = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + [...element.classList].map((name) => "." + name).join("")
    + " \u201c" + element.textContent.replace(/\\s+/g, " ").trim().slice(0, 40) + "\u201d";
  return [...document.body.querySelectorAll("*")]
    .filter((element) => sticksOut(element) && !held(element) && ![...element.children].some(sticksOut))
    .slice(0, 4).map(named);
}"""


def html_pages(request: pytest.FixtureRequest) -> list[Page]:
    """The rows with someone to open them whose answer is an HTML page."""
    pages = []
    for page in PAGES:
        if not page.opener:
            continue
        response = client_for(request.getfixturevalue(page.opener)).get(page.url(), page.query())
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(page)
    return pages


def query_string(page: Page) -> str:
    query = page.query()
    return f"?{urlencode(query)}" if query else ""


def overflow(tab: Any, url: str) -> tuple[int, int, list[str]] | None:
    """The page's scroll width, the viewport's width and the culprits, when the page scrolls sideways."""
    tab.goto(url)
    scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return (scroll, inner, tab.evaluate(CULPRITS)) if scroll > inner else None


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from open_browser(monkeypatch)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_fits_a_desktop_and_a_phone_in_french(
    live_server: Any, browser: Any, request: pytest.FixtureRequest
) -> None:
    # Asked for here, not as an argument: as an argument it would be made before the database is restored.
    request.getfixturevalue("files_and_titles")
    pages = html_pages(request)
    assert len(pages) > 80, "the route table lost its pages"
    # (name, url, who opens it, widths), person by person: one login per person, reused at every width.
    checks = [
        (page.name, page.url() + query_string(page), str(page.opener), WIDTHS + PAGE_WIDTHS.get(page.name, ()))
        for page in pages
    ]
    checks += [(url.__name__, url(), opener, widths) for url, opener, widths in EXTRA_PAGES]
    checks.sort(key=lambda check: check[2])
    people = {opener for _, _, opener, _ in checks}
    logins = {opener: session_cookies(live_server.url, request.getfixturevalue(opener), "fr") for opener in people}
    failures = []
    for width in sorted({width for *_, widths in checks for width in widths}, reverse=True):
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
        tab, signed_in = context.new_page(), None
        for name, url, opener, widths in checks:
            if width not in widths:
                continue
            if opener != signed_in:
                context.clear_cookies()
                context.add_cookies(logins[opener])
                signed_in = opener
            found = overflow(tab, f"{live_server.url}{url}")
            if found:
                scroll, inner, culprits = found
                tab.screenshot(path=screenshot_path(f"widths/{name}-{width}.png"), full_page=True)
                failures.append(f"{name} at {width} px: {scroll} px wide for {inner}; {', '.join(culprits)}")
        context.close()
    assert not failures, "pages scroll sideways:\n" + "\n".join(failures)
