"""How plainly an extractive answer could read and still give the answer.

    python -m careguide.eval.reading_floor --gold ../shared/eval/dev.jsonl

For each answerable question of a gold set, the sentences that hold its evidence (for
each evidence group, the shortest sentence of the corpus containing one of its quotes)
are rewritten as a carer or young person would get them (``careguide.api.plain``), and
the rewrite's Flesch-Kincaid grade is taken. An extractive answer that states the answer
quotes those sentences, so the median here is about the lowest median grade its plain
modes can reach without leaving the answer out; anything lower comes from the simpler
sentences around it. The raw sentences' grade is given beside them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from careguide.api.answer import plain_sentences
from careguide.api.answer_models import Mode
from careguide.api.plain import reading_grade
from careguide.eval.metrics import GoldItem, load_gold, relevant
from careguide.index.sentences import split_sentences
from careguide.ingest.errors import CareguideError
from careguide.ingest.models import Passage

__all__ = ["ReadingFloor", "evidence_sentences", "main", "reading_floor"]

PLAIN_MODES = (Mode.carer, Mode.child)


class ReadingFloor(BaseModel):
    """The grades of the evidence sentences of a gold set, as written and rewritten."""

    questions: int = Field(description="Answerable questions whose evidence was found.")
    missing: list[str] = Field(description="Questions with an evidence group found nowhere.")
    median: dict[str, float] = Field(description="Median grade: 'as written' and by mode.")
    mean: dict[str, float] = Field(description="Mean grade, the same way.")
    share_within: dict[str, float] = Field(
        description="By mode, the share of questions whose rewritten evidence is within the "
        "mode's target (carer 8, child 6)."
    )


TARGETS = {Mode.carer: 8.0, Mode.child: 6.0}


def _sentences(passages: Sequence[Passage]) -> list[tuple[str, Passage]]:
    return [(text, p) for p in passages for text, _ in split_sentences(p.text)]


def evidence_sentences(
    item: GoldItem,
    passages: Sequence[Passage],
    sentences: Sequence[tuple[str, Passage]] | None = None,
) -> list[tuple[str, Passage]]:
    """For each evidence group of ``item``, the shortest sentence holding one of its
    quotes, with its passage; ``[]`` when a group is found nowhere. ``sentences``, the
    passages' sentences split once, saves splitting them again for every item."""
    sentences = _sentences(passages) if sentences is None else sentences
    found: list[tuple[str, Passage]] = []
    for group in item.groups():
        holding = [
            (text, p) for text, p in sentences if any(relevant(e.quote, text) for e in group)
        ]
        if not holding:
            return []
        found.append(min(holding, key=lambda pair: len(pair[0])))
    return found


def reading_floor(items: Sequence[GoldItem], passages: Sequence[Passage]) -> ReadingFloor:
    """Grade each answerable question's evidence sentences, as written and rewritten."""
    grades: dict[str, list[float]] = {"as written": [], **{m.value: [] for m in PLAIN_MODES}}
    missing: list[str] = []
    sentences = _sentences(passages)
    for item in items:
        if not item.answerable or item.draft:
            continue
        evidence = evidence_sentences(item, passages, sentences)
        if not evidence:
            missing.append(item.id)
            continue
        grades["as written"].append(reading_grade(" ".join(text for text, _ in evidence)))
        for mode in PLAIN_MODES:
            plain = [
                sentence
                for text, passage in evidence
                for sentence in plain_sentences(text, passage, mode.value)
            ]
            grades[mode.value].append(reading_grade(" ".join(plain)))
    counted = len(grades["as written"])
    return ReadingFloor(
        questions=counted,
        missing=missing,
        median={k: round(statistics.median(v), 2) if v else 0.0 for k, v in grades.items()},
        mean={k: round(statistics.fmean(v), 2) if v else 0.0 for k, v in grades.items()},
        share_within={
            m.value: round(sum(g <= TARGETS[m] for g in grades[m.value]) / max(1, counted), 3)
            for m in PLAIN_MODES
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m careguide.eval.reading_floor", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--gold", type=Path, required=True, help="gold questions (JSON Lines)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    try:
        from careguide.api.settings import Settings
        from careguide.ingest.storage import LibraryStore

        passages = LibraryStore(Settings().data_dir).passages()
        floor = reading_floor(load_gold(args.gold), passages)
    except CareguideError as error:
        print(f"careguide: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(floor.model_dump(), indent=2))
        return 0
    print(f"{floor.questions} answerable questions with their evidence found in {args.gold}")
    print(f"{'':12} {'median':>7} {'mean':>7} {'within target':>14}")
    for key in floor.median:
        within = floor.share_within.get(key)
        shown = f"{within:.3f}" if within is not None else "-"
        print(f"{key:12} {floor.median[key]:7.2f} {floor.mean[key]:7.2f} {shown:>14}")
    if floor.missing:
        print("evidence found nowhere: " + " ".join(floor.missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
