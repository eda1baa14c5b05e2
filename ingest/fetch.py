"""Download catalogued documents from their official addresses.

What is downloaded is exactly what the catalogue's ``url`` serves. For most GOV.UK entries
that is the publication page, an HTML page that lists the PDF attachments rather than the
guidance itself; careguide ingests HTML, and the page gives the title, date and the
attachments' addresses. Following the attachment links is deliberately left out: a page
often lists several (the guidance, a statutory framework, a children's version), choosing
among them needs judgement, and attachment addresses change with every amendment. To
index the full guidance, point the entry's ``url`` at the attachment (a PDF, or a GOV.UK
HTML attachment as the ILACS entry does) and give its ``sha256`` once it is known.

One failure never stops the others: every document gets a :class:`FetchResult` whose
message says what happened and what to do next.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, Field

from careguide.ingest.catalogue import Catalogue, CatalogueEntry

FetchStatus = Literal["downloaded", "unchanged", "failed", "no-address"]

_BY_HAND = "download the file by hand and run `careguide ingest FILE`"
_USER_AGENT = "careguide/0.1 (children's social care guidance search)"
_CHUNK = 64 * 1024
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
}
_KNOWN_SUFFIXES = {".pdf", ".html", ".htm", ".docx", ".txt", ".md"}


class FetchResult(BaseModel):
    """What happened to one catalogued document."""

    id: str = Field(description="Catalogue id of the document.")
    url: str | None = Field(
        description="Address it was fetched from; None when the catalogue has none."
    )
    path: Path | None = Field(
        description="The file on disk after the run; None when there is none."
    )
    status: FetchStatus = Field(
        description="downloaded (new or changed file), unchanged (the file on disk already "
        "matched), failed (nothing kept from this run), no-address (the catalogue has no url)."
    )
    message: str = Field(description="One line for the user: what happened and what to do next.")


class _Failed(Exception):
    """A download failed; the message is the user's one line."""


def fetch_documents(
    catalogue: Catalogue,
    dest: Path,
    ids: list[str] | None = None,
    *,
    client: httpx.Client | None = None,
    timeout: float = 30,
) -> list[FetchResult]:
    """Download catalogued documents into ``dest`` as ``<id>.<ext>``; one result per document.

    ``ids`` picks documents (None: every entry); an unknown id raises CatalogueError before
    anything is downloaded. Each download streams to a temporary file in ``dest`` and is
    renamed into place only when complete and, if the entry has a ``sha256``, verified.
    A file already on disk with the same bytes is left alone (status ``unchanged``); when the
    entry has a ``sha256`` this is decided without going to the network.
    """
    entries = list(catalogue) if ids is None else [catalogue.get(doc_id) for doc_id in ids]
    dest.mkdir(parents=True, exist_ok=True)
    with _client(client, timeout) as http:
        return [_fetch_one(entry, dest, http, timeout) for entry in entries]


@contextlib.contextmanager
def _client(client: httpx.Client | None, timeout: float) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with httpx.Client(
        timeout=timeout, follow_redirects=True, headers={"User-Agent": _USER_AGENT}
    ) as own:
        yield own


def _fetch_one(
    entry: CatalogueEntry, dest: Path, http: httpx.Client, timeout: float
) -> FetchResult:
    if not entry.url:
        return FetchResult(
            id=entry.id,
            url=None,
            path=None,
            status="no-address",
            message=f"{entry.id} has no official address in the catalogue; {_BY_HAND}",
        )
    if entry.sha256:
        for existing in _existing(dest, entry.id):
            if _sha256_of(existing) == entry.sha256:
                return _result(entry, existing, "unchanged", f"{existing.name} is up to date")
    try:
        path, changed = _download(entry, entry.url, dest, http, timeout)
    except _Failed as failure:
        return FetchResult(
            id=entry.id, url=entry.url, path=None, status="failed", message=str(failure)
        )
    if not changed:
        return _result(entry, path, "unchanged", f"{path.name} is up to date")
    return _result(entry, path, "downloaded", f"saved {path.name}")


def _result(entry: CatalogueEntry, path: Path, status: FetchStatus, message: str) -> FetchResult:
    return FetchResult(id=entry.id, url=entry.url, path=path, status=status, message=message)


def _download(
    entry: CatalogueEntry, url: str, dest: Path, http: httpx.Client, timeout: float
) -> tuple[Path, bool]:
    """Stream ``url`` into ``dest``; returns the final path and whether the file changed."""
    host = _host(url)
    part: Path | None = None
    try:
        with http.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code >= 400:
                raise _Failed(
                    f"{host} answered {response.status_code} {response.reason_phrase} for {url};"
                    " check the address in the catalogue"
                )
            target = dest / f"{entry.id}{_extension(response, url)}"
            digest = hashlib.sha256()
            handle, name = tempfile.mkstemp(dir=dest, prefix=f".{entry.id}.", suffix=".part")
            part = Path(name)
            with os.fdopen(handle, "wb") as out:
                for chunk in response.iter_bytes(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        checksum = digest.hexdigest()
        if entry.sha256 and checksum != entry.sha256:
            raise _Failed(
                f"the download from {url} does not match the catalogue's sha256"
                f" (got {checksum[:12]}…, expected {entry.sha256[:12]}…); the file was not kept;"
                " check the address, or update sha256 in the catalogue if the document was revised"
            )
        if target.is_file() and _sha256_of(target) == checksum:
            return target, False
        os.replace(part, target)
        part = None
        return target, True
    except httpx.ConnectError as error:
        raise _Failed(f"cannot reach {host}: {_why_unreachable(error)}; {_BY_HAND}") from None
    except httpx.TimeoutException:
        raise _Failed(
            f"cannot reach {host}: no answer within {timeout:g} s; try again later or {_BY_HAND}"
        ) from None
    except httpx.HTTPError as error:
        raise _Failed(
            f"the download from {url} broke off ({error}); try again later or {_BY_HAND}"
        ) from None
    except OSError as error:
        raise _Failed(
            f"cannot write into {dest}: {error.strerror or error}; check the folder"
        ) from None
    finally:
        if part is not None:
            part.unlink(missing_ok=True)


def _why_unreachable(error: httpx.ConnectError) -> str:
    """'connection refused' when something answered but refused; otherwise no network."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).casefold():
            return "the connection was refused"
        if isinstance(cause, socket.gaierror):
            return "no network connection"
        cause = cause.__cause__ or cause.__context__
    return "no network connection"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _extension(response: httpx.Response, url: str) -> str:
    """File extension from the content type, else from the address, else '.bin'."""
    content_type = response.headers.get("content-type", "").split(";")[0].strip().casefold()
    if content_type in _EXTENSIONS:
        return _EXTENSIONS[content_type]
    suffix = Path(urlsplit(str(response.url) or url).path).suffix.casefold()
    return suffix if suffix in _KNOWN_SUFFIXES else ".bin"


def _existing(dest: Path, doc_id: str) -> list[Path]:
    return sorted(p for p in dest.glob(f"{doc_id}.*") if p.is_file() and p.stem == doc_id)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()
