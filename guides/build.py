"""Building a guide: each section answered by the engine, each exercise's key found by search.

``build_guide(spec, engine=...)`` returns a ``BuiltGuide``: the spec's own prose, the
engine's answers with their citation markers renumbered into one reference list for the
whole guide, the answer keys of the exercises, and a record of the library the guide was
built from (its fingerprint, and for every reference the passage id, a hash of the
passage text and the document's status). ``check_guide`` compares that record with the
library as it is now: a cited passage that changed or disappeared, or a source that is no
longer current, makes the guide stale.

Built guides are kept as ``<id>.json`` (the record ``guide check`` and the HTTP API read)
beside their rendered HTML, Markdown or PDF.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from careguide.api.answer import answer, citation_for, load_answer_text
from careguide.api.answer_models import Answer, Citation, DutyStrength, Mode
from careguide.api.engine import Engine, index_fingerprint
from careguide.guides.spec import GuideSpec
from careguide.ingest.errors import CareguideError
from careguide.ingest.models import DocStatus, Passage
from careguide.ingest.storage import LibraryStore, write_atomic

__all__ = [
    "BuiltExercise",
    "BuiltGuide",
    "BuiltSection",
    "GuideCheck",
    "GuideStoreError",
    "LibraryVersion",
    "Problem",
    "Reference",
    "build_guide",
    "check_guide",
    "guides_dir",
    "library_version",
    "load_built",
    "passage_hash",
    "save_built",
]

FORMAT = "careguide-guide/1"
_MARKER = re.compile(r"\[(\d+)\]")


class GuideStoreError(CareguideError):
    """A built guide file cannot be read."""


class Reference(BaseModel):
    """One numbered source of a guide, with what is needed to notice it changing."""

    n: int = Field(description="The number used in the guide's [n] markers.")
    passage_id: str
    doc_id: str
    title: str = Field(description="The document's full title.")
    citation: str = Field(description="Document, part, chapter and paragraph, as users quote it.")
    location: str = Field(description="Where in the document: part, chapter, paragraph.")
    paragraphs: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    date: str = Field(description="Publication date of the document ('' when unknown).")
    status: str = Field(description="current, superseded, historical or unknown, when built.")
    duty: DutyStrength = DutyStrength.information
    text_sha256: str = Field(description="SHA-256 of the passage text when the guide was built.")
    text: str = Field(description="The passage text (shown in answer keys).")


class BuiltSection(BaseModel):
    heading: str
    question: str
    answer: str = Field(description="The engine's answer, markers renumbered to references.")
    grounded: bool = Field(description="False: the library does not cover the question.")
    notes: list[str] = Field(default_factory=list, description="The engine's currency notes.")
    references: list[int] = Field(default_factory=list, description="Reference numbers cited.")


class BuiltExercise(BaseModel):
    title: str
    scenario: str
    task: str
    target: str
    key: list[int] = Field(description="Reference numbers of the paragraphs to find.")
    found: bool = Field(description="False when the search found nothing to put in the key.")
    warnings: list[str] = Field(default_factory=list)


class LibraryVersion(BaseModel):
    """Which library a guide was built from."""

    fingerprint: str = Field(description="Digest of every passage and the embedding model.")
    passages: int
    model: str


class BuiltGuide(BaseModel):
    """A guide as built: everything the renderers and ``guide check`` need."""

    format: str = FORMAT
    id: str
    title: str
    audience: Mode
    readers: str | None = None
    introduction: str
    sections: list[BuiltSection]
    exercises: list[BuiltExercise] = Field(default_factory=list)
    references: list[Reference]
    reviewer_notes: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list, description="Things a reviewer must see.")
    library: LibraryVersion
    built_at: str = Field(description="UTC time of the build, ISO 8601.")
    careguide: str = Field(description="careguide version that built it.")
    spec_sha256: str = Field(description="Digest of the spec the guide was built from.")

    def reference(self, n: int) -> Reference:
        return self.references[n - 1]


def passage_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _careguide_version() -> str:
    try:
        return version("careguide")
    except PackageNotFoundError:
        return "unknown"


def library_version(passages: Sequence[Passage], model: str) -> LibraryVersion:
    """The library's version: the same digest the index records for its build."""
    return LibraryVersion(
        fingerprint=index_fingerprint(list(passages), model), passages=len(passages), model=model
    )


