"""The search engine the shells share: collaborators built once from settings.

The CLI and the HTTP app build one ``Engine``; it loads the embedding model and opens the
index lazily, once, and passes them to ``retrieve`` with the glossary's query expansion.
"""

from __future__ import annotations

import hashlib
import json
import time
from functools import cached_property
from types import TracebackType

from careguide.api.settings import Settings
from careguide.guides.glossary import expand_query
from careguide.index.embedder import Embedder, build_embedder
from careguide.index.models import Hit, IndexStats, SearchFilters
from careguide.index.retrieve import Expander, Fusion, retrieve
from careguide.index.sentences import sentence_vectors
from careguide.index.store import PassageStore, ProgressCallback, open_store
from careguide.ingest.errors import IndexMissingError
from careguide.ingest.models import Passage
from careguide.ingest.storage import write_atomic

INDEX_FORMAT = "dense+sparse-porter/2"
"""Bump when what is stored per passage changes, so the next ingest rebuilds the index."""


def index_fingerprint(passages: list[Passage], model: str) -> str:
    """A digest of everything a build depends on: format, model, and every passage."""
    digest = hashlib.sha256(f"{INDEX_FORMAT}|{model}".encode())
    for p in passages:
        digest.update(p.model_dump_json().encode())
    return digest.hexdigest()


class Engine:
    """Embedder + store + query understanding, loaded once per process."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        store: PassageStore | None = None,
        expand: bool = True,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._store = store
        self.expand = expand

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or build_embedder(self.settings.index)

    @cached_property
    def store(self) -> PassageStore:
        return self._store or open_store(
            self.settings.index, self.settings.data_dir, engine=self.settings.index.engine
        )

    @property
    def expand_fn(self) -> Expander | None:
        """The glossary's query expansion, unless switched off."""
        return expand_query if self.expand else None

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: SearchFilters | None = None,
        fusion: Fusion | None = None,
        by_sentence: bool = True,
    ) -> list[Hit]:
        """The k best passages for a question, best first.

        ``by_sentence`` ranks the first hits again by their best sentence (see
        ``retrieve``); the answer composer, which judges every sentence itself, turns it off.
        """
        return retrieve(
            query,
            embedder=self.embedder,
            store=self.store,
            k=k,
            filters=filters,
            fusion=fusion,
            expand=self.expand_fn,
            sentences=sentence_vectors(self.embedder, self.settings.data_dir)
            if by_sentence
            else None,
        )

    def index(
        self,
        passages: list[Passage],
        progress: ProgressCallback | None = None,
        *,
        force: bool = False,
    ) -> IndexStats:
        """Build a new index of the passages and switch searches to it atomically.

        When the live collection was built from exactly these passages with the same model and
        index format (recorded in ``index-state.json`` in the data directory), nothing is
        rebuilt.
        """
        start = time.perf_counter()
        fingerprint = index_fingerprint(passages, self.settings.index.model)
        state_path = self.settings.data_dir / "index-state.json"
        if not force and state_path.exists() and self.store.mode != "memory":
            try:
                state = json.loads(state_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = {}
            try:
                live = self.store.live_collection()
            except IndexMissingError:
                live = None
            if state.get("fingerprint") == fingerprint and live and state.get("collection") == live:
                return IndexStats(
                    collection=live,
                    passages=len(passages),
                    embedded=0,
                    reused=len(passages),
                    seconds=time.perf_counter() - start,
                    removed_collections=[],
                    skipped=True,
                )
        stats = self.store.index(passages, self.embedder, progress=progress)
        if self.store.mode != "memory":
            state = {"fingerprint": fingerprint, "collection": stats.collection}
            write_atomic(state_path, json.dumps(state))
        return stats

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def passage_json(p: Passage) -> dict[str, object]:
    """The dry-run JSON line for a passage (documented in the README)."""
    return {
        "id": p.id,
        "source": p.source,
        "doc_id": p.doc_id,
        "title": p.title,
        "citation": p.citation,
        "heading_path": p.heading_path,
        "paragraphs": p.paragraphs,
        "part": p.part,
        "pages": p.pages,
        "kind": p.kind.value,
        "start": p.start,
        "end": p.end,
        "date": p.meta.date,
        "status": p.meta.status.value,
        "alt_locations": [a.citation for a in p.alt_locations],
        "footnotes": p.footnotes,
        "text": p.text,
    }


def hit_json(hit: Hit) -> dict[str, object]:
    """A hit as the CLI and the HTTP API print it: rank and score, then the passage."""
    return {"rank": hit.rank, "score": round(hit.score, 6), **passage_json(hit.passage)}
