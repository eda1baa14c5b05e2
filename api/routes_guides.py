"""Guides over HTTP: the list, one guide rendered (HTML, Markdown or JSON), and builds.

- ``GET /api/guides``: the bundled specs and every guide built into ``<data dir>/guides``,
  each with whether its references still hold (``stale``);
- ``GET /api/guides/{id}``: the guide as a print-friendly HTML page (default), or
  ``?format=md`` / ``?format=json``. A bundled guide not built yet is built on first
  request and kept;
- ``GET /api/guides/handout.css``: the stylesheet the HTML links (the app's
  Content-Security-Policy refuses inline styles);
- ``POST /api/guides/build`` (admin token): build a guide from a spec in the body, as
  JSON or YAML (``Content-Type: application/yaml``), keep it, and return it as JSON.

``/build`` is declared before ``/{id}``, so that ``OPTIONS``/``GET /api/guides/build``
answer 405 with ``Allow: POST`` rather than matching a guide id.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from careguide.api.routes_admin import AUTH_RESPONSES
from careguide.api.routes_api import ERROR_RESPONSES, ErrorBody
from careguide.api.routes_deps import AppState, require_admin, state_of
from careguide.guides.build import (
    BuiltGuide,
    GuideCheck,
    GuideStoreError,
    LibraryVersion,
    Problem,
    build_guide,
    check_guide,
    guides_dir,
    library_version,
    load_built,
    save_built,
)
from careguide.guides.render import GUIDE_CSS, render_html, render_markdown
from careguide.guides.spec import (
    GUIDE_ID,
    GuideSpec,
    GuideSpecError,
    bundled_spec_paths,
    load_spec,
    parse_spec,
)
from careguide.ingest.models import Passage
from careguide.ingest.storage import LibraryStore

__all__ = ["router"]

STYLESHEET = "/api/guides/handout.css"
YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}

router = APIRouter(prefix="/api/guides", tags=["guides"], responses=ERROR_RESPONSES)

_build_lock = threading.Lock()  # one build at a time: builds share the engine and the folder


class GuideSummary(BaseModel):
    id: str
    title: str
    audience: str = Field(description="The answer mode the guide is written in.")
    readers: str | None = None
    bundled: bool = Field(description="Shipped with careguide (built on first request).")
    built: bool
    built_at: str | None = None
    sections: int
    exercises: int
    references: int = Field(description="Numbered references (0 until built).")
    stale: bool | None = Field(
        default=None, description="A cited passage changed or went out of date; None: not built."
    )


class GuideList(BaseModel):
    guides: list[GuideSummary]


class GuideDetail(BuiltGuide):
    """A built guide with the result of checking it against the library now."""

    stale: bool
    problems: list[Problem] = Field(default_factory=list)


class _Library:
    """The library's passages and version, re-read only when passages.jsonl changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, int, int] | None = None
        self._value: tuple[list[Passage], LibraryVersion] | None = None

    def get(self, state: AppState) -> tuple[list[Passage], LibraryVersion]:
        store = LibraryStore(state.settings.data_dir)
        stat = store.passages_path.stat() if store.passages_path.exists() else None
        key = (str(store.passages_path), stat.st_mtime_ns, stat.st_size) if stat else None
        with self._lock:
            if self._value is not None and key is not None and key == self._key:
                return self._value
        passages = store.passages()  # IndexMissingError (503) when nothing is ingested
        value = (passages, library_version(passages, state.settings.index.model))
        with self._lock:
            self._key, self._value = key, value
        return value


_library = _Library()


def _bundled() -> dict[str, tuple[GuideSpec, Path]]:
    specs: dict[str, tuple[GuideSpec, Path]] = {}
    for path in bundled_spec_paths():
        spec = load_spec(path)
        specs[spec.id] = (spec, path)
    return specs


def _built(state: AppState, guide_id: str) -> BuiltGuide | None:
    path = guides_dir(state.settings.data_dir) / f"{guide_id}.json"
    if not path.is_file():
        return None
    try:
        return load_built(path)
    except GuideStoreError:
        return None  # unreadable: rebuilt (bundled) or reported missing


def _check(state: AppState, guide: BuiltGuide) -> GuideCheck:
    passages, current = _library.get(state)
    return check_guide(guide, passages, current)