def _location(citation: Citation) -> str:
    """The part of a citation after the document: 'ch. 4, para 135'."""
    _, sep, rest = citation.citation.partition("), ")
    return rest if sep else ""


class _References:
    """The guide's one numbered list; a passage cited twice keeps its first number."""

    def __init__(self) -> None:
        self.items: list[Reference] = []
        self._numbers: dict[str, int] = {}

    def add(self, c: Citation) -> int:
        if c.passage_id in self._numbers:
            return self._numbers[c.passage_id]
        n = len(self.items) + 1
        self.items.append(
            Reference(
                n=n,
                passage_id=c.passage_id,
                doc_id=c.doc_id,
                title=c.title,
                citation=c.citation,
                location=_location(c),
                paragraphs=list(c.paragraphs),
                pages=list(c.pages),
                date=c.date,
                status=c.status,
                duty=c.duty,
                text_sha256=passage_hash(c.text),
                text=c.text,
            )
        )
        self._numbers[c.passage_id] = n
        return n


def _without_look_up(text: str) -> str:
    """A trainer answer without its "paragraphs to look up" list: the guide's references
    list every paragraph already."""
    look_up = load_answer_text().trainer["look_up"]
    return "\n\n".join(p for p in text.split("\n\n") if not p.startswith(look_up))


def _section(reply: Answer, refs: _References, heading: str) -> BuiltSection:
    if not reply.grounded or not reply.citations:
        return BuiltSection(heading=heading, question=reply.question, answer="", grounded=False)
    numbers = {c.n: refs.add(c) for c in reply.citations}

    def renumber(text: str) -> str:
        return _MARKER.sub(
            lambda m: f"[{numbers[int(m.group(1))]}]" if int(m.group(1)) in numbers else m.group(0),
            text,
        )

    text = reply.answer
    if reply.mode is Mode.trainer:
        text = _without_look_up(text)
    return BuiltSection(
        heading=heading,
        question=reply.question,
        answer=renumber(text),
        grounded=True,
        notes=[renumber(n) for n in reply.notes],
        references=sorted(set(numbers.values())),
    )


