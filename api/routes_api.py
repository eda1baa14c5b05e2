"""The JSON API under /api: health, library, passages, search, ask (plain and streamed), feedback.

``/api/search`` and ``/api/ask`` return what ``careguide search --json`` and
``careguide ask --json`` print (an answer carries its full ``Answer`` fields: the id for
feedback, and each citation's passage id, title, paragraphs and pages for the page's
citation panel). ``/api/ask/stream`` sends Server-Sent Events:

- ``safety`` (only for a disclosure, first): the safety object, so the help panel shows
  before anything else;
- ``delta`` ``{"text": ...}``: the answer, sentence by sentence; the texts joined are the
  answer;
- ``citations`` ``{"citations": [...], "closest": [...]}``;
- ``final``: the whole ``Answer``.

An error after the stream has started (none is expected) is sent as ``error``
``{"detail": ...}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, StrictInt, field_validator

from careguide.api.answer_models import Answer, Mode, Turn
from careguide.api.engine import passage_json
from careguide.api.feedback import PASSAGE_ID_PATTERN, FeedbackEntry
from careguide.api.routes_deps import AppState, rate_limited, state_of
from careguide.api.search_cmd import result_json
from careguide.index.models import SearchFilters
from careguide.ingest.errors import CareguideError, IndexBusyError
from careguide.ingest.models import DocumentMeta, Passage
from careguide.ingest.storage import StoredDocument

__all__ = ["ERROR_RESPONSES", "SSE_EVENT", "ErrorBody", "router", "sentence_chunks", "sse"]

PASSAGE_ID = PASSAGE_ID_PATTERN
MAX_QUESTION = 2000


class ErrorBody(BaseModel):
    """Every error: one line saying what happened and what to do next."""

    detail: str


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "The body cannot be read (not UTF-8, bad form)."},
    422: {"model": ErrorBody, "description": "The request is not valid."},
    503: {"model": ErrorBody, "description": "No index yet, the index is busy, or overloaded."},
}
SSE_EVENT: dict[str, object] = {
    "type": "object",
    "description": "One Server-Sent Event; its data is JSON.",
    "required": ["data"],
    "properties": {
        "event": {"type": "string"},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
}
LIMITED: dict[int | str, dict[str, object]] = {
    429: {"model": ErrorBody, "description": "Too many requests from this client."},
}

router = APIRouter(prefix="/api", tags=["api"], responses=ERROR_RESPONSES)


# --- models ------------------------------------------------------------------------------


def _question(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("the question is empty; type a question")
    return value


class IndexState(BaseModel):
    state: Literal["ready", "missing", "busy", "error"]
    detail: str = Field(default="", description="What to do when the index is not ready.")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(description="'ok' when searches can be answered.")
    version: str
    model: str = Field(description="The embedding model.")
    generator: str = Field(description="'extractive', or the LLM model that rewords answers.")
    documents: int = Field(description="Documents in the library.")
    passages: int = Field(description="Passages in the live index.")
    index: IndexState


class DocumentInfo(BaseModel):
    id: str
    title: str
    short_title: str
    publisher: str
    date: str
    kind: str
    status: str
    superseded_by: str | None = None
    audience: list[str] = Field(default_factory=list)
    url: str | None = None
    source: str | None = Field(description="The file it was read from; None when not ingested.")
    catalogued: bool = Field(description="Listed in the catalogue of sources.")
    in_library: bool = Field(description="Ingested, so answers can cite it.")
    passages: int = Field(description="Passages read from its file.")
    indexed: int = Field(description="Of those, passages searched (near-copies are merged).")


class DocumentList(BaseModel):
    documents: list[DocumentInfo]


class PassageInfo(BaseModel):
    id: str
    doc_id: str
    source: str
    title: str
    citation: str
    heading_path: list[str]
    paragraphs: list[str]
    part: str = Field(description="Which numbering scheme of the file (e.g. 'Appendix 2: ...').")
    pages: list[int]
    kind: str
    start: int = Field(description="Offset of the passage in the document's cleaned text.")
    end: int
    date: str
    status: str
    alt_locations: list[str]
    footnotes: list[str]
    text: str


class HitInfo(PassageInfo):
    rank: int
    score: float


class PassageContext(BaseModel):
    """A passage and its neighbours in the document, for "show in context"."""

    passage: PassageInfo
    before: list[PassageInfo] = Field(description="Up to `around` passages before, in order.")
    after: list[PassageInfo] = Field(description="Up to `around` passages after, in order.")


class StrictFilters(SearchFilters):
    """Search filters as a request gives them: years must be numbers, not true or "2016"."""

    year_from: StrictInt | None = Field(
        default=None,
        description="Earliest publication year; documents with no known year are excluded.",
    )
    year_to: StrictInt | None = Field(
        default=None,
        description="Latest publication year; documents with no known year are excluded.",
    )


class SearchRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    k: StrictInt = Field(default=10, ge=1, le=50, description="How many passages.")
    filters: StrictFilters | None = None
    id: str | None = Field(default=None, max_length=200, description="Echoed back.")

    _check = field_validator("question")(_question)


class SearchResult(BaseModel):
    id: str | None
    question: str
    hits: list[HitInfo]


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    mode: Mode = Mode.practitioner
    filters: StrictFilters | None = Field(
        default=None, description="Narrow the passages the answer may draw on."
    )
    history: list[Turn] = Field(
        default_factory=list, max_length=40, description="Earlier turns, oldest first."
    )

    _check = field_validator("question")(_question)


class FeedbackSaved(BaseModel):
    id: int


def passage_info(p: Passage) -> PassageInfo:
    """A passage in the shape of a search hit, less rank and score."""
    return PassageInfo.model_validate(passage_json(p))


# --- routes ------------------------------------------------------------------------------


def package_version() -> str:
    try:
        return version("careguide")
    except PackageNotFoundError:
        return "unknown"


def _health(state: AppState) -> Health:
    docs, _ = state.library.summary()
    generator = state.settings.llm.model if state.settings.llm.enabled else "extractive"
    model = state.engine.embedder.name  # the name only: the model loads on first embed
    try:
        count = state.engine.store.count()
        index = IndexState(state="ready")
    except CareguideError as e:
        kind: Literal["busy", "missing"] = "busy" if isinstance(e, IndexBusyError) else "missing"
        count, index = 0, IndexState(state=kind, detail=str(e))
    except Exception as e:  # a server-mode Qdrant that is down, say
        count = 0
        index = IndexState(state="error", detail=f"the index cannot be read ({type(e).__name__})")
    return Health(
        status="ok" if index.state == "ready" else "degraded",
        version=package_version(),
        model=model,
        generator=generator or "extractive",
        documents=len(docs),
        passages=count,
        index=index,
    )


@router.get("/health", response_model=Health, summary="Index state and versions")
async def health(state: Annotated[AppState, Depends(state_of)]) -> Health:
    return await state.guard.run(_health, state)


def _documents(state: AppState) -> DocumentList:
    docs, indexed = state.library.summary()
    stored = {d.meta.doc_id: d for d in docs}
    out: list[DocumentInfo] = []
    for entry in state.catalogue:
        doc = stored.pop(entry.id, None)
        meta = doc.meta if doc else entry.to_meta()
        out.append(_document_info(meta, doc, indexed, catalogued=True))
    for doc in stored.values():
        out.append(_document_info(doc.meta, doc, indexed, catalogued=False))
    return DocumentList(documents=out)


def _document_info(
    meta: DocumentMeta, doc: StoredDocument | None, indexed: dict[str, int], *, catalogued: bool
) -> DocumentInfo:
    return DocumentInfo(
        id=meta.doc_id,
        title=meta.title,
        short_title=meta.short_title,
        publisher=meta.publisher,
        date=meta.date,
        kind=meta.kind.value,
        status=meta.status.value,
        superseded_by=meta.superseded_by,
        audience=list(meta.audience),
        url=meta.url,
        source=doc.source if doc else None,
        catalogued=catalogued,
        in_library=doc is not None,
        passages=len(doc.passages) if doc else 0,
        indexed=indexed.get(meta.doc_id, 0),
    )


@router.get("/documents", response_model=DocumentList, summary="The library and the catalogue")
async def documents(state: Annotated[AppState, Depends(state_of)]) -> DocumentList:
    return await state.guard.run(_documents, state)


def _passage(state: AppState, passage_id: str, around: int) -> PassageContext | None:
    doc_id = passage_id.split(":", 1)[0]
    doc = state.library.document(doc_id)
    if doc is not None:
        for i, p in enumerate(doc.passages):
            if p.id == passage_id:
                return PassageContext(
                    passage=passage_info(p),
                    before=[passage_info(q) for q in doc.passages[max(0, i - around) : i]],
                    after=[passage_info(q) for q in doc.passages[i + 1 : i + 1 + around]],
                )
    try:  # indexed, but its document is gone from the library
        found = state.engine.store.get(passage_id)
    except CareguideError:
        found = None
    if found is None:
        return None
    return PassageContext(passage=passage_info(found), before=[], after=[])


@router.get(
    "/passages/{passage_id}",
    response_model=PassageContext,
    summary="A passage with its neighbours",
    responses={404: {"model": ErrorBody, "description": "No such passage."}},
)
async def passage(
    state: Annotated[AppState, Depends(state_of)],
    passage_id: Annotated[str, Path(pattern=PASSAGE_ID, max_length=161)],
    around: Annotated[int, Query(ge=0, le=10, description="Neighbours each side.")] = 2,
) -> PassageContext:
    found = await state.guard.run(_passage, state, passage_id, around)
    if found is None:
        raise HTTPException(404, f"no passage {passage_id!r}; it may have been re-ingested")
    return found


@router.post(
    "/search",
    response_model=SearchResult,
    summary="The passages that answer a question",
    responses=LIMITED,
    dependencies=[Depends(rate_limited("search"))],
)
async def search(
    body: SearchRequest, state: Annotated[AppState, Depends(state_of)]
) -> SearchResult:
    state.log_question("search", body.question)
    key = json.dumps(["search", body.question, body.k, body.filters and body.filters.model_dump()])
    hits = await state.cached(
        key, state.engine.search, body.question, k=body.k, filters=body.filters
    )
    return SearchResult.model_validate(result_json(body.id, body.question, hits))


@router.post(
    "/ask",
    response_model=Answer,
    summary="A cited answer",
    responses=LIMITED,
    dependencies=[Depends(rate_limited("ask"))],
)
async def ask(body: AskRequest, state: Annotated[AppState, Depends(state_of)]) -> Answer:
    state.log_question("ask", body.question)
    return await state.answer(body.question, body.mode, body.history, body.filters)


_SENTENCE_END = re.compile(r"[.!?:](?:\s*\[\d+(?:,\s*\d+)*\])*[\"”’)]*\s+")


def sentence_chunks(text: str) -> list[str]:
    """The text cut after each sentence (with its [n] markers and spaces); joined, the text."""
    chunks, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        chunks.append(text[start : m.end()])
        start = m.end()
    if start < len(text):
        chunks.append(text[start:])
    return chunks


def sse(event: str, data: object) -> str:
    """One Server-Sent Event; JSON data on one line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _events(answer: Answer) -> AsyncIterator[str]:
    if answer.safety.disclosure:
        yield sse("safety", answer.safety.model_dump(mode="json"))
    for chunk in sentence_chunks(answer.answer):
        yield sse("delta", {"text": chunk})
    yield sse(
        "citations",
        {
            "citations": [c.model_dump(mode="json") for c in answer.citations],
            "closest": [c.model_dump(mode="json") for c in answer.closest],
        },
    )
    yield sse("final", answer.model_dump(mode="json"))


