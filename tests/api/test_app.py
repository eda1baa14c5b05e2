"""The HTTP app through httpx (Starlette's TestClient): every route, the admin gate, uploads,
limits, headers and the event stream, over a two-file library with the hashing embedder."""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest_app import TOKEN, app_settings, build_library, make_app, make_engine
from fastapi import HTTPException
from fastapi.testclient import TestClient
from pydantic import ValidationError

from careguide.api.ask_cmd import answer_json
from careguide.api.engine import Engine, hit_json
from careguide.api.ratelimit import RateLimiter
from careguide.api.routes_admin import safe_upload_name
from careguide.api.routes_api import sentence_chunks
from careguide.api.routes_deps import BusyGuard
from careguide.api.search_cmd import result_json
from careguide.api.settings import Settings
from careguide.index.embedder import HashingEmbedder

GROUNDED = "accredited practice leader in every local authority by 2020"
DISCLOSURE = "my stepdad hits me and I am scared to go home"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("library")
    build_library(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def engine(library: Path) -> Iterator[Engine]:
    with make_engine(app_settings(library)) as engine:
        yield engine


@pytest.fixture(scope="module")
def client(library: Path, engine: Engine) -> Iterator[TestClient]:
    app, _ = make_app(app_settings(library), engine)
    with TestClient(app) as c:
        yield c


def events(body: str) -> list[tuple[str, Any]]:
    """Server-Sent Events as (event, parsed data)."""
    out = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((fields["event"], json.loads(fields["data"])))
    return out


# --- reading -----------------------------------------------------------------------------


def test_health_reports_the_index(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["index"]["state"] == "ready"
    assert body["documents"] == 2 and body["passages"] > 20
    assert body["model"] == "hashing-64" and body["generator"] == "extractive"


def test_documents_list_catalogue_and_library(client: TestClient) -> None:
    docs = {d["id"]: d for d in client.get("/api/documents").json()["documents"]}
    vision = docs["vision-for-change-2016"]
    assert vision["in_library"] and vision["catalogued"] and vision["status"] == "historical"
    assert vision["passages"] >= vision["indexed"] > 0
    assert vision["date"].startswith("2016")
    assert not docs["stable-homes-2023"]["in_library"]


def test_search_returns_the_cli_json(client: TestClient, library: Path) -> None:
    response = client.post("/api/search", json={"question": GROUNDED, "k": 3})
    assert response.status_code == 200
    body = response.json()
    app_engine: Engine = client.app.state.careguide.engine  # type: ignore[attr-defined]
    expected = result_json(None, GROUNDED, app_engine.search(GROUNDED, k=3))
    assert body == json.loads(json.dumps(expected))
    assert set(body["hits"][0]) == set(hit_json(app_engine.search(GROUNDED, k=1)[0]))


def test_search_filters_and_validation(client: TestClient) -> None:
    only = {"question": GROUNDED, "filters": {"doc_ids": ["vision-for-change-2016"]}}
    hits = client.post("/api/search", json=only).json()["hits"]
    assert hits and {h["doc_id"] for h in hits} == {"vision-for-change-2016"}
    for bad, where in [
        ({"question": "   "}, "question"),
        ({"question": "x", "k": 0}, "k"),
        ({"question": "x", "filters": {"kinds": ["novel"]}}, "filters.kinds.0"),
        ({}, "question"),
    ]:
        response = client.post("/api/search", json=bad)
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert isinstance(detail, str) and "\n" not in detail and detail.startswith(where)


def test_passage_in_context(client: TestClient) -> None:
    hit = client.post("/api/search", json={"question": GROUNDED, "k": 1}).json()["hits"][0]
    body = client.get(f"/api/passages/{hit['id']}", params={"around": 1}).json()
    assert body["passage"]["id"] == hit["id"] and body["passage"]["text"] == hit["text"]
    assert len(body["before"]) <= 1 and len(body["after"]) <= 1
    assert all(p["doc_id"] == hit["doc_id"] for p in body["before"] + body["after"])
    missing = client.get("/api/passages/vision-for-change-2016:000000000000")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": "no passage 'vision-for-change-2016:000000000000'; it may have been re-ingested"
    }
    assert client.get("/api/passages/..%2F..%2Fetc:passwd").status_code in (404, 422)


# --- answers -------------------------------------------------------------------------------


def test_ask_returns_the_answer_with_the_cli_fields(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": GROUNDED}).json()
    assert body["grounded"] and body["citations"] and "[1]" in body["answer"]
    assert body["mode"] == "practitioner" and body["id"]
    cli = answer_json(None, _answer(body))
    for key in cli.keys() - {"id"}:
        assert key in body
    assert body["citations"][0]["passage_id"]  # the page opens the cited passage by it


def test_ask_honours_filters(client: TestClient) -> None:
    doc = "vision-for-change-2016"
    body = client.post(
        "/api/ask", json={"question": GROUNDED, "filters": {"doc_ids": [doc]}}
    ).json()
    cited = body["citations"] + body["closest"]
    assert cited and {c["doc_id"] for c in cited} == {doc}
    bad = client.post("/api/ask", json={"question": GROUNDED, "filters": {"kinds": ["novel"]}})
    assert bad.status_code == 422


def _answer(body: dict[str, Any]) -> Any:
    from careguide.api.answer_models import Answer

    return Answer.model_validate(body)


def test_ask_stream_sends_deltas_then_citations_then_final(client: TestClient) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": GROUNDED}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = events(response.read().decode())
    names = [name for name, _ in stream]
    assert names[-2:] == ["citations", "final"] and set(names[:-2]) == {"delta"}
    final = stream[-1][1]
    assert "".join(data["text"] for name, data in stream if name == "delta") == final["answer"]
    assert stream[-2][1]["citations"] == final["citations"]
    same = client.post("/api/ask", json={"question": GROUNDED}).json()
    assert final == same


def test_a_disclosure_streams_its_safety_reply_first(client: TestClient) -> None:
    body = {"question": DISCLOSURE, "mode": "child"}
    stream = events(client.post("/api/ask/stream", json=body).text)
    assert stream[0][0] == "safety" and stream[0][1]["disclosure"]
    assert stream[1][0] == "delta"
    assert stream[-1][1]["safety"]["signposts"][0]["name"] == "Childline"


def test_sentence_chunks_join_back_to_the_text() -> None:
    text = "First sentence [1]. Second one! [2]\n\nThird: a list. Last"
    chunks = sentence_chunks(text)
    assert "".join(chunks) == text and len(chunks) == 5
    assert sentence_chunks("") == []


def test_history_is_accepted(client: TestClient) -> None:
    body = {
        "question": "and what about by 2020?",
        "history": [
            {"role": "user", "content": "what are practice leaders?"},
            {"role": "assistant", "content": "Practice leaders lead practice [1]."},
        ],
    }
    assert client.post("/api/ask", json=body).status_code == 200


# --- feedback ------------------------------------------------------------------------------


def test_feedback_is_stored_redacted_and_exported(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": "what are practice leaders?"}).json()
    cited = [c["passage_id"] for c in answer["citations"]]
    assert cited, "the answer cites nothing: the test proves nothing about cited ids"
    saved = client.post(
        "/api/feedback",
        json={
            "answer_id": answer["id"],
            "helpful": False,
            "citation_wrong": 2,
            "comment": "call me on 07700 900123",
            "question": "my son (born 03/04/2015, SW1A 1AA) asks: what are practice leaders?",
            "mode": "carer",
            "cited": cited,
        },
    )
    assert saved.status_code == 201
    export = client.get("/api/admin/feedback", headers=AUTH)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in export.text.splitlines()]
    mine = next(r for r in rows if r["id"] == saved.json()["id"])
    assert mine["citation_wrong"] == 2 and mine["helpful"] is False
    assert mine["comment"] == "call me on [phone]"
    assert mine["question"] == (
        "my son (born [date of birth], [postcode]) asks: what are practice leaders?"
    )
    assert mine["mode"] == "carer" and mine["cited"] == cited
    bad = client.post("/api/feedback", json={"answer_id": "../x", "helpful": True})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("answer_id")


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("cited", ["../etc/passwd"], "cited: '../etc/passwd' is not a passage id; send each"),
        ("cited", ["doc:abc"] * 51, "cited: List should have at most 50 items"),
        ("cited", "doc:abc", "cited: Input should be a valid list"),
        ("mode", "pirate", "mode: Input should be 'practitioner', 'carer', 'child' or 'trainer'"),
        ("question", "q" * 2001, "question: String should have at most 2000 characters"),
        ("question", 7, "question: Input should be a valid string"),
    ],
)
def test_feedback_with_bad_fields_is_422(
    client: TestClient, field: str, value: object, detail: str
) -> None:
    response = client.post(
        "/api/feedback", json={"answer_id": "abc123", "helpful": True, field: value}
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)


