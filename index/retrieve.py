"""Hybrid retrieval: dense and sparse candidates, fused in Python, ranked with priors.

Fusion happens here rather than in Qdrant (``FusionQuery``) so that both methods can be
measured on the dev set with the same candidates:

- ``rrf``: reciprocal rank fusion, ``sum(1 / (rrf_k + rank))`` over the lists a passage
  is in. Ignores score scales; robust default.
- ``score``: each list's scores normalised (``minmax`` to [0, 1], or ``zscore`` through a
  logistic to (0, 1)), then ``dense_weight * dense + (1 - dense_weight) * sparse``; a
  passage missing from a list gets 0 for it.

Then priors that know the documents, as score multipliers (settings, defaults in
``IndexSettings``): passages of superseded or historical documents get
``outdated_penalty`` unless the query asks about the past (see ``asks_about_past``);
``summary`` documents get ``summary_penalty``, and sections that restate the document's
own chapters (see ``restates_chapters``) ``restated_penalty`` unless the question asks
for a summary; footnotes get ``footnote_penalty``; stubs
(see ``is_stub``) get ``stub_penalty``; passages that only ask questions (see
``asks_the_reader``) get ``question_penalty``; passages of a document the question names
by its title (see ``names_title``) get ``named_boost``.
Finally the same paragraph never appears twice: hits are deduplicated by passage id and
by a hash of their normalised text (a paragraph repeated across files), best kept.
"""

from __future__ import annotations

import hashlib
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Protocol

import numpy as np

from careguide.index.analyser import query_vector
from careguide.index.embedder import Embedder
from careguide.index.models import Hit, SearchFilters
from careguide.index.question import (
    ASKS_MEANING,
    ASKS_SUMMARY,
    MOST_PARTS,
    REACHES_NOW,
    search_parts,
)
from careguide.index.sentences import ASKS, SentenceVectors, quotable
from careguide.index.settings import IndexSettings
from careguide.index.store import PassageStore
from careguide.ingest.models import DocKind, DocStatus, Passage, PassageKind

Fusion = Literal["rrf", "score"]


class QueryExpansion(Protocol):
    """What a query expander returns, e.g. ``careguide.guides.glossary.ExpandedQuery``."""

    @property
    def dense_text(self) -> str: ...

    @property
    def sparse_terms(self) -> Sequence[str] | str: ...


Expander = Callable[[str], QueryExpansion]

