"""Cited answers: from a question to an ``Answer`` whose every sentence can be checked.

``answer`` is the one entry point the CLI and the HTTP API call. In order:

1. Safeguarding first: the raw message goes through ``detect_disclosure`` in every mode,
   with the semantic second opinion built on the engine's embedder.
   A disclosure gets the immediate reply and signposts, and nothing is retrieved.
2. A follow-up ("what about teenagers?") is read with the earlier question's topic
   (``careguide.api.followup``).
3. The engine retrieves passages, and the extractive composer (the default; no LLM)
   picks the sentences that answer the question:

   - passages are cut into sentences, list items kept whole; headings, fragments and
     consultation questions are not candidates;
   - each candidate is scored by cosine similarity to the question (the engine's
     embedding model, question and candidates in one batch, vectors cached per
     sentence), by overlap with the question's terms and their glossary expansions
     (rarer terms weigh more), by its passage's retrieval rank, and by its fit to the
     kind of answer asked for (a number for "how many", a date for "when", the year
     or the present the question asks about);
   - a question that asks several things ("who are X now and when was Y decided?") is
     cut into its parts, and each candidate is scored against each part too;
   - the best for each part, then the best of each top-ranked passage, then the best
     of the rest are taken greedily up to a word budget, a sentence losing score for
     saying what one already taken says, then put in passage-rank and reading order
     and cited [n] with the number of their passage.

   Every sentence of a practitioner answer is its passage's text, with only whitespace
   and a leading list bullet normalised (``trace_normalise``).
4. When the best evidence is weak the answer is "not covered": grounded is false, the
   closest passages are listed and the reader is told where to look instead.
5. Each citation carries its document's date, status and duty strength; notes flag an
   older document where a newer one covers the same topic, and sources that give
   different dates or amounts for the same thing.
6. Modes: carer and child answers rewrite each chosen sentence in plain words
   (``careguide.api.plain``), keeping its [n]; trainer answers add the paragraphs to
   look up and a discussion question.
7. An optional ``Generator`` (an LLM backend) may rewrite a grounded answer; any error
   falls back to the extractive answer with a note saying so.

All fixed wording comes from ``guides/answer_text.yaml``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import yaml

from careguide.api.answer_models import (
    Answer,
    Citation,
    DutyStrength,
    Mode,
    Safety,
    Signpost,
    Turn,
)
from careguide.api.answer_settings import AnswerSettings
from careguide.api.duty import duty_strength
from careguide.api.engine import Engine
from careguide.api.followup import resolve_followup
from careguide.api.injection import addresses_a_model
from careguide.api.plain import plain_hedges, plainify, reading_grade, stands_alone
from careguide.api.safety import detect_disclosure, safety_reply, semantic_for
from careguide.guides.glossary import expand_query, load_glossary
from careguide.index.analyser import analyse
from careguide.index.embedder import Embedder
from careguide.index.models import Hit, SearchFilters
from careguide.index.question import ASKS_NOW, search_parts
from careguide.index.sentences import SentenceVectors, sentence_vectors, split_sentences, usable
from careguide.ingest.clean import MONTHS
from careguide.ingest.errors import ConfigError
from careguide.ingest.models import DocKind, DocStatus, Passage

__all__ = [
    "AnswerSettings",
    "AnswerText",
    "Generator",
    "answer",
    "compose",
    "load_answer_text",
    "plain_sentences",
    "speaker_of",
]


class Generator(Protocol):
    """An answer writer (an LLM backend) that may replace the extractive answer."""

    def generate(self, question: str, hits: list[Hit], extractive: Answer) -> Answer:
        """A cited answer to ``question`` from ``hits``; ``extractive`` is the fallback."""
        ...


# --- fixed wording -------------------------------------------------------------------------


@dataclass(frozen=True)
class LookInstead:
    """Where to look when the library does not cover a question on one topic."""

    name: str
    words: frozenset[str]
    phrases: tuple[str, ...]
    adult: str
    child: str
    carer: str  # the adult wording in plain words for carers and parents

    def fits(self, question: str) -> bool:
        lower = question.lower()
        said = set(re.findall(r"[a-z0-9£]+", lower))
        return bool(said & self.words) or any(p in lower for p in self.phrases)


@dataclass(frozen=True)
class AnswerText:
    """The contents of ``guides/answer_text.yaml``."""

    not_covered: dict[str, str]
    look_default: dict[str, str]
    look_topics: tuple[LookInstead, ...]
    openers: tuple[str, ...]
    notes: dict[str, str]
    trainer: dict[str, Any]
    follow_ups: dict[str, tuple[str, ...]]


def _flat(text: object) -> str:
    return " ".join(str(text).split())


def _readers(wording: dict[str, object]) -> dict[str, str]:
    """Wording by reader; carers read the adult wording where none is written for them."""
    flat = {k: _flat(v) for k, v in wording.items()}
    return {**flat, "carer": flat.get("carer", flat["adult"])}


@cache
def load_answer_text() -> AnswerText:
    """Read the answers' fixed wording once."""
    source = files("careguide.guides") / "answer_text.yaml"
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
        look = raw["look_instead"]
        return AnswerText(
            not_covered=_readers(raw["not_covered"]),
            look_default=_readers(look["default"]),
            look_topics=tuple(
                LookInstead(
                    name=t["name"],
                    words=frozenset(str(w).lower() for w in t.get("words") or []),
                    phrases=tuple(str(p).lower() for p in t.get("phrases") or []),
                    adult=_flat(t["adult"]),
                    child=_flat(t["child"]),
                    carer=_flat(t.get("carer") or t["adult"]),
                )
                for t in look["topics"]
            ),
            openers=tuple(_flat(o) for o in raw["openers"]),
            notes={k: _flat(v) for k, v in raw["notes"].items()},
            trainer={
                "look_up": _flat(raw["trainer"]["look_up"]),
                "discussion": _flat(raw["trainer"]["discussion"]),
                "questions": {k: _flat(v) for k, v in raw["trainer"]["questions"].items()},
            },
            follow_ups={k: tuple(_flat(t) for t in v) for k, v in raw["follow_ups"].items()},
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise ConfigError(f"cannot use {source}: {error!r}; restore it from git") from error


# --- choosing sentences --------------------------------------------------------------------


@dataclass(eq=False)
class _Candidate:
    hit: int  # index into the hits
    position: int  # order within the passage
    text: str
    words: int
    cheap: float = 0.0
    cosine: float = 0.0
    overlap: float = 0.0
    score: float = 0.0
    parts: tuple[float, ...] = ()  # the score against each part of a many-part question
    plain: list[str] = field(default_factory=list)  # carer and child modes: the rewrite
    grade: float = 0.0  # reading grade of what the reader sees
    vector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))


