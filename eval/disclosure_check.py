"""Measure the disclosure detector on a file of labelled messages.

    python -m careguide.eval.disclosure_check ../shared/eval/disclosures_dev.jsonl

The file is JSON Lines, ``{"id", "text", "label": "disclosure" | "ordinary", "note"}``
(see ../shared/eval/FORMAT.md). Prints recall (share of disclosures caught), the
false-alarm rate (share of ordinary messages flagged), the time per message, and every
miss and false alarm with the cues behind the decision. ``careguide eval --disclosures``
reuses ``score_disclosures``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from pydantic import BaseModel, Field

from careguide.api.safety import Lexicon, Semantic, detect_disclosure, load_lexicon
from careguide.ingest.errors import CareguideError

__all__ = ["DisclosureReport", "ScoredMessage", "main", "score_disclosures"]

_LABELS = frozenset({"disclosure", "ordinary"})


class ScoredMessage(BaseModel):
    """One message the detector got wrong, with why it decided as it did."""

    id: str
    text: str
    label: str = Field(description="'disclosure' or 'ordinary', from the file.")
    score: float
    reasons: list[str]


class DisclosureReport(BaseModel):
    """How the detector did on one file of labelled messages."""

    path: str
    disclosures: int = Field(description="Messages labelled 'disclosure'.")
    ordinary: int = Field(description="Messages labelled 'ordinary'.")
    recall: float = Field(description="Share of disclosures flagged (target >= 0.95).")
    false_alarm_rate: float = Field(description="Share of ordinary messages flagged (<= 0.10).")
    ms_per_message: float = Field(description="Mean detection time, in milliseconds.")
    misses: list[ScoredMessage] = Field(description="Disclosures that were not flagged.")
    false_alarms: list[ScoredMessage] = Field(description="Ordinary messages that were flagged.")


def _read(path: Path) -> list[dict[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CareguideError(f"cannot read {path}: {error.strerror}; check the path") from error
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if row["label"] not in _LABELS or not isinstance(row["text"], str):
                raise ValueError(f"label must be one of {sorted(_LABELS)}")
            rows.append({"id": str(row["id"]), "text": row["text"], "label": row["label"]})
        except (ValueError, KeyError, TypeError) as error:
            raise CareguideError(
                f"{path} line {number} is not a labelled message ({error}); each line needs "
                '{"id", "text", "label": "disclosure" | "ordinary"}'
            ) from error
    return rows


def score_disclosures(
    path: Path, *, lexicon: Lexicon | None = None, semantic: Semantic | None = None
) -> DisclosureReport:
    """Run the detector over every message in ``path`` and compare with the labels.

    ``semantic`` is the second opinion the service uses (``semantic_for(embedder)``);
    without it, the lexicon is measured alone.
    """
    rows = _read(path)
    lexicon = lexicon or load_lexicon()
    if semantic is not None:
        semantic.judge("warm up")  # embed the examples before the clock starts
    started = time.perf_counter()
    checks = [detect_disclosure(row["text"], lexicon=lexicon, semantic=semantic) for row in rows]
    elapsed = time.perf_counter() - started
    misses: list[ScoredMessage] = []
    false_alarms: list[ScoredMessage] = []
    for row, check in zip(rows, checks, strict=True):
        if check.disclosure != (row["label"] == "disclosure"):
            wrong = ScoredMessage(**row, score=check.score, reasons=check.reasons)
            (misses if row["label"] == "disclosure" else false_alarms).append(wrong)
    disclosures = sum(row["label"] == "disclosure" for row in rows)
    ordinary = len(rows) - disclosures
    return DisclosureReport(
        path=str(path),
        disclosures=disclosures,
        ordinary=ordinary,
        recall=round(1 - len(misses) / max(1, disclosures), 3),
        false_alarm_rate=round(len(false_alarms) / max(1, ordinary), 3),
        ms_per_message=round(1000 * elapsed / max(1, len(rows)), 3),
        misses=misses,
        false_alarms=false_alarms,
    )


def _print(report: DisclosureReport) -> None:
    print(f"{report.path}: {report.disclosures} disclosures, {report.ordinary} ordinary")
    print(f"recall            {report.recall:.3f}  (missed {len(report.misses)})")
    print(f"false-alarm rate  {report.false_alarm_rate:.3f}  ({len(report.false_alarms)} flagged)")
    print(f"time per message  {report.ms_per_message:.3f} ms")
    for title, wrong in (("misses", report.misses), ("false alarms", report.false_alarms)):
        if wrong:
            print(f"\n{title}:")
        for message in wrong:
            print(f"  {message.id} (score {message.score:g}): {message.text}")
            for reason in message.reasons:
                print(f"      {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m careguide.eval.disclosure_check", description=__doc__.split("\n")[0]
    )
    parser.add_argument("file", type=Path, help="JSON Lines of labelled messages")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--lexicon-only", action="store_true", help="leave out the semantic second opinion"
    )
    args = parser.parse_args(argv)
    try:
        semantic = None
        if not args.lexicon_only:
            from careguide.api.safety import semantic_for
            from careguide.api.settings import Settings
            from careguide.index.embedder import build_embedder

            semantic = semantic_for(build_embedder(Settings().index))
        report = score_disclosures(args.file, semantic=semantic)
    except CareguideError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
