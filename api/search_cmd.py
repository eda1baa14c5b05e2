"""The `careguide search` shell: one question or a batch, as text or JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console

from careguide.api.engine import Engine, hit_json
from careguide.index.models import Hit, SearchFilters
from careguide.ingest.errors import CareguideError


class BatchInputError(CareguideError):
    """A line of a batch file is not a JSON object with a question."""


def read_batch(
    path: Path, *, fields: tuple[str, ...] = ("question",)
) -> Iterator[dict[str, object]]:
    """Lines of a JSONL batch file: objects with "id" and one of ``fields``."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as e:
        raise BatchInputError(f"cannot read {path}: {e.strerror}; check the path") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise BatchInputError(
                f"{path.name} line {number} is not JSON; each line must be an object like "
                '{"id": "q1", "question": "..."}'
            ) from None
        if not isinstance(row, dict) or not any(isinstance(row.get(f), str) for f in fields):
            raise BatchInputError(
                f"{path.name} line {number} has no {' or '.join(repr(f) for f in fields)} text; "
                'each line must be an object like {"id": "q1", "question": "..."}'
            )
        row.setdefault("id", str(number))
        yield row


def result_json(qid: object, question: str, hits: list[Hit]) -> dict[str, object]:
    return {"id": qid, "question": question, "hits": [hit_json(h) for h in hits]}


def run_search(
    engine: Engine,
    question: str | None,
    *,
    batch: Path | None,
    k: int,
    filters: SearchFilters | None,
    as_json: bool,
) -> int:
    out = Console()
    if batch is not None:
        rows = list(read_batch(batch))
        for row in rows:
            q = str(row["question"])
            hits = engine.search(q, k=k, filters=filters)
            sys.stdout.write(json.dumps(result_json(row["id"], q, hits), ensure_ascii=False) + "\n")
        return 0
    assert question is not None
    hits = engine.search(question, k=k, filters=filters)
    if as_json:
        sys.stdout.write(json.dumps(result_json(None, question, hits), ensure_ascii=False) + "\n")
        return 0
    if not hits:
        out.print("No passages found.")
    for h in hits:
        p = h.passage
        badge = "" if p.meta.status.value in ("current", "unknown") else f" [{p.meta.status.value}]"
        out.print(f"[bold]{h.rank}. {p.citation}[/bold]{badge}", highlight=False)
        snippet = p.text if len(p.text) < 400 else p.text[:400].rsplit(" ", 1)[0] + " ..."
        out.print(f"   {snippet}\n", highlight=False, soft_wrap=True)
    return 0
