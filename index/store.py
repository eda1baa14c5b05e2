"""Passages in Qdrant: one collection per build, read through an alias.

Where vectors live:

- by default, Qdrant's embedded local mode on disk under ``data_dir/"index"``. It holds
  a file lock, so only one process can open it; a second one gets ``IndexBusyError``.
- with ``qdrant_url`` (and ``qdrant_api_key``), a Qdrant server, through the same code.
- with ``location=":memory:"``, an in-process index for tests.

Atomic re-index: ``index`` builds a new collection named ``{alias}_{timestamp}_{nonce}``,
then points the alias (``settings.collection``, "careguide") at it in one
``update_collection_aliases`` call, then drops the old collection. Local mode supports
aliases too: it keeps them in its ``meta.json``, which it rewrites whole and swaps in with
``os.replace``, so the switch is atomic on disk as well. Until the switch, searches read
the previous collection; a build that fails is dropped on the way out, and one that was
killed is dropped by the next build.

Unchanged passages cost no embedding: each point stores ``embed_key`` (sha256 of the
model name and the embedded text), and a build first copies the vectors of matching keys
from the live collection, embedding only what is new or changed (an unchanged corpus does
not even load the model). Sparse vectors are cheap and always recomputed, from the same
text the dense model sees (``passage_text_for_embedding``: context header, then text).

Each point's payload is the whole ``Passage`` (under ``passage``) plus flat fields for
filters: ``passage_id``, ``doc_id``, ``kind`` (document kind), ``status``, ``year``
(absent when unknown), ``audience`` (lower-cased list), ``passage_kind``. On a server
these get payload indexes; local mode scans and ignores payload indexes, so none are made.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self

import numpy as np
from qdrant_client import QdrantClient, models

from careguide.index.analyser import DEFAULT_AVGDL, analyse, sparse_vector
from careguide.index.embedder import Embedder, passage_text_for_embedding
from careguide.index.models import IndexStats, SearchFilters
from careguide.index.settings import IndexSettings
from careguide.ingest.errors import ConfigError, IndexBusyError, IndexMissingError
from careguide.ingest.models import Passage

DENSE = "dense"
SPARSE = "sparse"

ProgressCallback = Callable[[int, int], None]
"""Called as passages are stored, with (passages done, passages in total)."""

_POINT_NAMESPACE = uuid.UUID("6f1d8c2e-4b7a-5e39-9c1f-2a3b4c5d6e7f")
_LOCK_CLASH = "already accessed by another instance of Qdrant client"
_PAYLOAD_INDEXES: dict[str, models.PayloadSchemaType] = {
    "doc_id": models.PayloadSchemaType.KEYWORD,
    "kind": models.PayloadSchemaType.KEYWORD,
    "status": models.PayloadSchemaType.KEYWORD,
    "year": models.PayloadSchemaType.INTEGER,
    "audience": models.PayloadSchemaType.KEYWORD,
    "passage_kind": models.PayloadSchemaType.KEYWORD,
}


def point_id(passage_id: str) -> str:
    """Qdrant point ids must be integers or UUIDs: a UUID derived from the passage id."""
    return str(uuid.uuid5(_POINT_NAMESPACE, passage_id))


def embedding_key(model: str, text: str) -> str:
    """Cache key of a dense vector: the same model on the same text gives the same vector."""
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


def _payload(passage: Passage, key: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "passage": passage.model_dump(mode="json"),
        "passage_id": passage.id,
        "doc_id": passage.doc_id,
        "kind": passage.meta.kind.value,
        "status": passage.meta.status.value,
        "audience": [a.lower() for a in passage.meta.audience],
        "passage_kind": passage.kind.value,
        "embed_key": key,
    }
    if passage.meta.year is not None:
        payload["year"] = passage.meta.year
    return payload


def _filter(filters: SearchFilters | None) -> models.Filter | None:
    if filters is None or filters.empty:
        return None
    must: list[models.Condition] = []

    def any_of(key: str, values: Sequence[str]) -> None:
        if values:
            must.append(models.FieldCondition(key=key, match=models.MatchAny(any=list(values))))

    any_of("kind", [k.value for k in filters.kinds])
    any_of("doc_id", filters.doc_ids)
    any_of("status", [s.value for s in filters.statuses])
    any_of("passage_kind", [k.value for k in filters.passage_kinds])
    any_of("audience", [a.lower() for a in filters.audience])
    if filters.year_from is not None or filters.year_to is not None:
        must.append(
            models.FieldCondition(
                key="year", range=models.Range(gte=filters.year_from, lte=filters.year_to)
            )
        )
    return models.Filter(must=must)


def _chunks(items: Sequence[Passage], size: int) -> Iterator[Sequence[Passage]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reason(error: Exception, limit: int = 160) -> str:
    """The first line of an error, shortened, to quote inside a one-line message."""
    first = " ".join((str(error).strip().splitlines() or [type(error).__name__])[0].split())
    return first if len(first) <= limit else first[: limit - 1] + "…"


class Store:
    """The passage index: build it with ``index``, read it with ``search`` and ``get``.

    The Qdrant client opens on first use and stays open until ``close`` (or the end of a
    ``with`` block); local mode holds its file lock for that long. Calls are serialised
    with a lock, because local mode is not thread-safe.
    """

    def __init__(
        self,
        settings: IndexSettings,
        data_dir: Path | str | None = None,
        *,
        location: str | None = None,
    ):
        self.settings = settings
        self.alias = settings.collection
        self.location = location
        self.path = Path(data_dir) / "index" if data_dir is not None else None
        if location is None and settings.qdrant_url is None and self.path is None:
            raise ConfigError("no place for the index: give a data directory or set qdrant_url")
        self._client: QdrantClient | None = None
        self._lock = threading.RLock()

    @property
    def mode(self) -> Literal["memory", "local", "server"]:
        """Where the vectors live."""
        if self.location is not None:
            return "memory"
        return "server" if self.settings.qdrant_url else "local"

    @property
    def where(self) -> str:
        """The index's location, as error messages name it."""
        if self.location is not None:
            return self.location
        if self.settings.qdrant_url:
            return f"{self.settings.qdrant_url} (collection {self.alias})"
        return str(self.path)

    # -- the client ---------------------------------------------------------------------

    def _open(self, *, create: bool) -> QdrantClient:
        if self._client is not None:
            return self._client
        if self.location is not None:
            self._client = QdrantClient(location=self.location)
        elif self.settings.qdrant_url:
            key = self.settings.qdrant_api_key
            self._client = QdrantClient(
                url=self.settings.qdrant_url, api_key=key.get_secret_value() if key else None
            )
        else:
            assert self.path is not None  # checked in __init__
            if not create and not (self.path / "meta.json").exists():
                raise self._missing()
            try:
                self._client = QdrantClient(
                    path=str(self.path), force_disable_check_same_thread=True
                )
            except RuntimeError as e:
                if _LOCK_CLASH not in str(e):
                    raise
                raise IndexBusyError(
                    f"the index in {self.path} is open in another careguide process; stop it, "
                    "or use a Qdrant server (set CAREGUIDE_QDRANT_URL)"
                ) from None
            # local mode cannot open past a garbled meta.json or collection database, not
            # even to build anew, so the recovery deletes the folder first
            except (ValueError, KeyError, sqlite3.DatabaseError) as e:
                raise IndexMissingError(
                    f"the index in {self.path} is damaged ({_reason(e)}); delete that folder "
                    "and rebuild it with `careguide ingest`"
                ) from None
        return self._client

    def _missing(self) -> IndexMissingError:
        return IndexMissingError(f"no index in {self.where} yet; run `careguide ingest` first")

    def close(self) -> None:
        """Close the client (and release local mode's lock). The store can be reopened."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- collections --------------------------------------------------------------------

    def live_collection(self) -> str | None:
        """The collection the alias points to, or None before the first build."""
        with self._lock:
            client = self._open(create=False)
            for alias in client.get_aliases().aliases:
                if alias.alias_name == self.alias:
                    return alias.collection_name
            return None

    def _builds(self, client: QdrantClient) -> list[str]:
        prefix = f"{self.alias}_"
        return [c.name for c in client.get_collections().collections if c.name.startswith(prefix)]

    def _drop(self, client: QdrantClient, names: Sequence[str]) -> list[str]:
        for name in names:
            client.delete_collection(name)
        return list(names)

    def _create(self, client: QdrantClient, name: str, dim: int) -> None:
        client.create_collection(
            name,
            vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        if self.mode == "server":
            for field, schema in _PAYLOAD_INDEXES.items():
                client.create_payload_index(name, field, field_schema=schema)

    def _cached_vectors(
        self, client: QdrantClient, collection: str | None, wanted: set[str]
    ) -> dict[str, list[float]]:
        """Dense vectors of the live collection whose embed_key is wanted.

        The key names the model, so a vector found is one the embedder would compute.
        """
        if collection is None or not wanted:
            return {}
        vectors = client.get_collection(collection).config.params.vectors
        if not isinstance(vectors, dict) or DENSE not in vectors:
            return {}
        found: dict[str, list[float]] = {}
        offset: models.ExtendedPointId | None = None
        while True:
            records, offset = client.scroll(
                collection,
                limit=256,
                offset=offset,
                with_payload=["embed_key"],
                with_vectors=[DENSE],
            )
            for record in records:
                key = (record.payload or {}).get("embed_key")
                vector = record.vector.get(DENSE) if isinstance(record.vector, dict) else None
                if key in wanted and isinstance(vector, list):
                    found[key] = vector  # type: ignore[assignment]  # a dense vector is list[float]
            if offset is None:
                return found

    # -- building -----------------------------------------------------------------------

    def index(
        self,
        passages: Sequence[Passage],
        embedder: Embedder,
        progress: ProgressCallback | None = None,
    ) -> IndexStats:
        """Build a new collection from ``passages`` and make it the live one.

        Passages with a repeated id are stored once (the first). Vectors of passages whose
        embedded text is unchanged since the live build are copied, not recomputed.
        """
        started = time.perf_counter()
        first_by_id: dict[str, Passage] = {}
        for passage in passages:
            first_by_id.setdefault(passage.id, passage)
        unique = list(first_by_id.values())
        with self._lock:
            client = self._open(create=True)
            live = self.live_collection()
            removed = self._drop(client, [c for c in self._builds(client) if c != live])

            texts = {p.id: passage_text_for_embedding(p) for p in unique}
            keys = {p.id: embedding_key(embedder.name, texts[p.id]) for p in unique}
            cache = self._cached_vectors(client, live, set(keys.values()))
            # when every vector is cached, the model need not even load to say its size
            cached_all = bool(cache) and all(k in cache for k in keys.values())
            dim = len(next(iter(cache.values()))) if cached_all else embedder.dim
            avgdl = (
                float(np.mean([len(analyse(t)) for t in texts.values()]))
                if texts
                else DEFAULT_AVGDL
            )

            name = f"{self.alias}_{time.strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:6]}"
            embedded = 0
            try:
                self._create(client, name, dim)
                done = 0
                # similar lengths batched together pad less: several times faster on CPU
                by_length = sorted(unique, key=lambda p: len(texts[p.id]))
                for batch in _chunks(by_length, self.settings.batch_size):
                    missing = list(
                        dict.fromkeys(keys[p.id] for p in batch if keys[p.id] not in cache)
                    )
                    if missing:
                        by_key = {keys[p.id]: texts[p.id] for p in batch}
                        rows = embedder.embed([by_key[k] for k in missing])
                        cache.update(zip(missing, rows.tolist(), strict=True))
                        embedded += len(missing)
                    client.upsert(
                        name,
                        points=[
                            models.PointStruct(
                                id=point_id(p.id),
                                vector={
                                    DENSE: cache[keys[p.id]],
                                    SPARSE: sparse_vector(texts[p.id], avgdl=avgdl),
                                },
                                payload=_payload(p, keys[p.id]),
                            )
                            for p in batch
                        ],
                    )
                    done += len(batch)
                    if progress is not None:
                        progress(done, len(unique))
                switch: list[models.AliasOperations] = []
                if live is not None:
                    switch.append(
                        models.DeleteAliasOperation(
                            delete_alias=models.DeleteAlias(alias_name=self.alias)
                        )
                    )
                switch.append(
                    models.CreateAliasOperation(
                        create_alias=models.CreateAlias(collection_name=name, alias_name=self.alias)
                    )
                )
                client.update_collection_aliases(change_aliases_operations=switch)
            except BaseException:
                # if dropping fails too, the next build drops it; the original error matters
                with contextlib.suppress(Exception):
                    self._drop(client, [name])
                raise
            if live is not None:
                removed += self._drop(client, [live])
        return IndexStats(
            collection=name,
            passages=len(unique),
            embedded=embedded,
            reused=len(unique) - embedded,
            seconds=time.perf_counter() - started,
            removed_collections=removed,
        )

    # -- reading ------------------------------------------------------------------------

    def _reader(self) -> QdrantClient:
        client = self._open(create=False)
        if self.live_collection() is None:
            raise self._missing()
        return client

    def count(self) -> int:
        """Passages in the live collection."""
        with self._lock:
            return self._reader().count(self.alias, exact=True).count

    def get(self, passage_id: str) -> Passage | None:
        """One passage by id, or None if the live collection does not hold it."""
        with self._lock:
            records = self._reader().retrieve(
                self.alias, ids=[point_id(passage_id)], with_payload=True
            )
        if not records or not records[0].payload:
            return None
        return Passage.model_validate(records[0].payload["passage"])

    def search(
        self,
        using: Literal["dense", "sparse"],
        query: np.ndarray | list[float] | models.SparseVector,
        *,
        limit: int,
        filters: SearchFilters | None = None,
    ) -> list[tuple[Passage, float]]:
        """Nearest passages by one vector, best first, with their raw scores."""
        if isinstance(query, np.ndarray):
            query = query.astype(float).tolist()
        if isinstance(query, models.SparseVector) and not query.indices:
            return []
        with self._lock:
            response = self._reader().query_points(
                self.alias,
                query=query,
                using=using,
                query_filter=_filter(filters),
                limit=limit,
                with_payload=["passage"],
            )
        return [
            (Passage.model_validate(point.payload["passage"]), point.score)
            for point in response.points
            if point.payload
        ]


# -- choosing the backend ---------------------------------------------------------------
# (added with index/edge_store.py; figures from eval/bench_scale.py in the README)


class PassageStore(Protocol):
    """What retrieval and the shells use of an index; ``Store`` and ``EdgeStore`` both fit."""

    settings: IndexSettings

    @property
    def mode(self) -> str: ...

    @property
    def where(self) -> str: ...

    def live_collection(self) -> str | None: ...

    def index(
        self,
        passages: Sequence[Passage],
        embedder: Embedder,
        progress: ProgressCallback | None = None,
    ) -> IndexStats: ...

    def count(self) -> int: ...

    def get(self, passage_id: str) -> Passage | None: ...

    def search(
        self,
        using: Literal["dense", "sparse"],
        query: np.ndarray | list[float] | models.SparseVector,
        *,
        limit: int,
        filters: SearchFilters | None = None,
    ) -> list[tuple[Passage, float]]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def open_store(
    settings: IndexSettings,
    data_dir: Path | str | None = None,
    *,
    location: str | None = None,
    engine: Literal["edge", "local"] = "edge",
) -> PassageStore:
    """The index the settings name.

    A Qdrant server (``settings.qdrant_url``) or ``location=":memory:"``: ``Store``.
    Embedded on disk under ``data_dir/"index"``: ``EdgeStore``, Qdrant's own engine in
    process, by default; ``engine="local"`` keeps qdrant-client's local mode, which scores
    every vector in Python: fine for the sample corpus, too slow past about 20,000
    passages (sparse search takes seconds a query at 100,000).
    """
    if location is not None or settings.qdrant_url or engine == "local" or data_dir is None:
        return Store(settings, data_dir, location=location)
    from careguide.index.edge_store import EdgeStore  # it builds on this module

    return EdgeStore(settings, data_dir)
