"""Reader feedback -> draft gold items for a person to review (`careguide eval --from-feedback`).

Only feedback that flags a problem becomes a draft: "not helpful", or a citation marked
wrong. The feedback store keeps what was rated: the question (redacted), the answer mode
and the cited passage ids in citation order. The passages' texts come from the library in
the data directory. Feedback stored before the question was kept has none; for those, the
question, mode and citations can come from ``answers``: JSON lines of answers as /api/ask
returns them (``Answer``). An entry with neither still becomes a draft, with the question
left blank to fill in.

Every draft has ``"draft": true`` and a ``review`` note saying what to check; the eval
skips drafts, so they count only once a person has checked them and removed the flag.
For a helpful answer, the candidate evidence is a quote from each passage it cited (the
sentence that shares most words with the question): verbatim, but the reviewer cuts it
to the span that states the answer. A citation the reader flagged goes under
``wrong_evidence`` instead: a passage that must not count as evidence for this question.
An answer that did not help gets no candidate evidence (the passages it cited did not do
the job); its review note names them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from careguide.api.answer_models import Answer
from careguide.api.feedback import FeedbackRecord
from careguide.eval.metrics import Evidence, GoldFileError, GoldItem, tokens
from careguide.ingest.models import Passage

QUOTE_WORDS = 25  # the gold format's longest quote
MIN_QUOTE_WORDS = 8  # and its shortest
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


class CitedPassage(BaseModel):
    """One citation of the rated answer, as far as it can still be found."""

    n: int = Field(description="The citation's number [n] in the answer.")
    passage_id: str
    source: str = Field(default="", description="File name; '' when not found in the library.")
    citation: str = Field(default="", description="Where it is, as users quote it.")
    text: str = Field(default="", description="The passage text; '' when not found.")


class Rated(BaseModel):
    """What the reader rated: the question, the answer's mode and its citations."""

    question: str
    mode: str | None = Field(description="The answer mode; None when not recorded.")
    cited: list[CitedPassage]


class DraftItem(GoldItem):
    """A gold item made from feedback; ``wrong_evidence`` is an extra key for the reviewer
    (``load_gold`` ignores it)."""

    wrong_evidence: list[Evidence] = Field(
        default_factory=list,
        description="Passages a reader said do not support what they were cited for.",
    )


