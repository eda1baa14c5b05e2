"""Overload on loopback: more clients than the server will serve get 429 (rate limit) or 503
(busy) with a Retry-After, never a timeout or a dropped connection. A real uvicorn server
with a small busy guard and rate limit; the figures under a real load come from
`python -m careguide.eval.load_check --mixed --overload N`."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx
from conftest_app import app_settings, build_library, make_app
from loopback import running_server


def test_too_many_clients_are_refused_with_429_or_503_not_left_waiting(tmp_path: Path) -> None:
    build_library(tmp_path, names=("004_80413ab7c43692f4.txt",))
    settings = app_settings(
        tmp_path, search_per_minute=30, ask_per_minute=10, max_concurrent=1, queue_timeout=0.2
    )
    app, engine = make_app(settings)
    statuses: Counter[int] = Counter()
    retry_after: list[str | None] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(n: int, base: str) -> None:
        with httpx.Client(base_url=base, timeout=20) as http:
            for i in range(6):
                route = "/api/ask" if (n + i) % 2 else "/api/search"
                try:
                    response = http.post(route, json={"question": f"kinship care {n} {i}"})
                except httpx.HTTPError as e:
                    with lock:
                        failures.append(type(e).__name__)
                    continue
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code in (429, 503):
                        retry_after.append(response.headers.get("retry-after"))

    with engine, running_server(app) as base:
        threads = [threading.Thread(target=client, args=(n, base)) for n in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert failures == []  # no timeouts, no dropped connections
    assert set(statuses) <= {200, 429, 503}, statuses
    assert statuses[200] >= 1 and statuses[429] >= 1, statuses
    assert sum(statuses.values()) == 24 * 6
    assert retry_after and all(value and value.isdigit() for value in retry_after)
