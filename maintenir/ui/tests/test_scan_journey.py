"""The technician scans a part with the phone's camera: chromium's fake camera shows the QR code of the
equivalent in their van, the order's parts section chooses it, and it is taken from the van instead of the
missing part, as the order then records. The technician completes the order; the van is now under its reorder
point, and the manager orders the refill from the reorder suggestion and sends the purchase order by e-mail."""

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import segno
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from maintenir.stores import services as stock
from maintenir.stores.choices import LocationKind, PurchaseOrderStatus
from maintenir.stores.models import PurchaseOrder
from maintenir.stores.tests.factories import (
    InterchangeabilityFactory,
    LocationFactory,
    PartFactory,
    SupplierPartFactory,
)
from maintenir.stores.tests.purchasing_factories import ReorderRuleFactory
from maintenir.ui.tests.browser import CHROMIUM, LAUNCH_ARGS, open_browser, screenshot_path, session_cookies
from maintenir.workorders import services
from maintenir.workorders.choices import WorkOrderStatus, WorkOrderType
from maintenir.workorders.models import PartUsage
from maintenir.workorders.tests.factories import WorkOrderFactory

WIDTH, HEIGHT, FRAMES = 640, 480, 10


def fake_camera_video(value: str, path: Path) -> Path:
    """A few frames of a QR code of `value`, as the YUV4MPEG2 video chromium's fake camera plays in a loop."""
    png = io.BytesIO()
    segno.make_qr(value, error="m").save(png, kind="png", scale=8, border=4)
    code = Image.open(io.BytesIO(png.getvalue())).convert("L")
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    luma, blue, red = frame.convert("RGB").convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(FRAMES):
            video.write(b"FRAME\n" + planes)
    return path


