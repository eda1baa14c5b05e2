"""Passages in Qdrant Edge: Qdrant's own engine, in process, for large embedded indexes.

qdrant-client's local mode keeps every point in Python and scores each one per query, so
its search time grows with the index (sparse search at 100k passages takes seconds).
Qdrant Edge (``qdrant-edge-py``) is the Rust engine of the Qdrant server as a library:
HNSW for dense vectors, an inverted index for sparse ones (with the same IDF modifier),
payload indexes for filters. ``EdgeStore`` has ``Store``'s public methods and behaviour,
so retrieval cannot tell them apart (the tests run the same cases on both).

On disk, under ``data_dir/"index"`` (beside, never inside, local mode's files)::

    edge.lock                      held while a process has the index open
    edge.json                      {"collection": <the live build>, "points": <its size>}
    careguide_<timestamp>_<nonce>/ one Edge shard per build

Atomic re-index, as in ``Store``: ``index`` builds a new shard beside the live one,
optimises and flushes it, then rewrites ``edge.json`` whole and swaps it in with
``os.replace``, then deletes the old shard. Until the swap, searches read the previous
build; a build that fails is deleted on the way out, and one that was killed is deleted
by the next build. Unchanged passages cost no embedding: vectors are copied from the
live build by ``embed_key``, exactly as ``Store`` does.

A damaged live build (unreadable files, a garbled pointer, fewer points than recorded)
is refused in one line naming the recovery, `careguide ingest`; that build treats the
damaged one as absent, embeds everything again and deletes it.

One process at a time: ``edge.lock`` is an OS file lock (released when the process
exits, however it exits); a second process gets ``IndexBusyError`` with the same message
as local mode's.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import time
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np
import qdrant_edge as qe
from filelock import FileLock, Timeout
from qdrant_client import models

from careguide.index.analyser import DEFAULT_AVGDL, analyse, sparse_vector
from careguide.index.embedder import Embedder, passage_text_for_embedding
from careguide.index.models import IndexStats, SearchFilters
from careguide.index.settings import IndexSettings

# the payload and chunking of Store, shared so both backends store identical points
from careguide.index.store import (
    DENSE,
    SPARSE,
    ProgressCallback,
    _chunks,
    _payload,
    _reason,
    embedding_key,
    point_id,
)
from careguide.ingest.errors import IndexBusyError, IndexMissingError
from careguide.ingest.models import Passage
from careguide.ingest.storage import write_atomic

POINTER = "edge.json"
LOCK = "edge.lock"

_PAYLOAD_INDEXES: dict[str, qe.PayloadSchemaType] = {
    "doc_id": qe.PayloadSchemaType.Keyword,
    "kind": qe.PayloadSchemaType.Keyword,
    "status": qe.PayloadSchemaType.Keyword,
    "year": qe.PayloadSchemaType.Integer,
    "audience": qe.PayloadSchemaType.Keyword,
    "passage_kind": qe.PayloadSchemaType.Keyword,
}


def _filter(filters: SearchFilters | None) -> qe.Filter | None:
    """``store._filter`` in Edge's types: the same conditions on the same payload fields."""
    if filters is None or filters.empty:
        return None
    must: list[Any] = []

    def any_of(key: str, values: Sequence[str]) -> None:
        if values:
            must.append(qe.FieldCondition(key=key, match=qe.MatchAny(list(values))))

    any_of("kind", [k.value for k in filters.kinds])
    any_of("doc_id", filters.doc_ids)
    any_of("status", [s.value for s in filters.statuses])
    any_of("passage_kind", [k.value for k in filters.passage_kinds])
    any_of("audience", [a.lower() for a in filters.audience])
    if filters.year_from is not None or filters.year_to is not None:
        year = qe.RangeFloat(
            gte=None if filters.year_from is None else float(filters.year_from),
            lte=None if filters.year_to is None else float(filters.year_to),
        )
        must.append(qe.FieldCondition(key="year", range=year))
    return qe.Filter(must=must)


def _sparse(vector: models.SparseVector) -> qe.SparseVector:
    return qe.SparseVector(list(vector.indices), list(vector.values))


def _config(dim: int) -> qe.EdgeConfig:
    return qe.EdgeConfig(
        vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)},
        sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        # a build is written once and only goes live after flush(): a write-ahead log
        # would double what is written and protect nothing
        wal_enabled=False,
    )


