"""Reader feedback -> draft gold items for a person to review (`careguide eval --from-feedback`).

Only feedback that flags a problem becomes a draft: "not helpful", or a citation marked
wrong. The feedback store keeps the answer's id, not its question, so the question,
mode and citations come from the answers themselves: JSON lines of answers as /api/ask
returns them (``Answer``), e.g. kept by the service or saved from the chat page. An entry
whose answer is not found still becomes a draft, with the question left blank to fill in.

Every draft has ``"draft": true`` and a ``review`` note saying what to check; the eval
skips drafts, so they count only once a person has checked them and removed the flag.
Candidate evidence quotes are the opening words of the passages the answer cited (other
than one flagged wrong): verbatim, but the reviewer picks the span that states the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import ValidationError

from careguide.api.answer_models import Answer, Citation
from careguide.api.feedback import FeedbackRecord
from careguide.eval.metrics import Evidence, GoldFileError, GoldItem

QUOTE_WORDS = 20


def read_answers(path: Path) -> dict[str, Answer]:
    """Answers by id from JSON lines of ``Answer`` objects; bad lines raise one clear error."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
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


def _quote(c: Citation) -> str:
    return " ".join(c.text.split()[:QUOTE_WORDS])


def draft_item(record: FeedbackRecord, found: Answer | None) -> GoldItem | None:
    """The draft for one feedback entry, or None when the reader was happy."""
    if record.helpful and record.citation_wrong is None:
        return None
    notes = []
    if record.citation_wrong is not None:
        notes.append(
            f"reader says citation [{record.citation_wrong}] does not support its sentence"
        )
    if not record.helpful:
        notes.append("reader says the answer did not help")
    if record.comment:
        notes.append(f"comment: {record.comment}")
    if found is None:
        notes.append(
            f"answer {record.answer_id} not found in the answers given: write the question"
        )
        return GoldItem(
            id=f"fb{record.id}",
            question="",
            answerable=True,
            draft=True,
            review="; ".join(notes),
        )
    kept = [c for c in found.citations if c.n != record.citation_wrong]
    if found.grounded:
        notes.append(
            "check the evidence quotes (opening words of the cited passages) and cut each to "
            "the 8-25 words that state the answer; add the right passage if none is"
        )
    else:
        notes.append(
            "careguide said the library does not cover this: if it does, add evidence and "
            'set "answerable": true'
        )
    return GoldItem(
        id=f"fb{record.id}",
        question=found.question,
        audience=found.mode.value,
        answerable=found.grounded,
        needs="any",
        evidence=[Evidence(source=c.source, quote=_quote(c), group=1) for c in kept],
        reference_answer="",
        difficulty="",
        draft=True,
        review="; ".join(notes),
    )


def drafts_from_feedback(
    records: Iterable[FeedbackRecord], answers: Mapping[str, Answer]
) -> list[GoldItem]:
    """Draft gold items for every entry that flags a problem, oldest first."""
    drafts = (draft_item(r, answers.get(r.answer_id)) for r in records)
    return [d for d in drafts if d is not None]


def drafts_jsonl(drafts: Iterable[GoldItem]) -> str:
    return "".join(d.model_dump_json() + "\n" for d in drafts)
