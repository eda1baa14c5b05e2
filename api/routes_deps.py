"""What the route modules share: the app's state, rate limits, the busy guard, admin auth.

Only route modules raise ``HTTPException``; everything below them raises
``CareguideError`` and the app's handlers turn it into ``{"detail": ...}``.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import anyio
from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from careguide.api.answer import Generator, answer
from careguide.api.answer_models import Answer, Mode, Turn
from careguide.api.engine import Engine
from careguide.api.feedback import FeedbackStore
from careguide.api.ratelimit import RateLimiter
from careguide.api.redact import redact
from careguide.api.settings import Settings
from careguide.index.models import SearchFilters
from careguide.ingest.catalogue import Catalogue
from careguide.ingest.errors import IndexMissingError
from careguide.ingest.storage import LibraryStore, StoredDocument

__all__ = ["AppState", "BusyGuard", "ResponseCache", "require_admin", "state_of"]

T = TypeVar("T")

query_log = logging.getLogger("careguide.queries")
logger = logging.getLogger("careguide.api")

BUSY = "careguide is busy answering other questions; try again in a moment"
ADMIN_OFF = (
    "admin endpoints are switched off; set CAREGUIDE_ADMIN_TOKEN (at least 16 characters) "
    "and restart the server"
)
ADMIN_MISSING = "admin endpoints need the header 'Authorization: Bearer <CAREGUIDE_ADMIN_TOKEN>'"
ADMIN_WRONG = "the admin token is wrong; use the value of CAREGUIDE_ADMIN_TOKEN"


class BusyGuard:
    """At most ``limit`` blocking computations at once; a request waits ``timeout`` at most.

    Waiting requests are served first come, first served (a ticket queue), so under load
    no request waits much longer than the others. Polls under a thread lock rather than
    holding an asyncio primitive, so one guard serves any event loop (test clients start
    their own).
    """

    def __init__(self, limit: int, timeout: float) -> None:
        self.limit = limit
        self.timeout = timeout
        self._lock = threading.Lock()
        self._active = 0
        self._waiting: deque[object] = deque()

    def _try_enter(self, ticket: object) -> bool:
        with self._lock:
            if self._waiting[0] is ticket and self._active < self.limit:
                self._waiting.popleft()
                self._active += 1
                return True
            return False

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        deadline = time.monotonic() + self.timeout
        ticket = object()
        with self._lock:
            self._waiting.append(ticket)
        while not self._try_enter(ticket):
            if time.monotonic() >= deadline:
                with self._lock:
                    self._waiting.remove(ticket)
                raise HTTPException(503, BUSY, headers={"Retry-After": "1"})
            await anyio.sleep(0.002)
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking ``fn`` in the thread pool once a slot is free."""
        async with self.slot():
            return await run_in_threadpool(fn, *args, **kwargs)


@dataclass
class LibraryView:
    """Summaries of the stored library, re-read only when its files change."""

    library: LibraryStore
    _summary: tuple[tuple[Any, ...], list[StoredDocument], dict[str, int]] | None = None
    _docs: OrderedDict[str, tuple[int, StoredDocument]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _signature(self) -> tuple[Any, ...]:
        files: list[Path] = []
        if self.library.docs_dir.exists():
            files = sorted(self.library.docs_dir.glob("*.json"))
        if self.library.passages_path.exists():
            files.append(self.library.passages_path)
        return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)

    def summary(self) -> tuple[list[StoredDocument], dict[str, int]]:
        """Every stored document, and the indexed (de-duplicated) passages per document."""
        signature = self._signature()
        with self._lock:
            if self._summary is not None and self._summary[0] == signature:
                return self._summary[1], self._summary[2]
        docs = self.library.documents()
        indexed: dict[str, int] = {}
        try:
            for p in self.library.passages() if self.library.passages_path.exists() else []:
                indexed[p.doc_id] = indexed.get(p.doc_id, 0) + 1
        except IndexMissingError as e:  # damaged: the documents still list, the log says why
            logger.warning("%s", e)
        with self._lock:
            self._summary = (signature, docs, indexed)
        return docs, indexed

    def document(self, doc_id: str) -> StoredDocument | None:
        """One stored document (the few last asked for are kept parsed)."""
        path = self.library.docs_dir / f"{doc_id}.json"
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return None
        with self._lock:
            cached = self._docs.get(doc_id)
            if cached and cached[0] == mtime:
                self._docs.move_to_end(doc_id)
                return cached[1]
        doc = self.library.document(doc_id)
        if doc is None:
            return None
        with self._lock:
            self._docs[doc_id] = (mtime, doc)
            while len(self._docs) > 8:
                self._docs.popitem(last=False)
        return doc