@pytest.fixture
def camera_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Chromium whose camera is a fake device showing the QR code of "4012802" (allowed without asking)."""
    video = fake_camera_video("4012802", tmp_path / "qr.y4m")
    camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    monkeypatch.setattr("maintenir.ui.tests.browser.LAUNCH_ARGS", [*LAUNCH_ARGS, *camera])
    yield from open_browser(monkeypatch)


def test_the_fake_camera_video_is_a_qr_code_of_the_value(tmp_path: Path) -> None:
    """The video's first frame, read back from its luma plane, is the code, centred on white."""
    data = fake_camera_video("4012802", tmp_path / "qr.y4m").read_bytes()
    header, _, rest = data.partition(b"\n")
    assert header == b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg"
    assert rest.count(b"FRAME\n") >= FRAMES
    luma = Image.frombytes("L", (WIDTH, HEIGHT), rest[len(b"FRAME\n") : len(b"FRAME\n") + WIDTH * HEIGHT])
    assert luma.getpixel((0, 0)) > 250
    assert luma.getextrema()[0] < 5


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_technician_scans_the_equivalent_in_the_van_and_the_manager_orders_the_refill(
    live_server: Any, camera_browser: Any, request: pytest.FixtureRequest, mailoutbox: list[Any]
) -> None:
    assert CHROMIUM.exists()
    technician, manager = request.getfixturevalue("technician"), request.getfixturevalue("manager")
    equipment = request.getfixturevalue("equipment_a")
    # A bearing changed because its vibration rose: condition-based preventive work.
    order = WorkOrderFactory(
        equipment=equipment,
        status=WorkOrderStatus.PLANNED,
        assignees=[technician],
        work_type=WorkOrderType.PREVENTIVE_CONDITIONAL,
    )
    bearing = PartFactory(reference="RLT-6205-SKF", description="Roulement 6205-2RS SKF")
    fag = PartFactory(reference="RLT-6205-FAG", description="Roulement 6205-2RS FAG", barcode="4012802")
    InterchangeabilityFactory(part=bearing, replacement=fag, mutual=True)
    central = LocationFactory(name="Magasin central Lyon")
    van = LocationFactory(name="Fourgon GH-456-IJ", kind=LocationKind.VAN, technician=technician)
    # The order's bearing is reserved at the central store, far away; the technician's van has the FAG one.
    stock.receive(manager, bearing, central, Decimal(1), Decimal("7.20"))
    stock.receive(manager, fag, van, Decimal(2), Decimal("6.80"))
    services.reserve_part(technician, order, bearing, central, Decimal(1))
    # The van keeps two to four FAG bearings, bought from a bearing dealer.
    ReorderRuleFactory(part=fag, location=van, reorder_point=Decimal(2), maximum=Decimal(4))
    SupplierPartFactory(
        part=fag, supplier__name="Roulements Rhône-Alpes", supplier__email="commandes@roulements-ra.example"
    )
    order.status = WorkOrderStatus.IN_PROGRESS
    order.save(update_fields=["status"])

    context = camera_browser.new_context(locale="en-US", viewport={"width": 360, "height": 800})
    context.set_default_timeout(15_000)
    context.add_cookies(session_cookies(live_server.url, technician, "en"))
    tab = context.new_page()
    tab.goto(f"{live_server.url}{reverse('workorder-execute', args=[order.pk])}")
    parts = tab.locator("#parts")
    parts.get_by_role("button", name="Scan with the camera").click()
    # The camera reads the code, the form goes to the scan, which comes back with the part chosen.
    chosen = f"{live_server.url}{reverse('workorder-execute', args=[order.pk])}?part={fag.pk}#parts"
    expect(tab).to_have_url(chosen, timeout=15_000)
    issue = tab.locator("#action-issue")
    expect(issue.locator('[name="issue-part"]')).to_have_value(str(fag.pk))
    expect(issue.locator('[name="issue-location"]')).to_have_value(str(van.pk))
    expect(issue.locator('[name="issue-instead_of"]')).to_have_value(str(bearing.pk))
    tab.screenshot(path=screenshot_path("scan/part-chosen.png"), full_page=True)
    # The scanner and the form fit a small phone.
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    issue.get_by_role("button", name="Take the part from stock").click()
    expect(tab.locator(".messages")).to_contain_text("Part taken from stock.")
    expect(tab.locator("#parts")).to_contain_text("instead of RLT-6205-SKF")
    tab.locator("#sign-offs").get_by_label("Name").first.fill("Julien Garnier")
    tab.get_by_role("button", name="Sign off as technician").click()
    expect(tab.locator(".messages")).to_contain_text("Technician sign-off recorded.")
    tab.locator("#complete").get_by_role("button", name="Complete").click()
    expect(tab.locator(".messages")).to_contain_text("Work order completed.")
    context.close()
    usage = PartUsage.objects.get(work_order=order)
    assert (usage.part, usage.instead_of, usage.movement.location) == (fag, bearing, van)
    assert stock.available(fag, van) == Decimal(1)
    # The SKF bearing's reservation, which the FAG one replaced, is given back to the central store.
    assert stock.available(bearing, central) == Decimal(1)

    context = camera_browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_cookies(session_cookies(live_server.url, manager, "en"))
    tab = context.new_page()
    tab.goto(f"{live_server.url}{reverse('purchasing-reorder')}")
    proposals = tab.locator("#proposals")
    expect(proposals).to_contain_text("RLT-6205-FAG")
    expect(proposals).to_contain_text("Roulements Rhône-Alpes")
    tab.screenshot(path=screenshot_path("scan/reorder.png"), full_page=True)
    proposals.get_by_role("button", name="Order the selected parts").click()
    expect(tab.locator(".messages")).to_contain_text("1 purchase order drafted.")
    purchase = PurchaseOrder.objects.get()
    tab.goto(f"{live_server.url}{purchase.get_absolute_url()}")
    tab.get_by_role("button", name="Send by e-mail with the PDF").click()
    expect(tab.locator(".messages")).to_contain_text("Sent to commandes@roulements-ra.example.")
    context.close()
    purchase.refresh_from_db()
    assert purchase.status == PurchaseOrderStatus.SENT
    # Up to the van's maximum of four, from the one left.
    assert [(line.part, line.location, line.quantity) for line in purchase.lines.all()] == [(fag, van, 3)]
    [sent] = mailoutbox
    assert sent.to == ["commandes@roulements-ra.example"]
    assert [name for name, _content, kind in sent.attachments if kind == "application/pdf"] == [
        f"{purchase.number}.pdf"
    ]
