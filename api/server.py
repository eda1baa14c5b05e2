"""``careguide serve``: the app under uvicorn, one process, one engine.

One worker on purpose: the embedded (local-mode) index admits one process, and the
rate limits and the busy guard live in memory. Scale out with a Qdrant server
(``CAREGUIDE_QDRANT_URL``) and several instances behind a proxy instead.
"""

from __future__ import annotations

import copy
import logging.config
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from careguide.api.app import create_app
from careguide.api.settings import Settings

__all__ = ["log_config", "run_server"]

REDACT = "careguide.api.redact.RedactingFilter"


def log_config() -> dict[str, Any]:
    """uvicorn's logging set-up, plus careguide's lines, with personal details redacted.

    Every handler carries ``RedactingFilter``, so nothing the process logs (careguide,
    uvicorn's access and error logs, libraries) is written with an e-mail address, phone,
    NI or NHS number, date of birth or postcode in it.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": REDACT}
    config["formatters"]["careguide"] = {"format": "%(levelname)s %(name)s: %(message)s"}
    config["handlers"]["careguide"] = {
        "class": "logging.StreamHandler",
        "formatter": "careguide",
        "stream": "ext://sys.stderr",
    }
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact"]
    config["root"] = {"handlers": ["careguide"], "level": "INFO"}
    return config


def run_server(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the API and the web page until interrupted (host and port default to settings)."""
    host = host or settings.server.host
    port = port or settings.server.port
    logging.config.dictConfig(log_config())  # before the app is built: it may log too
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        workers=1,
        log_level="info",
        log_config=log_config(),
        # the access log shows paths and statuses; no route takes a question in its URL
        access_log=True,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