class ResponseCache:
    """Recent search results and answers by request, so a repeated question costs nothing.

    Entries expire after ``seconds``; ``clear`` runs whenever this process changes the
    library. Only deterministic work is kept (extractive answers; an LLM's are not).
    """

    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.size = size
        self.seconds = seconds
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        if not self.size:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None or self._clock() - item[0] > self.seconds:
                self._items.pop(key, None)
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, value: Any) -> None:
        if not self.size:
            return
        with self._lock:
            self._items[key] = (self._clock(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class AppState:
    """Everything the routes share: one engine, the library, limits, feedback."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        server = settings.server
        self.library = LibraryView(LibraryStore(settings.data_dir))
        self.feedback = FeedbackStore(server.feedback_db or settings.data_dir / "feedback.sqlite3")
        self.limits = {
            "search": RateLimiter(server.search_per_minute),
            "ask": RateLimiter(server.ask_per_minute),
            "feedback": RateLimiter(server.feedback_per_minute),
        }
        self.guard = BusyGuard(server.max_concurrent, server.queue_timeout)
        self.cache = ResponseCache(
            server.cache_size if not settings.llm.enabled else 0, server.cache_seconds
        )
        self.admin_lock = threading.Lock()  # one library change at a time

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue.load(self.settings.ingest.catalogue_path)

    @cached_property
    def generator(self) -> Generator | None:
        """The LLM backend when one is configured, else None (extractive answers)."""
        if not self.settings.llm.enabled:
            return None
        from careguide.api.llm import LLMGenerator  # imports llama-index: only when used

        return LLMGenerator(self.settings.llm)

    def log_question(self, route: str, question: str) -> None:
        """Log a question only when query logging is on, and then redacted."""
        if self.settings.server.query_logging:
            query_log.info("%s %s", route, redact(question))

    async def cached(self, key: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` through the busy guard, or its kept result for ``key``."""
        found = self.cache.get(key)
        if found is not None:
            return found
        value = await self.guard.run(fn, *args, **kwargs)
        self.cache.put(key, value)
        return value

    async def answer(
        self,
        question: str,
        mode: Mode,
        history: list[Turn],
        filters: SearchFilters | None = None,
    ) -> Answer:
        """Answer one message in the thread pool (or recall the same question's answer)."""
        turns = [t.model_dump() for t in history]
        chosen = filters.model_dump(mode="json") if filters else None
        key = json.dumps(["ask", question, mode.value, turns, chosen], ensure_ascii=False)
        return await self.cached(
            key,
            answer,
            question,
            engine=self.engine,
            mode=mode,
            history=history,
            generator=self.generator,
            filters=filters,
        )


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.careguide
    return state


def client_key(request: Request) -> str:
    """The client a rate limit counts against: its address as the server saw it.

    Behind a reverse proxy, run uvicorn with ``--proxy-headers`` and
    ``--forwarded-allow-ips`` so that this is the real client, not the proxy.
    """
    return request.client.host if request.client else "unknown"


def rate_limited(kind: str) -> Callable[[Request], None]:
    """A dependency taking one token from the client's ``kind`` bucket, or raising 429."""

    def check(request: Request) -> None:
        limiter = state_of(request).limits[kind]
        wait = limiter.check(client_key(request))
        if wait > 0:
            raise HTTPException(
                429,
                f"too many requests; this server allows {limiter.per_minute} {kind} requests "
                f"a minute per client, try again in {RateLimiter.retry_after(wait)} s",
                headers={"Retry-After": RateLimiter.retry_after(wait)},
            )

    return check


def require_admin(request: Request) -> None:
    """The admin gate: off without a token; otherwise a Bearer header, compared in constant time."""
    token = state_of(request).settings.admin_token
    if token is None:
        raise HTTPException(403, ADMIN_OFF)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise HTTPException(401, ADMIN_MISSING, headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode()):
        raise HTTPException(401, ADMIN_WRONG, headers={"WWW-Authenticate": "Bearer"})