# --- admin ---------------------------------------------------------------------------------


def test_admin_is_off_without_a_token(library: Path, engine: Engine) -> None:
    app, _ = make_app(app_settings(library, token=None), engine)
    with TestClient(app) as c:
        response = c.get("/api/admin/feedback", headers=AUTH)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("admin endpoints are switched off")


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "admin endpoints need the header"),
        ({"Authorization": "Basic abc"}, "admin endpoints need the header"),
        ({"Authorization": "Bearer wrong-token-but-long-enough"}, "the admin token is wrong"),
    ],
)
def test_admin_needs_the_right_token(
    client: TestClient, headers: dict[str, str], detail: str
) -> None:
    for method, path in [
        ("GET", "/api/admin/feedback"),
        ("DELETE", "/api/admin/documents/vision-for-change-2016"),
        ("POST", "/api/admin/documents"),
    ]:
        response = client.request(method, path, headers=headers, json={"catalogue_ids": ["x"]})
        assert response.status_code == 401, path
        assert response.json()["detail"].startswith(detail)
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_weak_admin_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="shorter than 16 characters"):
        Settings(admin_token="letmein")
    assert Settings(admin_token="").admin_token is None


@pytest.mark.parametrize(
    ("client_name", "expected_start"),
    [
        ("../../etc/passwd.txt", "passwd-"),
        ("..\\..\\Windows\\evil.md", "evil-"),
        ("/abs/path/Guidance 2024.txt", "guidance-2024-"),
        ("Ça été élevé ☃.txt", "ca-ete-eleve-"),
        ("", "upload-"),
        ("....", "upload-"),
        ("\x00name.txt", "name-"),
    ],
)
def test_upload_names_are_made_here(client_name: str, expected_start: str) -> None:
    name = safe_upload_name(client_name, b"some text", "txt")
    assert name.startswith(expected_start) and name.endswith(".txt")
    assert name.isascii() and "/" not in name and "\\" not in name and ".." not in name


