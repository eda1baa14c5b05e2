"""Markdown and plain text: decoded robustly and otherwise kept as they are.

Markdown already follows the reader text convention (``#`` headings, ``- `` items), and
the damage in plain text files is repaired later by the cleaning stage, so this reader
only decodes and normalises newlines.
"""

from __future__ import annotations

from pathlib import Path

from careguide.ingest.models import Document, PageText
from careguide.ingest.readers._common import decode_text, load_bytes, make_document, require_text
from careguide.ingest.settings import IngestSettings

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})


def read(path: Path, settings: IngestSettings) -> Document:
    data = load_bytes(path)
    text, warnings = decode_text(data, path.name)
    fmt = "md" if path.suffix.lower() in MARKDOWN_SUFFIXES else "txt"
    document = make_document(
        path,
        data,
        fmt,
        [PageText(number=None, text=text)],
        title_hint=_markdown_title(text) if fmt == "md" else None,
        warnings=warnings,
    )
    return require_text(document)


def _markdown_title(text: str) -> str | None:
    """The first level-1 heading of a Markdown file, if it has one."""
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None
