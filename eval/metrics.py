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

from pydantic import BaseModel, Field

_TOKEN = re.compile(r"[a-z0-9£%]+")
_STRAIGHTEN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class Evidence(BaseModel):
    source: str
    quote: str
    group: int | None = None


class GoldItem(BaseModel):
    """One question of a gold set."""

    id: str
    question: str
    audience: str = "practitioner"
    answerable: bool = True
    needs: str = "any"
    evidence: list[Evidence] = Field(default_factory=list)
    reference_answer: str = ""
    difficulty: str = ""

    def groups(self) -> list[list[Evidence]]:
        if self.needs != "all":
            return [self.evidence]
        by: dict[int, list[Evidence]] = {}
        for i, e in enumerate(self.evidence):
            by.setdefault(e.group if e.group is not None else 1000 + i, []).append(e)
        return list(by.values())


def load_gold(path: Path) -> list[GoldItem]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [GoldItem.model_validate(json.loads(line)) for line in lines if line.strip()]


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
