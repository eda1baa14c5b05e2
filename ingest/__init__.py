"""Ingest: files -> Document -> Passage (readers, cleaning, structure, chunking, catalogue)."""
