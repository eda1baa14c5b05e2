"""Readers: one per format, each read(path) -> Document."""