class EdgeStore:
    """The passage index on Qdrant Edge: ``Store``'s methods, one shard per build.

    The shard opens on first use and stays open until ``close`` (or the end of a
    ``with`` block), holding the file lock that long. Calls are serialised with a lock,
    as ``Store``'s are.
    """

    def __init__(self, settings: IndexSettings, data_dir: Path | str):
        self.settings = settings
        self.alias = settings.collection
        self.path = Path(data_dir) / "index"
        self._file_lock: FileLock | None = None
        self._shard: qe.EdgeShard | None = None
        self._live: str | None = None
        self._lock = threading.RLock()
        self._decoded: OrderedDict[Any, Passage] = OrderedDict()
        self._cached_build: str | None = None

    @property
    def mode(self) -> Literal["edge"]:
        """Where the vectors live: an Edge shard on disk."""
        return "edge"

    @property
    def where(self) -> str:
        """The index's location, as error messages name it."""
        return str(self.path)

    # -- opening and closing -------------------------------------------------------------

    def _open(self, *, create: bool) -> None:
        """Take the file lock and open the live shard, if there is one."""
        if self._file_lock is not None:
            return
        pointer = self.path / POINTER
        if not create and not pointer.exists():
            raise self._missing()  # reading never creates an empty index
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path / LOCK), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise IndexBusyError(
                f"the index in {self.path} is open in another careguide process; stop it, "
                "or use a Qdrant server (set CAREGUIDE_QDRANT_URL)"
            ) from None
        self._file_lock = lock
        try:
            self._load_live(pointer, create=create)
        except BaseException:
            self.close()
            raise

    def _load_live(self, pointer: Path, *, create: bool) -> None:
        """Open the build the pointer names; a damaged one is refused, or dropped when building.

        Reading a damaged index raises ``IndexMissingError`` naming the recovery command. A
        build (``create``) treats it as no index: it embeds everything again and deletes
        the damaged build with the other leftovers.
        """
        live: str | None = None
        try:
            if pointer.exists():
                recorded = json.loads(pointer.read_text(encoding="utf-8"))
                live = str(recorded["collection"])
                # a pointer to a deleted build reads as no index: `careguide ingest` mends it
                if (self.path / live).is_dir():
                    shard = qe.EdgeShard.load(str(self.path / live))
                    self._shard, self._live = shard, live
                    points = recorded.get("points")
                    if points is not None and shard.count(qe.CountRequest(exact=True)) != points:
                        raise ValueError(f"it should hold {points} passages but does not")
        # Edge reports unreadable files as plain Exception ("Service runtime error: ...")
        except Exception as error:
            if self._shard is not None:
                with contextlib.suppress(Exception):
                    self._shard.close()
            self._shard, self._live = None, None
            if not create:
                raise IndexMissingError(
                    f"the index in {self.path} is damaged ({_reason(error)}); "
                    "rebuild it with `careguide ingest`"
                ) from None
            warnings.warn(
                f"the index in {self.path} was damaged ({_reason(error)}); building a new one",
                stacklevel=2,
            )

    def _missing(self) -> IndexMissingError:
        return IndexMissingError(f"no index in {self.where} yet; run `careguide ingest` first")

    def close(self) -> None:
        """Close the shard and release the file lock. The store can be reopened."""
        with self._lock:
            if self._shard is not None:
                self._shard.close()
                self._shard = None
            self._live = None
            if self._file_lock is not None:
                self._file_lock.release()
                self._file_lock = None

    def __enter__(self) -> EdgeStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- builds --------------------------------------------------------------------------

    def live_collection(self) -> str | None:
        """The build the alias points to, or None before the first build."""
        with self._lock:
            self._open(create=False)
            return self._live

    def builds(self) -> list[str]:
        """Every build on disk, live or not (more than one only during or after a failure)."""
        prefix = f"{self.alias}_"
        if not self.path.is_dir():
            return []
        return sorted(
            p.name for p in self.path.iterdir() if p.is_dir() and p.name.startswith(prefix)
        )

    def _drop(self, names: Sequence[str]) -> list[str]:
        for name in names:
            shutil.rmtree(self.path / name)
        return list(names)

    def _cached_vectors(self, wanted: set[str]) -> dict[str, np.ndarray]:
        """Dense vectors of the live build whose embed_key is wanted."""
        if self._shard is None or not wanted:
            return {}
        found: dict[str, np.ndarray] = {}
        offset: Any = None
        while True:
            records, offset = self._shard.scroll(
                qe.ScrollRequest(
                    offset=offset, limit=1024, with_payload=["embed_key"], with_vector=[DENSE]
                )
            )
            for record in records:
                key = (record.payload or {}).get("embed_key")
                vector = record.vector.get(DENSE) if isinstance(record.vector, dict) else None
                if key in wanted and isinstance(vector, list):
                    found[key] = np.asarray(vector, dtype=np.float32)
            if offset is None:
                return found

    def index(
        self,
        passages: Sequence[Passage],
        embedder: Embedder,
        progress: ProgressCallback | None = None,
    ) -> IndexStats:
        """Build a new shard from ``passages`` and make it the live one (see ``Store.index``)."""
        started = time.perf_counter()
        first_by_id: dict[str, Passage] = {}
        for passage in passages:
            first_by_id.setdefault(passage.id, passage)
        unique = list(first_by_id.values())
        with self._lock:
            self._open(create=True)
            live = self._live
            removed = self._drop([b for b in self.builds() if b != live])

            texts = {p.id: passage_text_for_embedding(p) for p in unique}
            keys = {p.id: embedding_key(embedder.name, texts[p.id]) for p in unique}
            cache = self._cached_vectors(set(keys.values()))
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
            shard: qe.EdgeShard | None = None
            try:
                shard = qe.EdgeShard.create(str(self.path / name), _config(dim))
                for field, schema in _PAYLOAD_INDEXES.items():
                    shard.update(qe.UpdateOperation.create_field_index(field, schema))
                done = 0
                by_length = sorted(unique, key=lambda p: len(texts[p.id]))
                for batch in _chunks(by_length, self.settings.batch_size):
                    missing = list(
                        dict.fromkeys(keys[p.id] for p in batch if keys[p.id] not in cache)
                    )
                    if missing:
                        by_key = {keys[p.id]: texts[p.id] for p in batch}
                        rows = embedder.embed([by_key[k] for k in missing])
                        # float32 rows, not lists of Python floats: a sixth of the memory
                        cache.update(zip(missing, rows, strict=True))
                        embedded += len(missing)
                    points = [
                        qe.Point(
                            point_id(p.id),
                            {
                                DENSE: np.asarray(cache[keys[p.id]], dtype=float).tolist(),
                                SPARSE: _sparse(sparse_vector(texts[p.id], avgdl=avgdl)),
                            },
                            _payload(p, keys[p.id]),
                        )
                        for p in batch
                    ]
                    shard.update(qe.UpdateOperation.upsert_points(points))
                    done += len(batch)
                    if progress is not None:
                        progress(done, len(unique))
                shard.optimize()  # builds the HNSW graph; edge never optimises in the background
                shard.flush()
                # the point count lets a later open tell a damaged build from an empty one
                pointer = {"collection": name, "points": len(unique)}
                write_atomic(self.path / POINTER, json.dumps(pointer))
            except BaseException:
                # if deleting fails too, the next build deletes it; the original error matters
                if shard is not None:
                    with contextlib.suppress(Exception):
                        shard.close()
                with contextlib.suppress(Exception):
                    self._drop([name])
                raise
            if self._shard is not None:
                self._shard.close()
            self._shard, self._live = shard, name
            if live is not None:
                removed += self._drop([live])
        return IndexStats(
            collection=name,
            passages=len(unique),
            embedded=embedded,
            reused=len(unique) - embedded,
            seconds=time.perf_counter() - started,
            removed_collections=removed,
        )

    # -- reading -------------------------------------------------------------------------

    def _reader(self) -> qe.EdgeShard:
        self._open(create=False)
        if self._shard is None:
            raise self._missing()
        return self._shard

    def count(self) -> int:
        """Passages in the live build."""
        with self._lock:
            return self._reader().count(qe.CountRequest(exact=True))

    def get(self, passage_id: str) -> Passage | None:
        """One passage by id, or None if the live build does not hold it."""
        with self._lock:
            records = self._reader().retrieve(
                [point_id(passage_id)], with_payload=True, with_vector=False
            )
        if not records or not records[0].payload:
            return None
        return Passage.model_validate(records[0].payload["passage"])

    PASSAGE_CACHE = 50_000
    """Passages kept decoded, by point: a search's candidates are mostly ones seen before."""

    def _passages_for(self, reader: qe.EdgeShard, ids: Sequence[Any]) -> dict[Any, Passage]:
        """The passages of these points of the live build (call under the lock).

        Decoding a passage from its payload costs more than finding it, and every search
        fetches a hundred candidates, so decoded passages are kept for the live build.
        """
        if self._cached_build != self._live:
            self._decoded.clear()
            self._cached_build = self._live
        missing = [i for i in ids if i not in self._decoded]
        if missing:
            for record in reader.retrieve(missing, with_payload=True, with_vector=False):
                if record.payload:
                    passage = Passage.model_validate(record.payload["passage"])
                    self._decoded[record.id] = passage
            while len(self._decoded) > self.PASSAGE_CACHE:
                self._decoded.popitem(last=False)
        return {i: self._decoded[i] for i in ids if i in self._decoded}

    def search(
        self,
        using: Literal["dense", "sparse"],
        query: np.ndarray | list[float] | models.SparseVector,
        *,
        limit: int,
        filters: SearchFilters | None = None,
    ) -> list[tuple[Passage, float]]:
        """Nearest passages by one vector, best first, with their raw scores."""
        vector: list[float] | qe.SparseVector
        if isinstance(query, models.SparseVector):
            if not query.indices:
                return []
            vector = _sparse(query)
        elif isinstance(query, np.ndarray):
            vector = query.astype(float).tolist()
        else:
            vector = query
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(vector, using=using),
            filter=_filter(filters),
            with_payload=False,
        )
        with self._lock:
            reader = self._reader()
            points = reader.query(request)
            passages = self._passages_for(reader, [point.id for point in points])
        found = [(passages[point.id], point.score) for point in points if point.id in passages]
        # the engine returns equal scores in no fixed order (segments are searched in
        # parallel); by id, the same index always gives the same ranking
        return sorted(found, key=lambda hit: (-hit[1], hit[0].id))
