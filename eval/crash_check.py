"""Crash safety: `careguide ingest` killed with SIGKILL at random moments, over several runs.

    python -m careguide.eval.crash_check [--runs 10] [--seed 1] [--max-delay SECONDS]

Two versions of a small library share file names but not content, so every ingest
changes every passage and must embed and build a whole new index. The first ingest runs
to completion (and is timed); then each run starts `careguide ingest` on the other version
and kills it (SIGKILL: no clean-up code runs) after a random delay up to that time,
wherever it is: loading the model, reading, writing the library, embedding, building or
switching the index, embedding answer sentences. After each kill the index is opened as a search would open
it and must be a complete build: the one live before the run, or the new one if the
switch had happened, holding exactly that version's passages and finding them by a
search. A final ingest must then complete. One JSON line per run, then a summary.

The test ``tests/hardening/test_crash_safety.py`` runs a few kills through ``kill_runs``;
this script runs more and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from careguide.index.analyser import sparse_vector
from careguide.index.edge_store import EdgeStore
from careguide.index.settings import IndexSettings
from careguide.ingest.errors import CareguideError
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.settings import IngestSettings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FILES = ("001_af527735ee4a1082.txt", "004_80413ab7c43692f4.txt")
EXTRA = {
    "a": "\n\n99. Kinship carers should be told about the marmalade allowance in writing.\n",
    "b": "\n\n99. Care leavers should be told about the quince bursary before they turn 18.\n",
}
PROBE = {"a": "marmalade allowance", "b": "quince bursary"}


@dataclass
class KillRun:
    """What one killed ingest left behind."""

    run: int
    version: str  # the version being ingested when killed
    delay_s: float
    finished_first: bool  # the ingest had already exited when the kill came
    live_before: str | None
    live_after: str | None
    passages: int
    expected: int
    found_probe: bool
    ok: bool
    problem: str = ""


def make_versions(root: Path, corpus: Path = CORPUS) -> dict[str, Path]:
    """Two folders with the same file names and different content."""
    folders = {}
    for version, extra in EXTRA.items():
        folder = root / f"library-{version}"
        folder.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            text = (corpus / name).read_text(encoding="utf-8")
            (folder / name).write_text(text + extra, encoding="utf-8")
        folders[version] = folder
    return folders


def passage_count(folder: Path) -> int:
    """How many passages an ingest of ``folder`` alone indexes (read only; no model)."""
    return len(ingest_paths([folder], IngestSettings()).passages)


def ingest_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "careguide.api", "ingest", str(folder)]


def ingest_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CAREGUIDE_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


def live_index(data_dir: Path, probe: str) -> tuple[str | None, int, bool]:
    """The live build, its size and whether a sparse search finds ``probe`` (no model)."""
    with EdgeStore(IndexSettings(), data_dir) as store:
        live = store.live_collection()
        count = store.count()
        hits = store.search("sparse", sparse_vector(probe), limit=3)
    return live, count, any(probe.split()[0] in passage.text for passage, _ in hits)


def complete_ingest(folder: Path, data_dir: Path, timeout: float = 600) -> None:
    result = subprocess.run(
        ingest_command(folder),
        env=ingest_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ingest failed ({result.returncode}): {result.stderr[-2000:]}")


def kill_runs(
    data_dir: Path,
    folders: dict[str, Path],
    *,
    runs: int,
    seed: int,
    max_delay: float | None = None,
) -> list[KillRun]:
    """Ingest version "a" fully, then ``runs`` killed ingests alternating "b" and "a".

    Each kill comes after a random delay up to ``max_delay``, by default as long as the
    first, complete ingest took, so the kills spread over every phase on any machine.
    """
    expected = {version: passage_count(folder) for version, folder in folders.items()}
    started = time.perf_counter()
    complete_ingest(folders["a"], data_dir)
    max_delay = max_delay or time.perf_counter() - started
    current = "a"
    rng = random.Random(seed)
    results = []
    for run in range(1, runs + 1):
        version = "b" if current == "a" else "a"
        live_before, _, _ = live_index(data_dir, PROBE[current])
        delay = rng.uniform(0.2, max_delay)
        with subprocess.Popen(
            ingest_command(folders[version]),
            env=ingest_env(data_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ) as child:
            try:
                child.wait(timeout=delay)
                finished = True
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                child.wait()
                finished = False
        outcome = KillRun(run, version, round(delay, 2), finished, live_before, None, 0, 0, False, False)  # fmt: skip
        try:
            live_after = live_index(data_dir, PROBE[version])[0]
            # which version is live decides what it must hold
            holds = current if live_after == live_before else version
            _, count, found = live_index(data_dir, PROBE[holds])
            outcome.live_after, outcome.passages, outcome.found_probe = live_after, count, found
            outcome.expected = expected[holds]
            outcome.ok = count == expected[holds] and found
            if not outcome.ok:
                outcome.problem = f"live build holds {count} passages, expected {expected[holds]}"
            current = holds
        except CareguideError as e:
            outcome.problem = str(e)
        results.append(outcome)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-delay",
        type=float,
        help="Longest wait before the kill, in seconds; default: as long as a full ingest.",
    )
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="careguide-crash-"))
    try:
        folders = make_versions(root)
        data_dir = root / "data"
        started = time.perf_counter()
        results = kill_runs(
            data_dir, folders, runs=args.runs, seed=args.seed, max_delay=args.max_delay
        )
        for result in results:
            print(json.dumps(asdict(result)))
        last = results[-1]
        final = "a" if last.version == "b" else "b"
        complete_ingest(folders[final], data_dir)
        _, count, found = live_index(data_dir, PROBE[final])
        print(
            json.dumps(
                {
                    "runs": len(results),
                    "killed": sum(not r.finished_first for r in results),
                    "survived": sum(r.ok for r in results),
                    "final_ingest_passages": count,
                    "final_ingest_ok": count == passage_count(folders[final]) and found,
                    "seconds": round(time.perf_counter() - started),
                    "loadavg": [round(x, 2) for x in os.getloadavg()],
                }
            )
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
