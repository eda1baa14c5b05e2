"""The one settings tree. Only entry points (CLI, app factory) read the environment.

Environment variables use the ``CAREGUIDE_`` prefix; nested sections use ``__``
(``CAREGUIDE_INDEX__MODEL``), and the common ones have short aliases
(``CAREGUIDE_MODEL``, ``CAREGUIDE_QDRANT_URL``, ``CAREGUIDE_QDRANT_API_KEY``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from careguide.api.answer_settings import AnswerSettings
from careguide.api.llm_settings import LLMSettings
from careguide.api.server_settings import ServerSettings
from careguide.index.settings import IndexSettings
from careguide.ingest.settings import IngestSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_ADMIN_TOKEN = 16
"""Shortest admin token accepted: shorter ones are guessable over a network."""


class Settings(BaseSettings):
    """Everything careguide can be told, with safe defaults."""

    model_config = SettingsConfigDict(
        env_prefix="CAREGUIDE_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data", description="Where documents, passages and the index live."
    )
    corpus: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "corpus",
        description="Folder ingested by `make run` when no path is given.",
    )
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    answer: AnswerSettings = Field(
        default_factory=AnswerSettings, description="How the extractive composer chooses sentences."
    )
    llm: LLMSettings = Field(
        default_factory=LLMSettings,
        description="Optional OpenAI-compatible model that writes answers; unset = extractive.",
    )
    server: ServerSettings = Field(
        default_factory=ServerSettings, description="The HTTP service (`careguide serve`)."
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description=(
            "Bearer token for admin endpoints (at least 16 characters); unset switches them off."
        ),
    )

    @field_validator("admin_token")
    @classmethod
    def _strong_admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        """Refuse a token short enough to guess; an empty one means unset."""
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value()) < MIN_ADMIN_TOKEN:
            raise ValueError(
                f"CAREGUIDE_ADMIN_TOKEN is shorter than {MIN_ADMIN_TOKEN} characters; "
                "use a long random value, e.g. from `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`"
            )
        return value

    @model_validator(mode="after")
    def _short_aliases(self) -> Settings:
        """Honour the short, documented names for the settings people set most."""
        if model := os.environ.get("CAREGUIDE_MODEL"):
            self.index.model = model
        if url := os.environ.get("CAREGUIDE_QDRANT_URL"):
            self.index.qdrant_url = url
        if key := os.environ.get("CAREGUIDE_QDRANT_API_KEY"):
            self.index.qdrant_api_key = SecretStr(key)
        return self

    @model_validator(mode="after")
    def _llm_short_aliases(self) -> Settings:
        """Honour CAREGUIDE_LLM_BASE_URL, CAREGUIDE_LLM_MODEL and CAREGUIDE_LLM_API_KEY."""
        self.llm = self.llm.with_short_aliases(os.environ)
        return self