@dataclass
class _Scored:
    """A question's candidate sentences, best first, with what choosing among them needs."""

    candidates: list[_Candidate]
    parts: int  # how many separate things the question asks (0: just one)
    lists: bool = False  # the question asks for a list ("list the seven features")


def _question_terms(question: str) -> tuple[set[str], set[str]]:
    """The question's own analysed terms, and the extra ones its glossary reading adds."""
    expanded = expand_query(question)
    own = set(analyse(" ".join([question, *expanded.corrections.values()])))
    extra = set(analyse(" ".join(expanded.sparse_terms))) - own
    return own, extra


def _overlap(
    tokens: frozenset[str], own: set[str], extra: set[str], idf: dict[str, float]
) -> float:
    total = sum(idf.get(t, 1.0) for t in own) + 0.5 * sum(idf.get(t, 1.0) for t in extra)
    if not total:
        return 0.0
    found = sum(idf.get(t, 1.0) for t in own & tokens)
    found += 0.5 * sum(idf.get(t, 1.0) for t in extra & tokens)
    return found / total


@lru_cache(maxsize=50_000)
def _sentence_terms(text: str) -> frozenset[str]:
    """A corpus sentence's search terms; the same sentences come back question after question."""
    return frozenset(analyse(text))


@dataclass(frozen=True)
class _Asked:
    """What kind of answer a question (or one part of it) looks for, beyond its terms."""

    number: bool  # "how many ...", "how much ...", "what percentage ..."
    counted: frozenset[str]  # what "how many" counts: "how many days" -> {"day"}
    date: bool  # "when ...", "what year ..."
    years: frozenset[int]  # years it names: "what did the 2016 plan say"
    present: bool  # it asks how things stand now: "now", "still", "currently"
    items: bool = False  # it asks for a list: "list the seven features", "the six pillars"
    kind: frozenset[str] = frozenset()  # what "is there a ..." asks after: {"pathway"}


