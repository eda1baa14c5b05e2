"""Settings for the HTTP service (``careguide serve``): limits, CORS, logging, feedback.

Kept apart from ``careguide.api.settings`` so that the settings tree never imports FastAPI.
Environment names are nested: ``CAREGUIDE_SERVER__PORT``, ``CAREGUIDE_SERVER__CORS_ORIGINS``
(a JSON list), ``CAREGUIDE_SERVER__QUERY_LOGGING``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

__all__ = ["ServerSettings"]

KB = 1024
MB = 1024 * KB


class ServerSettings(BaseModel):
    """How the service listens and what it lets a client do; defaults suit a LAN."""

    host: str = Field(
        default="127.0.0.1",
        description="Address to listen on; 0.0.0.0 exposes the service to the network.",
    )
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port to listen on.")
    search_per_minute: int = Field(
        default=60,
        ge=0,
        description="Searches one client (IP address) may make per minute; 0 = no limit.",
    )
    ask_per_minute: int = Field(
        default=20,
        ge=0,
        description=(
            "Questions one client may ask per minute (/api/ask, /api/ask/stream, "
            "/v1/chat/completions); 0 = no limit."
        ),
    )
    feedback_per_minute: int = Field(
        default=30, ge=0, description="Feedback posts one client may make per minute; 0 = no limit."
    )
    max_body_bytes: int = Field(
        default=64 * KB,
        ge=1 * KB,
        description="Largest request body accepted, except uploads; larger ones get 413.",
    )
    upload_max_bytes: int = Field(
        default=25 * MB,
        ge=1 * KB,
        description="Largest file accepted by the admin upload; larger ones get 413.",
    )
    max_concurrent: int = Field(
        default=4,
        ge=1,
        description="Searches and answers computed at once; more wait in a short queue.",
    )
    queue_timeout: float = Field(
        default=2.0,
        gt=0,
        description="Seconds a request may wait for a free slot before it gets 503 (busy).",
    )
    cache_size: int = Field(
        default=2048,
        ge=0,
        description=(
            "Search results and answers kept for repeated questions (LRU); 0 = off. Cleared "
            "when an admin changes the library."
        ),
    )
    cache_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Longest a kept result is reused (bounds staleness with a shared Qdrant server).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser; empty switches CORS off.",
    )
    query_logging: bool = Field(
        default=False,
        description="Log each question (with personal details redacted); off by default.",
    )
    feedback_db: Path | None = Field(
        default=None,
        description="SQLite file for answer feedback; None = <data dir>/feedback.sqlite3.",
    )
    web_dir: Path | None = Field(
        default=None,
        description="Folder with index.html and static/; None = the installed careguide.web.",
    )
