"""The exceptions careguide raises, documented in one place.

Every message says what happened and what to do next, in one line. Only the shells
(the CLI and the HTTP API) turn these into exit codes or ``{"detail": ...}`` bodies.
"""

from __future__ import annotations


class CareguideError(Exception):
    """Base class: ``str(error)`` is a one-line message for the user."""


class ReadError(CareguideError):
    """A file could not be read into a Document (bad format, encrypted, empty, too big)."""


class OcrUnavailableError(ReadError):
    """A scanned PDF needs OCR but Tesseract is not installed."""


class CatalogueError(CareguideError):
    """The catalogue of sources is malformed or names an unknown document."""


class FetchError(CareguideError):
    """A catalogued document could not be downloaded or failed its checksum."""


class IndexBusyError(CareguideError):
    """The local index is open in another careguide process."""


class IndexMissingError(CareguideError):
    """No index has been built yet, or it is damaged."""


class ConfigError(CareguideError):
    """A setting has an unusable value."""
