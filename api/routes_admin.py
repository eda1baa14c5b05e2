"""Admin endpoints behind ``Authorization: Bearer <CAREGUIDE_ADMIN_TOKEN>``.

Switched off (403) when no token is set. ``POST /api/admin/documents`` takes either
uploaded files (multipart, field ``files``) or ``{"catalogue_ids": [...]}`` to download
catalogued sources; either way the files are ingested with the pipeline and the index is
rebuilt (unchanged passages keep their vectors). An upload is refused whole (413) when a
file is over the size limit, and (415) when its content is not a format careguide reads or
contradicts its extension. Each file is saved under ``<data dir>/uploads`` with a name
made here, a safe slug of the client's name plus a digest of the bytes, never the
client's path.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from careguide.api.routes_api import ERROR_RESPONSES, ErrorBody
from careguide.api.routes_deps import AppState, require_admin, state_of
from careguide.ingest.errors import first_refusal
from careguide.ingest.fetch import fetch_documents
from careguide.ingest.pipeline import FileReport, IngestResult, ingest_paths
from careguide.ingest.readers.dispatch import sniff_format

__all__ = ["router", "safe_upload_name"]

DOC_ID = r"^[a-z0-9][a-z0-9-]{0,119}$"
SUFFIX = {"pdf": ".pdf", "html": ".html", "docx": ".docx", "md": ".md", "txt": ".txt"}
MAX_FILES = 20
UPLOAD_TOTAL_FILES = 4
"""One upload request may carry this many files' worth of the per-file limit in all."""

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": ErrorBody, "description": "No admin token, or the wrong one."},
    403: {"model": ErrorBody, "description": "Admin endpoints are switched off."},
}

router = APIRouter(
    prefix="/api/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses=AUTH_RESPONSES,
)


class CatalogueRequest(BaseModel):
    catalogue_ids: list[str] = Field(
        min_length=1, max_length=100, description="Catalogue ids to download and ingest."
    )


class FileOutcome(BaseModel):
    source: str = Field(description="The name the file was stored and cited under.")
    status: str = Field(description="ingested, unchanged or failed.")
    passages: int
    doc_id: str | None = None
    error: str | None = None
    warnings: list[str] = Field(default_factory=list)


class LibraryChange(BaseModel):
    files: list[FileOutcome]
    documents: int = Field(description="Documents in the library now.")
    passages: int = Field(description="Passages in the index now.")


def safe_upload_name(client_name: str, data: bytes, fmt: str) -> str:
    """A file name made here: an ASCII slug of the client's base name and a digest.

    Directory parts (``../``, ``C:\\``) are dropped, accents folded, anything else
    replaced; the digest keeps two different files with one name apart and makes the same
    file uploaded twice the same name. The extension is the sniffed format's.
    """
    base = PureWindowsPath(PurePosixPath(client_name.replace("\x00", "")).name).name
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:40].strip("-") or "upload"
    return f"{slug}-{hashlib.sha256(data).hexdigest()[:12]}{SUFFIX[fmt]}"