def test_upload_ingests_and_delete_removes(tmp_path: Path) -> None:
    build_library(tmp_path, names=("004_80413ab7c43692f4.txt",))
    text = (
        "Kinship allowance note\n\n1. A kinship carer who looks after a grandchild can ask the "
        "council for a weekly zebra allowance of forty pounds while the placement lasts."
    )
    app, _ = make_app(app_settings(tmp_path))
    with TestClient(app) as c:
        files = [("files", ("../../../Kinship Zébra note.txt", text.encode(), "text/plain"))]
        response = c.post("/api/admin/documents", headers=AUTH, files=files)
        assert response.status_code == 200, response.text
        outcome = response.json()["files"][0]
        assert outcome["status"] == "ingested" and outcome["source"].startswith(
            "kinship-zebra-note-"
        )
        stored = list((tmp_path / "uploads").iterdir())
        assert [p.name for p in stored] == [outcome["source"]]
        assert not list(tmp_path.parent.glob("Kinship*"))
        hits = c.post("/api/search", json={"question": "zebra allowance"}).json()["hits"]
        assert hits[0]["doc_id"] == outcome["doc_id"]

        gone = c.delete(f"/api/admin/documents/{outcome['doc_id']}", headers=AUTH)
        assert gone.status_code == 200 and gone.json()["documents"] == 1
        assert not (tmp_path / "uploads" / outcome["source"]).exists()
        hits = c.post("/api/search", json={"question": "zebra allowance"}).json()["hits"]
        assert all(h["doc_id"] != outcome["doc_id"] for h in hits)
        again = c.delete(f"/api/admin/documents/{outcome['doc_id']}", headers=AUTH)
        assert again.status_code == 404
        assert again.json()["detail"].startswith("no document")


