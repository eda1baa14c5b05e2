"""The readers: every format to the same Document, and one-line errors for bad files.

Inputs are generated here (reportlab PDFs, Pillow scans, python-docx documents, HTML
strings), so each test shows exactly what it feeds in.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytesseract
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from careguide.ingest.errors import OcrUnavailableError, ReadError
from careguide.ingest.readers import pdf
from careguide.ingest.readers.dispatch import read_path, sniff_format
from careguide.ingest.settings import IngestSettings

SETTINGS = IngestSettings()
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)",
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def read_error(path: Path, settings: IngestSettings = SETTINGS) -> str:
    with pytest.raises(ReadError) as caught:
        read_path(path, settings)
    message = str(caught.value)
    assert "\n" not in message
    assert path.name in message
    return message


def make_pdf(pages: list[list[str]]) -> bytes:
    """A text PDF: each inner list is one page, one line per string."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.setTitle("Keeping children safe")
    for lines in pages:
        y = 780
        for line in lines:
            sheet.setFont("Helvetica-Bold" if line[0].isupper() else "Helvetica", 12)
            sheet.drawString(72, y, line)
            y -= 20
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


GUIDANCE_PAGES = [
    ["Chapter 1: Introduction", "1. Local authorities must safeguard children.", "2. Act early."],
    ["Chapter 2: Assessment", "3. An assessment must be timely.", "4. It must be proportionate."],
    ["Annex A: Glossary", "5. A child is anyone under 18."],
]


def encrypt(data: bytes, user_password: str, owner_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    # RC4 works without the optional 'cryptography' package that AES needs.
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf(lines: list[str]) -> bytes:
    """An image-only PDF: the text is pixels, as from a scanner, with no text layer."""
    page = Image.new("L", (1700, 2200), color=255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=56)
    for i, line in enumerate(lines):
        draw.text((120, 150 + i * 110), line, fill=0, font=font)
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=200.0)
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------


def test_pdf_keeps_page_numbers_and_text_per_page(tmp_path: Path) -> None:
    data = make_pdf(GUIDANCE_PAGES)
    path = write(tmp_path, "guidance.pdf", data)

    document = read_path(path, SETTINGS)

    assert document.format == "pdf"
    assert document.source == "guidance.pdf"
    assert document.path == str(path)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.title_hint == "Keeping children safe"
    assert not document.ocr
    assert [page.number for page in document.pages] == [1, 2, 3]
    assert "1. Local authorities must safeguard children." in document.pages[0].text
    assert "Chapter 2: Assessment" in document.pages[1].text
    assert "4. It must be proportionate." in document.pages[1].text
    assert "5. A child is anyone under 18." in document.pages[2].text
    assert "Assessment" not in document.pages[0].text


def test_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.pdf", encrypt(make_pdf(GUIDANCE_PAGES), "", "owner"))

    document = read_path(path, SETTINGS)

    assert "Act early." in document.pages[0].text


def test_pdf_needing_a_password_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "report.pdf", encrypt(make_pdf(GUIDANCE_PAGES), "secret"))

    assert read_error(path) == (
        "cannot read report.pdf: it is encrypted; save an unencrypted copy and ingest again"
    )


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    data = make_pdf(GUIDANCE_PAGES)
    path = write(tmp_path, "cut.pdf", data[: len(data) // 2])

    message = read_error(path)

    assert message.startswith("cut.pdf is not a readable PDF (")
    assert message.endswith("); check the file or export it again")


def test_junk_named_pdf_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "junk.pdf", bytes(range(256)) * 20)

    assert read_error(path) == (
        "junk.pdf is not a readable PDF (no %PDF header); check the file or export it again"
    )


def test_pdf_header_followed_by_junk_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "fake.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20)

    assert read_error(path).startswith("fake.pdf is not a readable PDF (")


def test_zip_renamed_pdf_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.pdf", make_pdf(GUIDANCE_PAGES))
    path = write(tmp_path, "bundle.pdf", buffer.getvalue())

    assert read_error(path) == (
        "bundle.pdf is a zip archive, not a PDF; unzip it and ingest the files inside"
    )


def test_web_page_saved_as_pdf_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, "download.pdf", b"<!DOCTYPE html><html><body>403 Forbidden</body></html>"
    )

    assert read_error(path) == (
        "download.pdf is a web page, not a PDF (perhaps a failed download); download the file again"
    )