def _list(state: AppState) -> GuideList:
    folder = guides_dir(state.settings.data_dir)
    bundled = _bundled()
    built: dict[str, BuiltGuide] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            guide = load_built(path)
        except GuideStoreError:
            continue
        built[guide.id] = guide
    out: list[GuideSummary] = []
    for guide_id in [*bundled, *(g for g in built if g not in bundled)]:
        guide = built.get(guide_id)
        spec = bundled[guide_id][0] if guide_id in bundled else None
        source = guide if guide is not None else spec
        assert source is not None  # every id listed is bundled or built
        out.append(
            GuideSummary(
                id=guide_id,
                title=source.title,
                audience=source.audience.value,
                readers=source.readers,
                bundled=spec is not None,
                built=guide is not None,
                built_at=guide.built_at if guide else None,
                sections=len(source.sections),
                exercises=len(source.exercises),
                references=len(guide.references) if guide else 0,
                stale=_check(state, guide).stale if guide else None,
            )
        )
    return GuideList(guides=out)


@router.get("", response_model=GuideList, summary="Bundled and built guides")
async def list_guides(state: Annotated[AppState, Depends(state_of)]) -> GuideList:
    return await state.guard.run(_list, state)


@router.get(
    "/handout.css",
    response_class=PlainTextResponse,
    summary="The stylesheet of rendered guides",
    responses={200: {"content": {"text/css": {"schema": {"type": "string"}}}}},
)
async def handout_css() -> Response:
    return Response(GUIDE_CSS, media_type="text/css", headers={"Cache-Control": "no-cache"})


def _build(state: AppState, spec: GuideSpec, text: str) -> BuiltGuide:
    with _build_lock:
        passages, _ = _library.get(state)
        guide = build_guide(spec, engine=state.engine, spec_text=text, passages=passages)
        save_built(guide, guides_dir(state.settings.data_dir))
        return guide


def _guide(state: AppState, guide_id: str) -> BuiltGuide | None:
    """A built guide; a bundled one is built on first request."""
    guide = _built(state, guide_id)
    if guide is not None:
        return guide
    bundled = _bundled().get(guide_id)
    if bundled is None:
        return None
    with _build_lock:  # another request may have built it meanwhile
        guide = _built(state, guide_id)
    if guide is not None:
        return guide
    spec, path = bundled
    return _build(state, spec, path.read_text(encoding="utf-8"))


def _detail(state: AppState, guide: BuiltGuide) -> GuideDetail:
    result = _check(state, guide)
    return GuideDetail(**guide.model_dump(), stale=result.stale, problems=result.problems)


def _spec_from(body: bytes, content_type: str) -> tuple[GuideSpec, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the body is not UTF-8 text") from None
    if content_type in YAML_TYPES:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            raise HTTPException(422, "the body is not valid YAML; fix the spec") from None
    elif content_type == "application/json":
        try:
            data = json.loads(text)
        except ValueError:
            raise HTTPException(422, "the body is not valid JSON; fix the spec") from None
    else:
        raise HTTPException(
            415, "send the spec as application/json, or as YAML with Content-Type application/yaml"
        )
    try:
        return parse_spec(data, name="spec"), text
    except GuideSpecError as e:
        raise HTTPException(422, str(e)) from None


@router.post(
    "/build",
    response_model=GuideDetail,
    summary="Build a guide from a spec (admin)",
    dependencies=[Depends(require_admin)],
    responses={
        **AUTH_RESPONSES,
        415: {"model": ErrorBody, "description": "The body is neither JSON nor YAML."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": GuideSpec.model_json_schema()},
                "application/yaml": {"schema": {"type": "string"}},
            },
        }
    },
)
async def build(request: Request, state: Annotated[AppState, Depends(state_of)]) -> GuideDetail:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    spec, text = _spec_from(await request.body(), kind)
    guide = await state.guard.run(_build, state, spec, text)
    return await state.guard.run(_detail, state, guide)


@router.get(
    "/{guide_id}",
    summary="One guide: HTML (print-friendly), Markdown or JSON",
    response_model=GuideDetail,
    responses={
        200: {
            "description": "The guide.",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "text/markdown": {"schema": {"type": "string"}},
            },
        },
        404: {"model": ErrorBody, "description": "No such guide."},
    },
)
async def get_guide(
    state: Annotated[AppState, Depends(state_of)],
    guide_id: Annotated[str, PathParam(pattern=GUIDE_ID, max_length=80)],
    format: Annotated[
        Literal["html", "md", "json"], Query(description="html (default), md or json.")
    ] = "html",
) -> Any:
    guide = await state.guard.run(_guide, state, guide_id)
    if guide is None:
        raise HTTPException(
            404, f"no guide {guide_id!r}; see /api/guides, or build it with POST /api/guides/build"
        )
    if format == "json":
        return await state.guard.run(_detail, state, guide)
    if format == "md":
        return PlainTextResponse(render_markdown(guide), media_type="text/markdown")
    return HTMLResponse(render_html(guide, stylesheet=STYLESHEET, icon="/static/icon.svg"))
