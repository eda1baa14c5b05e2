"""The `careguide ask` shell: one question or a batch, as text or JSON lines.

Batch lines are ``{"id", "question" | "text", "audience" | "mode"}``. A mode given on
the command line answers every line in that mode (``--mode carer`` over a gold set whose
lines name their audience reads the whole set as a carer would); without one, a line's
"mode" or "audience" of practitioner, carer, child or trainer picks its mode, and
anything else is answered for a practitioner. JSON output is one object per line (documented in the
README): id, question, mode, answer, grounded, citations (n, source, citation, text,
date, status, duty), notes, safety (disclosure, signposts).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from careguide.api.answer import Generator, answer
from careguide.api.answer_models import Answer, Citation, Mode, Turn
from careguide.api.engine import Engine
from careguide.api.search_cmd import read_batch


def answer_json(qid: object, a: Answer) -> dict[str, object]:
    """An answer as `ask --json` prints it."""
    return {
        "id": qid,
        "question": a.question,
        "mode": a.mode.value,
        "answer": a.answer,
        "grounded": a.grounded,
        "citations": [_citation_json(c) for c in a.citations],
        "closest": [_citation_json(c) for c in a.closest],
        "notes": a.notes,
        "follow_ups": a.follow_ups,
        "safety": {
            "disclosure": a.safety.disclosure,
            "category": a.safety.category,
            "signposts": [s.model_dump() for s in a.safety.signposts],
        },
    }


def _citation_json(c: Citation) -> dict[str, object]:
    return {
        "n": c.n,
        "passage_id": c.passage_id,
        "doc_id": c.doc_id,
        "source": c.source,
        "citation": c.citation,
        "text": c.text,
        "date": c.date,
        "status": c.status,
        "duty": c.duty.value,
        "paragraphs": c.paragraphs,
    }


def row_mode(row: dict[str, object], default: Mode) -> Mode:
    """The mode a batch line asks for ("mode" or "audience"), else ``default``."""
    for key in ("mode", "audience"):
        value = str(row.get(key) or "").strip().lower()
        if value in Mode.__members__:
            return Mode(value)
    return default


def _badge(c: Citation) -> str:
    status = "" if c.status in ("current", "unknown") else f", {c.status}"
    when = c.date[:7] if c.date else "undated"
    return f"({when}{status}; {c.duty.value})"


def print_answer(out: Console, a: Answer) -> None:
    """An answer for people: the text, then numbered references with date, status, duty."""
    out.print(escape(a.answer), highlight=False, soft_wrap=True)
    if a.citations:
        out.print("\n[bold]References[/bold]")
    for c in a.citations:
        out.print(f"[{c.n}] {escape(c.citation)} {_badge(c)}", highlight=False, soft_wrap=True)
    if a.closest:
        out.print("\n[bold]Closest passages[/bold]")
        for c in a.closest:
            out.print(f"- {escape(c.citation)} {_badge(c)}", highlight=False, soft_wrap=True)
    for note in a.notes:
        out.print(f"\nNote: {escape(note)}", highlight=False, soft_wrap=True)
    if a.follow_ups:
        out.print("\nYou could also ask: " + escape(" | ".join(a.follow_ups)), highlight=False)


def run_ask(
    engine: Engine,
    question: str | None,
    *,
    batch: Path | None,
    mode: Mode | None = None,
    as_json: bool = False,
    history: Sequence[Turn] = (),
    generator: Generator | None = None,
) -> int:
    """`careguide ask`: answer one question (with earlier turns) or a batch file.

    ``mode`` None means none was asked for: batch lines choose their own, one question is
    answered for a practitioner.
    """
    if batch is not None:
        for row in read_batch(batch, fields=("question", "text")):
            text = row.get("question")
            q = str(text if isinstance(text, str) else row["text"])
            a = answer(
                q, engine=engine, mode=mode or row_mode(row, Mode.practitioner), generator=generator
            )
            sys.stdout.write(json.dumps(answer_json(row["id"], a), ensure_ascii=False) + "\n")
        return 0
    if question is None:
        raise ValueError("ask needs a question or a batch file")
    mode = mode or Mode.practitioner
    a = answer(question, engine=engine, mode=mode, history=list(history), generator=generator)
    if as_json:
        sys.stdout.write(json.dumps(answer_json(None, a), ensure_ascii=False) + "\n")
    else:
        print_answer(Console(), a)
    return 0
