"""Guide specs: what a guide asks, for whom, and which paragraphs its exercises point to.

A spec is a YAML file (the bundled ones live in ``guides/specs/``)::

    title: "Kinship care: what support is there?"
    audience: carer            # the answer mode: practitioner, carer, child or trainer
    readers: Grandparents, aunts, uncles and friends raising a child   # optional
    introduction: |
      Why this handout exists and how to read it (framing, not facts).
    sections:
      - heading: Money                 # optional; the question is the heading otherwise
        question: Can I get money for looking after my grandson?
        filters: {doc_ids: [stable-homes-2023], kinds: [policy or strategy],
                  year_from: 2020, year_to: 2024}          # all optional
    exercises:                          # optional "find the paragraph" tasks
      - scenario: A situation, in the trainer's words.
        task: What the learners are asked to find.
        target: what the paragraph is about, as a search would be typed
        paragraphs: 1                   # how many paragraphs the answer key lists
        expect: ["para 60"]             # optional: where the trainer expects it to be
    reviewer_notes:
      - What a reviewer should check before handing the guide out.

Every sentence a rendered guide shows is either this prose (headings, framing, scenarios)
or the answering engine's, with citations. The answer key of an exercise is found by
searching the library for ``target``; ``expect`` only checks that the search still lands
where the trainer meant it to, so a guide never carries text copied from the corpus.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from careguide.api.answer_models import Mode
from careguide.index.models import SearchFilters
from careguide.ingest.errors import CareguideError, yaml_problem
from careguide.ingest.models import DocKind, DocStatus

__all__ = [
    "ExerciseSpec",
    "GuideSpec",
    "GuideSpecError",
    "SectionFilters",
    "SectionSpec",
    "bundled_spec_paths",
    "find_spec",
    "load_spec",
    "parse_spec",
]

GUIDE_ID = r"^[a-z0-9][a-z0-9-]{0,79}$"
SPECS_PACKAGE = "careguide.guides"
SPECS_FOLDER = "specs"


class GuideSpecError(CareguideError):
    """A guide spec cannot be read or is not valid; the message names the file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _prose(value: str) -> str:
    """Collapse the line breaks YAML block scalars keep, so prose renders as written."""
    return " ".join(value.split())


class SectionFilters(_Strict):
    """Which passages a section's answer (or an exercise's search) may draw on."""

    kinds: list[DocKind] = Field(default_factory=list, description="Document kinds.")
    doc_ids: list[str] = Field(
        default_factory=list, description="Document ids (see /api/documents)."
    )
    statuses: list[DocStatus] = Field(default_factory=list, description="e.g. only current.")
    year_from: int | None = Field(default=None, ge=1900, le=2100)
    year_to: int | None = Field(default=None, ge=1900, le=2100)

    def to_search(self) -> SearchFilters | None:
        """The index's filters, or None when nothing is restricted."""
        filters = SearchFilters(
            kinds=self.kinds,
            doc_ids=self.doc_ids,
            statuses=self.statuses,
            year_from=self.year_from,
            year_to=self.year_to,
        )
        return None if filters.empty else filters


class SectionSpec(_Strict):
    """One question the guide answers from the library."""

    heading: str | None = Field(
        default=None, max_length=200, description="Section heading; default: the question."
    )
    question: str = Field(min_length=3, max_length=500, description="Asked as a reader would.")
    filters: SectionFilters = Field(default_factory=SectionFilters)

    _clean = field_validator("question", "heading")(
        lambda v: _prose(v) if isinstance(v, str) else v
    )

    @property
    def title(self) -> str:
        return self.heading or self.question


class ExerciseSpec(_Strict):
    """A "find the paragraph" task: a scenario, and what the learners look for."""

    title: str | None = Field(default=None, max_length=200)
    scenario: str = Field(min_length=10, description="The situation, in the trainer's words.")
    task: str = Field(min_length=5, description="What the learners are asked to find.")
    target: str = Field(
        min_length=3,
        max_length=500,
        description="What the paragraph is about, as a search; the answer key is its result.",
    )
    paragraphs: int = Field(default=1, ge=1, le=5, description="Paragraphs in the answer key.")
    filters: SectionFilters = Field(default_factory=SectionFilters)
    expect: list[str] = Field(
        default_factory=list,
        description=(
            "Where the trainer expects the paragraph (parts of a citation, e.g. 'para 60'); "
            "a build warns when the answer key does not include them."
        ),
    )

    _clean = field_validator("scenario", "task", "target", "title")(
        lambda v: _prose(v) if isinstance(v, str) else v
    )


