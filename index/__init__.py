"""Index: Passage -> vectors -> Hit (embedder, Qdrant store, hybrid retrieval)."""
