"""The exceptions careguide raises, documented in one place.

Every message says what happened and what to do next, in one line. Only the shells
(the CLI and the HTTP API) turn these into exit codes or ``{"detail": ...}`` bodies.
"""

from __future__ import annotations

import yaml
from pydantic import ValidationError


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


def first_refusal(error: ValidationError, whole: str = "") -> str:
    """``"field.path: message"`` for the first value pydantic refused, for one-line errors.

    ``whole`` names the thing itself when the refusal is not about one field.
    """
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or whole
    return f"{where}: {first['msg']}"


def yaml_problem(error: yaml.YAMLError, default: str) -> str:
    """``" at line N: problem"`` for a YAML parse error (``default`` when it names none)."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    return f"{where}: {getattr(error, 'problem', None) or default}"
