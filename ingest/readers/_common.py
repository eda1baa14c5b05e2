"""Helpers every reader shares: loading bytes, decoding text, building the Document."""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from careguide.ingest.errors import ReadError
from careguide.ingest.models import Document, PageText

CP1252_WARNING = "decoded as cp1252"


def load_bytes(path: Path) -> bytes:
    """The file's bytes, with OS errors turned into a one-line ReadError."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ReadError(f"cannot read {path.name}: no such file; check the path") from None
    except IsADirectoryError:
        raise ReadError(
            f"{path.name} is a folder, not a file; ingest the files inside it"
        ) from None
    except PermissionError:
        raise ReadError(
            f"cannot read {path.name}: permission denied; check the file's permissions"
        ) from None
    except OSError as exc:
        raise ReadError(f"cannot read {path.name}: {reason(exc)}; check the file") from None


def reason(exc: BaseException, limit: int = 120) -> str:
    """A short one-line description of a library exception, for use inside a message."""
    lines = str(exc).strip().splitlines()
    text = " ".join(lines[0].split()) if lines else ""
    if not text:
        return type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """Decode a text file: UTF-8 (BOM optional), UTF-16 with a BOM, else cp1252.

    Returns the text with newlines normalised to ``\\n`` and any warnings to record.
    A NUL byte outside UTF-16 means the file is binary, not text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError(
                f"{name} starts with a UTF-16 mark but is not valid UTF-16; "
                "save it again as UTF-8 text"
            ) from None
        return normalise_newlines(text), []
    if b"\x00" in data:
        raise ReadError(f"{name} contains binary data (NUL bytes); is it really a text file?")
    try:
        return normalise_newlines(data.decode("utf-8-sig")), []
    except UnicodeDecodeError:
        # cp1252 leaves five byte values undefined; replace them rather than fail.
        return normalise_newlines(data.decode("cp1252", errors="replace")), [CP1252_WARNING]


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def displayable(text: str) -> str:
    """A file name or path as valid Unicode: bytes that were not UTF-8 become U+FFFD.

    POSIX names are bytes; Python keeps undecodable ones as lone surrogates, which cannot
    be written to JSON or UTF-8, so one such name would otherwise stop a whole ingest.
    """
    return os.fsencode(text).decode("utf-8", "replace")


def make_document(
    path: Path,
    data: bytes,
    fmt: str,
    pages: Iterable[PageText],
    *,
    title_hint: str | None = None,
    warnings: Iterable[str] = (),
    ocr: bool = False,
) -> Document:
    return Document(
        source=displayable(path.name),
        path=displayable(str(path)),
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=list(pages),
        title_hint=title_hint or None,
        warnings=list(warnings),
        ocr=ocr,
    )


def require_text(document: Document) -> Document:
    """Refuse a document that decoded to nothing but whitespace."""
    if not document.text.strip():
        raise ReadError(f"{document.source} is empty; nothing to ingest")
    return document
