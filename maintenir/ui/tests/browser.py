"""Helpers of the end-to-end tests, which drive Debian's chromium through Playwright."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from maintenir.core.tests.clients import client_for

CHROMIUM = Path("/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parents[3] / "test-results"
# The password core.tests.factories.UserFactory gives every user.
PASSWORD = "secret-password"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def open_browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's chromium driven by Playwright; skipped without it (failed under CI)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


def chromium_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A phone-sized Playwright page in Debian's chromium."""
    for browser in open_browser(monkeypatch):
        context = browser.new_context(locale="en-US", viewport={"width": 412, "height": 915})
        context.set_default_timeout(10_000)
        yield context.new_page()


def session_cookies(base_url: str, user: Any, language: str) -> list[dict[str, str]]:
    """The cookies of `user` logged in, speaking `language`, for a browser context: a login without the form."""
    session = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    return [
        {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url},
    ]


def screenshot_path(name: str) -> str:
    """Where a browser test keeps a screenshot: under test-results/ at the project's root (not committed)."""
    path = RESULTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


@dataclass
class Browser:
    page: Any
    base_url: str

    def go(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")

    def log_in(self, username: str) -> None:
        from playwright.sync_api import expect

        self.go(reverse("login"))
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.locator("main").get_by_role("button", name="Log in").click()
        expect(self.page.get_by_role("button", name="Menu")).to_be_visible()

    def log_out(self) -> None:
        from playwright.sync_api import expect

        # On a phone-sized screen the navigation, with "Log out", is behind the menu button.
        self.page.get_by_role("button", name="Menu").click()
        self.page.get_by_role("button", name="Log out").click()
        expect(self.page.get_by_role("button", name="Menu")).to_have_count(0)

    def saved(self, text: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator(".messages")).to_contain_text(text)
