"""The typed models the index stage hands on: search hits, filters, build statistics."""

from __future__ import annotations

from pydantic import BaseModel, Field

from careguide.ingest.models import DocKind, DocStatus, Passage, PassageKind


class Hit(BaseModel):
    """One search result: a passage, where it ranked, and why."""

    rank: int = Field(description="1-based position in the results.")
    score: float = Field(description="Fused score after ranking priors; higher is better.")
    passage: Passage
    dense_score: float | None = Field(
        default=None,
        description="Cosine similarity from the dense search; None if not a candidate there.",
    )
    sparse_score: float | None = Field(
        default=None,
        description="BM25-style score from the sparse search; None if not a candidate there.",
    )


class SearchFilters(BaseModel):
    """Restricts a search; every field left empty means "any"."""

    kinds: list[DocKind] = Field(default_factory=list, description="Document kinds to search.")
    doc_ids: list[str] = Field(default_factory=list, description="Documents to search.")
    statuses: list[DocStatus] = Field(
        default_factory=list, description="e.g. only current guidance."
    )
    passage_kinds: list[PassageKind] = Field(default_factory=list)
    year_from: int | None = Field(
        default=None,
        description="Earliest publication year; documents with no known year are excluded.",
    )
    year_to: int | None = Field(
        default=None,
        description="Latest publication year; documents with no known year are excluded.",
    )
    audience: list[str] = Field(
        default_factory=list,
        description="Match documents written for any of these (case-insensitive).",
    )

    @property
    def empty(self) -> bool:
        """True when the filters restrict nothing."""
        return not (
            self.kinds
            or self.doc_ids
            or self.statuses
            or self.passage_kinds
            or self.audience
            or self.year_from is not None
            or self.year_to is not None
        )


class IndexStats(BaseModel):
    """What a build did."""

    collection: str = Field(description="The collection the alias now points to.")
    passages: int = Field(description="Passages indexed.")
    embedded: int = Field(
        description="Vectors computed in this build (passages with identical text share one)."
    )
    reused: int = Field(
        description="Passages whose vector was copied (from the previous build, or a twin)."
    )
    seconds: float = Field(description="Wall-clock time of the build.")
    skipped: bool = Field(
        default=False, description="True when the live index already held exactly these passages."
    )
    removed_collections: list[str] = Field(
        default_factory=list, description="Old or half-built collections dropped by this build."
    )
