"""Uploads: what is shown inline, what is downloaded, size limits by kind, photos re-encoded."""

from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from maintenir.assets.models import Document
from maintenir.assets.tests.factories import DocumentFactory
from maintenir.core.tests.clients import client_for
from maintenir.people.choices import PreventionDocumentKind
from maintenir.people.models import PreventionPlan
from maintenir.people.tests.factories import PreventionPlanFactory
from maintenir.workorders.models import TEXT_MAX_LENGTH, WorkOrder, WorkRequest, WorkRequestPhoto
from maintenir.workorders.tests.factories import WorkRequestPhotoFactory

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>window.xss=1</script></svg>'
HTML = b"<html><body><script>window.xss=1</script></body></html>"
PDF = b"%PDF-1.4 manual"
GPS_IFD = 0x8825


def png(size: tuple[int, int] = (8, 8), padding: int = 0, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (45.0, 30.0, 0.0)}
    out = BytesIO()
    image.save(out, format="PNG", exif=exif)
    return out.getvalue() + b"\0" * padding


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (45.0, 30.0, 0.0)}
    out = BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _document(equipment: Any, name: str, content: bytes) -> str:
    document = DocumentFactory(site=equipment.site, equipment=equipment, file=ContentFile(content, name=name))
    return reverse("document-file", args=[document.pk])


def _photo(equipment: Any, name: str, content: bytes) -> str:
    photo = WorkRequestPhotoFactory(work_request__site=equipment.site, work_request__equipment=equipment)
    photo.image.save(name, ContentFile(content))
    return reverse("workrequest-photo", args=[photo.pk])


def _plan(equipment: Any, name: str, content: bytes) -> str:
    plan = PreventionPlanFactory(site=equipment.site)
    plan.document.save(name, ContentFile(content))
    return reverse("prevention-plan-document", args=[plan.pk])


STORED: dict[str, Callable[[Any, str, bytes], str]] = {"document": _document, "photo": _photo, "plan": _plan}


@pytest.mark.parametrize("route", STORED)
@pytest.mark.parametrize(
    ("name", "content"),
    [("drawing.svg", SVG), ("page.html", HTML), ("photo.png", HTML), ("manual.pdf", SVG), ("notes.txt", b"hello")],
)
def test_anything_but_checked_images_and_pdf_is_downloaded(
    manager: Any, equipment_a: Any, route: str, name: str, content: bytes
) -> None:
    response = client_for(manager).get(STORED[route](equipment_a, name, content))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize("route", STORED)
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.png", png(), "image/png"),
        ("photo.jpg", jpeg_with_gps(), "image/jpeg"),
        ("manual.pdf", PDF, "application/pdf"),
    ],
)
def test_checked_images_and_pdf_are_shown_inline(
    manager: Any, equipment_a: Any, route: str, name: str, content: bytes, content_type: str
) -> None:
    response = client_for(manager).get(STORED[route](equipment_a, name, content))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_response_has_a_strict_content_security_policy(manager: Any) -> None:
    policy = client_for(manager).get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


# --- Size limits and re-encoding -------------------------------------------------------------


def _report(client: Any, equipment: Any, photo: SimpleUploadedFile) -> Any:
    return client.post(
        reverse("workrequest-add"),
        {"equipment": equipment.pk, "symptom": "Oil under the press", "urgency": 2, "photos": [photo]},
    )


def test_a_padded_photo_is_stored_re_encoded_without_its_gps_position(operator_a: Any, equipment_a: Any) -> None:
    padded = png(padding=2 * 1024 * 1024, gps=True)
    assert Image.open(BytesIO(padded)).getexif().get_ifd(GPS_IFD)
    response = _report(client_for(operator_a), equipment_a, SimpleUploadedFile("p.png", padded, "image/png"))
    assert response.status_code == 302
    stored = WorkRequestPhoto.objects.get().image
    assert stored.size < 10_000
    with Image.open(stored.open("rb")) as image:
        assert image.size == (8, 8)
        assert not image.getexif().get_ifd(GPS_IFD)


