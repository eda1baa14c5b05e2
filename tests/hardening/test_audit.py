"""The dependency audit (`make audit`, .ci/audit.py): a real vulnerability fails it, an
accepted one (with a reason) does not, and an unreachable service warns in one line
instead of failing CI. pip-audit runs for real, against a stand-in OSV server on loopback
that knows one advisory."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from loopback import free_port

AUDIT = Path(__file__).resolve().parents[2] / ".ci" / "audit.py"
ADVISORY = {
    "id": "GHSA-test-0001",
    "summary": "Sandbox escape in templates",
    "affected": [
        {
            "package": {"name": "jinja2", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.10.1"}]}],
        }
    ],
}


class OSV(BaseHTTPRequestHandler):
    """Answers OSV's /v1/query: the advisory for jinja2 2.10, nothing for anything else."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        hit = query["package"]["name"] == "jinja2" and query["version"] == "2.10"
        body = json.dumps({"vulns": [ADVISORY]} if hit else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def osv_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OSV)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()
    server.server_close()


def audit(
    tmp_path: Path, pins: str, url: str, ignore: str = ""
) -> subprocess.CompletedProcess[str]:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(pins)
    ignore_file = tmp_path / "ignore.txt"
    ignore_file.write_text(ignore)
    return subprocess.run(
        [sys.executable, str(AUDIT), "--services", "osv", "--ignore-file", str(ignore_file),
         "-r", str(requirements), "--no-deps", "--disable-pip", "--osv-url", url],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


def test_a_known_vulnerability_fails_the_audit(tmp_path: Path, osv_url: str) -> None:
    done = audit(tmp_path, "jinja2==2.10\nrequests==2.32.0\n", osv_url)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "audit: known vulnerabilities (osv)" in done.stdout
    assert "jinja2 2.10: GHSA-test-0001 (fixed in 2.10.1)" in done.stdout


def test_clean_dependencies_pass(tmp_path: Path, osv_url: str) -> None:
    done = audit(tmp_path, "jinja2==3.1.6\nrequests==2.32.0\n", osv_url)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "audit: osv: 2 dependencies audited, no known vulnerabilities\n"


def test_an_accepted_vulnerability_needs_a_reason(tmp_path: Path, osv_url: str) -> None:
    accepted = audit(
        tmp_path, "jinja2==2.10\n", osv_url, "GHSA-test-0001  # templates are never user input\n"
    )
    unexplained = audit(tmp_path, "jinja2==2.10\n", osv_url, "GHSA-test-0001\n")

    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert accepted.stdout.endswith("; 1 accepted in ignore.txt\n")
    assert unexplained.returncode == 1
    assert "GHSA-test-0001 has no reason; add one after a '#'" in unexplained.stderr


def test_an_unreachable_service_warns_in_one_line_and_does_not_fail(tmp_path: Path) -> None:
    done = audit(tmp_path, "jinja2==2.10\n", f"http://127.0.0.1:{free_port()}/v1/query")

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("\n") == 1
    assert done.stdout.startswith(
        "audit: WARNING: dependencies not audited (osv: cannot reach the vulnerability service)"
    )