def _zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"<!doctype html><html><body>not a pdf</body></html>"),
        ("report.docx", b"plain words, not a Word file"),
        ("archive.txt", _zip()),
        ("notes", b"no extension and no magic"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
    ],
)
def test_upload_type_is_sniffed_from_content(
    client: TestClient, library: Path, name: str, data: bytes
) -> None:
    response = client.post("/api/admin/documents", headers=AUTH, files=[("files", (name, data))])
    assert response.status_code == 415
    assert "is not a file careguide reads" in response.json()["detail"]
    assert not (library / "uploads").exists()


def test_upload_size_limit(library: Path, engine: Engine) -> None:
    app, _ = make_app(app_settings(library, upload_max_bytes=2048), engine)
    with TestClient(app) as c:
        files = [("files", ("big.txt", b"word " * 1000))]
        response = c.post("/api/admin/documents", headers=AUTH, files=files)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("big.txt is over the 2 KB upload limit")


def test_admin_documents_needs_files_or_catalogue_ids(client: TestClient) -> None:
    unknown = client.post("/api/admin/documents", headers=AUTH, json={"catalogue_ids": ["nope"]})
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "no document 'nope' in the catalogue; see /api/documents"
    empty = client.post("/api/admin/documents", headers=AUTH, json={"catalogue_ids": []})
    assert empty.status_code == 422
    text = client.post(
        "/api/admin/documents", headers={**AUTH, "content-type": "text/plain"}, content=b"x"
    )
    assert text.status_code == 415


# --- limits and headers ------------------------------------------------------------------


