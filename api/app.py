"""The HTTP shell: a FastAPI app over one Engine, the web page, and the safety rails.

``create_app`` builds the app from settings (read from the environment when not given).
The engine is built once, its model loads at start-up, and blocking work (search,
answers, ingest) runs in the thread pool behind a bounded guard (``BusyGuard``), so the
event loop stays free and an overloaded server says 503 quickly instead of queueing.

Every response carries security headers (a Content-Security-Policy with no inline script,
nosniff, no referrer, no framing). Request bodies are capped (413). CORS is off unless
origins are configured. Errors are ``{"detail": "one line"}``: ``CareguideError`` with a
status that fits it, validation 422, anything unexpected 500 with no traceback (the
traceback goes to the server log, never to the client). Question text is never logged
unless query logging is on, and then redacted.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from careguide.api import routes_admin, routes_api, routes_guides, routes_openai
from careguide.api.engine import Engine
from careguide.api.routes_deps import AppState
from careguide.api.safety import semantic_for
from careguide.api.settings import Settings
from careguide.ingest.errors import (
    CareguideError,
    CatalogueError,
    ConfigError,
    FetchError,
    IndexBusyError,
    IndexMissingError,
    ReadError,
)

__all__ = ["CSP", "create_app"]

logger = logging.getLogger("careguide.api")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load their scripts from a CDN and start them inline.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
DOCS_PATHS = ("/docs", "/redoc")
NO_WEB = (
    "The careguide web page is not installed (no index.html). "
    "The API is running: see /docs, or GET /api/health.\n"
)

STATUS: list[tuple[type[CareguideError], int]] = [
    (IndexMissingError, 503),
    (IndexBusyError, 503),
    (CatalogueError, 500),
    (FetchError, 502),
    (ReadError, 422),
    (ConfigError, 500),
]


class SecurityHeaders:
    """Adds the security headers to every response, the web page's and the API's alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        csp = DOCS_CSP if path.startswith(DOCS_PATHS) else CSP
        api = path.startswith(("/api/", "/v1/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {b"content-security-policy", b"x-frame-options"}
                ]
                headers += [(b"content-security-policy", csp.encode()), *SECURITY_HEADERS]
                if api and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            # Handled here rather than by Starlette's outermost handler, so that the 500
            # carries these headers too; the traceback goes to the log only.
            logger.exception("unexpected error on %s %s", scope.get("method"), path)
            if started:
                raise
            body = {"detail": "internal error; the server log has the details"}
            await _json(500, body)(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over the limit with 413, by Content-Length or as they stream.

    The admin upload gets room for a few files at the per-file upload limit; its handler
    reads the body only after the admin token is checked.
    """

    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"] == "/api/admin/documents"
        limit = (
            self.upload_limit * routes_admin.UPLOAD_TOTAL_FILES + 64 * 1024
            if upload
            else self.limit
        )
        detail = f"the request body is over the {limit} byte limit"
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    await _json(413, {"detail": detail})(scope, receive, send)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, counted, send)


def _json(status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def _error(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """``{"detail": ...}``; under /v1 also OpenAI's ``error`` object, which its clients read."""
    body: dict[str, Any] = {"detail": detail}
    if request.url.path.startswith("/v1/"):
        kind = "invalid_request_error" if status < 500 else "server_error"
        body["error"] = {"message": detail, "type": kind, "code": status}
    return _json(status, body, headers)


def _one_line(exc: RequestValidationError) -> str:
    """The first validation error as one line: where, then what."""
    errors = exc.errors()
    if not errors:
        return "the request is not valid"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    message = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}"


def _install_errors(app: FastAPI) -> None:
    async def careguide_error(request: Request, exc: Exception) -> Response:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
        if status >= 500 and not isinstance(exc, IndexMissingError | IndexBusyError):
            logger.error("%s: %s", type(exc).__name__, exc)
        return _error(request, status, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error(request, exc.status_code, str(exc.detail), exc.headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _error(request, 422, _one_line(exc))

    async def unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal error; the server log has the details")

    app.add_exception_handler(CareguideError, careguide_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


def _web_dir(settings: Settings) -> Path:
    if settings.server.web_dir is not None:
        return settings.server.web_dir
    return Path(str(files("careguide.web")))


def _install_web(app: FastAPI, web: Path) -> None:
    """The chat page at /, its other pages at /<name>.html, and /static."""
    if (web / "static").is_dir():
        app.mount("/static", StaticFiles(directory=web / "static"), name="static")

    @app.get("/", include_in_schema=False, response_model=None)
    async def index() -> Response:
        page = web / "index.html"
        if not page.is_file():
            return PlainTextResponse(NO_WEB)
        return FileResponse(page, media_type="text/html")

    @app.get("/{page}.html", include_in_schema=False, response_model=None)
    async def other_page(page: str) -> Response:
        path = web / f"{page}.html"
        if not page.replace("-", "").isalnum() or not path.is_file():
            raise HTTPException(404, f"no page {page}.html")
        return FileResponse(path, media_type="text/html")


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The schema, with validation errors documented as they are sent: one-line detail."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["HTTPValidationError"] = {
            "title": "HTTPValidationError",
            "type": "object",
            "required": ["detail"],
            "properties": {"detail": {"type": "string", "title": "Detail"}},
        }
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    return build


def _warm(engine: Engine) -> None:
    """Load the model, open the index and embed the safety examples now, so the first
    question is not slow.

    A server with no index yet still starts: /api/health and every search say what to do.
    """
    try:
        semantic_for(engine.embedder).judge("warm up")
        engine.search("warm up", k=1)
    except CareguideError as e:
        logger.warning("%s", e)
    except Exception:
        logger.exception("warm-up search failed; the server starts anyway")


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The careguide HTTP app; ``engine`` is closed with the app only when built here."""
    settings = settings or Settings()
    # a long-running service: concurrent questions share model calls, one call must not
    # take every core, and the ONNX export (about a second) pays for itself
    serving = {"threads": 1, "query_runtime": "onnx"}
    unset = {k: v for k, v in serving.items() if k not in settings.index.model_fields_set}
    if unset:
        settings = settings.model_copy(update={"index": settings.index.model_copy(update=unset)})
    owned = engine is None
    engine = engine or Engine(settings)
    state = AppState(settings, engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm, engine)
        try:
            yield
        finally:
            if owned:
                engine.close()

    app = FastAPI(
        title="careguide",
        version=routes_api.package_version(),
        description=(
            "Search and cited answers over children's social care guidance in England. "
            "Do not enter personal details about a child."
        ),
        lifespan=lifespan,
    )
    app.state.careguide = state
    _install_errors(app)
    app.include_router(routes_api.router)
    app.include_router(routes_openai.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_guides.router)
    _install_web(app, _web_dir(settings))
    app.openapi = _openapi(app)  # type: ignore[method-assign]  # FastAPI's documented override

    server = settings.server
    if server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=server.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=server.max_body_bytes, upload_limit=server.upload_max_bytes)
    app.add_middleware(SecurityHeaders)
    return app