def _store_upload(data_dir: Path, name: str, data: bytes) -> Path:
    """Save an upload as ``<data dir>/uploads/<name>``, never anywhere else.

    The bytes go to a new temporary file (``mkstemp`` creates it, so a link planted at a
    predictable name cannot redirect the write) and are renamed over the final name,
    which replaces a link found there rather than writing through it.
    """
    folder = data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    real = folder.resolve()
    if not real.is_relative_to(data_dir.resolve()):
        raise HTTPException(
            409,
            f"{folder} is a link to {real}, outside the data directory; "
            "remove the link and upload again",
        )
    if PurePosixPath(name).name != name or PureWindowsPath(name).name != name:
        raise HTTPException(422, "unsafe file name")  # safe_upload_name never makes one
    fd, tmp = tempfile.mkstemp(dir=real, prefix=".upload-", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, real / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return real / name


def _refresh(state: AppState, paths: list[Path]) -> IngestResult:
    """Ingest the files (none: just re-collect the library) and rebuild the index."""
    from careguide.ingest.storage import LibraryStore

    library = LibraryStore(state.settings.data_dir)
    result = ingest_paths(paths, state.settings.ingest, library=library, catalogue=state.catalogue)
    state.engine.index(result.passages)
    return result


def _change(state: AppState, result: IngestResult, reports: list[FileReport]) -> LibraryChange:
    try:
        count = state.engine.store.count()
    except Exception:  # no index left (every document deleted)
        count = 0
    return LibraryChange(
        files=[
            FileOutcome(
                source=r.source,
                status=r.status,
                passages=r.passages,
                doc_id=r.doc_id,
                error=r.error,
                warnings=r.warnings,
            )
            for r in reports
        ],
        documents=len(result.documents),
        passages=count,
    )


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    data = bytearray()
    while chunk := await upload.read(64 * 1024):
        data.extend(chunk)
        if len(data) > limit:
            raise HTTPException(
                413,
                f"{_display(upload.filename)} is over the {_size(limit)} upload limit; "
                "split it or raise CAREGUIDE_SERVER__UPLOAD_MAX_BYTES",
            )
    return bytes(data)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def _display(name: str | None) -> str:
    """The client's file name, safe to echo in one line."""
    base = PureWindowsPath(PurePosixPath(name or "the file").name).name
    return re.sub(r"[^\w .()-]", "_", base)[:80] or "the file"


async def _uploads(state: AppState, request: Request) -> list[Path]:
    form = await request.form(max_files=MAX_FILES, max_fields=10)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not files:
        raise HTTPException(422, "no files: send them as multipart form field 'files'")
    limit = state.settings.server.upload_max_bytes
    accepted: list[tuple[str, bytes]] = []
    for upload in files:
        data = await _read_limited(upload, limit)
        shown = _display(upload.filename)
        if not data.strip():
            raise HTTPException(422, f"{shown} is empty; nothing to ingest")
        fmt = sniff_format(data, shown)
        if fmt is None:
            raise HTTPException(
                415,
                f"{shown} is not a file careguide reads, or its content does not match its "
                "name; upload PDF, HTML, Word (.docx), Markdown (.md) or plain text (.txt)",
            )
        accepted.append((safe_upload_name(upload.filename or "", data, fmt), data))
    return [_store_upload(state.settings.data_dir, name, data) for name, data in accepted]


@router.post(
    "/documents",
    response_model=LibraryChange,
    summary="Add documents: upload files, or fetch catalogued sources",
    responses={
        404: {"model": ErrorBody, "description": "Unknown catalogue id."},
        409: {
            "model": ErrorBody,
            "description": "The uploads folder leads outside the data directory.",
        },
        413: {"model": ErrorBody, "description": "A file is over the upload limit."},
        415: {"model": ErrorBody, "description": "A file is not a format careguide reads."},
        502: {"model": ErrorBody, "description": "A download failed."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["files"],
                        "properties": {
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                },
                "application/json": {"schema": CatalogueRequest.model_json_schema()},
            },
        }
    },
)
async def add_documents(
    request: Request, state: Annotated[AppState, Depends(state_of)]
) -> LibraryChange:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        paths = await _uploads(state, request)
        fetched: list[FileReport] = []
    elif kind == "application/json":
        try:
            wanted = CatalogueRequest.model_validate_json(await request.body())
        except ValidationError as e:
            raise HTTPException(422, first_refusal(e, "body")) from None
        unknown = [i for i in wanted.catalogue_ids if i not in state.catalogue]
        if unknown:  # before any download
            raise HTTPException(
                404, f"no document {unknown[0]!r} in the catalogue; see /api/documents"
            )
        results = await state.guard.run(
            fetch_documents,
            state.catalogue,
            state.settings.data_dir / "sources",
            wanted.catalogue_ids,
        )
        paths = [r.path for r in results if r.path is not None]
        fetched = [
            FileReport(source=r.id, path="", status="failed", error=r.message)
            for r in results
            if r.path is None
        ]
        if not paths:
            raise HTTPException(502, "; ".join(r.message for r in results)[:500])
    else:
        raise HTTPException(
            415, "send files as multipart/form-data, or catalogue ids as application/json"
        )
    result = await state.guard.run(_locked, state, _refresh, state, paths)
    return _change(state, result, [*fetched, *(r for r in result.reports)])


def _locked(state: AppState, fn: Any, *args: Any) -> Any:
    with state.admin_lock:
        try:
            return fn(*args)
        finally:
            state.cache.clear()  # kept results may cite what changed


def _delete(state: AppState, doc_id: str) -> IngestResult | None:
    from careguide.ingest.storage import LibraryStore

    library = LibraryStore(state.settings.data_dir)
    doc = library.document(doc_id)
    if doc is None:
        return None
    library.delete(doc_id)
    uploads = (state.settings.data_dir / "uploads").resolve()
    stored_at = Path(doc.path).resolve()
    if stored_at.parent == uploads:  # an upload goes with its document; sources are the user's
        stored_at.unlink(missing_ok=True)
    result = ingest_paths([], state.settings.ingest, library=library, catalogue=state.catalogue)
    state.engine.index(result.passages)  # none left: an empty index, so searches find nothing
    return result


@router.delete(
    "/documents/{doc_id}",
    response_model=LibraryChange,
    summary="Remove a document from the library and the index",
    responses={404: {"model": ErrorBody, "description": "No such document."}},
)
async def delete_document(
    doc_id: Annotated[str, PathParam(pattern=DOC_ID, max_length=120)],
    state: Annotated[AppState, Depends(state_of)],
) -> LibraryChange:
    result = await state.guard.run(_locked, state, _delete, state, doc_id)
    if result is None:
        raise HTTPException(404, f"no document {doc_id!r} in the library; see /api/documents")
    return _change(state, result, [])


@router.get(
    "/feedback",
    response_class=PlainTextResponse,
    summary="All feedback as JSON lines",
    responses={200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
)
async def export_feedback(state: Annotated[AppState, Depends(state_of)]) -> PlainTextResponse:
    body = await state.guard.run(state.feedback.export_jsonl)
    return PlainTextResponse(body, media_type="application/x-ndjson")