class GuideSpec(_Strict):
    """A whole guide: who it is for, what it asks, and its exercises."""

    id: str = Field(pattern=GUIDE_ID, description="Short name; the file name by default.")
    title: str = Field(min_length=3, max_length=200)
    audience: Mode = Field(description="The answer mode: practitioner, carer, child or trainer.")
    readers: str | None = Field(
        default=None, max_length=200, description="Who the guide is for, in words."
    )
    introduction: str = Field(min_length=10, description="Framing only; it asserts no facts.")
    sections: list[SectionSpec] = Field(min_length=1, max_length=20)
    exercises: list[ExerciseSpec] = Field(default_factory=list, max_length=10)
    reviewer_notes: list[str] = Field(default_factory=list)

    @field_validator("introduction")
    @classmethod
    def _paragraphs(cls, value: str) -> str:
        """Keep blank-line paragraph breaks, join wrapped lines."""
        return "\n\n".join(_prose(p) for p in re.split(r"\n\s*\n", value) if p.strip())

    @field_validator("reviewer_notes")
    @classmethod
    def _notes(cls, value: list[str]) -> list[str]:
        return [_prose(v) for v in value if v.strip()]

    @field_validator("audience", mode="before")
    @classmethod
    def _known_mode(cls, value: Any) -> Any:
        modes = [m.value for m in Mode]
        if isinstance(value, str) and value not in modes:
            raise ValueError(f"unknown mode {value!r}; choose from: {', '.join(modes)}")
        return value


def _where(error: dict[str, Any]) -> str:
    return ".".join(str(p) for p in error.get("loc", ())) or "the spec"


def _message(error: dict[str, Any]) -> str:
    """One validation error as 'where: what' ('sections.0.colour is not a spec field ...')."""
    where = _where(error)
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return f"{where} is not a spec field; check its spelling (the fields are in guides/spec.py)"
    if kind == "missing":
        return f"{where} is missing; add it"
    return f"{where}: " + str(error.get("msg", "is not valid")).removeprefix("Value error, ")


def parse_spec(data: object, *, name: str, default_id: str | None = None) -> GuideSpec:
    """Validate a spec already read from YAML or JSON; ``name`` is used in error messages."""
    if not isinstance(data, dict):
        raise GuideSpecError(
            f"{name}: a guide spec is a mapping with title, audience, introduction and "
            "sections; see guides/specs/ for examples"
        )
    if default_id is not None and "id" not in data:
        data = {"id": default_id, **data}
    try:
        return GuideSpec.model_validate(data)
    except ValidationError as e:
        errors = e.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise GuideSpecError(f"{name}: {_message(dict(first))}{more}") from None


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:80] or "guide"


def load_spec(path: Path) -> GuideSpec:
    """Read and validate one spec file; the guide's id defaults to the file's name."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GuideSpecError(
            f"no guide spec at {path}; give a YAML file, or the name of a bundled guide "
            "(`careguide guide list`)"
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise GuideSpecError(f"cannot read {path}: {e}; save it as UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        problem = yaml_problem(e, "it is not valid YAML")
        raise GuideSpecError(f"{path}: invalid YAML{problem}; fix the file") from None
    return parse_spec(data, name=str(path), default_id=_slug(path.stem))


def bundled_spec_paths() -> list[Path]:
    """The specs shipped with careguide, by file name."""
    folder = resources.files(SPECS_PACKAGE) / SPECS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        (Path(str(f)) for f in folder.iterdir() if f.name.endswith((".yaml", ".yml"))),
        key=lambda p: p.name,
    )


def find_spec(name: str) -> Path:
    """A spec by path, or a bundled spec by id (``kinship-support``)."""
    path = Path(name)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return path
    for bundled in bundled_spec_paths():
        if bundled.stem == name or _slug(bundled.stem) == name:
            return bundled
    known = ", ".join(p.stem for p in bundled_spec_paths()) or "none"
    raise GuideSpecError(f"no guide spec {name!r}: give a YAML file, or a bundled guide ({known})")
