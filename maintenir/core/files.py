"""Uploaded files: size limits by kind, photos re-encoded on the way in, and every stored file served so that
nothing in it can run in the application's origin."""

from io import BytesIO
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# Raster formats a browser shows as an image and never runs; anything else (SVG, HTML…) is downloaded.
INLINE_IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
PDF_MAGIC = b"%PDF-"
# Decoding a photo holds every pixel in memory: refuse a small file that unpacks into a huge image.
MAX_PHOTO_PIXELS = 50_000_000


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def check_size(file: File, limit_mb: float) -> None:
    """Refuse a file over the limit, naming both sizes."""
    if file.size is not None and file.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file “%(name)s” is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": PurePosixPath(file.name or "").name, "size": _megabytes(file.size), "limit": f"{limit_mb:g}"},
            code="file_too_large",
        )


def validate_document(file: File) -> None:
    """Form validator of documents (technical file, prevention plans)."""
    check_size(file, settings.MAINTENIR_MAX_DOCUMENT_MB)


def validate_photo(file: File) -> None:
    """Form validator of photos, before they are decoded."""
    check_size(file, settings.MAINTENIR_MAX_PHOTO_MB)


def reencode_photo(file: File) -> "ContentFile[bytes]":
    """The photo decoded and encoded again: what trails the image and its metadata (GPS position…) are dropped,
    its orientation applied to the pixels so it still shows upright."""
    validate_photo(file)
    name = PurePosixPath(file.name or "photo").stem
    try:
        file.seek(0)
        with Image.open(file) as image:
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise ValidationError(
                    _("The photo “%(name)s” has too many pixels (%(width)s×%(height)s).")
                    % {"name": file.name, "width": image.width, "height": image.height},
                    code="photo_too_large",
                )
            kind = image.format if image.format in INLINE_IMAGE_TYPES else "PNG"
            upright = ImageOps.exif_transpose(image)
            if kind == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            upright.info.pop("exif", None)
            encoded = BytesIO()
            upright.save(encoded, format=kind)
    except ValidationError:
        raise
    except Exception as error:  # Pillow raises many kinds for a file that is not an image it can decode
        raise ValidationError(
            _("The file “%(name)s” is not an image that can be read.") % {"name": file.name}, code="invalid_image"
        ) from error
    extension = {"JPEG": "jpg"}.get(kind, kind.lower())
    return ContentFile(encoded.getvalue(), name=f"{name}.{extension}")


def inline_type(handle: IO[bytes]) -> str | None:
    """The content type under which a file may be shown in the browser, checked on its content (never its name
    or declared type); None when it must be downloaded."""
    try:
        handle.seek(0)
        if handle.read(len(PDF_MAGIC)) == PDF_MAGIC:
            return "application/pdf"
        handle.seek(0)
        with Image.open(handle) as image:
            return INLINE_IMAGE_TYPES.get(image.format or "")
    except Exception:  # not an image Pillow recognises: downloaded
        return None
    finally:
        handle.seek(0)


def serve_upload(field_file: FieldFile, filename: str | None = None) -> FileResponse:
    """Serve a stored upload: shown inline only when it is a raster image or a PDF, otherwise downloaded as
    bytes the browser neither renders nor sniffs."""
    handle = field_file.open("rb")
    name = filename or PurePosixPath(field_file.name or "").name
    content_type = inline_type(handle)
    if content_type is None:
        response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/octet-stream")
    else:
        response = FileResponse(handle, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
