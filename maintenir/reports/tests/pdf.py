"""Reading a generated PDF back as a person would: its text, page by page."""

import io

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text of every page, with runs of whitespace made single spaces so that figures split
    across table cells or lines still match."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