_ASKS_NUMBER = re.compile(
    r"\bhow (?:many|much|long|often|old)\b|%|\bper ?cent"
    r"|\b(?:a|any|the|what) (?:certain |minimum |maximum )?number of\b"
    r"|\bwhat (?:share|proportion|percentage|number|amount|age|rate)\b",
    re.IGNORECASE,
)
_ASKS_DATE = re.compile(r"\bwhen\b|\bwhat (?:year|date|month)\b", re.IGNORECASE)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|hundred|thousand|million|billion|half|third|quarter|"
    r"twice|double)\b",
    re.IGNORECASE,
)
_ASKS_LIST = re.compile(
    r"^\W*(?:(?:please|can you|could you)\s+)?(?:list|name)\b|\b(?:list|name) (?:the|all)\b"
    r"|\bwhat (?:are|were) (?:the|its|their) (?:[\w-]+ )?(?:\d+|two|three|four|five|six|seven|"
    r"eight|nine|ten|main|key)\b",
    re.IGNORECASE,
)
# a sentence that lists: items after numbers ("1. X; 2. Y") or between semicolons
_LIST_ITEMS = re.compile(r";|\b\d{1,2}\.\s")
# "is there a separate CP pathway for ...", "are there any support groups": the thing asked
# after ends before a preposition, a clause or the question's end; its last word names it
_IS_THERE = re.compile(
    r"\b(?:is|are) there (?:a |an |any |some )?((?:[\w'’-]+ ){0,3}?[\w'’-]+)"
    r"(?= (?:for|to|of|in|on|at|that|which|who|when|where|like|from|with|about|if|and|or|"
    r"than|so)\b|\s*[?,.;:!/]|\s*$)",
    re.IGNORECASE,
)
_VAGUE = frozenset(analyse("anything something anyone anybody someone somebody way thing things"))
_HOW_MANY = re.compile(r"\bhow many ((?:[\w'’-]+\s+){0,1}[\w'’-]+)", re.IGNORECASE)
_COUNT = re.compile(rf"(?:{_NUMBER.pattern})[\w,.%]*((?:\s+[\w'’-]+){{1,3}})", re.IGNORECASE)


def _asked(query: str) -> _Asked:
    counted = _HOW_MANY.search(query)
    sought = _IS_THERE.search(query)
    kind = frozenset(analyse(sought.group(1).split()[-1])) - _VAGUE if sought else frozenset()
    return _Asked(
        number=bool(_ASKS_NUMBER.search(query)),
        counted=frozenset(analyse(counted.group(1))) if counted else frozenset(),
        date=bool(_ASKS_DATE.search(query)),
        years=frozenset(int(y) for y in _YEAR.findall(query)),
        present=bool(ASKS_NOW.search(query)),
        items=bool(_ASKS_LIST.search(query)),
        kind=kind,
    )


