"""A script hidden in the technical file never runs in the browser of whoever opens it."""

from typing import Any

import pytest
from django.urls import reverse

from maintenir.assets.models import Document
from maintenir.assets.tests.factories import EquipmentFactory, SiteFactory
from maintenir.core.choices import Role
from maintenir.core.tests.factories import UserFactory
from maintenir.ui.tests.browser import session_cookies

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    "<script>window.xss = 1; document.title = 'pwned';</script></svg>"
)


@pytest.mark.e2e
# The live server needs committed data; restoring the seeded lists afterwards keeps later tests whole.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_svg_with_a_script_uploaded_by_a_technician_does_not_run_for_the_manager(
    live_server: Any, browser_page: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    page = browser_page
    press = EquipmentFactory(site=SiteFactory(), code="PR-01")
    technician = UserFactory(username="tech", role=Role.TECHNICIAN)
    manager = UserFactory(username="manager", role=Role.MANAGER)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)

    page.context.add_cookies(session_cookies(live_server.url, technician, "en"))
    page.goto(f"{live_server.url}{press.get_absolute_url()}")
    page.locator("#documents summary").click()
    page.get_by_label("Title").fill("Wiring diagram")
    page.get_by_label("File").set_input_files(
        {"name": "diagram.svg", "mimeType": "image/svg+xml", "buffer": SVG.encode()}
    )
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Document added.").wait_for()
    document = Document.objects.get()

    page.context.clear_cookies()
    page.context.add_cookies(session_cookies(live_server.url, manager, "en"))
    page.goto(f"{live_server.url}{press.get_absolute_url()}")
    title = page.title()
    with page.expect_download() as download:
        page.get_by_role("link", name="Wiring diagram").click()
    assert download.value.suggested_filename == "diagram.svg"
    assert page.evaluate("typeof window.xss") == "undefined"
    assert page.title() == title

    response = page.context.request.get(f"{live_server.url}{reverse('document-file', args=[document.pk])}")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert violations == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_content_security_policy_refuses_an_inline_script(live_server: Any, browser_page: Any) -> None:
    page = browser_page
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{live_server.url}{reverse('login')}")
    page.evaluate(
        "() => { const script = document.createElement('script');"
        " script.textContent = 'window.injected = 1'; document.body.appendChild(script); }"
    )
    assert page.evaluate("typeof window.injected") == "undefined"
    assert any("Content Security Policy" in message for message in messages)
