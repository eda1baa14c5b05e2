"""The admin endpoints: refused without the right token (compared in constant time), and
uploads that cannot write outside the data directory, whatever name or link they meet."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_app import TOKEN, app_settings, build_library, make_app
from fastapi.testclient import TestClient

from careguide.api import routes_deps
from careguide.api.routes_admin import safe_upload_name

ADMIN = [
    ("GET", "/api/admin/feedback"),
    ("DELETE", "/api/admin/documents/no-such-document"),
    ("POST", "/api/admin/documents"),
]
TEXT = (
    b"Private fostering notices\n\n1. A parent must tell the council at least six weeks "
    b"before a child goes to live with a private foster carer, so that it can check the "
    b"arrangement is safe and visit the child."
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("admin") / "data"
    build_library(root, names=("004_80413ab7c43692f4.txt",))
    return root


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    app, engine = make_app(app_settings(data_dir))
    with engine, TestClient(app) as c:
        yield c


@pytest.mark.parametrize(
    ("authorization", "status", "detail"),
    [
        (None, 401, "admin endpoints need the header 'Authorization: Bearer"),
        ("", 401, "admin endpoints need the header"),
        ("Bearer", 401, "admin endpoints need the header"),
        ("Bearer    ", 401, "admin endpoints need the header"),
        (f"Basic {TOKEN}", 401, "admin endpoints need the header"),
        (f"Token {TOKEN}", 401, "admin endpoints need the header"),
        ("Bearer wrong", 401, "the admin token is wrong"),
        (f"Bearer {TOKEN[:-1]}", 401, "the admin token is wrong"),  # a prefix
        (f"Bearer {TOKEN}x", 401, "the admin token is wrong"),  # one character more
        (f"Bearer {TOKEN.upper()}", 401, "the admin token is wrong"),
        (f"Bearer {TOKEN[:-1]}\u00e9", 401, "the admin token is wrong"),  # non-ASCII
    ],
)
def test_missing_or_wrong_tokens_are_refused_on_every_admin_route(
    client: TestClient, authorization: str | None, status: int, detail: str
) -> None:
    # bytes, so that a non-ASCII token reaches the server as a client would send it (UTF-8)
    headers = {} if authorization is None else {b"Authorization": authorization.encode()}
    for method, path in ADMIN:
        response = client.request(method, path, headers=headers, json={"catalogue_ids": ["x"]})
        assert response.status_code == status, (method, path, response.text)
        assert response.json()["detail"].startswith(detail)


def test_the_token_is_compared_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(routes_deps.hmac, "compare_digest", recording)
    wrong = client.get("/api/admin/feedback", headers={"Authorization": "Bearer nearly-right"})
    right = client.get("/api/admin/feedback", headers={"Authorization": f"Bearer {TOKEN}"})

    assert (wrong.status_code, right.status_code) == (401, 200)
    assert compared == [(b"nearly-right", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_admin_routes_are_off_without_a_configured_token(data_dir: Path) -> None:
    app, engine = make_app(app_settings(data_dir, token=None))
    with engine, TestClient(app) as c:
        for method, path in ADMIN:
            response = c.request(method, path, headers={"Authorization": "Bearer anything"})
            assert response.status_code == 403
            assert response.json()["detail"].startswith("admin endpoints are switched off")


def _files_outside(root: Path, data_dir: Path) -> set[Path]:
    return {p for p in root.rglob("*") if not p.is_relative_to(data_dir)}


@pytest.mark.parametrize(
    "client_name",
    [
        "../../../escaped.txt",
        "..\\..\\..\\escaped.txt",
        "/tmp/escaped-absolute.txt",
        "C:\\Windows\\System32\\escaped.txt",
        "uploads/../../escaped.txt",
        "\x00../escaped.txt",
        "../Kinship carers’ guide – café 子ども.txt",
    ],
)
def test_upload_names_cannot_leave_the_uploads_folder(
    client: TestClient, data_dir: Path, client_name: str
) -> None:
    root = data_dir.parent
    before = _files_outside(root, data_dir)

    response = client.post(
        "/api/admin/documents",
        headers={"Authorization": f"Bearer {TOKEN}"},
        files=[("files", (client_name, TEXT, "text/plain"))],
    )

    assert response.status_code == 200, response.text
    stored = response.json()["files"][0]["source"]
    assert (data_dir / "uploads" / stored).is_file()
    assert _files_outside(root, data_dir) == before
    assert not Path("/tmp/escaped-absolute.txt").exists()


def test_a_link_planted_at_the_upload_name_is_replaced_not_written_through(
    client: TestClient, data_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("do not overwrite")
    uploads = data_dir / "uploads"
    uploads.mkdir(exist_ok=True)
    name = safe_upload_name("notice.txt", TEXT, "txt")
    (uploads / name).unlink(missing_ok=True)
    (uploads / name).symlink_to(outside)
    for guess in (f".{name}.partial", ".upload.partial"):  # predictable temporary names
        (uploads / guess).unlink(missing_ok=True)
        (uploads / guess).symlink_to(outside)

    response = client.post(
        "/api/admin/documents",
        headers={"Authorization": f"Bearer {TOKEN}"},
        files=[("files", ("notice.txt", TEXT, "text/plain"))],
    )

    assert response.status_code == 200, response.text
    assert outside.read_text() == "do not overwrite"
    assert not (uploads / name).is_symlink() and (uploads / name).read_bytes() == TEXT


def test_an_uploads_folder_linked_outside_the_data_directory_is_refused(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    build_library(data_dir, names=("004_80413ab7c43692f4.txt",))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (data_dir / "uploads").symlink_to(elsewhere, target_is_directory=True)
    app, engine = make_app(app_settings(data_dir))

    with engine, TestClient(app) as c:
        response = c.post(
            "/api/admin/documents",
            headers={"Authorization": f"Bearer {TOKEN}"},
            files=[("files", ("notice.txt", TEXT, "text/plain"))],
        )

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"{data_dir / 'uploads'} is a link to {elsewhere}, outside the data directory; "
        "remove the link and upload again"
    )
    assert list(elsewhere.iterdir()) == []
