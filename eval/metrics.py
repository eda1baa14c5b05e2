"""Retrieval metrics on gold sets (the relevance rule of the gold format).

A passage is relevant to an evidence quote when it contains a contiguous run of the
quote's normalised tokens at least ``max(6, ceil(0.7 * len(quote)))`` long.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from careguide.ingest.errors import CareguideError

_TOKEN = re.compile(r"[a-z0-9£%]+")
_STRAIGHTEN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class Evidence(BaseModel):
    """A verbatim span of a corpus file that states (part of) the answer."""

    source: str = Field(description="File name of the document in the corpus.")
    quote: str = Field(description="Verbatim span of that file, 8-25 words.")
    group: int | None = Field(
        default=None, description="With needs 'all': items sharing a group are alternatives."
    )


class GoldItem(BaseModel):
    """One question of a gold set (../shared/eval/FORMAT.md)."""

    id: str
    question: str
    audience: str = "practitioner"
    answerable: bool = True
    needs: Literal["any", "all"] = "any"
    evidence: list[Evidence] = Field(default_factory=list)
    reference_answer: str = ""
    difficulty: str = ""
    draft: bool = Field(
        default=False,
        description="Made from reader feedback and not yet reviewed; the eval skips drafts.",
    )
    review: str = Field(default="", description="What a reviewer should check (drafts only).")

    def groups(self) -> list[list[Evidence]]:
        if self.needs != "all":
            return [self.evidence]
        by: dict[int, list[Evidence]] = {}
        for i, e in enumerate(self.evidence):
            by.setdefault(e.group if e.group is not None else 1000 + i, []).append(e)
        return list(by.values())


def _why(error: ValueError) -> str:
    """A short reason a line is not a gold item: the first fields pydantic refused."""
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}"
            for e in error.errors()[:3]
        )
    return str(error).splitlines()[0]


class GoldFileError(CareguideError):
    """A gold file is missing, unreadable or not in the gold format."""


def load_gold(path: Path) -> list[GoldItem]:
    """Every item of a gold file, drafts included; a bad line raises ``GoldFileError``.

    The message names the file and line and what the line needs, so it can be fixed.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise GoldFileError(f"gold file {path} not found; check the path") from error
    except (OSError, UnicodeDecodeError) as error:
        raise GoldFileError(f"cannot read gold file {path} ({error}); check the file") from error
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = GoldItem.model_validate(json.loads(line))
        except ValueError as error:  # json.JSONDecodeError and ValidationError are both
            reason = _why(error)
            raise GoldFileError(
                f"{path} line {number} is not a gold item ({reason}); each line needs "
                '{"id", "question", "answerable", "evidence": [{"source", "quote"}], ...} '
                "as in ../shared/eval/FORMAT.md"
            ) from error
        if item.answerable and not item.evidence and not item.draft:
            raise GoldFileError(
                f"{path} line {number} ({item.id}) is answerable but has no evidence; add "
                'evidence quotes or set "answerable": false'
            )
        if item.id in seen:
            raise GoldFileError(
                f"{path} line {number}: id {item.id!r} is used twice; make ids unique"
            )
        seen.add(item.id)
        items.append(item)
    if not items:
        raise GoldFileError(f"gold file {path} has no items; add one JSON object per line")
    return items


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").translate(_STRAIGHTEN)
    return _TOKEN.findall(text.lower())


def relevant(quote: str, passage: str) -> bool:
    q, p = tokens(quote), tokens(passage)
    if not q or not p:
        return False
    need = min(max(6, math.ceil(0.7 * len(q))), len(q))
    m = SequenceMatcher(None, q, p, autojunk=False).find_longest_match(0, len(q), 0, len(p))
    return m.size >= need


@dataclass
class RetrievalScores:
    """Recall@k and MRR@10 over answerable items, with the ids missed at 5."""

    recall: dict[int, float] = field(default_factory=dict)
    mrr10: float = 0.0
    ndcg10: float = 0.0
    misses_at_5: list[str] = field(default_factory=list)
    questions: int = 0


def first_relevant_rank(item: GoldItem, texts: Sequence[str]) -> int | None:
    for rank, text in enumerate(texts, start=1):
        if any(relevant(e.quote, text) for e in item.evidence):
            return rank
    return None


def covered(item: GoldItem, texts: Sequence[str], k: int) -> bool:
    top = texts[:k]
    return all(any(relevant(e.quote, t) for e in grp for t in top) for grp in item.groups())


def score_retrieval(items: Sequence[GoldItem], results: dict[str, list[str]]) -> RetrievalScores:
    """``results`` maps an item id to its ranked passage texts."""
    answerable = [i for i in items if i.answerable]
    out = RetrievalScores(questions=len(answerable))
    if not answerable:
        return out
    rr, ndcg = [], []
    for k in (1, 3, 5, 10):
        out.recall[k] = sum(covered(i, results.get(i.id, []), k) for i in answerable) / len(
            answerable
        )
    for item in answerable:
        texts = results.get(item.id, [])
        rank = first_relevant_rank(item, texts[:10])
        rr.append(1 / rank if rank else 0.0)
        gains = [
            1.0 if any(relevant(e.quote, t) for e in item.evidence) else 0.0 for t in texts[:10]
        ]
        dcg = sum(g / math.log2(r + 1) for r, g in enumerate(gains, start=1))
        ideal_n = min(10, max(1, sum(gains)))
        idcg = sum(1 / math.log2(r + 1) for r in range(1, int(ideal_n) + 1))
        ndcg.append(dcg / idcg if idcg else 0.0)
        if not covered(item, texts, 5):
            out.misses_at_5.append(item.id)
    out.mrr10 = sum(rr) / len(rr)
    out.ndcg10 = sum(ndcg) / len(ndcg)
    return out