def read_answers(path: Path) -> dict[str, Answer]:
    """Answers by id from JSON lines of ``Answer`` objects; bad lines raise one clear error."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise GoldFileError(f"cannot read answers file {path} ({error}); check the path") from error
    out: dict[str, Answer] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            a = Answer.model_validate(json.loads(line))
        except (ValueError, ValidationError) as error:
            raise GoldFileError(
                f"{path} line {number} is not an answer as /api/ask returns it; each line "
                'needs {"id", "question", "mode", "answer", "grounded", "citations"}'
            ) from error
        out[a.id] = a
    return out


def rated_from_record(record: FeedbackRecord, passages: Mapping[str, Passage]) -> Rated | None:
    """What the record itself says was rated; None when it holds no question (older rows)."""
    if not record.question.strip():
        return None
    cited = []
    for n, passage_id in enumerate(record.cited, start=1):
        p = passages.get(passage_id)
        cited.append(
            CitedPassage(n=n, passage_id=passage_id)
            if p is None
            else CitedPassage(
                n=n, passage_id=passage_id, source=p.source, citation=p.citation, text=p.text
            )
        )
    return Rated(
        question=record.question,
        mode=record.mode.value if record.mode else None,
        cited=cited,
    )


def rated_from_answer(answer: Answer) -> Rated:
    """What was rated, from the answer as /api/ask returned it."""
    return Rated(
        question=answer.resolved_question or answer.question,
        mode=answer.mode.value,
        cited=[
            CitedPassage(
                n=c.n, passage_id=c.passage_id, source=c.source, citation=c.citation, text=c.text
            )
            for c in answer.citations
        ],
    )


def candidate_quote(text: str, question: str) -> str:
    """A verbatim stretch of ``text`` (8-25 words) likely to state the answer: the sentence
    sharing most words with the question (the first on a tie), cut at 25 words."""
    sentences = [s.split() for s in _SENTENCE_END.split(text) if s.strip()]
    if not sentences:
        return ""
    asked = set(tokens(question))
    best = max(
        range(len(sentences)),
        key=lambda i: (len(asked & set(tokens(" ".join(sentences[i])))), -i),
    )
    words = [w for s in sentences[best:] for w in s]  # run on when the sentence is short
    return " ".join(words[: max(len(sentences[best]), MIN_QUOTE_WORDS)][:QUOTE_WORDS])


def _label(c: CitedPassage) -> str:
    return f"[{c.n}] {c.citation or 'passage'} ({c.passage_id})"


def draft_item(record: FeedbackRecord, rated: Rated | None) -> DraftItem | None:
    """The draft for one feedback entry, or None when the reader was happy."""
    if record.helpful and record.citation_wrong is None:
        return None
    notes = []
    if not record.helpful:
        notes.append("reader says the answer did not help")
    if record.comment:
        notes.append(f"comment: {record.comment}")
    if rated is None:
        if record.citation_wrong is not None:
            notes.append(
                f"reader says citation [{record.citation_wrong}] does not support its sentence"
            )
        notes.append(
            f"the feedback on answer {record.answer_id} has no question (it predates questions "
            "being kept, and the answer is not in --answers): write the question"
        )
        return DraftItem(
            id=f"fb{record.id}", question="", answerable=True, draft=True, review="; ".join(notes)
        )

    wrong = [c for c in rated.cited if c.n == record.citation_wrong]
    kept = [c for c in rated.cited if c.n != record.citation_wrong]
    if record.citation_wrong is not None:
        flagged = _label(wrong[0]) if wrong else f"[{record.citation_wrong}]"
        notes.append(
            f"reader says citation {flagged} does not support its sentence: it is under "
            "wrong_evidence; do not use it as evidence"
        )
    missing = [c.passage_id for c in rated.cited if not c.text]
    if missing:
        notes.append(
            "cited passages not found in the library (re-ingested or removed since, or the "
            "data directory is not the service's): " + ", ".join(missing)
        )
    if rated.mode is None:
        notes.append("the answer mode was not recorded: check the audience")
    evidence: list[Evidence] = []
    if not rated.cited:
        notes.append(
            "careguide cited nothing (it said the library does not cover this): if the "
            'library does, add evidence and set "answerable": true'
        )
    elif record.helpful:
        evidence = [
            Evidence(source=c.source, quote=candidate_quote(c.text, rated.question), group=1)
            for c in kept
            if c.text
        ]
        notes.append(
            "check each evidence quote (the cited passage's sentence closest to the question) "
            "and cut it to the 8-25 words that state the answer; add the right passage if "
            "none is"
        )
    else:
        notes.append(
            "find the passage that answers the question and add it as evidence; careguide "
            "cited " + "; ".join(_label(c) for c in kept or rated.cited)
        )
    return DraftItem(
        id=f"fb{record.id}",
        question=rated.question,
        audience=rated.mode or "practitioner",
        answerable=bool(rated.cited),
        needs="any",
        evidence=evidence,
        wrong_evidence=[
            Evidence(source=c.source, quote=candidate_quote(c.text, rated.question))
            for c in wrong
            if c.text
        ],
        reference_answer="",
        difficulty="",
        draft=True,
        review="; ".join(notes),
    )


def drafts_from_feedback(
    records: Iterable[FeedbackRecord],
    *,
    passages: Mapping[str, Passage] | None = None,
    answers: Mapping[str, Answer] | None = None,
) -> list[DraftItem]:
    """Draft gold items for every entry that flags a problem, oldest first.

    What was rated comes from the record (its passages looked up in ``passages``); for a
    record with no question, from its answer in ``answers`` when there.
    """
    passages = passages or {}
    answers = answers or {}
    drafts = []
    for r in records:
        rated = rated_from_record(r, passages)
        if rated is None and r.answer_id in answers:
            rated = rated_from_answer(answers[r.answer_id])
        draft = draft_item(r, rated)
        if draft is not None:
            drafts.append(draft)
    return drafts


def drafts_jsonl(drafts: Iterable[GoldItem]) -> str:
    return "".join(d.model_dump_json() + "\n" for d in drafts)