def test_request_body_limit(client: TestClient) -> None:
    big = json.dumps({"question": "x" * 70_000})
    by_length = client.post(
        "/api/search", content=big, headers={"content-type": "application/json"}
    )
    assert by_length.status_code == 413
    assert by_length.json() == {"detail": "the request body is over the 65536 byte limit"}

    def chunks() -> Iterator[bytes]:
        yield big[:40_000].encode()
        yield big[40_000:].encode()

    streamed = client.post(
        "/api/search", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_rate_limit_gives_429_with_retry_after(library: Path, engine: Engine) -> None:
    app, _ = make_app(app_settings(library, search_per_minute=2, ask_per_minute=1), engine)
    with TestClient(app) as c:
        codes = [c.post("/api/search", json={"question": "q"}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = c.post("/api/search", json={"question": "q"})
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["detail"].startswith("too many requests")
        assert c.post("/api/ask", json={"question": "q"}).status_code == 200
        assert c.post("/api/ask/stream", json={"question": "q"}).status_code == 429
        assert c.get("/api/health").status_code == 200


def test_rate_limiter_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.check("a") == 0 for _ in range(60))
    assert limiter.check("a") == pytest.approx(1.0)
    assert limiter.check("b") == 0
    now[0] += 2.0
    assert limiter.check("a") == 0
    assert RateLimiter(0).check("a") == 0


def test_busy_guard_refuses_quickly_when_full() -> None:
    guard = BusyGuard(1, timeout=0.05)

    async def scenario() -> int:
        async with guard.slot():
            try:
                async with guard.slot():
                    return 200
            except HTTPException as refused:
                status = refused.status_code
        async with guard.slot():  # released again
            return status

    assert anyio.run(scenario) == 503


@pytest.mark.parametrize("path", ["/", "/api/health", "/api/nowhere", "/static/app.js"])
def test_security_headers_everywhere(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in response.headers


def test_cors_only_when_configured(library: Path, engine: Engine) -> None:
    app, _ = make_app(app_settings(library, cors_origins=["https://intranet.example"]), engine)
    with TestClient(app) as c:
        allowed = c.get("/api/health", headers={"Origin": "https://intranet.example"})
        other = c.get("/api/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://intranet.example"
    assert "access-control-allow-origin" not in other.headers


def test_web_page_missing_says_so(library: Path, engine: Engine, tmp_path: Path) -> None:
    app, _ = make_app(app_settings(library, web_dir=tmp_path), engine)
    with TestClient(app) as c:
        response = c.get("/")
    assert response.status_code == 200 and "web page is not installed" in response.text


def test_web_pages_are_served(client: TestClient) -> None:
    assert client.get("/").headers["content-type"].startswith("text/html")
    assert client.get("/library.html").status_code == 200
    assert client.get("/__init__.py").status_code == 404
    assert client.get("/..%2Fpyproject.html").status_code == 404


# --- errors and logging ------------------------------------------------------------------


def test_no_index_is_503_with_the_recovery_command(tmp_path: Path) -> None:
    app, _ = make_app(app_settings(tmp_path))
    with TestClient(app) as c:
        health = c.get("/api/health").json()
        response = c.post("/api/search", json={"question": "anything"})
    assert health["status"] == "degraded" and health["index"]["state"] == "missing"
    assert response.status_code == 503
    assert "run `careguide ingest` first" in response.json()["detail"]


class _Broken(Engine):
    def search(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")


def test_unexpected_errors_are_500_without_a_traceback(tmp_path: Path) -> None:
    from careguide.api.app import create_app

    settings = app_settings(tmp_path)
    app = create_app(settings, engine=_Broken(settings, embedder=HashingEmbedder(dim=64)))
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.post("/api/search", json={"question": "anything"})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; the server log has the details"}
    assert "secret" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_questions_are_not_logged_unless_asked_and_then_redacted(
    library: Path, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    question = "my email is jo.bloggs@example.com what is kinship care"
    caplog.set_level(logging.DEBUG)
    for logging_on in (False, True):
        app, _ = make_app(app_settings(library, query_logging=logging_on), engine)
        with TestClient(app) as c:
            c.post("/api/search", json={"question": question})
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert "jo.bloggs" not in logged
        assert ("[email] what is kinship care" in logged) == logging_on


def test_catalogue_ids_are_fetched_and_ingested(tmp_path: Path) -> None:
    import http.server
    import threading

    page = b"Local note\n\n1. Foster carers receive a weekly quokka allowance from the council.\n"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    source = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=source.serve_forever, daemon=True).start()
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        "documents:\n"
        "  - id: local-note-2024\n"
        "    title: Local note\n"
        "    short_title: Local note\n"
        "    publisher: Test Council\n"
        "    date: 2024-05\n"
        "    kind: practice guide\n"
        "    status: current\n"
        f"    url: http://127.0.0.1:{source.server_address[1]}/note.txt\n",
        encoding="utf-8",
    )
    settings = app_settings(tmp_path / "data")
    settings.ingest.catalogue_path = catalogue
    try:
        app, _ = make_app(settings)
        with TestClient(app) as c:
            body = {"catalogue_ids": ["local-note-2024"]}
            response = c.post("/api/admin/documents", headers=AUTH, json=body)
            assert response.status_code == 200, response.text
            assert response.json()["files"][0]["doc_id"] == "local-note-2024"
            hits = c.post("/api/search", json={"question": "quokka allowance"}).json()["hits"]
            assert hits[0]["doc_id"] == "local-note-2024"
            docs = c.get("/api/documents").json()["documents"]
            assert docs == [
                {
                    **docs[0],
                    "id": "local-note-2024",
                    "in_library": True,
                    "catalogued": True,
                    "indexed": 1,
                }
            ]
    finally:
        source.shutdown()


def test_busy_guard_serves_waiting_requests_in_arrival_order() -> None:
    guard = BusyGuard(1, timeout=5)
    order: list[int] = []

    async def request(n: int, started: anyio.Event) -> None:
        started.set()
        async with guard.slot():
            order.append(n)
            await anyio.sleep(0.01)

    async def scenario() -> None:
        # the guard is full while five requests queue up
        async with anyio.create_task_group() as tasks, guard.slot():
            for n in range(5):
                started = anyio.Event()
                tasks.start_soon(request, n, started)
                await started.wait()
                await anyio.sleep(0.003)  # each has taken its ticket before the next

    anyio.run(scenario)
    assert order == [0, 1, 2, 3, 4]


def test_the_service_holds_model_calls_to_one_thread_and_questions_to_onnx(
    tmp_path: Path,
) -> None:
    from careguide.api.app import create_app

    served = create_app(Settings(data_dir=tmp_path)).state.careguide.engine.settings.index
    assert (served.threads, served.query_runtime) == (1, "onnx")
    chosen = Settings(data_dir=tmp_path, index={"threads": 2, "query_runtime": "torch"})
    kept = create_app(chosen).state.careguide.engine.settings.index
    assert (kept.threads, kept.query_runtime) == (2, "torch")
    assert Settings().index.query_runtime == "torch"  # one-shot commands skip the export
