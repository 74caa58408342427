"""Each report's pages looked at as a person would: drawn to PNG (kept in test-results/reports/ to be
looked at), A4, not blank, and nothing printed in the side margins, where a table or a long word
that overflows its column would end up."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from django.conf import settings
from PIL import Image

from maintenir.reports import services
from maintenir.reports.tests.conftest import PERIOD, SEPTEMBER

pytestmark = pytest.mark.django_db

PNG_DIR = Path(settings.BASE_DIR).parent / "test-results" / "reports"
A4_POINTS = (595.3, 841.9)
POINTS_PER_MM = 72 / 25.4
# 100 dpi: enough to read the page when looking at it, small enough to be quick.
SCALE = 100 / 72
# The templates' side margins are 14 mm; nothing may be drawn in the outer 12 mm of either side.
CLEAR_MM = 12
# A pixel this dark or darker is ink (0 black, 255 white); anti-aliasing stays lighter.
INK = 160
# A long reference without spaces, as serial numbers and file names are: it must wrap, not overflow.
UNBROKEN = "SN-" + "A1B2C3D4E5" * 9


def long_words(order: Any) -> Any:
    order.findings = f"Moteur remplacé, n° de série {UNBROKEN}."
    order.title = f"Remplacement moteur {UNBROKEN}"
    order.save()
    order.parts.filter(description="Huile HV46").update(description=f"Moteur {UNBROKEN}")
    return order


REPORTS: dict[str, Callable[[pytest.FixtureRequest], bytes]] = {
    "intervention": lambda request: services.intervention_report(
        request.getfixturevalue("technician"), long_words(request.getfixturevalue("done_order"))
    ),
    "equipment-state": lambda request: services.equipment_state_report(
        request.getfixturevalue("client_a"), request.getfixturevalue("site_history")["site"], PERIOD
    ),
    "monthly": lambda request: services.monthly_report(
        request.getfixturevalue("manager"), SEPTEMBER, "site", request.getfixturevalue("site_months").pk
    ),
}


def pages(pdf: bytes, name: str) -> list[tuple[tuple[float, float], Image.Image]]:
    """Each page's size in points and its picture, which is also written to PNG_DIR."""
    PNG_DIR.mkdir(parents=True, exist_ok=True)
    drawn = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number, page in enumerate(document, start=1):
            image = page.render(scale=SCALE).to_pil()
            image.save(PNG_DIR / f"{name}-{number}.png")
            drawn.append((page.get_size(), image.convert("L")))
    finally:
        document.close()
    return drawn


def has_ink(image: Image.Image, box: tuple[int, int, int, int]) -> bool:
    darkest, _lightest = image.crop(box).getextrema()
    return bool(darkest <= INK)


@pytest.mark.parametrize("name", REPORTS)
def test_pages_are_a4_with_ink_and_clear_side_margins(name: str, request: pytest.FixtureRequest) -> None:
    drawn = pages(REPORTS[name](request), name)
    assert drawn
    for number, ((width, height), image) in enumerate(drawn, start=1):
        assert (round(width, 1), round(height, 1)) == A4_POINTS, (name, number)
        band = round(CLEAR_MM * POINTS_PER_MM * SCALE)
        assert has_ink(image, (band, 0, image.width - band, image.height)), f"{name} page {number} is blank"
        assert not has_ink(image, (0, 0, band, image.height)), f"{name} page {number}: ink in the left margin"
        assert not has_ink(image, (image.width - band, 0, image.width, image.height)), (
            f"{name} page {number}: ink in the right margin"
        )