@needs_tesseract
def test_scanned_pdf_is_read_with_ocr(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", scanned_pdf(["Corporate parenting", "Children in care"]))

    document = read_path(path, SETTINGS)

    assert document.ocr
    assert [page.number for page in document.pages] == [1]
    assert "Corporate parenting" in document.pages[0].text
    assert "Children in care" in document.pages[0].text
    assert document.warnings == ["no text layer on page(s) 1; read with OCR"]


@needs_tesseract
def test_scanned_pdf_without_poppler_uses_the_embedded_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        pdf.shutil, "which", lambda cmd: None if cmd == "pdftoppm" else real_which(cmd)
    )
    path = write(tmp_path, "scan.pdf", scanned_pdf(["Placement stability"]))

    document = read_path(path, SETTINGS)

    assert document.ocr
    assert "Placement stability" in document.pages[0].text


def test_scanned_pdf_without_tesseract_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract"))
    path = write(tmp_path, "scan.pdf", scanned_pdf(["Corporate parenting"]))

    with pytest.raises(OcrUnavailableError) as caught:
        read_path(path, SETTINGS)

    assert str(caught.value) == (
        "scan.pdf is a scanned PDF and needs OCR: install Tesseract "
        "(apt-get install tesseract-ocr tesseract-ocr-eng) and ingest again"
    )


