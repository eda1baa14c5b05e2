"""A bounded load on loopback: concurrent clients against a real ``careguide serve``.

    python -m careguide.eval.load_check [--build DIR | --data-dir DIR] [--clients 8]
                                        [--seconds 30] [--gold dev.jsonl]

``--build DIR`` ingests the sample corpus into DIR with the real model, indexes it and
embeds the corpus sentences (what answers then look up instead of embedding), since
local-mode Qdrant lets one process open an index and the project's may be in use. The
server runs in its own process (uvicorn, one worker, rate limits off for the run);
each client is a thread with its own keep-alive connection, sending the dev set's
questions in turn (``--unique`` adds a request number to each, so that no kept result
is reused and every request does the full work), for ``--seconds`` on /api/search and then on /api/ask. Prints, per
route: requests, errors (any status but 200, or a transport error), throughput and
p50/p95/p99 latency, with the load average before and after: on a shared machine the
latencies mean little without it. The server's CPU time per request is also printed:
it does not depend on what else the machine is doing.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from careguide.api.settings import Settings

ROUTES = {
    "/api/search": lambda q: {"question": q, "k": 10},
    "/api/ask": lambda q: {"question": q},
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def build(data_dir: Path) -> None:
    """Ingest the sample corpus into ``data_dir``, index it, embed its sentences."""
    from careguide.api.answer import build_sentence_vectors, sentence_vector_path
    from careguide.api.engine import Engine
    from careguide.ingest.pipeline import ingest_paths
    from careguide.ingest.storage import LibraryStore

    settings = Settings(data_dir=data_dir)
    started = time.perf_counter()
    result = ingest_paths([settings.corpus], settings.ingest, library=LibraryStore(data_dir))
    with Engine(settings) as engine:
        engine.index(result.passages)
        path = sentence_vector_path(data_dir, engine.embedder)
        sentences = build_sentence_vectors(result.passages, engine.embedder, path)
    print(
        f"built {len(result.passages)} passages, {sentences} sentence vectors in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CAREGUIDE_DATA_DIR": str(data_dir),
        "CAREGUIDE_SERVER__SEARCH_PER_MINUTE": "0",
        "CAREGUIDE_SERVER__ASK_PER_MINUTE": "0",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    code = (
        "from careguide.api.server import run_server; from careguide.api.settings import Settings; "
        f"run_server(Settings(), '127.0.0.1', {port})"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"server exited: {server.stderr.read().decode() if server.stderr else ''}"
            )
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()
            if health["index"]["state"] == "ready":
                return server
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("server did not become ready in 120 s")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used (Linux /proc): unlike wall-clock
    latency, CPU per request does not change when other work shares the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(
    base: str, route: str, questions: list[str], clients: int, seconds: float, *, unique: bool
) -> dict[str, float]:
    """``clients`` threads posting to ``route`` for ``seconds``; latency figures in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            i = offset
            while time.monotonic() < stop:
                question = questions[i % len(questions)]
                if unique:  # never the same text twice: no kept result can be reused
                    question = f"{question} (request {i})"
                body = ROUTES[route](question)
                i += clients
                started = time.perf_counter()
                try:
                    status = http.post(route, json=body).status_code
                except httpx.HTTPError as e:
                    status, kind = 0, type(e).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if status != 200:
                        errors.append(str(status) if status else kind)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "max_ms": max(latencies, default=0.0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--build", type=Path, help="Build a fresh index in this folder first.")
    where.add_argument("--data-dir", type=Path, help="Use the index already in this folder.")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--unique",
        action="store_true",
        help="Make every question unique, to measure the uncached path.",
    )
    parser.add_argument(
        "--gold", type=Path, default=Settings().corpus.parent / "eval" / "dev.jsonl"
    )
    args = parser.parse_args(argv)

    data_dir: Path = args.build or args.data_dir
    if args.build:
        build(data_dir)
    questions = [
        json.loads(line)["question"]
        for line in args.gold.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    port = _free_port()
    server = start_server(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for q in questions[:8]:  # warm the process (first-use costs are not load)
            httpx.post(f"{base}/api/ask", json={"question": q}, timeout=60)
        for route in ROUTES:
            before = os.getloadavg()
            cpu_before = cpu_seconds(server.pid)
            figures = load(base, route, questions, args.clients, args.seconds, unique=args.unique)
            figures["server_cpu_ms_per_request"] = (
                (cpu_seconds(server.pid) - cpu_before) * 1000 / max(1, figures["requests"])
            )
            after = os.getloadavg()
            print(
                json.dumps(
                    {
                        "route": route,
                        "clients": args.clients,
                        "unique": args.unique,
                        "seconds": args.seconds,
                        **{k: round(v, 1) for k, v in figures.items()},
                        "loadavg_before": [round(x, 2) for x in before],
                        "loadavg_after": [round(x, 2) for x in after],
                        "cpus": os.cpu_count(),
                    }
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
