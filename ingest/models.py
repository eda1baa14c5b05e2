"""The typed models that cross package boundaries on the ingest side.

``Document`` is what a reader produces (raw text per page plus what the file says about
itself); ``DocumentMeta`` is what the catalogue (or inference) says about the document;
``Passage`` is the citable unit that search, answers and guides stand on.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class DocKind(StrEnum):
    """What kind of document a file is: it shapes ranking and how answers cite it."""

    statutory_guidance = "statutory guidance"
    inspection_framework = "inspection framework or handbook"
    inspection_report = "inspection report"
    practice_guide = "practice guide"
    policy = "policy or strategy"
    consultation = "consultation"
    summary = "summary"
    local_report = "local report"
    unknown = "unknown"


class DocStatus(StrEnum):
    """Whether a document still describes current policy."""

    current = "current"
    superseded = "superseded"
    historical = "historical"
    unknown = "unknown"


class PassageKind(StrEnum):
    """What a passage is within its document."""

    body = "body"
    example = "example"
    definition = "definition"
    table_row = "table row"
    footnote = "footnote"


class DocumentMeta(BaseModel):
    """What is known about a document: from the catalogue, or inferred from its text."""

    doc_id: str = Field(description="Stable identifier, e.g. 'stable-homes-2023'.")
    title: str = Field(description="Full title as published.")
    short_title: str = Field(description="Short title used in citations and context headers.")
    publisher: str = Field(default="", description="Who published it, e.g. 'DfE'.")
    date: str = Field(default="", description="Publication date, 'YYYY-MM' or 'YYYY-MM-DD'.")
    kind: DocKind = Field(default=DocKind.unknown)
    status: DocStatus = Field(default=DocStatus.unknown)
    superseded_by: str | None = Field(default=None, description="doc_id of the replacement.")
    audience: list[str] = Field(default_factory=list, description="Who it is written for.")
    url: str | None = Field(default=None, description="Official address.")
    inferred: bool = Field(default=False, description="True when title/date came from the text.")

    @property
    def year(self) -> int | None:
        """Publication year, when the date is known."""
        return int(self.date[:4]) if self.date[:4].isdigit() else None


class PageText(BaseModel):
    """The text of one page (or the whole file, for formats without pages)."""

    number: int | None = Field(
        description="1-based page number; None when the format has no pages."
    )
    text: str


class Document(BaseModel):
    """A file read by a reader: raw text per page, before cleaning."""

    source: str = Field(description="File name, as users see it in citations.")
    path: str = Field(description="Where the file was read from.")
    format: str = Field(description="Reader that produced it: pdf, html, docx, md, txt.")
    sha256: str = Field(
        description="Checksum of the file's bytes (re-ingest skips unchanged files)."
    )
    pages: list[PageText]
    title_hint: str | None = Field(default=None, description="A title the file itself declares.")
    warnings: list[str] = Field(default_factory=list)
    ocr: bool = Field(default=False, description="True when the text came from OCR.")

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


class Location(BaseModel):
    """Another place where the same paragraph appears (a near-copy in another file)."""

    source: str
    doc_id: str
    citation: str
    paragraphs: list[str] = Field(default_factory=list)
    part: str = ""


class Passage(BaseModel):
    """A citable unit: a whole numbered paragraph, list item, table row or definition."""

    id: str = Field(description="Stable id: doc_id plus a hash of its location and text.")
    doc_id: str
    source: str = Field(description="File name the passage was read from.")
    title: str
    citation: str = Field(description="How a user would quote it, down to the paragraph.")
    heading_path: list[str] = Field(default_factory=list)
    paragraphs: list[str] = Field(
        default_factory=list, description="Paragraph numbers as printed, e.g. ['133'] or ['A3']."
    )
    part: str = Field(default="", description="Which numbering scheme of the file it belongs to.")
    pages: list[int] = Field(default_factory=list)
    start: int = Field(description="Offset of the passage in the document's cleaned text.")
    end: int = Field(description="End offset (exclusive) in the cleaned text.")
    kind: PassageKind = PassageKind.body
    text: str
    footnotes: list[str] = Field(default_factory=list, description="Footnote texts it refers to.")
    cited_in: str = Field(
        default="",
        description="A footnote's: the sentence of the text that points to it, so that it "
        "is searched in the light of what it annotates.",
    )
    meta: DocumentMeta
    alt_locations: list[Location] = Field(default_factory=list)