_PAST = re.compile(
    r"\b(?:(?:19|20)\d\d|used to|previous(?:ly)?|original(?:ly)?|histor(?:y|ic|ical|ically)"
    r"|before|old(?:er)?|earlier|former(?:ly)?|superseded|replaced|no longer|past)\b",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[\W_]+")


def asks_about_past(query: str) -> bool:
    """True when the query names a year or asks how things were ("previously", "used to").

    Such a query switches the currency prior off (it does not favour old documents: it
    lets relevance decide).
    """
    return _PAST.search(query) is not None


def text_fingerprint(text: str) -> str:
    """Hash of a passage's text, ignoring case, punctuation and spacing."""
    norm = _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()
    return hashlib.sha256(norm.encode()).hexdigest()


@dataclass
class _Candidate:
    passage: Passage
    dense: float | None = None
    sparse: float | None = None
    dense_rank: int | None = None
    sparse_rank: int | None = None


def _within(candidates: dict[str, _Candidate], depth: int) -> dict[str, _Candidate]:
    """The candidates found within the first ``depth`` of a list, each seen only as far
    as that depth: as a search fetching ``depth`` from each list would have found them."""
    within: dict[str, _Candidate] = {}
    for pid, c in candidates.items():
        dense = c.dense_rank is not None and c.dense_rank <= depth
        sparse = c.sparse_rank is not None and c.sparse_rank <= depth
        if dense or sparse:
            within[pid] = _Candidate(
                c.passage,
                dense=c.dense if dense else None,
                sparse=c.sparse if sparse else None,
                dense_rank=c.dense_rank if dense else None,
                sparse_rank=c.sparse_rank if sparse else None,
            )
    return within


def _normalise(scores: list[float], method: Literal["minmax", "zscore"]) -> list[float]:
    if not scores:
        return []
    if method == "minmax":
        low, high = min(scores), max(scores)
        return [1.0 if high == low else (s - low) / (high - low) for s in scores]
    mean = statistics.fmean(scores)
    spread = statistics.pstdev(scores)
    return [1 / (1 + math.exp(-((s - mean) / spread if spread else 0.0))) for s in scores]


def _fuse(
    candidates: dict[str, _Candidate],
    *,
    method: Fusion,
    settings: IndexSettings,
    dense_weight: float | None = None,
) -> dict[str, float]:
    """Fused score per passage id."""
    if method == "rrf":
        k = settings.rrf_k
        return {
            pid: sum(1 / (k + r) for r in (c.dense_rank, c.sparse_rank) if r is not None)
            for pid, c in candidates.items()
        }
    alpha = settings.dense_weight if dense_weight is None else dense_weight
    fused = dict.fromkeys(candidates, 0.0)
    for attr, weight in (("dense", alpha), ("sparse", 1 - alpha)):
        ids = [pid for pid, c in candidates.items() if getattr(c, attr) is not None]
        normed = _normalise([getattr(candidates[pid], attr) for pid in ids], settings.score_norm)
        for pid, value in zip(ids, normed, strict=True):
            fused[pid] += weight * value
    return fused


def names_document(query: str, passage: Passage) -> bool:
    """Does the query name a distinctive (capitalised) word of the passage's document title?"""
    title_words = {
        w.lower()
        for w in re.findall(
            r"\b[A-Z][a-z]{3,}\b", f"{passage.meta.title} {passage.meta.short_title}"
        )
    }
    query_words = set(re.findall(r"[a-z]{4,}", query.lower()))
    return bool(title_words & query_words - _COMMON_TITLE_WORDS)


def names_title(query: str, passage: Passage) -> bool:
    """Does the query name the passage's document by a phrase of its title ("what did the
    vision for change say", "Stable Homes")? A phrase is a stretch of the title between
    punctuation with at least two words that are not common to most titles here."""
    return _names(query, passage.meta.title, passage.meta.short_title)


@lru_cache(maxsize=4096)  # a search asks it of every candidate, from a handful of titles
def _names(query: str, title: str, short_title: str) -> bool:
    said = " ".join(w.strip("'’") for w in re.findall(r"[\w'’-]+", query.lower()))
    return any(
        re.search(rf"(?<![\w'’-]){re.escape(phrase)}(?![\w'’-])", said)
        for phrase in _title_phrases(title) | _title_phrases(short_title)
    )


@lru_cache(maxsize=1024)
def _title_phrases(title: str) -> frozenset[str]:
    phrases = set()
    for segment in re.split(r"[:,;()]", title.lower()):
        words = re.findall(r"[\w'’-]+", segment)
        while words and words[0] in {"a", "an", "the"}:
            words = words[1:]
        if sum(w not in _COMMON_TITLE_WORDS | _TITLE_GLUE for w in words) >= 2:
            phrases.add(" ".join(words))
    return frozenset(phrases)


_TITLE_GLUE = {"of", "and", "for", "the", "a", "an", "our", "in", "on", "to", "from", "children's"}
_COMMON_TITLE_WORDS = {
    "children",
    "child",
    "services",
    "service",
    "social",
    "care",
    "report",
    "inspection",
    "ofsted",
    "local",
    "authority",
    "council",
    "cabinet",
    "guidance",
    "review",
    "families",
}


STUB_WORDS = 8
"""Passages shorter than this with no sentence in them are stubs."""

_SENTENCE_END = re.compile(r"[.!?]['’\"”)]*\s*$|[.!?]\s")


def is_stub(passage: Passage) -> bool:
    """A passage of a few words that states nothing: a stray heading, a phone number.

    Such a passage wins on the words of its context header alone ("Practice", under a
    heading about Partners in Practice) and would push a paragraph that answers off the
    first page. Footnotes and definitions are judged elsewhere.
    """
    text = passage.text.strip()
    return (
        passage.kind == PassageKind.body
        and len(text.split()) < STUB_WORDS
        and not _SENTENCE_END.search(text)
    )


_RESTATES = re.compile(
    r"^(?:chapter |executive )?summary$|\b(?:detailed|set out|described) in chapter \d",
    re.IGNORECASE,
)


def restates_chapters(passage: Passage) -> bool:
    """Is the passage in a section that restates its document's own chapters: a chapter
    or executive summary, or an annex table headed "Family Help - as detailed in chapter
    2"? Such a section names every topic of the chapter in a few lines, so it matches
    questions as well as the paragraph it condenses, which says it in full."""
    return any(_RESTATES.search(heading.strip()) for heading in passage.heading_path)


def asks_the_reader(passage: Passage) -> bool:
    """A passage that only asks questions (a consultation's questions, a heading such as
    "What have we already started doing?"): it may share every word of a question and
    still answer none of it."""
    lines = [line for line in passage.text.splitlines() if line.strip()]
    return bool(lines) and all(ASKS.search(line) for line in lines)


def prior(passage: Passage, *, past: bool, settings: IndexSettings, query: str = "") -> float:
    """Score multiplier from what is known about the passage's document."""
    factor = 1.0
    if passage.meta.kind == DocKind.local_report and not names_document(query, passage):
        factor *= settings.local_penalty
    if names_title(query, passage):
        factor *= settings.named_boost
    if not past and passage.meta.status in (DocStatus.superseded, DocStatus.historical):
        factor *= settings.outdated_penalty
    if passage.meta.kind == DocKind.summary:
        factor *= settings.summary_penalty
    if restates_chapters(passage) and not ASKS_SUMMARY.search(query):
        factor *= settings.restated_penalty
    if passage.kind == PassageKind.footnote:
        factor *= settings.footnote_penalty
    if is_stub(passage):
        factor *= settings.stub_penalty
    if asks_the_reader(passage):
        factor *= settings.question_penalty
    if passage.kind == PassageKind.definition and not ASKS_MEANING.search(query):
        factor *= settings.definition_penalty
    return factor


def retrieve(
    query: str,
    *,
    embedder: Embedder,
    store: PassageStore,
    k: int = 10,
    filters: SearchFilters | None = None,
    fusion: Fusion | None = None,
    dense_weight: float | None = None,
    expand: Expander | None = None,
    settings: IndexSettings | None = None,
    sentences: SentenceVectors | None = None,
) -> list[Hit]:
    """The ``k`` best passages for ``query``, best first.

    ``fusion`` and ``dense_weight`` override the settings (for measuring on the dev set);
    ``settings`` defaults to the store's. ``expand`` rewrites the query (e.g. the
    glossary's ``expand_query``): its ``dense_text`` is embedded in place of the query,
    and its ``sparse_terms`` join the query's own terms at ``expansion_weight``. With
    ``sentences`` (the vectors of the corpus's sentences), the first ``sentence_depth``
    hits are ranked again by their best sentence (see ``_by_best_sentence``).

    A question that asks several things (``search_parts``) or spans dates
    (``dated_filters``) is also searched once per part and per date, and each search's
    best hit is placed after the whole question's first ``part_after`` hits: the whole
    question's terms can drown what one part asks ("who are the partners now and when
    was it decided?").
    """
    settings = settings or store.settings
    if not re.search(r"\w", query) or k < 1:  # "???" asks nothing a passage could answer
        return []
    search = _Search(embedder, store, fusion, dense_weight, expand, settings, sentences)
    lead = settings.part_after
    searches: list[tuple[str, SearchFilters | None]] = []
    if lead and k > lead:
        searches = [(query, f) for f in dated_filters(query, filters)]
        searches += [(part, filters) for part in search_parts(query)]
    search.embed([query, *(q for q, _ in searches)])  # one call: the model's cost is per call
    ranked = search.ranked(query, filters, k)
    if searches:
        found = [search.ranked(q, f, 1)[:1] for q, f in searches]
        ranked = _placed(ranked, [best[0] for best in found if best], lead)
    return [
        Hit(
            rank=rank,
            score=score,
            passage=c.passage,
            dense_score=c.dense,
            sparse_score=c.sparse,
        )
        for rank, (score, c) in enumerate(ranked[:k], start=1)
    ]


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def dated_filters(query: str, filters: SearchFilters | None = None) -> list[SearchFilters]:
    """One filter per date a question spans, within ``filters``: each year it names, and
    the current documents when it also asks about now ("what was promised in 2016 - is it
    still happening?"); ``[]`` for a question about one date or none. At most
    ``MOST_PARTS`` years, the first named."""
    years = list(dict.fromkeys(int(y) for y in _YEAR.findall(query)))[:MOST_PARTS]
    now = REACHES_NOW.search(query) is not None
    if len(years) + now < 2:
        return []
    base = filters or SearchFilters()
    dated: list[SearchFilters] = []
    for year in years:
        low = max(year, base.year_from) if base.year_from is not None else year
        high = min(year, base.year_to) if base.year_to is not None else year
        if low <= high:
            dated.append(base.model_copy(update={"year_from": low, "year_to": high}))
    if now and (not base.statuses or DocStatus.current in base.statuses):
        dated.append(base.model_copy(update={"statuses": [DocStatus.current]}))
    return dated


def _placed(
    ranked: list[tuple[float, _Candidate]], extra: list[tuple[float, _Candidate]], lead: int
) -> list[tuple[float, _Candidate]]:
    """``ranked`` with the ``extra`` hits placed after its first ``lead``, once each; a
    placed hit takes the score of the hit before it, so scores never rise down the list."""
    placed: list[tuple[float, _Candidate]] = []
    seen: set[str] = set()
    for score, c in [*ranked[:lead], *extra, *ranked[lead:]]:
        fingerprint = text_fingerprint(c.passage.text)
        if c.passage.id in seen or fingerprint in seen:
            continue
        seen.update((c.passage.id, fingerprint))
        placed.append((min(score, placed[-1][0]) if placed else score, c))
    return placed


@dataclass
class _Search:
    """One search's collaborators, so that a question's parts are searched the same way."""

    embedder: Embedder
    store: PassageStore
    fusion: Fusion | None
    dense_weight: float | None
    expand: Expander | None
    settings: IndexSettings
    sentences: SentenceVectors | None
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    readings: dict[str, tuple[list[str], str, list[str]]] = field(default_factory=dict)

    @property
    def rerank(self) -> bool:
        return self.sentences is not None and self.settings.sentence_weight > 0

    def texts(self, query: str) -> tuple[list[str], str, list[str]]:
        """What is embedded for ``query`` (its dense side), what its sentences are judged
        against, and the extra sparse terms of its glossary reading."""
        if query in self.readings:
            return self.readings[query]
        dense_text, extra_terms = query, []
        if self.expand is not None:
            expanded = self.expand(query)
            dense_text = expanded.dense_text or query
            terms = expanded.sparse_terms
            extra_terms = [terms] if isinstance(terms, str) else list(terms)
        # the dense side reads the question as typed (``dense_query``): the glossary's terms
        # already reach the sparse side; sentences are judged against the glossary's reading
        texts = {"question": [query], "expanded": [dense_text], "both": [query, dense_text]}
        self.readings[query] = (texts[self.settings.dense_query], dense_text, extra_terms)
        return self.readings[query]

    def embed(self, queries: list[str]) -> None:
        """Embed what the searches for ``queries`` need that is not embedded yet."""
        wanted: list[str] = []
        for query in queries:
            dense_texts, dense_text, _ = self.texts(query)
            wanted += [*dense_texts, *([dense_text] if self.rerank else [])]
        missing = [t for t in dict.fromkeys(wanted) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.embedder.embed(missing), strict=True))

    def ranked(
        self, query: str, filters: SearchFilters | None, k: int
    ) -> list[tuple[float, _Candidate]]:
        """The best ``k`` (or, re-ranked by sentence, ``sentence_depth``) for ``query``."""
        settings = self.settings
        dense_texts, dense_text, extra_terms = self.texts(query)
        limit = max(settings.candidates, k)
        self.embed([query])
        vectors = self.vectors
        sentence_query = vectors[dense_text] if self.rerank else None
        query_vec = np.mean([vectors[t] for t in dense_texts], axis=0)
        query_vec = query_vec / (float(np.linalg.norm(query_vec)) or 1.0)
        dense = self.store.search("dense", query_vec, limit=limit, filters=filters)
        sparse_query = query_vector(
            query, extra_terms=extra_terms, extra_weight=settings.expansion_weight
        )
        sparse = self.store.search("sparse", sparse_query, limit=limit, filters=filters)

        candidates: dict[str, _Candidate] = {}
        for rank, (passage, score) in enumerate(dense, start=1):
            c = candidates.setdefault(passage.id, _Candidate(passage))
            c.dense, c.dense_rank = score, rank
        for rank, (passage, score) in enumerate(sparse, start=1):
            c = candidates.setdefault(passage.id, _Candidate(passage))
            c.sparse, c.sparse_rank = score, rank

        past = asks_about_past(query)

        def ordered(pool: dict[str, _Candidate]) -> list[tuple[float, _Candidate]]:
            fused = _fuse(
                pool,
                method=self.fusion or settings.fusion,
                settings=settings,
                dense_weight=self.dense_weight,
            )
            return sorted(
                (
                    (fused[pid] * prior(c.passage, past=past, settings=settings, query=query), c)
                    for pid, c in pool.items()
                ),
                key=lambda item: (-item[0], item[1].passage.id),
            )

        # the first hits are fused from each list's first ``candidates``, however long the
        # lists fetched for a large k: asking for 20 hits must not reorder the first 10
        head = _within(candidates, settings.candidates)
        scored = ordered(head)
        if len(head) < len(candidates):
            floor = scored[-1][0] if scored else 0.0
            tail = ordered({pid: c for pid, c in candidates.items() if pid not in head})
            scored += [(min(score, floor), c) for score, c in tail]

        wanted_hits = max(k, settings.sentence_depth) if self.rerank else k
        ranked: list[tuple[float, _Candidate]] = []
        seen_text: set[str] = set()
        for score, c in scored:
            fingerprint = text_fingerprint(c.passage.text)
            if fingerprint in seen_text:
                continue
            seen_text.add(fingerprint)
            ranked.append((score, c))
            if len(ranked) == wanted_hits:
                break
        if self.sentences is not None and sentence_query is not None:
            ranked = _by_best_sentence(ranked, sentence_query, self.sentences, settings)
        return ranked


