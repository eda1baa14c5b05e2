"""Settings for the optional LLM backend: any OpenAI-compatible chat endpoint.

Kept apart from ``careguide.api.llm`` so that the settings tree never imports llama-index.
Unset ``base_url`` or ``model`` keeps answers extractive. Besides the nested names
(``CAREGUIDE_LLM__BASE_URL``), the entry point honours the short ones people set:
``CAREGUIDE_LLM_BASE_URL``, ``CAREGUIDE_LLM_MODEL``, ``CAREGUIDE_LLM_API_KEY``
(see ``with_short_aliases``).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field, SecretStr

__all__ = ["LLMSettings"]


class LLMSettings(BaseModel):
    """Where the model lives and how it is asked; the defaults leave it switched off."""

    base_url: str | None = Field(
        default=None,
        description=(
            "OpenAI-compatible API root, up to and including /v1: http://localhost:11434/v1 "
            "(Ollama), http://localhost:8000/v1 (vLLM), http://localhost:8080/v1 (llama.cpp "
            "server), https://api.openai.com/v1. Unset keeps answers extractive."
        ),
    )
    model: str | None = Field(
        default=None, description="Model name as the endpoint knows it, e.g. 'llama3.1:8b'."
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="Bearer key for the endpoint; local servers usually need none.",
    )
    timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds to wait for a reply before falling back to the extractive answer.",
    )
    max_retries: int = Field(
        default=0,
        ge=0,
        description="Retries after a failed call; 0 falls back to the extractive answer at once.",
    )
    max_tokens: int = Field(default=512, ge=16, description="Longest reply, in tokens.")
    temperature: float = Field(
        default=0.0, ge=0.0, le=2.0, description="0 keeps replies repeatable and close to the text."
    )
    context_window: int = Field(
        default=8192, ge=512, description="The model's context window, in tokens."
    )

    @property
    def enabled(self) -> bool:
        """True when an endpoint and a model are both set."""
        return bool(self.base_url and self.model)

    def with_short_aliases(self, environ: Mapping[str, str]) -> LLMSettings:
        """A copy with the flat ``CAREGUIDE_LLM_*`` names applied; they win over nested ones.

        Only an entry point should pass ``os.environ`` here.
        """
        update: dict[str, object] = {}
        if url := environ.get("CAREGUIDE_LLM_BASE_URL"):
            update["base_url"] = url
        if model := environ.get("CAREGUIDE_LLM_MODEL"):
            update["model"] = model
        if key := environ.get("CAREGUIDE_LLM_API_KEY"):
            update["api_key"] = SecretStr(key)
        return self.model_copy(update=update) if update else self