def _same_word(a: str, b: str) -> bool:
    """Terms alike enough to name the same thing: "child" and "childrens", "day" and "days"."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _fit(asked: _Asked, text: str, year: int | None, newest: int | None) -> float:
    """How well a sentence fits what kind of answer is asked for, from 0 to 1.

    Two things count, each when the question asks it: the kind of answer (a number for
    "how many", a date for "when"), and the time asked about (a question naming a year
    wants the document of that year, or a sentence giving it; one asking how things
    stand "now" wants the newest document).
    """
    fits: list[bool] = []
    if asked.counted:  # "how many days": a number of days ("two days")
        fits.append(
            any(
                _same_word(a, b)
                for m in _COUNT.finditer(text)
                for a in analyse(m.group(1))
                for b in asked.counted
            )
        )
    elif asked.number or asked.date:
        fits.append(
            (asked.number and bool(_NUMBER.search(text)))
            or (asked.date and bool(_DATE.search(text)))
        )
    if asked.items:
        fits.append(len(_LIST_ITEMS.findall(text)) >= 2)
    if asked.kind:  # "is there a separate pathway": a sentence that names one
        fits.append(any(_same_word(a, b) for a in _sentence_terms(text) for b in asked.kind))
    if asked.years:
        fits.append(year in asked.years or any(str(y) in text for y in asked.years))
    elif asked.present and newest is not None:
        fits.append(year == newest)
    return sum(fits) / len(fits) if fits else 0.0


def _candidates(
    question: str, hits: Sequence[Hit], settings: AnswerSettings, cache_: SentenceVectors
) -> _Scored:
    """Every usable sentence of the hits, scored against the question and its parts.

    A cheap pre-ranking (term overlap and passage rank) keeps the sentences worth
    embedding: the best for the whole question, and for a many-part question also the
    best few for each part, which the whole question's terms can drown.
    """
    found: list[_Candidate] = []
    tokens: list[frozenset[str]] = []
    for i, hit in enumerate(hits):
        for position, (text, listed) in enumerate(split_sentences(hit.passage.text)):
            if usable(text, listed, settings.min_words) and not addresses_a_model(text):
                found.append(_Candidate(i, position, text, len(text.split())))
                tokens.append(_sentence_terms(text))
    own, extra = _question_terms(question)
    parts = search_parts(question)
    part_terms = [_question_terms(p) for p in parts]
    df = Counter(t for ts in tokens for t in ts)
    idf = {t: math.log(1 + len(found) / (1 + n)) for t, n in df.items()}
    part_overlaps: dict[int, list[float]] = {}
    for candidate, ts in zip(found, tokens, strict=True):
        candidate.overlap = _overlap(ts, own, extra, idf)
        candidate.cheap = candidate.overlap + _rank_prior(candidate.hit, len(hits))
        part_overlaps[id(candidate)] = [_overlap(ts, o, e, idf) for o, e in part_terms]
    kept = sorted(found, key=lambda c: -c.cheap)[: settings.candidates]
    for j in range(len(parts)):
        kept += sorted(
            found, key=lambda c: -part_overlaps[id(c)][j] - _rank_prior(c.hit, len(hits))
        )[: settings.part_candidates]
    found = list(dict.fromkeys(kept))
    queries = [expand_query(q).dense_text for q in [question, *parts]]
    q_vectors, vectors = cache_.embed(queries, [c.text for c in found])
    asked = [_asked(q) for q in [question, *parts]]
    years = [h.passage.meta.year for h in hits]
    newest = max((y for y in years if y is not None), default=None)
    for candidate, vector in zip(found, vectors, strict=True):
        prior = _rank_prior(candidate.hit, len(hits))
        year = years[candidate.hit]
        fits = [_fit(a, candidate.text, year, newest) for a in asked]
        candidate.vector = vector
        candidate.cosine = float(vector @ q_vectors[0])
        candidate.score = _score(settings, candidate.cosine, candidate.overlap, prior, fits[0])
        candidate.parts = tuple(
            _score(settings, float(vector @ q_vectors[j + 1]), overlap, prior, fits[j + 1])
            for j, overlap in enumerate(part_overlaps[id(candidate)])
        )
    found.sort(key=lambda c: -c.score)
    return _Scored(found, len(parts), lists=asked[0].items)


def _score(
    settings: AnswerSettings, cosine: float, overlap: float, prior: float, fit: float
) -> float:
    return (
        settings.weight_cosine * cosine
        + settings.weight_overlap * overlap
        + settings.weight_rank * prior
        + settings.weight_fit * fit
    )


def _rank_prior(index: int, total: int) -> float:
    return 1.0 - index / max(total, 1)


def _choose(
    scored: _Scored,
    hits: Sequence[Hit],
    budget: int,
    settings: AnswerSettings,
    mode: Mode,
) -> list[_Candidate]:
    """The best sentences within the word budget, without near-repeats.

    Greedy, one sentence at a time, in three rounds: the best sentence for each part of
    a question that asks several things (so that "who are X now and when was Y
    decided?" gets both answered before the budget runs out), then the best sentence of
    each of the top-ranked passages, then the best of the rest. Beside its score, a
    sentence loses for saying much what a chosen sentence says (its cosine to the
    nearest above ``similarity_floor``: a second sentence should add to the first, not
    restate it), gains a little for bringing in a passage not yet cited (answers that
    rest on several passages are easier to check), and loses a little for length and
    for leaning on a sentence before it ("This ...", "They ...") that is not chosen. In
    plain modes each sentence is judged as the reader will see it, rewritten, and loses
    score for each reading grade above the mode's target, so that of two sentences
    saying much the same the simpler is chosen. The first sentence chosen loses no more
    than ``grade_cap``: the answer leads, however hard it reads, and is not passed over for
    simple sentences that do not answer.
    """
    candidates = scored.candidates
    if not candidates:
        return []
    best = candidates[0].score
    best_parts = [max(c.parts[j] for c in candidates) for j in range(scored.parts)]
    pool = [
        c
        for c in candidates
        if c.score >= settings.keep_ratio * best
        or any(s >= settings.keep_ratio * b for s, b in zip(c.parts, best_parts, strict=True))
    ]
    target = settings.target_grade.get(mode)
    if target is not None:
        plain_mode = "child" if mode is Mode.child else "carer"
        for c in pool:
            c.plain = plain_sentences(c.text, hits[c.hit].passage, plain_mode)
            c.grade = reading_grade(" ".join(c.plain))
            c.words = sum(len(p.split()) for p in c.plain)
        # a plain reader cannot look a fragment up in its passage: leave it out
        pool = [c for c in pool if stands_alone(c.text)]
    chosen: list[_Candidate] = []
    words = 0

    def value(c: _Candidate) -> float:
        v = c.score - settings.length_penalty * max(0, c.words - 30) / 10
        if chosen:
            similar = max(float(c.vector @ x.vector) for x in chosen)
            v -= settings.similarity_penalty * max(0.0, similar - settings.similarity_floor)
        if all(x.hit != c.hit for x in chosen):
            v += settings.new_passage_bonus
        if _ANAPHORA.match(c.text) and not any(
            x.hit == c.hit and x.position == c.position - 1 for x in chosen
        ):
            v -= settings.anaphora_penalty
        if target is not None:
            penalty = settings.grade_penalty * max(0.0, c.grade - target)
            v -= penalty if chosen else min(penalty, settings.grade_cap)
        return v

    def take(pick: _Candidate) -> None:
        nonlocal words
        pool.remove(pick)
        if chosen and words + pick.words > budget:
            return
        if any(float(pick.vector @ c.vector) > settings.redundancy for c in chosen):
            return
        chosen.append(pick)
        words += pick.words

    # each part of a many-part question answered, judged with the whole question too so
    # that a part such as "is it a social worker?" keeps to the question's topic
    for j in range(scored.parts):
        if pool:
            take(max(pool, key=lambda c: value(c) + c.parts[j]))
    # a question asking for a list ("list the seven features") gets the best sentence that
    # lists, before sentences about the list crowd it out of the word budget
    if scored.lists:
        listing = [c for c in pool if len(_LIST_ITEMS.findall(c.text)) >= 2]
        if listing:
            take(max(listing, key=value))
    # the passages search ranked highest speak first: retrieval weighs the whole passage
    # and the question's exact terms, which one sentence's cosine cannot
    for lead in range(settings.lead_passages.get(mode, 0)):
        own = [c for c in pool if c.hit == lead]
        if own and all(c.hit != lead for c in chosen):
            take(max(own, key=value))
    while pool:
        take(max(pool, key=value))
    return chosen


_ANAPHORA = re.compile(r"(?:This|These|That|Those|They|It|He|She|Such|Their|Its)\b")


# --- citations and notes ---------------------------------------------------------------------


def citation_for(n: int, passage: Passage) -> Citation:
    """The numbered citation of a passage, with its date, status and duty strength."""
    return Citation(
        n=n,
        passage_id=passage.id,
        citation=passage.citation,
        source=passage.source,
        doc_id=passage.doc_id,
        title=passage.title,
        text=passage.text,
        date=passage.meta.date,
        status=passage.meta.status.value,
        duty=duty_strength(passage.text),
        paragraphs=list(passage.paragraphs),
        pages=list(passage.pages),
    )


def _year(passage: Passage) -> int | None:
    return passage.meta.year


def _named(passage: Passage, numbers: dict[str, int]) -> str:
    n = numbers.get(passage.id)
    head = passage.citation.split("), ", 1)[0]
    title = head + ")" if head != passage.citation else passage.citation
    return f"{title} [{n}]" if n else title


def _currency_notes(
    chosen: list[_Candidate],
    candidates: list[_Candidate],
    hits: Sequence[Hit],
    numbers: dict[str, int],
    settings: AnswerSettings,
) -> list[str]:
    """Notes for cited passages that an newer document covering the same topic updates."""
    wording = load_answer_text().notes
    notes: list[str] = []
    seen: set[str] = set()
    for old in chosen:
        old_passage = hits[old.hit].passage
        old_year = _year(old_passage)
        outdated = old_passage.meta.status in (DocStatus.superseded, DocStatus.historical)
        if old_year is None or old_passage.doc_id in seen:
            continue
        for new in candidates:
            new_passage = hits[new.hit].passage
            new_year = _year(new_passage)
            if new_year is None or new_year <= old_year or new_passage.doc_id == old_passage.doc_id:
                continue
            if not outdated and new_year - old_year < 3:
                continue
            if new_passage.meta.status in (DocStatus.superseded, DocStatus.historical):
                continue
            if float(old.vector @ new.vector) < settings.same_topic:
                continue
            seen.add(old_passage.doc_id)
            template = wording["currency"] if outdated else wording["currency_dated"]
            notes.append(
                template.format(
                    old=_named(old_passage, numbers),
                    status=old_passage.meta.status.value,
                    new=_named(new_passage, numbers),
                )
            )
            break
    return notes


_SEASON = rf"(?:early|late|mid|spring|summer|autumn|winter|{MONTHS})"
_DATE = re.compile(rf"\b(?:{_SEASON}[ -]+)?(?:19|20)\d\d(?:/\d\d)?\b", re.IGNORECASE)
_AMOUNT = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|bn|m|k)\b)?", re.IGNORECASE)


def _values(pattern: re.Pattern[str], text: str) -> dict[str, str]:
    """The values as compared (lower case, no spaces or thousands commas: £3,000 = £3000),
    each with how the text wrote it."""
    return {
        re.sub(r"(?<=\d),(?=\d)|\s", "", m.group(0).lower()): " ".join(m.group(0).split())
        for m in pattern.finditer(text)
    }


def _conflict(a: str, b: str) -> tuple[str, str, bool] | None:
    """Different dates or amounts in two sentences about one thing: the two values, and
    whether they are dates named by season or month.

    Dates with a season or month are compared when both sentences give one ("spring
    2023" against "summer 2023"); otherwise only the years count, so "2017" and "July
    2017" agree.
    """
    first, second = _values(_AMOUNT, a), _values(_AMOUNT, b)
    if first and second and not first.keys() & second.keys():
        return ", ".join(sorted(first.values())), ", ".join(sorted(second.values())), False
    first, second = _values(_DATE, a), _values(_DATE, b)
    named_first = {k: v for k, v in first.items() if not k[:1].isdigit()}
    named_second = {k: v for k, v in second.items() if not k[:1].isdigit()}
    named = bool(named_first and named_second)
    if named:
        first, second = named_first, named_second
        keys_first, keys_second = set(first), set(second)
    else:
        keys_first = {_YEAR.search(k).group(0) for k in first}  # type: ignore[union-attr]
        keys_second = {_YEAR.search(k).group(0) for k in second}  # type: ignore[union-attr]
    if first and second and not keys_first & keys_second:
        return ", ".join(sorted(first.values())), ", ".join(sorted(second.values())), named
    return None


_YEAR = re.compile(r"(?:19|20)\d\d")


def _conflicts(
    chosen: list[_Candidate],
    candidates: list[_Candidate],
    hits: Sequence[Hit],
    settings: AnswerSettings,
) -> list[tuple[_Candidate, _Candidate, str, str]]:
    """Pairs of strong sentences from different passages that disagree on a date or amount."""
    strong = [c for c in candidates[:10] if c.score >= 0.8 * candidates[0].score]
    found: list[tuple[_Candidate, _Candidate, str, str]] = []
    for a in chosen:
        for b in strong:
            if b is a or hits[b.hit].passage.id == hits[a.hit].passage.id:
                continue
            similarity = float(a.vector @ b.vector)
            if similarity < settings.named_date_similarity:
                continue
            values = _conflict(a.text, b.text)
            if values is None or any({a, b} == {x, y} for x, y, _, _ in found):
                continue
            first, second, named = values
            if named or similarity >= settings.conflict_similarity:
                found.append((a, b, first, second))
    return found[:2]


# --- modes -----------------------------------------------------------------------------------


def plain_sentences(text: str, passage: Passage, mode: str) -> list[str]:
    """A sentence of ``passage`` rewritten for a plain ``mode`` ("carer" or "child"), in
    the voice of the passage's publisher (``speaker_of``); in a strategy or a consultation,
    a bare verb is read as a commitment ("Invest £9 million in ...")."""
    plans = passage.meta.kind in {DocKind.policy, DocKind.consultation}
    return plainify(text, mode, speaker=speaker_of(passage), plans=plans)


def speaker_of(passage: Passage) -> str:
    """Who "we" means in a passage, by its publisher: "the government", "Ofsted" ..."""
    publisher = passage.meta.publisher.lower()
    if "ofsted" in publisher:
        return "Ofsted"
    if "council" in publisher or "borough" in publisher:
        return "the council"
    if publisher in {"dfe", "department for education", ""}:
        return "the government"
    return f"the {passage.meta.publisher}"


def _topics(texts: Sequence[str]) -> list[str]:
    """Glossary terms the texts mention, the most mentioned first."""
    counts: Counter[str] = Counter()
    for text in texts:
        for match in load_glossary().find(text, aliases=False):
            counts[match.entry.term] += 1
    return [term for term, _ in counts.most_common()]


def _plain_sentences(
    chosen: list[_Candidate], hits: Sequence[Hit], numbers: dict[str, int], mode: Mode
) -> list[str]:
    plain_mode = "child" if mode is Mode.child else "carer"
    out: list[str] = []
    said: set[str] = set()  # a term explained once is not explained again
    for c in chosen:
        passage = hits[c.hit].passage
        marker = f"[{numbers[passage.id]}]"
        for sentence in c.plain or plain_sentences(c.text, passage, plain_mode):
            if sentence.casefold() not in said:
                said.add(sentence.casefold())
                out.append(f"{sentence} {marker}")
    return out


def _hedge(mode: Mode, topics: Sequence[str], text: str) -> str | None:
    """An honest hedge tied to the answer's topics ("what you get depends on your council")."""
    plain_mode = "child" if mode is Mode.child else "carer"
    general = set(plain_hedges(plain_mode))
    specific = [h for h in plain_hedges(plain_mode, tuple(topics)) if h not in general]
    if "plans to" in text:
        specific += [h for h in plain_hedges(plain_mode, ("Stable Homes",)) if h not in general]
    return specific[0] if specific else None


def _follow_ups(mode: Mode, question: str, topics: Sequence[str]) -> list[str]:
    templates = load_answer_text().follow_ups.get(mode.value, ())
    asked = question.lower()
    fresh = [t for t in topics if t.lower() not in asked]
    suggestions: list[str] = []
    for template, term in zip(templates, fresh, strict=False):
        suggestions.append(template.format(term=term))
    return suggestions[:3]


def _trainer_extras(citations: list[Citation], topics: Sequence[str], currency: bool) -> str:
    wording = load_answer_text().trainer
    look_up = "; ".join(f"[{c.n}] {c.citation}" for c in citations)
    duties = {c.duty for c in citations}
    if currency:
        kind = "currency"
    elif DutyStrength.requirement in duties:
        kind = "requirement"
    elif DutyStrength.guidance in duties:
        kind = "guidance"
    else:
        kind = "information"
    topic = topics[0] if topics else "this topic"
    question = wording["questions"][kind].format(topic=topic)
    return f"{wording['look_up']} {look_up}\n\n{wording['discussion']} {question}"


# --- composing -------------------------------------------------------------------------------


def _answer_id(question: str, mode: Mode, text: str) -> str:
    return hashlib.sha256(f"{mode.value}|{question}|{text}".encode()).hexdigest()[:16]


def _not_covered(
    question: str, resolved: str, hits: Sequence[Hit], mode: Mode, settings: AnswerSettings
) -> Answer:
    wording = load_answer_text()
    reader = {Mode.child: "child", Mode.carer: "carer"}.get(mode, "adult")
    fitting = [t for t in wording.look_topics if t.fits(resolved)][:2]
    pointers = [getattr(t, reader) for t in fitting] or [wording.look_default[reader]]
    text = "\n\n".join([wording.not_covered[reader], *pointers])
    return Answer(
        id=_answer_id(resolved, mode, text),
        question=question,
        resolved_question=resolved,
        mode=mode,
        answer=text,
        grounded=False,
        closest=[citation_for(i, h.passage) for i, h in enumerate(hits[: settings.closest], 1)],
    )


def compose(
    question: str,
    hits: Sequence[Hit],
    *,
    embedder: Embedder,
    mode: Mode = Mode.practitioner,
    resolved: str | None = None,
    settings: AnswerSettings | None = None,
    data_dir: Path | None = None,
) -> Answer:
    """The extractive answer to ``resolved`` (default: ``question``) from ``hits``.

    ``data_dir`` is where saved sentence vectors are looked for (see
    ``build_sentence_vectors``); without it, sentences are embedded as they come.
    """
    settings = settings or AnswerSettings()
    resolved = resolved or question
    scored = _candidates(resolved, hits, settings, sentence_vectors(embedder, data_dir))
    candidates = scored.candidates
    if not candidates or max(c.cosine for c in candidates) < settings.threshold:
        return _not_covered(question, resolved, hits, mode, settings)

    chosen = _choose(scored, hits, settings.max_words[mode], settings, mode)
    if not chosen:  # every candidate was a fragment a plain reader could not follow
        return _not_covered(question, resolved, hits, mode, settings)
    conflicts = _conflicts(chosen, candidates, hits, settings)
    for _, other, _, _ in conflicts:
        if other not in chosen:
            chosen.append(other)  # both sides of a disagreement are cited
    chosen.sort(key=lambda c: (c.hit, c.position))

    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    for c in chosen:
        passage = hits[c.hit].passage
        if passage.id not in numbers:
            numbers[passage.id] = len(numbers) + 1
            citations.append(citation_for(numbers[passage.id], passage))

    notes = _currency_notes(chosen, candidates, hits, numbers, settings)
    wording = load_answer_text().notes
    for a, b, first, second in conflicts:
        pa, pb = hits[a.hit].passage, hits[b.hit].passage
        notes.append(
            wording["conflict"].format(
                first=_named(pa, numbers),
                first_value=f"“{first}”",
                second=_named(pb, numbers),
                second_value=f"“{second}”",
            )
        )

    topics = _topics([resolved]) + [
        t for t in _topics([c.text for c in citations]) if t not in _topics([resolved])
    ]
    if mode in (Mode.carer, Mode.child):
        sentences = _plain_sentences(chosen, hits, numbers, mode)
        body = " ".join(sentences)
        hedge = _hedge(mode, topics, body)
        parts = [body, hedge] if hedge else [body]
        openers = load_answer_text().openers
        if mode is Mode.child and openers:
            parts.insert(0, openers[0])
        text = " ".join(parts)
    else:
        text = " ".join(f"{_end_stop(c.text)} [{numbers[hits[c.hit].passage.id]}]" for c in chosen)
        if mode is Mode.trainer:
            text += "\n\n" + _trainer_extras(citations, topics, bool(notes))

    return Answer(
        id=_answer_id(resolved, mode, text),
        question=question,
        resolved_question=resolved,
        mode=mode,
        answer=text,
        citations=citations,
        grounded=True,
        notes=notes,
        follow_ups=_follow_ups(mode, resolved, topics),
    )


def _end_stop(sentence: str) -> str:
    """A list item closed with a full stop, so answers read as sentences."""
    return sentence if re.search(r"[.!?\"”’)]$", sentence) else sentence + "."


def answer(
    question: str,
    *,
    engine: Engine,
    mode: Mode = Mode.practitioner,
    history: Sequence[Turn] = (),
    generator: Generator | None = None,
    settings: AnswerSettings | None = None,
    filters: SearchFilters | None = None,
) -> Answer:
    """Answer one message: safeguarding first, then a cited answer (see the module doc).

    ``filters`` narrow the passages the answer may draw on (document kind, years ...).
    """
    settings = settings or getattr(engine.settings, "answer", None) or AnswerSettings()
    check = detect_disclosure(question, semantic=semantic_for(engine.embedder))
    if check.disclosure:
        audience = "child" if mode is Mode.child else "adult"
        reply = safety_reply(check, audience=audience)
        return Answer(
            id=_answer_id(question, mode, reply.text),
            question=question,
            resolved_question=question,
            mode=mode,
            answer=reply.text,
            grounded=False,
            safety=Safety(
                disclosure=True,
                category=check.category,
                signposts=[Signpost(**s.model_dump()) for s in reply.signposts],
            ),
        )

    resolved = resolve_followup(question, history)
    # the composer judges each sentence against the question itself; the passages come in
    # search's fused order (with search's own sentence re-ranking, evidence was cited for
    # 0.771 of the dev questions against 0.854, and 0.700 of a held-out set against 0.625)
    hits = engine.search(resolved, k=settings.k, filters=filters, by_sentence=False)
    extractive = compose(
        question,
        hits,
        embedder=engine.embedder,
        mode=mode,
        resolved=resolved,
        settings=settings,
        data_dir=engine.settings.data_dir,
    )
    if generator is None or not extractive.grounded:
        return extractive
    try:
        return generator.generate(resolved, hits, extractive)
    except Exception:  # any failure of an optional backend falls back to the extractive answer
        note = load_answer_text().notes["generator_failed"]
        return extractive.model_copy(update={"notes": [*extractive.notes, note]})