@needs_tesseract
def test_only_the_pages_without_text_are_read_with_ocr(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.append(io.BytesIO(make_pdf(GUIDANCE_PAGES[:1])))
    writer.append(io.BytesIO(scanned_pdf(["Leaving care"])))
    writer.append(io.BytesIO(make_pdf(GUIDANCE_PAGES[1:2])))
    buffer = io.BytesIO()
    writer.write(buffer)
    path = write(tmp_path, "mixed.pdf", buffer.getvalue())

    document = read_path(path, SETTINGS)

    assert [page.number for page in document.pages] == [1, 2, 3]
    assert "Act early." in document.pages[0].text
    assert "Leaving care" in document.pages[1].text
    assert "Chapter 2: Assessment" in document.pages[2].text
    assert document.warnings == ["no text layer on page(s) 2; read with OCR"]


def test_pdf_with_only_blank_pages_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.pdf", make_pdf([[], []]))

    assert read_error(path) == (
        "blank.pdf has no readable text (no text layer and no scanned images); "
        "check the file or export it again with text"
    )


def test_blank_page_does_not_need_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract"))
    path = write(tmp_path, "gap.pdf", make_pdf([GUIDANCE_PAGES[0], [], GUIDANCE_PAGES[1]]))

    document = read_path(path, SETTINGS)

    assert not document.ocr
    assert [page.text.strip() for page in document.pages][1] == ""


@needs_tesseract
def test_missing_ocr_language_says_what_to_install(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", scanned_pdf(["Corporate parenting"]))

    with pytest.raises(OcrUnavailableError) as caught:
        read_path(path, IngestSettings(ocr_language="xyz"))

    assert str(caught.value) == (
        "scan.pdf needs OCR in language 'xyz' but Tesseract has no data for it: "
        "install tesseract-ocr-xyz (or set CAREGUIDE_INGEST__OCR_LANGUAGE) and ingest again"
    )


# --- HTML -----------------------------------------------------------------------------

GOVUK_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><title>Children's homes guide - GOV.UK</title>
<style>body { color: red }</style><script>var tracking = "script text";</script></head>
<body>
<div id="global-cookie-message" class="gem-c-cookie-banner">We use cookies</div>
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="govuk-header"><a href="/">GOV.UK</a></header>
<nav class="govuk-breadcrumbs"><a href="/">Home</a> Children</nav>
<main id="main-content">
  <header class="gem-c-title"><h1>Guide to the children's homes regulations</h1></header>
  <p>This guide explains
     the   <strong>quality standards</strong>.</p>
  <h2>Staffing</h2>
  <ol start="3">
    <li>Staff must be trained.</li>
    <li>Managers must be registered.</li>
  </ol>
  <ul><li>One point</li><li>Another <a href="/x">point</a></li></ul>
  <table>
    <tbody><tr><td>Quality standard</td><td>Regulation 6</td></tr></tbody>
    <thead><tr><th>Standard</th><th>Regulation</th></tr></thead>
  </table>
  <div class="gem-c-related-navigation"><h2>Related content</h2><a href="/r">Other</a></div>
</main>
<footer class="govuk-footer">Crown copyright</footer>
<noscript>Enable JavaScript</noscript>
</body></html>
"""


def test_html_keeps_only_the_content_in_the_text_convention(tmp_path: Path) -> None:
    path = write(tmp_path, "homes.html", GOVUK_PAGE)

    document = read_path(path, SETTINGS)

    assert document.format == "html"
    assert document.title_hint == "Children's homes guide"
    assert [page.number for page in document.pages] == [None]
    assert document.text == "\n\n".join(
        [
            "# Guide to the children's homes regulations",
            "This guide explains the quality standards.",
            "## Staffing",
            "- 3. Staff must be trained.",
            "- 4. Managers must be registered.",
            "- One point",
            "- Another point",
            "Standard\tRegulation\nQuality standard\tRegulation 6",
        ]
    )


def test_html_list_item_that_prints_its_own_number_keeps_it(tmp_path: Path) -> None:
    page = "<html><body><ol><li>7. Already numbered</li><li>Next</li></ol></body></html>"
    path = write(tmp_path, "numbered.htm", page)

    assert read_path(path, SETTINGS).text == "- 7. Already numbered\n\n- 2. Next"


def test_html_without_main_reads_the_body_and_breaks(tmp_path: Path) -> None:
    page = "<html><body><div>First line<br>second line</div><p>Para</p></body></html>"
    path = write(tmp_path, "plain.html", page)

    assert read_path(path, SETTINGS).text == "First line\nsecond line\n\nPara"


def test_html_with_no_body_text_is_refused(tmp_path: Path) -> None:
    page = "<html><head><title>Loading</title><script>go()</script></head><body></body></html>"
    path = write(tmp_path, "empty.html", page)

    assert read_error(path) == (
        "empty.html has no readable text; save the page with its content "
        "(not a script-only or empty page) and ingest again"
    )


def test_deeply_nested_html_does_not_blow_the_stack(tmp_path: Path) -> None:
    depth = 50_000  # far past the recursion limit; bs4 builds the tree that deep
    page = "<html><body>" + "<div><span>" * depth + "deep text" + "</span></div>" * depth
    path = write(tmp_path, "deep.html", page + "</body></html>")

    document = read_path(path, SETTINGS)

    assert document.format == "html"


# --- Word -----------------------------------------------------------------------------


def test_docx_keeps_headings_lists_and_tables_in_order(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("Fostering services", level=0)
    word.add_paragraph("Introductory paragraph.")
    word.add_heading("Standard 1", level=1)
    word.add_paragraph("First point", style="List Bullet")
    word.add_paragraph("1. Numbered in the text", style="List Number")
    table = word.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [["Outcome", "Evidence"], ["Safe", "Visits"]], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    word.add_heading("Details", level=2)
    word.add_paragraph("After\tthe table.")
    path = tmp_path / "fostering.docx"
    word.save(str(path))

    document = read_path(path, SETTINGS)

    assert document.format == "docx"
    assert document.title_hint == "Fostering services"
    assert document.text == "\n\n".join(
        [
            "# Fostering services",
            "Introductory paragraph.",
            "# Standard 1",
            "- First point",
            "- 1. Numbered in the text",
            "Outcome\tEvidence\nSafe\tVisits",
            "## Details",
            "After the table.",
        ]
    )


def test_docx_title_comes_from_core_properties(tmp_path: Path) -> None:
    word = docx.Document()
    word.core_properties.title = "Declared title"
    word.add_paragraph("Body")
    path = tmp_path / "titled.docx"
    word.save(str(path))

    assert read_path(path, SETTINGS).title_hint == "Declared title"


def test_zip_named_docx_without_a_document_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    path = write(tmp_path, "broken.docx", buffer.getvalue())

    assert read_error(path) == (
        "broken.docx is not a readable Word document (no word/document.xml inside); "
        "open it in Word and save it as .docx again"
    )


def test_damaged_docx_package_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not-xml")
    path = write(tmp_path, "damaged.docx", buffer.getvalue())

    message = read_error(path)

    assert message.startswith("damaged.docx is not a readable Word document (")
    assert message.endswith("); open it in Word and save it as .docx again")


# --- Text and Markdown ----------------------------------------------------------------


def test_markdown_is_kept_as_is_with_newlines_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.md", b"\xef\xbb\xbf# Notes\r\n\r\n- item\rend")

    document = read_path(path, SETTINGS)

    assert document.format == "md"
    assert document.title_hint == "Notes"
    assert document.text == "# Notes\n\n- item\nend"
    assert document.warnings == []


def test_cp1252_text_is_decoded_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "old.txt", "Children’s rights – café\n".encode("cp1252"))

    document = read_path(path, SETTINGS)

    assert document.format == "txt"
    assert document.text == "Children’s rights – café\n"
    assert document.warnings == ["decoded as cp1252"]


def test_utf16_text_with_bom_is_decoded(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.txt", "Care leavers’ offer\r\nline two".encode("utf-16"))

    document = read_path(path, SETTINGS)

    assert document.text == "Care leavers’ offer\nline two"
    assert document.warnings == []


def test_text_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "binary.txt", b"text\x00\x01\x02more")

    assert read_error(path) == (
        "binary.txt contains binary data (NUL bytes); is it really a text file?"
    )


# --- Common checks --------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\t ", "  \n".encode("utf-16")])
def test_empty_file_is_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "blank.txt", data)

    assert read_error(path) == "blank.txt is empty; nothing to ingest"


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "word " * 40_000)  # 200,000 bytes, about 0.2 MB

    message = read_error(path, IngestSettings(max_file_mb=0.1))

    assert message == (
        "big.txt is 0.2 MB, over the 0.1 MB limit; split it or raise CAREGUIDE_INGEST__MAX_FILE_MB"
    )


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert read_error(tmp_path / "gone.pdf") == "cannot read gone.pdf: no such file; check the path"


def test_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()

    assert read_error(folder) == "reports is a folder, not a file; ingest the files inside it"


def test_unsupported_type_names_the_supported_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "sheet.csv", "a,b\n1,2\n")

    assert read_error(path) == (
        "sheet.csv is not a supported file type; careguide reads PDF, HTML, Word (.docx), "
        "Markdown (.md) and plain text (.txt) files"
    )


def test_old_word_format_is_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)

    assert read_error(path) == (
        "old.doc is an old-style Office file (.doc/.xls); save it as .docx or PDF and ingest again"
    )


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"%PDF-1.7 ...", "report.txt", "pdf"),
        (b"<!DOCTYPE html><html>", "page.txt", "html"),
        ("\ufeff<html><body>x".encode("utf-16"), "page", "html"),
        (b"<p>fragment</p>", "page.htm", "html"),
        (b"# Title", "notes.md", "md"),
        (b"plain", "notes.TXT", "txt"),
        (b"plain", "notes.csv", None),
        (b"not a pdf", "report.pdf", None),
        (b"PK\x03\x04junk", "report.docx", None),
        (b"junk then %PDF-1.4", "report.pdf", "pdf"),
        (b"mentions %PDF- in passing", "notes.txt", "txt"),
    ],
)
def test_sniff_format_trusts_content_before_extension(
    data: bytes, name: str, expected: str | None
) -> None:
    assert sniff_format(data, name) == expected


def test_sniff_format_recognises_a_docx_package() -> None:
    buffer = io.BytesIO()
    docx.Document().save(buffer)

    assert sniff_format(buffer.getvalue(), "renamed.bin") == "docx"


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    head=st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<html>", b"\xff\xfe"]),
    body=st.binary(max_size=400),
    suffix=st.sampled_from([".pdf", ".docx", ".html", ".md", ".txt", ".bin"]),
)
def test_any_bytes_give_a_document_or_a_one_line_read_error(
    tmp_path: Path, head: bytes, body: bytes, suffix: str
) -> None:
    path = write(tmp_path, "fuzz" + suffix, head + body)
    try:
        document = read_path(path, SETTINGS)
    except ReadError as error:
        assert "\n" not in str(error)
        assert path.name in str(error)
    else:
        assert document.text.strip()