def _by_best_sentence(
    ranked: list[tuple[float, _Candidate]],
    question: np.ndarray,
    sentences: SentenceVectors,
    settings: IndexSettings,
) -> list[tuple[float, _Candidate]]:
    """The first ``sentence_depth`` hits ranked again with their best sentence.

    A passage is embedded whole, and a long one is cut at the model's length limit, so a
    paragraph that answers in one sentence among many can rank below one that is about
    the topic throughout. Each of the first hits gains ``sentence_weight`` times its best
    sentence's cosine to the question (min-max scaled over those hits), added to its
    score scaled by the best score; hits further down keep their order below them.
    Measured on the dev set and on a held-out set written without it: Recall@5 0.792
    -> 0.833 and 0.750 -> 0.775, MRR@10 0.758 -> 0.764 and 0.745 -> 0.822.
    """
    depth = min(settings.sentence_depth, len(ranked))
    head = ranked[:depth]

    def best_cosine(passage: Passage) -> float:
        said = quotable(passage.text)
        return float((sentences.of(said) @ question).max()) if said else 0.0

    best = [best_cosine(c.passage) for _, c in head]
    low, high = min(best, default=0.0), max(best, default=0.0)
    top = max((score for score, _ in head), default=0.0) or 1.0
    rescored = [
        (
            score / top
            + settings.sentence_weight * ((b - low) / (high - low) if high > low else 0.0),
            c,
        )
        for (score, c), b in zip(head, best, strict=True)
    ]
    rescored.sort(key=lambda item: (-item[0], item[1].passage.id))
    floor = min((score for score, _ in rescored), default=0.0)
    tail = [(min(score / top, floor), c) for score, c in ranked[depth:]]
    return rescored + tail
