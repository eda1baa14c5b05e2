"""The front door of the readers: common checks, sniff the format, call its reader.

The format is judged from the content first (magic bytes) and the extension second, so a
PDF saved as ``.txt`` is still read as a PDF and a zip renamed ``.pdf`` is refused
clearly instead of confusing the PDF library.
"""

from __future__ import annotations

import codecs
import io
import math
import zipfile
from collections.abc import Callable
from pathlib import Path

from careguide.ingest.errors import ReadError
from careguide.ingest.models import Document
from careguide.ingest.readers import docx, html, pdf, text
from careguide.ingest.readers._common import load_bytes
from careguide.ingest.settings import IngestSettings

Reader = Callable[[Path, IngestSettings], Document]

READERS: dict[str, Reader] = {
    "pdf": pdf.read,
    "html": html.read,
    "docx": docx.read,
    "md": text.read,
    "txt": text.read,
}
SUPPORTED = "PDF, HTML, Word (.docx), Markdown (.md) and plain text (.txt)"
EXTENSIONS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
}
HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body")
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office formats (.doc, .xls)
SNIFF_BYTES = 1024
MB = 1024 * 1024


def read_path(path: Path, settings: IngestSettings) -> Document:
    """Read any supported file into a Document, or raise a one-line ReadError."""
    _check_size(path, settings)
    data = load_bytes(path)
    if not data.strip() or _is_blank_utf16(data):
        raise ReadError(f"{path.name} is empty; nothing to ingest")
    fmt = sniff_format(data, path.name)
    if fmt is None:
        raise _unsupported(path, data)
    try:
        return READERS[fmt](path, settings)
    except ReadError:
        raise
    except Exception as exc:  # a library failure no reader anticipated
        raise ReadError(
            f"cannot read {path.name} as {fmt} ({type(exc).__name__}); "
            "check the file or export it again"
        ) from None


def sniff_format(data: bytes, name: str) -> str | None:
    """'pdf', 'html', 'docx', 'md' or 'txt', from the content first and the extension second.

    Returns None when the file is not one careguide reads.
    """
    head = data[:SNIFF_BYTES]
    by_extension = EXTENSIONS.get(Path(name).suffix.lower())
    if head.startswith(ZIP_MAGIC):  # before the PDF test: a zip may store a PDF near its start
        return "docx" if _is_docx(data) else None
    if head.startswith(OLE_MAGIC):
        return None
    # PDF readers accept junk before the header; only trust that for a file named .pdf.
    if head.startswith(PDF_MAGIC) or (by_extension == "pdf" and PDF_MAGIC in head):
        return "pdf"
    if by_extension in {"pdf", "docx"}:
        return None  # the content said otherwise
    if _looks_like_html(head):
        return "html"
    return by_extension


def _looks_like_html(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        start = head.decode("utf-16", errors="ignore")
    else:
        start = head.decode("utf-8", errors="ignore")
    start = start.lstrip("\ufeff \t\r\n").lower()
    if start.startswith("<?xml"):
        return "<html" in start
    return start.startswith(HTML_MARKERS) or (start.startswith("<!--") and "<html" in start)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _is_blank_utf16(data: bytes) -> bool:
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return not data.decode("utf-16", errors="ignore").strip()


def _check_size(path: Path, settings: IngestSettings) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReadError(f"cannot read {path.name}: no such file; check the path") from None
    except OSError:
        return  # load_bytes reports it with the right words
    if path.is_dir():
        raise ReadError(f"{path.name} is a folder, not a file; ingest the files inside it")
    if info.st_size > settings.max_file_mb * MB:
        size = _format_mb(math.ceil(info.st_size / MB * 10) / 10)
        limit = _format_mb(settings.max_file_mb)
        raise ReadError(
            f"{path.name} is {size} MB, over the {limit} MB limit; "
            "split it or raise CAREGUIDE_INGEST__MAX_FILE_MB"
        )


def _format_mb(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:g}"


def _unsupported(path: Path, data: bytes) -> ReadError:
    """The most helpful refusal for a file no reader accepts."""
    name = path.name
    suffix = path.suffix.lower()
    if data.startswith(ZIP_MAGIC):
        if suffix == ".docx":
            return ReadError(
                f"{name} is not a readable Word document (no word/document.xml inside); "
                "open it in Word and save it as .docx again"
            )
        return ReadError(
            f"{name} is a zip archive, not a {_describe(suffix)}; "
            "unzip it and ingest the files inside"
        )
    if suffix in {".pdf", ".docx"} and _looks_like_html(data[:SNIFF_BYTES]):
        return ReadError(
            f"{name} is a web page, not a {_describe(suffix)} (perhaps a failed download); "
            "download the file again"
        )
    if data.startswith(OLE_MAGIC):
        return ReadError(
            f"{name} is an old-style Office file (.doc/.xls); "
            "save it as .docx or PDF and ingest again"
        )
    if suffix == ".pdf":
        return ReadError(
            f"{name} is not a readable PDF (no %PDF header); check the file or export it again"
        )
    if suffix == ".docx":
        return ReadError(
            f"{name} is not a readable Word document (not a zip package); "
            "open it in Word and save it as .docx again"
        )
    return ReadError(f"{name} is not a supported file type; careguide reads {SUPPORTED} files")


def _describe(suffix: str) -> str:
    return {
        ".pdf": "PDF",
        ".docx": "Word document",
        ".html": "web page",
        ".htm": "web page",
    }.get(suffix, "document careguide reads")
