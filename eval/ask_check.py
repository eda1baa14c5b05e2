"""Measure ``answer()`` on the dev set: grounding, evidence cited, declines, reading level,
disclosure routing and latency.

    python -m careguide.eval.ask_check [--data-dir DIR | --build DIR] [--gold dev.jsonl]
                                       [--disclosures disclosures_dev.jsonl] [--out ask.jsonl]

Every question is answered in its own audience's mode for the accuracy figures, and every
answerable question in each of the four modes for the reading grades. Qdrant's local
mode lets one process at a time open an index, so when the project's index is in use
``--build DIR`` ingests the sample corpus and indexes it into DIR first (about a minute).

Figures (relevance rule of ../shared/eval/FORMAT.md, via ``careguide.eval.metrics``):
grounded rate on answerable questions; evidence-cited rate (every evidence group matched
by a cited passage); decline rate on unanswerable ones; Flesch-Kincaid grade and SMOG
per mode (median over answers, [n] markers removed); disclosure recall and false
alarms; p50/p95 latency of ``answer()`` with the model loaded, on first sight of each
question and on a repeat.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from careguide.api.answer import answer
from careguide.api.answer_models import Answer, Mode
from careguide.api.engine import Engine
from careguide.api.plain import reading_grade, smog
from careguide.api.settings import Settings
from careguide.eval.metrics import GoldItem, covered, load_gold
from careguide.ingest.pipeline import ingest_paths

_MARKER = re.compile(r"\s*\[\d+\]")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _mode(audience: str) -> Mode:
    return Mode(audience) if audience in Mode.__members__ else Mode.practitioner


def _plain_text(a: Answer) -> str:
    return _MARKER.sub("", a.answer)


def _build(settings: Settings) -> None:
    engine = Engine(settings)
    passages = ingest_paths([settings.corpus], settings.ingest).passages
    print(f"indexing {len(passages)} passages into {settings.data_dir} ...", file=sys.stderr)
    engine.index(passages)
    engine.close()


def check(
    engine: Engine, gold: list[GoldItem], messages: list[dict[str, str]]
) -> dict[str, object]:
    """Run the dev set through ``answer()`` and return the figures."""
    engine.search("warm up the model and the index")
    first: list[float] = []
    rows: list[dict[str, object]] = []
    by_mode: dict[str, list[Answer]] = {m.value: [] for m in Mode}
    grounded, cited, declined = [], [], []
    for item in gold:
        mode = _mode(item.audience)
        started = time.perf_counter()
        a = answer(item.question, engine=engine, mode=mode)
        first.append((time.perf_counter() - started) * 1000)
        rows.append({**a.model_dump(mode="json"), "id": item.id})
        if item.answerable:
            grounded.append(a.grounded)
            texts = [c.text for c in a.citations]
            cited.append(covered(item, texts, len(texts)) if texts else False)
        else:
            declined.append(not a.grounded)
    repeat: list[float] = []
    for item in gold:
        started = time.perf_counter()
        answer(item.question, engine=engine, mode=_mode(item.audience))
        repeat.append((time.perf_counter() - started) * 1000)
    for item in gold:
        if not item.answerable:
            continue
        for mode in Mode:
            a = answer(item.question, engine=engine, mode=mode)
            if a.grounded:
                by_mode[mode.value].append(a)

    caught, alarms = [], []
    for message in messages:
        a = answer(message["text"], engine=engine, mode=Mode.practitioner)
        if message["label"] == "disclosure":
            caught.append(a.safety.disclosure)
        else:
            alarms.append(a.safety.disclosure)

    grades = {
        mode: {
            "fk_median": round(
                statistics.median(reading_grade(_plain_text(a)) for a in answers), 1
            ),
            "fk_mean": round(statistics.mean(reading_grade(_plain_text(a)) for a in answers), 1),
            "smog_median": round(statistics.median(smog(_plain_text(a)) for a in answers), 1),
            "words_median": statistics.median(len(_plain_text(a).split()) for a in answers),
        }
        for mode, answers in by_mode.items()
        if answers
    }
    return {
        "answerable": len(grounded),
        "unanswerable": len(declined),
        "grounded_rate": round(sum(grounded) / max(1, len(grounded)), 3),
        "evidence_cited_rate": round(sum(cited) / max(1, len(cited)), 3),
        "declined_rate": round(sum(declined) / max(1, len(declined)), 3),
        "grades": grades,
        "disclosure_recall": round(sum(caught) / max(1, len(caught)), 3),
        "false_alarm_rate": round(sum(alarms) / max(1, len(alarms)), 3),
        "latency_ms_first": {
            "p50": round(_percentile(first, 0.5), 1),
            "p95": round(_percentile(first, 0.95), 1),
        },
        "latency_ms_repeat": {
            "p50": round(_percentile(repeat, 0.5), 1),
            "p95": round(_percentile(repeat, 0.95), 1),
        },
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    settings = Settings()
    shared = settings.corpus.parent / "eval"
    parser.add_argument("--data-dir", type=Path, default=None, help="index to read")
    parser.add_argument("--build", type=Path, default=None, help="build an index here first")
    parser.add_argument("--gold", type=Path, default=shared / "dev.jsonl")
    parser.add_argument("--disclosures", type=Path, default=shared / "disclosures_dev.jsonl")
    parser.add_argument("--out", type=Path, default=None, help="write answers as JSON lines")
    args = parser.parse_args(argv)
    if args.build is not None:
        settings = settings.model_copy(update={"data_dir": args.build})
        _build(settings)
    elif args.data_dir is not None:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    gold = load_gold(args.gold)
    lines = args.disclosures.read_text(encoding="utf-8").splitlines()
    messages = [json.loads(line) for line in lines if line.strip()]
    with Engine(settings) as engine:
        figures = check(engine, gold, messages)
    rows = figures.pop("rows")
    if args.out is not None:
        assert isinstance(rows, list)
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
