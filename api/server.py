"""``careguide serve``: the app under uvicorn, one process, one engine.

One worker on purpose: the embedded (local-mode) index admits one process, and the
rate limits and the busy guard live in memory. Scale out with a Qdrant server
(``CAREGUIDE_QDRANT_URL``) and several instances behind a proxy instead.
"""

from __future__ import annotations

import logging

import uvicorn

from careguide.api.app import create_app
from careguide.api.settings import Settings

__all__ = ["run_server"]


def run_server(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the API and the web page until interrupted (host and port default to settings)."""
    host = host or settings.server.host
    port = port or settings.server.port
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        workers=1,
        log_level="info",
        # the access log shows paths and statuses; no route takes a question in its URL
        access_log=True,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
