"""fetch_documents against a real HTTP server on 127.0.0.1 (no mocks of httpx)."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from careguide.ingest.catalogue import Catalogue, CatalogueEntry
from careguide.ingest.errors import CatalogueError
from careguide.ingest.fetch import fetch_documents

BY_HAND = "download the file by hand and run `careguide ingest FILE`"
PAGE = b"<html><head><title>Guidance</title></head><body><p>Paragraph one.</p></body></html>"


@dataclass
class Site:
    """What the local server serves, and which paths were asked for."""

    base: str
    host: str
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site(base="", host="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            if self.path not in served.pages:
                self.send_error(404)
                return
            body, content_type = served.pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    served.host = f"127.0.0.1:{port}"
    served.base = f"http://{served.host}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def entry(doc_id: str, url: str | None, sha256: str | None = None) -> CatalogueEntry:
    return CatalogueEntry(
        id=doc_id,
        title=f"Title of {doc_id}",
        short_title=doc_id,
        publisher="DfE",
        date="2023-12",
        kind="statutory guidance",
        status="current",
        url=url,
        sha256=sha256,
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if p.name.endswith(".part"))


def test_downloads_then_reports_unchanged(site: Site, tmp_path: Path) -> None:
    site.pages["/guidance"] = (PAGE, "text/html; charset=utf-8")
    catalogue = Catalogue([entry("wt-2023", f"{site.base}/guidance")])

    first = fetch_documents(catalogue, tmp_path)
    second = fetch_documents(catalogue, tmp_path)

    target = tmp_path / "wt-2023.html"
    assert [(r.status, r.path, r.message) for r in first] == [
        ("downloaded", target, "saved wt-2023.html")
    ]
    assert [(r.status, r.path, r.message) for r in second] == [
        ("unchanged", target, "wt-2023.html is up to date")
    ]
    assert target.read_bytes() == PAGE
    assert leftovers(tmp_path) == []


def test_a_changed_page_replaces_the_file(site: Site, tmp_path: Path) -> None:
    site.pages["/guidance"] = (PAGE, "text/html")
    catalogue = Catalogue([entry("wt-2023", f"{site.base}/guidance")])
    fetch_documents(catalogue, tmp_path)
    site.pages["/guidance"] = (PAGE.replace(b"one", b"two"), "text/html")

    [result] = fetch_documents(catalogue, tmp_path)

    assert result.status == "downloaded"
    assert b"Paragraph two." in (tmp_path / "wt-2023.html").read_bytes()


def test_a_verified_file_is_unchanged_without_asking_the_server(site: Site, tmp_path: Path) -> None:
    pdf = b"%PDF-1.4 not really a pdf"
    site.pages["/wt.pdf"] = (pdf, "application/pdf")
    catalogue = Catalogue([entry("wt-2023", f"{site.base}/wt.pdf", sha256=sha(pdf))])

    first = fetch_documents(catalogue, tmp_path)
    second = fetch_documents(catalogue, tmp_path)

    assert [r.status for r in first + second] == ["downloaded", "unchanged"]
    assert site.requests == ["/wt.pdf"]
    assert (tmp_path / "wt-2023.pdf").read_bytes() == pdf


def test_checksum_mismatch_fails_and_keeps_nothing(site: Site, tmp_path: Path) -> None:
    site.pages["/wt.pdf"] = (b"%PDF-1.4 tampered", "application/pdf")
    expected = "ab" * 32
    got = sha(b"%PDF-1.4 tampered")
    url = f"{site.base}/wt.pdf"

    [result] = fetch_documents(Catalogue([entry("wt-2023", url, sha256=expected)]), tmp_path)

    assert (result.status, result.path) == ("failed", None)
    assert result.message == (
        f"the download from {url} does not match the catalogue's sha256"
        f" (got {got[:12]}…, expected {expected[:12]}…); the file was not kept;"
        " check the address, or update sha256 in the catalogue if the document was revised"
    )
    assert list(tmp_path.iterdir()) == []


def test_not_found_fails_with_a_clear_message(site: Site, tmp_path: Path) -> None:
    url = f"{site.base}/moved"

    [result] = fetch_documents(Catalogue([entry("wt-2023", url)]), tmp_path)

    assert (result.status, result.path) == ("failed", None)
    assert result.message == (
        f"{site.host} answered 404 Not Found for {url}; check the address in the catalogue"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_closed_port_gives_the_unreachable_message(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the port is closed again now: nothing listens on it

    [result] = fetch_documents(
        Catalogue([entry("wt-2023", f"http://127.0.0.1:{port}/guidance")]), tmp_path, timeout=5
    )

    assert result.status == "failed"
    assert result.message == f"cannot reach 127.0.0.1:{port}: the connection was refused; {BY_HAND}"


def test_a_name_that_does_not_resolve_gives_the_no_network_message(tmp_path: Path) -> None:
    # .invalid never resolves (RFC 6761): the same failure as having no network at all
    url = "https://careguide-test.invalid/guidance"

    [result] = fetch_documents(Catalogue([entry("wt-2023", url)]), tmp_path, timeout=5)

    assert result.status == "failed"
    assert (
        result.message == f"cannot reach careguide-test.invalid: no network connection; {BY_HAND}"
    )


def test_one_failure_does_not_stop_the_others(site: Site, tmp_path: Path) -> None:
    site.pages["/kinship"] = (PAGE, "text/html")
    catalogue = Catalogue(
        [
            entry("wt-2018", None),
            entry("wt-2023", f"{site.base}/gone"),
            entry("kinship-2024", f"{site.base}/kinship"),
        ]
    )

    results = fetch_documents(catalogue, tmp_path)

    assert [(r.id, r.status) for r in results] == [
        ("wt-2018", "no-address"),
        ("wt-2023", "failed"),
        ("kinship-2024", "downloaded"),
    ]
    assert results[0].message == f"wt-2018 has no official address in the catalogue; {BY_HAND}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kinship-2024.html"]


def test_ids_pick_documents_and_unknown_ids_fail_before_downloading(
    site: Site, tmp_path: Path
) -> None:
    site.pages["/a"] = (PAGE, "text/html")
    site.pages["/b"] = (PAGE, "text/html")
    catalogue = Catalogue([entry("a", f"{site.base}/a"), entry("b", f"{site.base}/b")])

    results = fetch_documents(catalogue, tmp_path, ids=["b"])
    with pytest.raises(CatalogueError, match=r"no document 'c' in catalogue\.yaml"):
        fetch_documents(catalogue, tmp_path, ids=["a", "c"])

    assert [r.id for r in results] == ["b"]
    assert site.requests == ["/b"]


def test_extension_comes_from_the_address_when_the_type_is_vague(
    site: Site, tmp_path: Path
) -> None:
    site.pages["/files/guidance.pdf"] = (b"%PDF-1.7", "application/octet-stream")

    [result] = fetch_documents(
        Catalogue([entry("wt-2023", f"{site.base}/files/guidance.pdf")]), tmp_path
    )

    assert result.path == tmp_path / "wt-2023.pdf"


def test_a_given_client_is_used_and_left_open(site: Site, tmp_path: Path) -> None:
    site.pages["/guidance"] = (PAGE, "text/html")
    catalogue = Catalogue([entry("wt-2023", f"{site.base}/guidance")])

    with httpx.Client() as client:
        [result] = fetch_documents(catalogue, tmp_path / "new" / "folder", client=client)
        assert not client.is_closed

    assert result.status == "downloaded"
    assert result.path == tmp_path / "new" / "folder" / "wt-2023.html"
