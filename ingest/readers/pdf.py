"""PDF with pypdf: one PageText per page, page numbers kept; scanned pages read by OCR.

Text is pypdf's ``extract_text()`` output as-is; the cleaning stage repairs it. A page
with no text layer but with images is a scanned page: it is rendered (with poppler's
``pdftoppm`` when installed, else from its largest embedded image) and read by
Tesseract.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytesseract
from PIL import Image
from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import DependencyError

from careguide.ingest.errors import OcrUnavailableError, ReadError
from careguide.ingest.models import Document, PageText
from careguide.ingest.readers._common import load_bytes, make_document, reason
from careguide.ingest.settings import IngestSettings

RENDER_LONG_SIDE_PX = 3500  # about 300 dpi on A4: enough for Tesseract, small enough for Pillow
RENDER_TIMEOUT_S = 120
OCR_TIMEOUT_S = 300
PLACEHOLDER_TITLES = frozenset({"untitled", "title", "document", "slide 1"})  # tools' defaults


def read(path: Path, settings: IngestSettings) -> Document:
    data = load_bytes(path)
    with _quiet_pypdf():
        reader = _open(path, data)
        pages, notes = _extract(path, reader)
        scanned = [i for i, text in enumerate(pages) if not text.strip() and _has_images(reader, i)]
        if scanned:
            _require_tesseract(path)
            for i in scanned:
                pages[i] = _ocr_page(path, reader.pages[i], i + 1, settings, notes)
            numbers = ", ".join(str(i + 1) for i in scanned)
            notes.append(f"no text layer on page(s) {numbers}; read with OCR")
        title = _title(reader)
    if not any(text.strip() for text in pages):
        why = "OCR found no words" if scanned else "no text layer and no scanned images"
        raise ReadError(
            f"{path.name} has no readable text ({why}); check the file or export it again with text"
        )
    return make_document(
        path,
        data,
        "pdf",
        [PageText(number=n, text=text) for n, text in enumerate(pages, start=1)],
        title_hint=title,
        warnings=notes,
        ocr=bool(scanned),
    )


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's warnings and log messages about damaged but readable files."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _not_readable(path: Path, why: str) -> ReadError:
    return ReadError(
        f"{path.name} is not a readable PDF ({why}); check the file or export it again"
    )


def _encrypted(path: Path) -> ReadError:
    return ReadError(
        f"cannot read {path.name}: it is encrypted; save an unencrypted copy and ingest again"
    )


def _open(path: Path, data: bytes) -> PdfReader:
    """Open the PDF leniently, decrypting with the empty password when it is encrypted."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # pypdf raises many types for damaged files
        raise _not_readable(path, reason(exc)) from None
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except DependencyError:
            # AES needs the optional 'cryptography' package, which careguide does not require.
            raise ReadError(
                f"cannot read {path.name}: it is AES-encrypted; save an unencrypted copy "
                "(or pip install cryptography) and ingest again"
            ) from None
        except Exception:
            decrypted = False
        if not decrypted:
            raise _encrypted(path)
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise _not_readable(path, reason(exc)) from None
    if count == 0:
        raise _not_readable(path, "it has no pages")
    return reader


def _extract(path: Path, reader: PdfReader) -> tuple[list[str], list[str]]:
    """Text of every page; a page that fails is left empty with a warning."""
    pages: list[str] = []
    notes: list[str] = []
    for number in range(1, len(reader.pages) + 1):
        try:
            pages.append(reader.pages[number - 1].extract_text())
        except Exception as exc:
            pages.append("")
            notes.append(f"page {number}: text could not be extracted ({reason(exc)})")
    if len(notes) == len(pages):
        raise _not_readable(path, "no page could be read")
    return pages, notes


def _has_images(reader: PdfReader, index: int) -> bool:
    try:
        return len(reader.pages[index].images) > 0
    except Exception:
        return False


def _title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:
        return None
    text = " ".join(str(title or "").split())
    if text.lower() in PLACEHOLDER_TITLES or text.startswith("Microsoft Word - "):
        return None
    return text or None


def _require_tesseract(path: Path) -> None:
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise _ocr_unavailable(path)


def _ocr_unavailable(path: Path) -> OcrUnavailableError:
    return OcrUnavailableError(
        f"{path.name} is a scanned PDF and needs OCR: install Tesseract "
        "(apt-get install tesseract-ocr tesseract-ocr-eng) and ingest again"
    )


def _ocr_page(
    path: Path, page: PageObject, number: int, settings: IngestSettings, notes: list[str]
) -> str:
    image = _render(path, number) or _largest_image(page)
    if image is None:
        notes.append(f"page {number}: could not render the scanned page for OCR")
        return ""
    lang = settings.ocr_language
    try:
        text = pytesseract.image_to_string(image, lang=lang, timeout=OCR_TIMEOUT_S)
    except pytesseract.TesseractNotFoundError:
        raise _ocr_unavailable(path) from None
    except pytesseract.TesseractError as exc:
        if "language" in str(exc).lower():
            raise OcrUnavailableError(
                f"{path.name} needs OCR in language '{lang}' but Tesseract has no data for it: "
                f"install tesseract-ocr-{lang} (or set CAREGUIDE_INGEST__OCR_LANGUAGE) "
                "and ingest again"
            ) from None
        notes.append(f"page {number}: OCR failed ({reason(exc)})")
        return ""
    except RuntimeError as exc:  # pytesseract's timeout
        notes.append(f"page {number}: OCR failed ({reason(exc)})")
        return ""
    return str(text).rstrip("\f \n")


def _render(path: Path, number: int) -> Image.Image | None:
    """Page ``number`` rendered by pdftoppm, or None when poppler is missing or fails."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return None
    with tempfile.TemporaryDirectory(prefix="careguide-ocr-") as tmp:
        out = Path(tmp) / "page"
        command = [
            pdftoppm, "-f", str(number), "-l", str(number), "-singlefile", "-gray", "-png",
            "-scale-to", str(RENDER_LONG_SIDE_PX), str(path), str(out),
        ]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=RENDER_TIMEOUT_S, check=True)
            with Image.open(out.with_suffix(".png")) as image:
                image.load()
                return image.copy()
        except (OSError, subprocess.SubprocessError):
            return None


def _largest_image(page: PageObject) -> Image.Image | None:
    """The biggest embedded image of a page: the scan itself on an image-only page."""
    best: Image.Image | None = None
    try:
        for embedded in page.images:
            image = embedded.image
            if image is not None and (
                best is None or image.width * image.height > best.width * best.height
            ):
                best = image
    except Exception:
        return best
    return best
