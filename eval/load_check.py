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

``--mixed`` sends searches and questions together instead of one route after the other:
each client alternates /api/search and /api/ask for ``--seconds``, and the figures are
printed per route and for both. Every run also samples the server's resident memory
(RSS, once a second): at the start and end of each phase and its peak, so growth across
the run shows. ``--overload N`` then starts a second server with the default limits (rate
limits and the busy guard on) and sends N clients' mixed requests for
``--overload-seconds``: every answer should be 200, 429 (rate limit) or 503 (busy) and come
quickly; the status counts and refusal latencies are printed.
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
    from careguide.api.engine import Engine
    from careguide.index.sentences import build_sentence_vectors, sentence_vector_path
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


def start_server(data_dir: Path, port: int, *, limits_off: bool = True) -> subprocess.Popen[bytes]:
    """``careguide serve`` in its own process; ``limits_off`` switches the rate limits off."""
    env = {
        **os.environ,
        "CAREGUIDE_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    if limits_off:
        env["CAREGUIDE_SERVER__SEARCH_PER_MINUTE"] = "0"
        env["CAREGUIDE_SERVER__ASK_PER_MINUTE"] = "0"
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


def rss_mb(pid: int) -> float:
    """A process's resident memory now, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """Samples a process's RSS once a second in a thread: start, end and peak of a phase."""

    def __init__(self, pid: int, every: float = 1.0) -> None:
        self.pid = pid
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(rss_mb(self.pid))

    def __enter__(self) -> RssSampler:
        self.samples.append(rss_mb(self.pid))
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_mb(self.pid))

    def figures(self) -> dict[str, float]:
        return {
            "rss_start_mb": self.samples[0],
            "rss_mid_mb": self.samples[len(self.samples) // 2],  # growth slowing = filling
            "rss_end_mb": self.samples[-1],
            "rss_max_mb": max(self.samples),
            "rss_growth_mb": self.samples[-1] - self.samples[0],
        }


def _figures(latencies: list[float], errors: int, seconds: float) -> dict[str, float]:
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "max_ms": max(latencies, default=0.0),
    }


def load(
    base: str,
    questions: list[str],
    clients: int,
    seconds: float,
    *,
    unique: bool,
    routes: list[str] | None = None,
) -> dict[str, dict[str, float]]:
    """``clients`` threads posting for ``seconds``, taking ``routes`` (default: all) in turn.

    Figures per route and for "all"; ``status_N`` counts answers by HTTP status (0 for a
    transport error or timeout). Errors are anything but 200.
    """
    routes = routes or list(ROUTES)
    latencies: dict[str, list[float]] = {r: [] for r in routes}
    statuses: dict[str, dict[int, list[float]]] = {r: {} for r in routes}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            i = offset
            while time.monotonic() < stop:
                route = routes[(i // clients + offset) % len(routes)]
                question = questions[i % len(questions)]
                if unique:  # never the same text twice: no kept result can be reused
                    question = f"{question} (request {i})"
                i += clients
                started = time.perf_counter()
                try:
                    status = http.post(route, json=ROUTES[route](question)).status_code
                except httpx.HTTPError:
                    status = 0
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies[route].append(elapsed)
                    statuses[route].setdefault(status, []).append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out: dict[str, dict[str, float]] = {}
    for route in [*routes, "all"]:
        lat = [x for r in routes for x in latencies[r]] if route == "all" else latencies[route]
        by_status: dict[int, list[float]] = {}
        for r in routes if route == "all" else [route]:
            for status, values in statuses[r].items():
                by_status.setdefault(status, []).extend(values)
        errors = sum(len(v) for k, v in by_status.items() if k != 200)
        figures = _figures(lat, errors, seconds)
        refused = [x for k, v in by_status.items() if k in (429, 503) for x in v]
        figures["refused_p95_ms"] = _percentile(refused, 0.95)
        figures["refused_max_ms"] = max(refused, default=0.0)
        out[route] = figures | {f"status_{k}": float(len(v)) for k, v in sorted(by_status.items())}
    return out


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
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="One phase of searches and questions together, instead of one route at a time.",
    )
    parser.add_argument(
        "--overload",
        type=int,
        default=0,
        metavar="CLIENTS",
        help="Then this many clients against a server with its default limits on.",
    )
    parser.add_argument("--overload-seconds", type=float, default=10.0)
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
        for route in ["mixed"] if args.mixed else ROUTES:
            before = os.getloadavg()
            cpu_before = cpu_seconds(server.pid)
            with RssSampler(server.pid) as rss:
                phases = load(
                    base,
                    questions,
                    args.clients,
                    args.seconds,
                    unique=args.unique,
                    routes=None if route == "mixed" else [route],
                )
                figures = phases.pop("all")
                if route != "mixed":
                    phases = {}  # the one route's figures are "all"
            figures["server_cpu_ms_per_request"] = (
                (cpu_seconds(server.pid) - cpu_before) * 1000 / max(1, figures["requests"])
            )
            figures |= rss.figures()
            after = os.getloadavg()
            print(
                json.dumps(
                    {
                        "route": route,
                        "clients": args.clients,
                        "unique": args.unique,
                        "seconds": args.seconds,
                        **{k: round(v, 1) for k, v in figures.items()},
                        **{
                            name: {k: round(v, 1) for k, v in part.items()}
                            for name, part in phases.items()
                        },
                        "loadavg_before": [round(x, 2) for x in before],
                        "loadavg_after": [round(x, 2) for x in after],
                        "cpus": os.cpu_count(),
                    }
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=15)
    if args.overload:
        overload(data_dir, questions, args.overload, args.overload_seconds)
    return 0


def overload(data_dir: Path, questions: list[str], clients: int, seconds: float) -> None:
    """Many clients against a server with its default limits: 429s and 503s, quickly."""
    port = _free_port()
    server = start_server(data_dir, port, limits_off=False)
    try:
        before = os.getloadavg()
        phases = load(f"http://127.0.0.1:{port}", questions, clients, seconds, unique=True)
        figures = phases.pop("all")
        print(
            json.dumps(
                {
                    "route": "overload (default limits)",
                    "clients": clients,
                    "seconds": seconds,
                    **{k: round(v, 1) for k, v in figures.items()},
                    "loadavg_before": [round(x, 2) for x in before],
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()],
                }
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    raise SystemExit(main())
