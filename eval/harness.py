"""``careguide eval``: a gold set through careguide and the baselines, into one ``EvalReport``.

Retrieval is scored with the gold format's relevance rule (``careguide.eval.metrics``) on
every system; answers are careguide's own (``careguide.api.answer.answer``), in each
chosen mode. Draft items (made from feedback, not yet reviewed) are skipped and counted.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from careguide.api.answer import answer
from careguide.api.answer_models import Answer, Mode
from careguide.api.engine import Engine
from careguide.api.plain import reading_grade
from careguide.eval.metrics import GoldItem, covered, relevant, score_retrieval
from careguide.eval.models import (
    AUDIENCE_MODE,
    EvalReport,
    GroupScores,
    Miss,
    ModeScores,
    SystemScores,
    TopPassage,
)
from careguide.eval.ragas_scores import (
    AnswerSample,
    ContextSample,
    JudgeSettings,
    answer_scores,
    context_scores,
)
from careguide.eval.systems import (
    BM25,
    CAREGUIDE,
    DENSE,
    LLAMA,
    BM25Ranker,
    CareguideRanker,
    DenseRanker,
    LlamaIndexRanker,
    Ranker,
    Retrieved,
)
from careguide.ingest.models import Passage
from careguide.ingest.storage import StoredDocument

K = 10
MODES = (AUDIENCE_MODE, *(m.value for m in Mode))
"""Answer rows: each item in its own audience's mode, then every item in each mode."""

_CLAIM = re.compile(r"([^\[\]]+?)((?:\s*\[\d+\])+)")
_MARKER = re.compile(r"\[(\d+)\]")

Progress = Callable[[str], None]


def _mode_for(item: GoldItem, row: str) -> Mode:
    if row != AUDIENCE_MODE:
        return Mode(row)
    return Mode(item.audience) if item.audience in Mode.__members__ else Mode.practitioner


def claims(a: Answer) -> list[tuple[str, list[int]]]:
    """Each sentence of an answer that carries [n] markers, with the numbers it cites.

    A trainer answer's look-up list and discussion question (after the first blank line)
    are not claims; a plain-words hedge without a marker is not counted either.
    """
    body = a.answer.split("\n\n")[0] if a.mode is Mode.trainer else a.answer
    return [
        (m.group(1).strip(), [int(n) for n in _MARKER.findall(m.group(2))])
        for m in _CLAIM.finditer(body)
        if m.group(1).strip(" .")
    ]


def supported(a: Answer) -> tuple[int, int]:
    """(claims contained in one of their cited passages, claims)."""
    texts = {c.n: c.text for c in a.citations}
    found = claims(a)
    ok = sum(any(relevant(s, texts.get(n, "")) for n in ns) for s, ns in found)
    return ok, len(found)


def _rate(values: Sequence[bool]) -> float:
    return round(sum(values) / len(values), 3) if values else 0.0


def _plain(text: str) -> str:
    return _MARKER.sub("", text)


def _answers(
    engine: Engine, items: Sequence[GoldItem], row: str
) -> tuple[ModeScores, dict[str, Answer]]:
    by_id: dict[str, Answer] = {}
    grounded, declined, cited, grades = [], [], [], []
    ok = total = 0
    for item in items:
        a = answer(item.question, engine=engine, mode=_mode_for(item, row))
        by_id[item.id] = a
        if not item.answerable:
            declined.append(not a.grounded and not a.safety.disclosure)
            continue
        grounded.append(a.grounded)
        texts = [c.text for c in a.citations]
        cited.append(bool(texts) and covered(item, texts, len(texts)))
        if a.grounded:
            good, n = supported(a)
            ok, total = ok + good, total + n
            grades.append(reading_grade(_plain(a.answer)))
    scores = ModeScores(
        mode=row,
        answerable=len(grounded),
        unanswerable=len(declined),
        grounded_rate=_rate(grounded),
        declined_rate=_rate(declined),
        evidence_cited_rate=_rate(cited),
        supported_sentence_rate=round(ok / total, 3) if total else 0.0,
        fk_grade_median=round(statistics.median(grades), 1) if grades else None,
        fk_grade_mean=round(statistics.fmean(grades), 1) if grades else None,
    )
    return scores, by_id


def _system_scores(
    ranker: Ranker, items: Sequence[GoldItem], units: int, seconds: float
) -> tuple[SystemScores, dict[str, list[Retrieved]]]:
    started = time.perf_counter()
    ranked = {item.id: ranker.rank(item.question, K) for item in items}
    texts = {qid: [r.text for r in rs] for qid, rs in ranked.items()}
    s = score_retrieval(items, texts)
    precision, recall = context_scores(
        [
            ContextSample(retrieved=texts[i.id], references=[e.quote for e in i.evidence])
            for i in items
        ]
    )
    return (
        SystemScores(
            name=ranker.name,
            units=units,
            recall_at_1=round(s.recall[1], 3),
            recall_at_5=round(s.recall[5], 3),
            recall_at_10=round(s.recall[10], 3),
            mrr_at_10=round(s.mrr10, 3),
            ndcg_at_10=round(s.ndcg10, 3),
            context_precision=precision,
            context_recall=recall,
            misses_at_5=s.misses_at_5,
            seconds=round(seconds + time.perf_counter() - started, 2),
        ),
        ranked,
    )


def _first_rank(item: GoldItem, texts: Sequence[str]) -> int | None:
    for rank, text in enumerate(texts[:K], start=1):
        if any(relevant(e.quote, text) for e in item.evidence):
            return rank
    return None