def test_a_jpeg_keeps_its_pixels_and_loses_its_gps_position(operator_a: Any, equipment_a: Any) -> None:
    upload = SimpleUploadedFile("p.jpg", jpeg_with_gps(), "image/jpeg")
    assert _report(client_for(operator_a), equipment_a, upload).status_code == 302
    with Image.open(WorkRequestPhoto.objects.get().image.open("rb")) as image:
        assert image.format == "JPEG"
        assert not image.getexif().get_ifd(GPS_IFD)


def test_a_photo_over_the_limit_is_refused_and_nothing_stored(settings: Any, operator_a: Any, equipment_a: Any) -> None:
    settings.MAINTENIR_MAX_PHOTO_MB = 0.01
    response = _report(client_for(operator_a), equipment_a, SimpleUploadedFile("big.png", png(padding=20_000)))
    assert response.status_code == 200
    assert "the limit is 0.01 MB" in response.context["form"].errors["photos"][0]
    assert not WorkRequest.objects.exists()
    assert not WorkRequestPhoto.objects.exists()


def test_a_document_over_the_limit_is_refused_and_nothing_stored(
    settings: Any, technician: Any, equipment_a: Any
) -> None:
    settings.MAINTENIR_MAX_DOCUMENT_MB = 0.01
    response = client_for(technician).post(
        reverse("document-add", args=[equipment_a.pk]),
        {"document_type": "manual", "title": "Notice", "version": "A", "file": SimpleUploadedFile("n.pdf", PDF * 1000)},
    )
    assert response.status_code == 200
    assert "the limit is 0.01 MB" in response.context["document_form"].errors["file"][0]
    assert not Document.objects.exists()


def test_a_prevention_plan_document_over_the_limit_is_refused(settings: Any, manager: Any, site_a: Any) -> None:
    settings.MAINTENIR_MAX_DOCUMENT_MB = 0.01
    response = client_for(manager).post(
        reverse("prevention-plan-add", args=[site_a.pk]),
        {
            "kind": PreventionDocumentKind.PREVENTION_PLAN,
            "reference": "PDP-1",
            "valid_from": "2026-01-01",
            "document": SimpleUploadedFile("p.pdf", PDF * 1000),
        },
    )
    assert response.status_code == 200
    assert "the limit is 0.01 MB" in str(response.content)
    assert not PreventionPlan.objects.exists()


def test_a_request_body_over_the_limit_is_refused_with_413(settings: Any, client_a: Any, site_a: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(client_a).post(
        "/api/work-requests", {"site": site_a.pk, "symptom": "x" * 2000}, content_type="application/json"
    )
    assert response.status_code == 413
    assert "the limit is 1000 bytes" in response.json()["detail"]
    assert not WorkRequest.objects.exists()


def test_the_api_refuses_a_symptom_over_its_maximum_length(client_a: Any, site_a: Any) -> None:
    response = client_for(client_a).post(
        "/api/work-requests", {"site": site_a.pk, "symptom": "x" * 4001}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "symptom" in str(response.json())
    assert not WorkRequest.objects.exists()


def test_the_api_refuses_a_work_order_description_over_its_maximum_length(manager: Any, site_a: Any) -> None:
    response = client_for(manager).post(
        "/api/work-orders",
        {"site": site_a.pk, "title": "Leak", "description": "x" * (TEXT_MAX_LENGTH + 1)},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "description" in str(response.json())
    assert not WorkOrder.objects.exists()


def test_the_work_order_form_refuses_a_description_over_its_maximum_length(manager: Any, site_a: Any) -> None:
    response = client_for(manager).post(
        reverse("workorder-add"),
        {"site": site_a.pk, "work_type": "corrective", "title": "Leak", "description": "x" * (TEXT_MAX_LENGTH + 1)},
    )
    assert response.status_code == 200
    assert "at most 10000 characters" in str(response.context["form"].errors["description"])
    assert not WorkOrder.objects.exists()
