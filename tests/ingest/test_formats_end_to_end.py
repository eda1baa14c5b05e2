"""Generated PDF, scanned PDF, Word and HTML files through the whole pipeline to passages."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.settings import IngestSettings

SENTENCE = "Local authorities must assess the needs of every child referred to them without delay"


def _numbered_pdf(path: Path) -> None:
    sheet = canvas.Canvas(str(path), pagesize=A4)
    sheet.setTitle("Assessment guidance")
    number = 1
    for chapter, name in ((1, "Introduction"), (2, "Assessment"), (3, "Planning")):
        y = 780
        sheet.setFont("Helvetica-Bold", 13)
        sheet.drawString(72, y, f"Chapter {chapter}: {name}")
        y -= 30
        sheet.setFont("Helvetica", 10)
        for _ in range(2):
            lines = [
                f"{number}. {SENTENCE} in chapter {chapter}.",
                f"{SENTENCE} and record it clearly.",
            ]
            y -= 12
            for line in lines:
                sheet.drawString(72, y, line)
                y -= 14
            number += 1
        sheet.drawString(290, 40, str(chapter))  # a printed page number
        sheet.showPage()
    sheet.save()


def test_generated_pdf_passages_carry_their_page_numbers(tmp_path: Path) -> None:
    _numbered_pdf(tmp_path / "guidance.pdf")
    result = ingest_paths([tmp_path], IngestSettings(min_words=5))
    numbered = {p.paragraphs[0]: p for p in result.passages if p.paragraphs}
    assert set(numbered) == {"1", "2", "3", "4", "5", "6"}
    assert numbered["1"].pages == [1] and numbered["3"].pages == [2] and numbered["6"].pages == [3]
    assert numbered["4"].heading_path[0].startswith("Chapter 2")
    assert "ch. 2" in numbered["4"].citation


def test_generated_docx_ingests_with_headings_and_lists(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Local kinship care procedure", level=1)
    d.add_heading("Support for carers", level=2)
    d.add_paragraph(f"{SENTENCE} who lives with a kinship carer, and offer support.")
    d.add_paragraph("Support can include an allowance", style="List Bullet")
    d.add_paragraph("Training for carers", style="List Bullet")
    d.save(tmp_path / "procedure.docx")
    result = ingest_paths([tmp_path], IngestSettings())
    [p] = result.passages
    assert p.heading_path == ["Local kinship care procedure", "Support for carers"]
    assert "- Support can include an allowance" in p.text


def test_generated_html_page_ingests_content_only(tmp_path: Path) -> None:
    html = f"""<html><head><title>Kinship care</title><script>alert(1)</script></head>
    <body><nav>Home | Menu</nav><main><h1>Kinship care</h1><h2>Money</h2>
    <p>{SENTENCE} in a kinship placement.</p>
    <table><tr><th>Order</th><th>Allowance</th></tr><tr><td>Special guardianship</td><td>Yes</td></tr></table>
    </main><footer>Cookies Privacy</footer></body></html>"""
    (tmp_path / "page.html").write_text(html)
    result = ingest_paths([tmp_path], IngestSettings())
    texts = [p.text for p in result.passages]
    assert any(SENTENCE in t for t in texts)
    assert any("Order: Special guardianship; Allowance: Yes" in t for t in texts)
    assert not any("alert" in t or "Cookies" in t or "Menu" in t for t in texts)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_image_only_pdf_ingests_through_ocr(tmp_path: Path) -> None:
    page = Image.new("L", (1700, 2200), color=255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=56)
    for i, line in enumerate(
        ["Scanned procedure", "1. Kinship carers can ask", "the council for support."]
    ):
        draw.text((120, 150 + i * 110), line, fill=0, font=font)
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=200.0)
    (tmp_path / "scan.pdf").write_bytes(buffer.getvalue())
    result = ingest_paths([tmp_path], IngestSettings(min_words=3))
    text = " ".join(p.text for p in result.passages).lower()
    assert "kinship" in text and "council" in text
    assert all(p.pages == [1] for p in result.passages)