def _groups(
    items: Sequence[GoldItem],
    key: Callable[[GoldItem], str],
    ranked: dict[str, list[Retrieved]],
    answers: dict[str, Answer],
) -> list[GroupScores]:
    out = []
    for group in sorted({key(i) or "(none)" for i in items}):
        members = [i for i in items if (key(i) or "(none)") == group]
        ans = [i for i in members if i.answerable]
        unans = [i for i in members if not i.answerable]
        texts = {i.id: [r.text for r in ranked.get(i.id, [])] for i in ans}
        ranks = [_first_rank(i, texts[i.id]) for i in ans]
        out.append(
            GroupScores(
                group=group,
                items=len(members),
                answerable=len(ans),
                recall_at_5=_rate([covered(i, texts[i.id], 5) for i in ans]) if ans else None,
                mrr_at_10=round(statistics.fmean(1 / r if r else 0.0 for r in ranks), 3)
                if ans
                else None,
                grounded_rate=_rate([answers[i.id].grounded for i in ans])
                if ans and answers
                else None,
                declined_rate=_rate([not answers[i.id].grounded for i in unans])
                if unans and answers
                else None,
            )
        )
    return out


def _misses(
    items: Sequence[GoldItem], ranked: dict[str, list[Retrieved]], answers: dict[str, Answer]
) -> list[Miss]:
    out = []
    for item in items:
        texts = [r.text for r in ranked.get(item.id, [])]
        a = answers.get(item.id)
        whys = []
        if item.answerable and not covered(item, texts, 5):
            whys.append("not in top 5")
        if item.answerable and a is not None and not a.grounded:
            whys.append("not answered")
        if not item.answerable and a is not None and a.grounded:
            whys.append("answered, but unanswerable")
        if not whys:
            continue
        top = [
            TopPassage(rank=n, label=r.label, source=r.source, text=r.text[:300])
            for n, r in enumerate(ranked.get(item.id, [])[:3], start=1)
        ]
        out.append(
            Miss(
                id=item.id,
                question=item.question,
                audience=item.audience,
                difficulty=item.difficulty,
                why="; ".join(whys),
                top=top,
            )
        )
    return out


def run_eval(
    items: Sequence[GoldItem],
    *,
    engine: Engine,
    passages: Sequence[Passage],
    documents: Sequence[StoredDocument],
    baselines: Sequence[str] = (BM25, DENSE, LLAMA),
    modes: Sequence[str] = MODES,
    judge: JudgeSettings | None = None,
    progress: Progress | None = None,
) -> EvalReport:
    """Score ``items`` on careguide and the named baselines, then careguide's answers."""
    say = progress or (lambda _: None)
    clock: dict[str, float] = {}
    started = time.perf_counter()
    drafts = [i for i in items if i.draft]
    items = [i for i in items if not i.draft]
    answerable = [i for i in items if i.answerable]
    report = EvalReport(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        data_dir=str(engine.settings.data_dir),
        items=len(items),
        answerable=len(answerable),
        unanswerable=len(items) - len(answerable),
        drafts_skipped=len(drafts),
    )

    say("searching with careguide")
    engine.search("warm up the model and the index")
    build: dict[str, Callable[[], Ranker]] = {
        CAREGUIDE: lambda: CareguideRanker(engine),
        BM25: lambda: BM25Ranker(passages),
        DENSE: lambda: DenseRanker(engine.embedder, engine.store),
        LLAMA: lambda: LlamaIndexRanker(documents, engine.embedder),
    }
    ranked_by: dict[str, dict[str, list[Retrieved]]] = {}
    for name in (CAREGUIDE, *baselines):
        if name != CAREGUIDE:
            say(f"building and searching baseline: {name}")
        t0 = time.perf_counter()
        ranker = build[name]()
        units = ranker.chunks if isinstance(ranker, LlamaIndexRanker) else len(passages)
        scores, ranked_by[name] = _system_scores(
            ranker, answerable, units, time.perf_counter() - t0
        )
        report.systems.append(scores)
    clock["retrieval"] = time.perf_counter() - started
    ours = report.systems[0]
    for other in report.systems[1:]:
        report.deltas[other.name] = {
            metric: round(getattr(ours, metric) - getattr(other, metric), 3)
            for metric in ("recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10", "ndcg_at_10")
        }

    t0 = time.perf_counter()
    own: dict[str, Answer] = {}
    for row in modes:
        say(f"answering in mode: {row}")
        scores, answers = _answers(engine, items, row)
        report.answers.append(scores)
        if row == AUDIENCE_MODE or not own:
            own = answers
    clock["answers"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    say("ragas answer metrics" + (" (with the judge)" if judge and judge.enabled else ""))
    samples = [
        AnswerSample(
            question=i.question,
            answer=_plain(own[i.id].answer),
            contexts=[c.text for c in own[i.id].citations],
            reference=i.reference_answer,
        )
        for i in answerable
        if i.id in own
    ]
    ragas = answer_scores(samples, embedder=engine.embedder, judge=judge)
    ragas.context_precision = ours.context_precision
    ragas.context_recall = ours.context_recall
    report.ragas = ragas
    clock["ragas_answers"] = time.perf_counter() - t0

    ranked = ranked_by[CAREGUIDE]
    for item in items:  # unanswerable items: what careguide found, for the misses
        if item.id not in ranked:
            ranked[item.id] = CareguideRanker(engine).rank(item.question, 3)
    report.by_audience = _groups(items, lambda i: i.audience, ranked, own)
    report.by_difficulty = _groups(items, lambda i: i.difficulty, ranked, own)
    report.misses = _misses(items, ranked, own)
    clock["total"] = time.perf_counter() - started
    report.seconds = {k: round(v, 1) for k, v in clock.items()}
    return report
