"""The catalogue of sources, and what careguide says about a file that is not in it.

The catalogue (``guides/catalogue.yaml``, package data of ``careguide.guides``) is the
authority on a document's title, publisher, date, kind and status: answers cite from it and
rank by it. A file that is not catalogued still gets metadata, inferred from its first
lines and flagged ``inferred=True`` so that answers can say the date is a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date as Date
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from careguide.ingest.errors import CatalogueError, yaml_problem
from careguide.ingest.models import DocKind, DocStatus, Document, DocumentMeta

Audience = Literal["practitioner", "carer", "child", "trainer", "manager"]

AUDIENCES: tuple[str, ...] = get_args(Audience)
STATUSES: tuple[str, ...] = ("current", "superseded", "historical")
KINDS: tuple[str, ...] = tuple(kind.value for kind in DocKind if kind is not DocKind.unknown)

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _one_of(field: str, value: object, allowed: Iterable[str]) -> str:
    return f"{field} {value!r} is not one of {', '.join(allowed)}"


class CatalogueFile(BaseModel):
    """One way to recognise a document's file: its name, its checksum, or both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(
        default=None, description="File name as found on disk, e.g. '003_91663a67e31fcc36.txt'."
    )
    sha256: str | None = Field(
        default=None, description="Checksum of the file's bytes (64 lower-case hex digits)."
    )

    @field_validator("sha256")
    @classmethod
    def _check_sha256(cls, value: str | None) -> str | None:
        if value is not None and not _SHA256.fullmatch(value):
            raise ValueError(f"files: sha256 {value!r} is not 64 lower-case hex digits")
        return value

    @model_validator(mode="after")
    def _name_or_checksum(self) -> CatalogueFile:
        if self.name is None and self.sha256 is None:
            raise ValueError("files: each item needs a name, a sha256 or both")
        return self