def _covers(citations: Iterable[str], expected: str) -> bool:
    """A citation names the expected place: 'para 60' matches 'para 60' but not 'para 600'."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(expected)}(?![\w])", re.IGNORECASE)
    return any(pattern.search(c) for c in citations)


def build_guide(
    spec: GuideSpec,
    *,
    engine: Engine,
    spec_text: str = "",
    passages: Sequence[Passage] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuiltGuide:
    """Answer every section of ``spec`` and find every exercise's paragraphs.

    ``passages`` is the library's passage set (read from the data directory when not
    given); it fixes the library version the guide records.
    """
    if passages is None:
        passages = LibraryStore(engine.settings.data_dir).passages()
    refs = _References()
    sections: list[BuiltSection] = []
    warnings: list[str] = []
    for section in spec.sections:
        if progress:
            progress(section.title)
        reply = answer(
            section.question, engine=engine, mode=spec.audience, filters=section.filters.to_search()
        )
        built = _section(reply, refs, section.title)
        if reply.safety.disclosure:
            warnings.append(
                f"section {section.title!r}: the question reads as a disclosure of harm; reword it"
            )
        sections.append(built)

    exercises: list[BuiltExercise] = []
    for i, exercise in enumerate(spec.exercises, 1):
        title = exercise.title or f"Exercise {i}"
        if progress:
            progress(title)
        hits = engine.search(
            exercise.target, k=exercise.paragraphs, filters=exercise.filters.to_search()
        )
        key = [refs.add(citation_for(0, h.passage)) for h in hits]
        notes: list[str] = []
        cited = [refs.items[n - 1].citation for n in key]
        for expected in exercise.expect:
            if not _covers(cited, expected):
                notes.append(
                    f"{title}: the answer key does not include {expected!r}; the search for "
                    f"{exercise.target!r} found {'; '.join(cited) or 'nothing'}"
                )
        if not key:
            notes.append(f"{title}: the search found no paragraph for the answer key")
        warnings.extend(notes)
        exercises.append(
            BuiltExercise(
                title=title,
                scenario=exercise.scenario,
                task=exercise.task,
                target=exercise.target,
                key=key,
                found=bool(key),
                warnings=notes,
            )
        )

    return BuiltGuide(
        id=spec.id,
        title=spec.title,
        audience=spec.audience,
        readers=spec.readers,
        introduction=spec.introduction,
        sections=sections,
        exercises=exercises,
        references=refs.items,
        reviewer_notes=spec.reviewer_notes,
        warnings=warnings,
        library=library_version(passages, engine.settings.index.model),
        built_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        careguide=_careguide_version(),
        spec_sha256=hashlib.sha256(
            (spec_text or spec.model_dump_json()).encode("utf-8")
        ).hexdigest(),
    )


# --- keeping and checking built guides ---------------------------------------------------------


def guides_dir(data_dir: Path) -> Path:
    """Where built guides are kept by default: the CLI writes there, the HTTP API reads there."""
    return data_dir / "guides"


def save_built(guide: BuiltGuide, folder: Path) -> Path:
    path = folder / f"{guide.id}.json"
    write_atomic(path, guide.model_dump_json(indent=1))
    return path


def load_built(path: Path) -> BuiltGuide:
    try:
        return BuiltGuide.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GuideStoreError(
            f"no built guide at {path}; build it with `careguide guide build`"
        ) from None
    except (OSError, ValueError, ValidationError):
        raise GuideStoreError(
            f"{path} is not a built guide careguide can read; build it again with "
            "`careguide guide build`"
        ) from None


class Problem(BaseModel):
    """Why one reference of a guide no longer holds."""

    n: int
    citation: str
    kind: str = Field(description="changed, missing or superseded.")
    detail: str


class GuideCheck(BaseModel):
    """A built guide compared with the library as it is now."""

    id: str
    title: str
    built_at: str
    built_from: str = Field(description="Library fingerprint the guide was built from.")
    library: str = Field(description="Library fingerprint now.")
    problems: list[Problem] = Field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.problems)


_OUTDATED = {DocStatus.superseded.value, DocStatus.historical.value}


def check_guide(
    guide: BuiltGuide, passages: Sequence[Passage], current: LibraryVersion
) -> GuideCheck:
    """The references of ``guide`` that changed, disappeared or went out of date.

    A passage's id holds a hash of its text, so a changed paragraph usually has a new id:
    it is then found by its document and citation, and reported as changed rather than
    missing.
    """
    by_id = {p.id: p for p in passages}
    by_place: dict[tuple[str, str], Passage] = {}
    for p in passages:
        by_place.setdefault((p.doc_id, p.citation), p)
        for alt in p.alt_locations:
            by_place.setdefault((alt.doc_id, alt.citation), p)
    problems: list[Problem] = []
    for ref in guide.references:
        now = by_id.get(ref.passage_id) or by_place.get((ref.doc_id, ref.citation))
        if now is None:
            problems.append(
                Problem(
                    n=ref.n,
                    citation=ref.citation,
                    kind="missing",
                    detail="the passage is no longer in the library",
                )
            )
            continue
        if passage_hash(now.text) != ref.text_sha256:
            problems.append(
                Problem(
                    n=ref.n,
                    citation=ref.citation,
                    kind="changed",
                    detail="the passage's text has changed since the guide was built",
                )
            )
        status = now.meta.status.value
        if status != ref.status and status in _OUTDATED:
            replaced = f", replaced by {now.meta.superseded_by}" if now.meta.superseded_by else ""
            problems.append(
                Problem(
                    n=ref.n,
                    citation=ref.citation,
                    kind="superseded",
                    detail=f"the document is now {status}{replaced} (it was {ref.status})",
                )
            )
    return GuideCheck(
        id=guide.id,
        title=guide.title,
        built_at=guide.built_at,
        built_from=guide.library.fingerprint,
        library=current.fingerprint,
        problems=problems,
    )
