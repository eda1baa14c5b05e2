"""Word .docx with python-docx: paragraphs and tables in document order.

The body's children are walked in order (content controls opened up), so tables stay
where they were written. Heading styles become ``#`` lines and list paragraphs ``- ``
lines; automatic list numbers live in Word's numbering definitions, not in the text, so
only a number typed into the text is kept.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from careguide.ingest.errors import ReadError
from careguide.ingest.models import Document, PageText
from careguide.ingest.readers._common import load_bytes, make_document, reason
from careguide.ingest.settings import IngestSettings

HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
MAX_STYLE_DEPTH = 10  # styles inherit through base_style; guard against cycles


def read(path: Path, settings: IngestSettings) -> Document:
    data = load_bytes(path)
    try:
        word = docx.Document(io.BytesIO(data))
        blocks = list(_blocks(word))
        title = " ".join((word.core_properties.title or "").split())
    except Exception as exc:  # python-docx raises assorted types for files that are not docx
        raise ReadError(
            f"{path.name} is not a readable Word document ({reason(exc)}); "
            "open it in Word and save it as .docx again"
        ) from None
    text = "\n\n".join(text for _, text in blocks)
    if not text.strip():
        raise ReadError(f"{path.name} is empty; nothing to ingest")
    first_heading = next((text for level, text in blocks if level == 1), None)
    return make_document(
        path,
        data,
        "docx",
        [PageText(number=None, text=text)],
        title_hint=title or (first_heading[2:] if first_heading else None),
    )


def _blocks(word: Any) -> Iterator[tuple[int, str]]:
    """(heading level or 0, convention text) for each paragraph and table, in order."""
    for element in _body_elements(word.element.body):
        if element.tag == qn("w:p"):
            paragraph = Paragraph(element, word)
            text = _inline(paragraph.text)
            if not text:
                continue
            level = _heading_level(paragraph)
            if level:
                yield level, "#" * min(level, 6) + " " + text
            elif _is_list_item(paragraph):
                yield 0, "- " + text
            else:
                yield 0, text
        elif element.tag == qn("w:tbl"):
            rows = _table_rows(Table(element, word))
            if rows:
                yield 0, "\n".join(rows)


def _body_elements(body: Any) -> Iterator[Any]:
    """Paragraph and table elements in document order, opening content controls."""
    stack = list(reversed(list(body.iterchildren())))
    while stack:
        element = stack.pop()
        if element.tag == qn("w:sdt"):
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                stack.extend(reversed(list(content.iterchildren())))
        elif element.tag in (qn("w:p"), qn("w:tbl")):
            yield element


def _style_names(paragraph: Paragraph) -> Iterator[str]:
    """The paragraph's style name and those it is based on."""
    style = paragraph.style
    for _ in range(MAX_STYLE_DEPTH):
        if style is None:
            return
        yield style.name or ""
        style = style.base_style


def _heading_level(paragraph: Paragraph) -> int:
    for name in _style_names(paragraph):
        if name.lower() == "title":
            return 1
        match = HEADING_STYLE.match(name)
        if match:
            return int(match.group(1))
    return 0


def _is_list_item(paragraph: Paragraph) -> bool:
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        return True
    return any(name.lower().startswith("list") for name in _style_names(paragraph))


def _table_rows(table: Table) -> list[str]:
    """One line per row with cells separated by TAB; merged cells appear once."""
    rows = []
    for row in table.rows:
        cells = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell repeats
                continue
            previous = cell._tc
            cells.append(_inline(cell.text))
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def _inline(text: str) -> str:
    """Collapse whitespace (tabs included: TAB only ever separates table cells)."""
    return " ".join(text.split())