@router.post(
    "/ask/stream",
    summary="A cited answer as Server-Sent Events",
    response_class=StreamingResponse,
    responses={
        **LIMITED,
        200: {
            "description": "Events: safety (disclosures only), delta..., citations, final.",
            "content": {"text/event-stream": {"itemSchema": SSE_EVENT}},
        },
    },
    dependencies=[Depends(rate_limited("ask"))],
)
async def ask_stream(
    body: AskRequest, state: Annotated[AppState, Depends(state_of)]
) -> StreamingResponse:
    state.log_question("ask/stream", body.question)
    # Computed before the response starts, so that an error is a normal JSON status.
    answer = await state.answer(body.question, body.mode, body.history, body.filters)
    return StreamingResponse(
        _events(answer),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/feedback",
    response_model=FeedbackSaved,
    status_code=201,
    summary="Say whether an answer helped",
    responses=LIMITED,
    dependencies=[Depends(rate_limited("feedback"))],
)
async def feedback(
    body: FeedbackEntry, state: Annotated[AppState, Depends(state_of)]
) -> FeedbackSaved:
    """Stored with the question (personal details redacted), the mode and the cited passage
    ids, so a flagged answer can become a draft gold item (`careguide eval --from-feedback`)."""
    record = await state.guard.run(state.feedback.add, body)
    return FeedbackSaved(id=record.id)