class CataloguePart(BaseModel):
    """A named part of a bundled file (an appendix that is a document of its own).

    Parts scope paragraph numbers in citations; a part with its own title, publisher and
    date is cited as that document ("Putting children first (DfE, Jul 2016), App. 3 ...").
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(
        description="How citations name the part, e.g. 'Appendix 2: Ofsted handbook'."
    )
    starts: str = Field(description="Regular expression matching the cleaned line where it starts.")
    ends: str | None = Field(
        default=None,
        description="Regular expression for the line where the file's own text resumes (the part ends).",
    )
    title: str | None = Field(
        default=None, description="Title of the document the part reproduces."
    )
    short_title: str | None = Field(default=None, description="Short title for citations.")
    publisher: str | None = Field(default=None, description="Publisher of the reproduced document.")
    date: str | None = Field(default=None, description="Its publication date, 'YYYY-MM'.")
    kind: DocKind | None = Field(
        default=None, description="Its kind, when it differs from the file's."
    )

    @field_validator("starts", "ends")
    @classmethod
    def _check_regex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            re.compile(value)
        except re.error as e:
            raise ValueError(f"starts is not a valid regular expression ({e})") from None
        return value

    @property
    def has_own_meta(self) -> bool:
        return bool(self.short_title and self.publisher)

    def meta_for(self, base: DocumentMeta) -> DocumentMeta:
        """The document metadata as it applies inside this part."""
        update = {
            k: v
            for k, v in {
                "title": self.title,
                "short_title": self.short_title,
                "publisher": self.publisher,
                "date": self.date,
                "kind": self.kind,
            }.items()
            if v is not None
        }
        return base.model_copy(update=update)


class CatalogueEntry(BaseModel):
    """What the catalogue says about one document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        description="Stable id (lower-case letters, digits, hyphens): the doc_id in the index."
    )
    title: str = Field(description="Full title as published.")
    short_title: str = Field(
        description="Title as citations print it, e.g. 'Stable Homes, Built on Love'."
    )
    publisher: str = Field(
        description="Publisher as citations name it, e.g. 'DfE', 'Ofsted', 'Croydon Council'."
    )
    date: str = Field(
        description="Publication date, 'YYYY-MM' or 'YYYY-MM-DD' ('YYYY' if the month is unknown)."
    )
    kind: DocKind = Field(description="What kind of document it is (values of DocKind).")
    status: DocStatus = Field(description="current, superseded or historical.")
    superseded_by: str | None = Field(
        default=None, description="id of the document that directly replaces it."
    )
    audience: list[Audience] = Field(default_factory=list, description="Who it is written for.")
    url: str | None = Field(
        default=None, description="Official address to download it from; None when there is none."
    )
    files: list[CatalogueFile] = Field(
        default_factory=list, description="How to recognise its file: names and/or checksums."
    )
    sha256: str | None = Field(
        default=None,
        description="Checksum the download from url must have; None until first fetched.",
    )
    parts: list[CataloguePart] = Field(
        default_factory=list, description="Named parts of a bundled file, in order."
    )

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(f"id {value!r} must be lower-case letters, digits and single hyphens")
        return value

    @field_validator("title", "short_title", "publisher")
    @classmethod
    def _check_text(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip():
            raise ValueError(f"{info.field_name} must not be empty")
        return value.strip()

    @field_validator("date", mode="before")
    @classmethod
    def _check_date(cls, value: object) -> object:
        text = str(value)
        match = _DATE.fullmatch(text)
        valid = match is not None
        if match is not None and match.group(2):
            year, month, day = match.group(1), match.group(2), match.group(3) or "01"
            try:
                Date(int(year), int(month), int(day))
            except ValueError:
                valid = False
        if not valid:
            raise ValueError(f"date {text!r} is not YYYY-MM or YYYY-MM-DD")
        return text

    @field_validator("kind", mode="before")
    @classmethod
    def _check_kind(cls, value: object) -> object:
        if value not in KINDS:
            raise ValueError(_one_of("kind", value, KINDS))
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _check_status(cls, value: object) -> object:
        if value not in STATUSES:
            raise ValueError(_one_of("status", value, STATUSES))
        return value

    @field_validator("audience", mode="before")
    @classmethod
    def _check_audience(cls, value: object) -> object:
        for item in value if isinstance(value, list) else [value]:
            if item not in AUDIENCES:
                raise ValueError(_one_of("audience", item, AUDIENCES))
        return value

    @field_validator("sha256")
    @classmethod
    def _check_sha256(cls, value: str | None) -> str | None:
        if value is not None and not _SHA256.fullmatch(value):
            raise ValueError(f"sha256 {value!r} is not 64 lower-case hex digits")
        return value

    def to_meta(self) -> DocumentMeta:
        """The entry as the metadata passages carry."""
        return DocumentMeta(
            doc_id=self.id,
            title=self.title,
            short_title=self.short_title,
            publisher=self.publisher,
            date=self.date,
            kind=self.kind,
            status=self.status,
            superseded_by=self.superseded_by,
            audience=list(self.audience),
            url=self.url,
            inferred=False,
        )


class Catalogue:
    """The documents careguide knows, in file order, looked up by id, checksum or file name."""

    def __init__(self, entries: Iterable[CatalogueEntry], *, name: str = "catalogue.yaml") -> None:
        self.name = name
        self._entries: dict[str, CatalogueEntry] = {}
        for entry in entries:
            if entry.id in self._entries:
                raise CatalogueError(f"{name}: entry {entry.id!r}: id is used by another entry")
            self._entries[entry.id] = entry
        for entry in self._entries.values():
            if entry.superseded_by is not None and entry.superseded_by not in self._entries:
                raise CatalogueError(
                    f"{name}: entry {entry.id!r}: superseded_by {entry.superseded_by!r}"
                    " is not an id in the catalogue"
                )
        self._by_sha: dict[str, CatalogueEntry] = {}
        self._by_name: dict[str, CatalogueEntry] = {}
        for entry in self._entries.values():
            checksums = {entry.sha256} | {item.sha256 for item in entry.files}
            for checksum in checksums - {None}:
                self._claim(self._by_sha, str(checksum), entry, f"sha256 {checksum}")
            for item in entry.files:
                if item.name:
                    self._claim(self._by_name, item.name.casefold(), entry, f"file {item.name!r}")

    def _claim(
        self, index: dict[str, CatalogueEntry], key: str, entry: CatalogueEntry, what: str
    ) -> None:
        """Index a file name or checksum; one file cannot belong to two documents."""
        owner = index.setdefault(key, entry)
        if owner is not entry:
            raise CatalogueError(
                f"{self.name}: entry {entry.id!r}: {what} is already listed under {owner.id!r}"
            )

    @classmethod
    def load(cls, path: Path | None = None) -> Catalogue:
        """Read a catalogue file; None reads the one bundled with careguide.guides."""
        if path is None:
            resource = files("careguide.guides") / "catalogue.yaml"
            return cls.parse(resource.read_text(encoding="utf-8"), name="catalogue.yaml")
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CatalogueError(
                f"cannot read the catalogue {path}: no such file; check catalogue_path"
                " or leave it unset to use the bundled one"
            ) from None
        except (OSError, UnicodeDecodeError) as error:
            raise CatalogueError(f"cannot read the catalogue {path}: {error}") from None
        return cls.parse(text, name=path.name)

    @classmethod
    def parse(cls, text: str, *, name: str = "catalogue.yaml") -> Catalogue:
        """Build a catalogue from YAML text; ``name`` is the file name errors mention."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            problem = yaml_problem(error, "cannot be parsed")
            raise CatalogueError(f"{name}: not valid YAML{problem}") from None
        if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
            raise CatalogueError(f"{name}: expected a top-level 'documents:' list of entries")
        entries = [_entry(raw, number, name) for number, raw in enumerate(data["documents"], 1)]
        return cls(entries, name=name)

    def get(self, doc_id: str) -> CatalogueEntry:
        """The entry with this id; CatalogueError names the known ids when there is none."""
        try:
            return self._entries[doc_id]
        except KeyError:
            known = ", ".join(self._entries)
            raise CatalogueError(
                f"no document {doc_id!r} in {self.name}; known ids: {known}"
            ) from None

    def match(self, doc: Document) -> CatalogueEntry | None:
        """The entry for a file: by checksum, else by file name, else by a stem equal to an id.

        The last rule recognises the files ``fetch_documents`` writes (``<id>.<ext>``).
        """
        if doc.sha256 in self._by_sha:
            return self._by_sha[doc.sha256]
        for name in (doc.source, Path(doc.path).name):
            entry = self._by_name.get(name.casefold())
            if entry is not None:
                return entry
        return self._entries.get(Path(doc.source).stem)

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._entries


def _entry(raw: Any, number: int, name: str) -> CatalogueEntry:
    label = (
        f"entry {raw['id']!r}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str)
        else f"entry {number}"
    )
    if not isinstance(raw, dict):
        raise CatalogueError(f"{name}: {label}: expected a mapping of fields")
    try:
        return CatalogueEntry.model_validate(raw)
    except ValidationError as error:
        # A misspelt field shows up as both unknown and missing: name the misspelling.
        first = min(error.errors(), key=lambda detail: detail["type"] != "extra_forbidden")
        raise CatalogueError(f"{name}: {label}: {_describe(first)}") from None


def _describe(error: ErrorDetails) -> str:
    """One validation error as a short phrase naming the field."""
    field = ".".join(str(part) for part in error["loc"])
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if error["type"] == "missing":
        return f"missing field {field!r}"
    if error["type"] == "extra_forbidden":
        return f"unknown field {field!r}"
    return f"{field} {error['input']!r}: {error['msg'][:1].lower()}{error['msg'][1:]}"


# ---- metadata for a file ---------------------------------------------------------------------


def meta_for(doc: Document, catalogue: Catalogue) -> DocumentMeta:
    """The catalogue's metadata for a file, else metadata inferred from its text (inferred=True)."""
    entry = catalogue.match(doc)
    if entry is not None:
        return entry.to_meta()
    head = _head(doc.text)
    title = (doc.title_hint or "").strip() or _infer_title(head) or _title_from_stem(doc.source)
    return DocumentMeta(
        doc_id=slugify(Path(doc.source).stem),
        title=title,
        short_title=shorten(title),
        publisher=_infer_publisher(head, _tail(doc.text)),
        date=_infer_date(head),
        kind=_infer_kind(title, head),
        status=DocStatus.unknown,
        inferred=True,
    )


def slugify(text: str, max_length: int = 60) -> str:
    """Lower-case letters, digits and single hyphens, cut at a hyphen to at most ``max_length``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1].rfind("-")
        slug = slug[: cut if cut > 0 else max_length].strip("-")
    return slug or "document"


def shorten(title: str, max_length: int = 60) -> str:
    """A title short enough for a citation, cut at a word boundary (with an ellipsis)."""
    title = " ".join(title.split())
    if len(title) <= max_length:
        return title
    cut = title[: max_length + 1].rfind(" ")
    return title[: cut if cut > 0 else max_length].rstrip(" ,;:–-") + "…"


_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_ABBREV = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_PUBLISHER_ABBREV = {
    "department for education": "DfE",
    "dfe": "DfE",
    "office for standards in education, children's services and skills": "Ofsted",
    "ofsted": "Ofsted",
    "national society for the prevention of cruelty to children": "NSPCC",
    "nspcc": "NSPCC",
}


def publisher_abbreviation(publisher: str) -> str:
    """The short form citations use: 'Department for Education' -> 'DfE'."""
    plain = " ".join(publisher.replace("’", "'").split())
    if plain.casefold() in _PUBLISHER_ABBREV:
        return _PUBLISHER_ABBREV[plain.casefold()]
    borough = re.fullmatch(r"(?:the )?london borough of (.+)", plain, re.IGNORECASE)
    return f"{borough.group(1)} Council" if borough else plain


def citation_prefix(meta: DocumentMeta) -> str:
    """How a citation names a document: 'Stable Homes, Built on Love (DfE, Feb 2023)'."""
    parts = [publisher_abbreviation(meta.publisher)] if meta.publisher.strip() else []
    match = _DATE.fullmatch(meta.date)
    if match is not None:
        year, month = match.group(1), match.group(2)
        parts.append(
            f"{_MONTH_ABBREV[int(month) - 1]} {year}" if month and 1 <= int(month) <= 12 else year
        )
    title = meta.short_title or meta.title
    return f"{title} ({', '.join(parts)})" if parts else title


# ---- inference -------------------------------------------------------------------------------

_HEAD_CHARS = 4000
_HEAD_LINES = 60
_MARKUP = re.compile(r"<[^>]+>|\*\*|__|\[([^\]]*)\]\([^)]*\)|^#+\s*|\\(?=[()\[\]])")
_BULLET = re.compile(r"^(?:[-•*·¢e]\s|\d+(?:\.\d+)*\.\s|\d{1,3}\s)")
_LABEL = re.compile(r"^(?:SUBJECT|TITLE)\s*:\s*(.+)$", re.IGNORECASE)
_NOT_TITLE = re.compile(
    r"^(?:contents|table of contents|for general release|official(?:[- ]sensitive)?|"
    r"(?:the )?department(?:\s+for\s+education)?|for education|dfe|ofsted|nspcc|hm government|"
    r"presented to parliament.*|by command of .*|isbn\b.*)$"
    r"|©|\bcopyright\b|\bcrown copyright\b|\blicen[cs]ed under\b",
    re.IGNORECASE,
)
_MONTH_PATTERN = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_TEXT = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?{_MONTH_PATTERN}\.?,?\s+((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(
    r"\b(?:published|issued|dated|date of issue|publication date)\b\s*(?:on|in)?\s*:?\s*$",
    re.IGNORECASE,
)
_COPYRIGHT_YEAR = re.compile(r"(?:©|\bcopyright\b)\D{0,30}((?:19|20)\d\d)\b", re.IGNORECASE)
_KIND_WORDS: tuple[tuple[DocKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (DocKind.statutory_guidance, r"\bstatutory guidance\b"),
        (
            DocKind.local_report,
            r"\breport to:?\s+(?:the\s+)?(?:cabinet|council|committee)\b|\bcabinet report\b",
        ),
        (DocKind.inspection_report, r"\binspection report\b|\breport of (?:the|an) inspection\b"),
        (
            DocKind.inspection_framework,
            r"\bhandbook\b|\binspection framework\b|\bframework for (?:the )?inspect",
        ),
        (DocKind.practice_guide, r"\bpractice guid(?:e|ance)\b"),
        (DocKind.consultation, r"\bconsultation\b"),
        (DocKind.summary, r"(?<!executive )\bsummary\b"),
        (DocKind.policy, r"\bstrategy\b|\bwhite paper\b|\bvision\b|\bpolicy statement\b"),
    )
)
_PUBLISHERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("DfE", r"\bdepartment\s+for\s+education\b|\bDfE\b"),
        ("Ofsted", r"\bofsted\b"),
        ("NSPCC", r"\bNSPCC\b|national society for the prevention of cruelty to children"),
    )
)
_COUNCIL = re.compile(
    r"\bLondon Borough of ([A-Z][\w&' -]{1,40}?)(?=[\s,.;:)'’]|$)"
    r"|\b((?!The )(?:[A-Z][\w'-]+ ){1,3}(?:City |County |Borough |District )?Council)\b"
)
_COUNCIL_REPORT = re.compile(
    r"\breport to:?\s+(?:the\s+)?(?:cabinet|council|committee)\b", re.IGNORECASE
)


def _head(text: str) -> str:
    return "\n".join(text[:_HEAD_CHARS].splitlines()[:_HEAD_LINES])


def _tail(text: str) -> str:
    return text[-2000:]


def _clean_line(line: str) -> str:
    line = _MARKUP.sub(lambda m: m.group(1) or "", line.strip())
    return " ".join(line.split())


def _infer_title(head: str) -> str:
    """The first line near the top that reads like a title rather than a logo, label or prose."""
    lines = [(raw, _clean_line(raw)) for raw in head.splitlines()]
    previous = ""  # the last line that was text, not a logo or label
    for number, (raw, line) in enumerate(lines):
        if not line:
            continue
        label = _LABEL.match(line)
        if label:
            return label.group(1).strip()
        if _NOT_TITLE.search(line):
            continue
        following = lines[number + 1][1] if number + 1 < len(lines) else ""
        wrapped_from = bool(re.search(r"[a-z,;]$", previous))
        wraps_on = bool(following) and following[0].islower()
        previous = line
        if wrapped_from or wraps_on or "\t" in raw or len(line) > 150:
            continue  # part of a paragraph, a tabbed label, or prose
        if _BULLET.match(line) or not line[0].isupper():
            continue
        if len(line.split()) < 2 or sum(c.isalpha() for c in line) < 8:
            continue
        if re.search(r"[.!?]\s+[A-Z]", line) or line.endswith((",", ";")):
            continue  # more than one sentence, or a wrapped line
        return line.rstrip(" :.")
    return ""


def _title_from_stem(source: str) -> str:
    stem = re.sub(r"[_\s]+", " ", Path(source).stem).strip()
    return stem[:1].upper() + stem[1:] if stem else "Untitled document"


def _infer_date(head: str) -> str:
    """A date after 'published'/'issued' if there is one near the top, else the first date there."""
    found: list[tuple[bool, str]] = []
    for match in _DATE_TEXT.finditer(head):
        day, month_name, year = match.group(1), match.group(2).casefold(), match.group(3)
        month = next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(month_name[:3]))
        value = f"{year}-{month:02d}"
        if day:
            try:
                Date(int(year), month, int(day))
                value += f"-{int(day):02d}"
            except ValueError:
                pass
        preceding = head[max(0, match.start() - 40) : match.start()]
        found.append((bool(_PUBLISHED.search(preceding)), value))
    for published, value in found:
        if published:
            return value
    if found:
        return found[0][1]
    copyright_year = _COPYRIGHT_YEAR.search(head)
    return copyright_year.group(1) if copyright_year else ""


def _infer_kind(title: str, head: str) -> DocKind:
    """The kind whose words come first in the title, else first near the top of the text."""
    for text in (title, head):
        hits = [(m.start(), kind) for kind, pattern in _KIND_WORDS if (m := pattern.search(text))]
        if hits:
            return min(hits, key=lambda hit: hit[0])[1]
    return DocKind.unknown


def _infer_publisher(head: str, tail: str) -> str:
    """A publisher on a copyright line, else a council's report, else one named on the cover.

    The cover is the short lines (logos, bylines) among the first dozen: a publisher named
    in prose is usually being quoted ("the Department for Education published ..."), not
    publishing.
    """
    for text in (head, tail):
        for line in text.splitlines():
            if re.search(r"©|\bcopyright\b", line, re.IGNORECASE):
                for name, pattern in _PUBLISHERS:
                    if pattern.search(line):
                        return name
    plain_head = " ".join(head.split())
    top = [line.strip() for line in head.splitlines() if line.strip()][:12]
    cover = " ".join(line for line in top if len(line) <= 80)
    council = _COUNCIL.search(plain_head)
    if council and (_COUNCIL_REPORT.search(plain_head) or _COUNCIL.search(cover)):
        return f"{council.group(1)} Council" if council.group(1) else council.group(2)
    hits = [(m.start(), name) for name, pattern in _PUBLISHERS if (m := pattern.search(cover))]
    return min(hits)[1] if hits else ""
