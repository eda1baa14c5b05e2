"""An English analyser for the sparse (lexical) side of hybrid search.

Guidance is full of things a dense model blurs: paragraph numbers, money, percentages,
acronyms (SGO, CAO, LAC, IRO) and hyphenated terms spelt both ways. ``analyse`` turns
text into the tokens that the sparse vectors are built from; documents and queries go
through the same function, so whatever a choice below does, it does on both sides.

Choices, in order of application:

- Text is NFKC-normalised and lower-cased; curly apostrophes and non-breaking hyphens
  become ASCII ones.
- Money: ``£200 million``, ``£200m`` and ``£200 m`` all give ``£200m``, plus ``200m`` and
  ``200`` so a query without the pound sign still meets it. Scales are ``k``
  (thousand), ``m`` (million) and ``bn`` (billion); ``$`` and ``€`` work the same way.
  Thousands separators are dropped: ``£1,200`` gives ``£1200`` and ``1200``.
- Percentages: ``45%``, ``45 per cent`` and ``45 percent`` give ``45%`` and ``45``.
- Other numbers are kept as written, without separators (``2016``, ``3.12``, ``1200``),
  and ``200 million`` gives ``200m`` and ``200``.
- Possessives: ``children's`` gives ``children`` (then ``child``, below), ``parents'``
  gives ``parents``.
- Hyphenated terms give the joined form and each part: ``co-operation`` gives
  ``cooperation``, ``co`` and ``operation``.
- Stopwords (a short English list) and single letters are dropped. Modal verbs
  (``must``, ``should``, ``may``) are kept: guidance turns on them, and IDF already
  makes them cheap.
- Plurals: a light S-stemmer (Harman's rules, plus ``-sses``/``-xes``/``-ches``/``-shes``)
  and a few irregular plurals (``children`` -> ``child``). It only strips plural
  endings, so ``caring`` and ``care`` stay apart and acronyms of three letters
  (``nhs``, ``sgo``) are left alone. Acronym plurals are caught before lower-casing:
  ``LAs`` and ``IROs`` give ``la`` and ``iro``. Porter stemming was
  rejected: it merges ``authority`` with ``author`` and ``cooperation`` with ``cooper``.

``sparse_vector`` weights document terms like BM25 (term-frequency saturation and
length normalisation); IDF is left to Qdrant (``Modifier.IDF`` on the sparse vector),
which counts document frequencies over the collection as it stands. ``query_vector``
gives every unique query term weight 1.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from qdrant_client import models

K1 = 1.2
"""BM25 term-frequency saturation: the weight of a term approaches (K1 + 1) as it repeats."""

B = 0.75
"""BM25 length normalisation: 0 ignores passage length, 1 normalises fully."""

DEFAULT_AVGDL = 60.0
"""Average passage length in tokens, used when the corpus's own average is not given.

``Store.index`` measures the real average over the passages it indexes and passes it in;
this constant is for one-off vectors and tests.
"""

_STOPWORD_TEXT = """
a about above after again against all am an and any are as at be because been being
below between both but by can could did do does doing dont down during each few for
from further had has have having he her here hers herself him himself his how i if in
into is it its itself just me more most my myself no nor not of off on once only or
other our ours ourselves out over own same she so some such than that the their theirs
them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours
yourself yourselves also etc ie eg cant wont isnt arent doesnt didnt
actually anyone anybody anything really basically literally like ok okay please pls
thanks hi hello
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

IRREGULAR_PLURALS = {"children": "child", "women": "woman", "men": "man", "feet": "foot"}

_SCALES = {
    "k": "k",
    "thousand": "k",
    "m": "m",
    "million": "m",
    "millions": "m",
    "bn": "bn",
    "billion": "bn",
    "billions": "bn",
}

_NUMBER = r"\d(?:[\d,]*\d)?(?:\.\d+)?"
_TOKEN = re.compile(
    rf"""
    (?P<currency>[£$€])\s?(?P<money>{_NUMBER})
        (?:\s?(?P<money_scale>k|thousand|m|millions?|bn|billions?)(?![^\W_]))?
    | (?P<number>{_NUMBER})
        (?:\s?(?P<percent>%|per\s?cent(?![^\W_]))
          |\s?(?P<scale>thousand|m|millions?|bn|billions?)(?![^\W_]))?
        (?![^\W_])
    | (?P<word>[^\W_]+(?:['-][^\W_]+)*'?)
    """,
    re.VERBOSE,
)
_ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-"})


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _ACRONYM_PLURAL.sub(r"\1", text).lower()


def _plain_number(number: str) -> str:
    return number.replace(",", "")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip a plural ending from a lower-case word (a light S-stemmer)."""
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss", "is")):
        return word[:-1]
    return word


def _word_tokens(word: str) -> Iterable[str]:
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    parts = [p for p in word.split("-") if p]
    if len(parts) > 1:
        yield "".join(parts)
    yield from parts


def _keep(token: str) -> bool:
    return token not in STOPWORDS and not (len(token) == 1 and token.isalpha())


def analyse(text: str) -> list[str]:
    """Tokens of ``text`` for sparse search, in order, repeats kept."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(_normalise(text)):
        if match["money"]:
            amount = _plain_number(match["money"])
            scale = _SCALES.get(match["money_scale"] or "", "")
            tokens.append(f"{match['currency']}{amount}{scale}")
            if scale:
                tokens.append(f"{amount}{scale}")
            tokens.append(amount)
        elif match["number"]:
            amount = _plain_number(match["number"])
            if match["percent"]:
                tokens.append(f"{amount}%")
            elif match["scale"]:
                tokens.append(f"{amount}{_SCALES[match['scale']]}")
            tokens.append(amount)
        else:
            tokens.extend(stem(t) for t in _word_tokens(match["word"]) if _keep(t))
    return tokens


@lru_cache(maxsize=65536)
def _porter(word: str) -> str:
    return str(_porter_stemmer().stem(word))


@lru_cache(maxsize=1)
def _porter_stemmer() -> Any:
    from nltk.stem.porter import PorterStemmer  # pure code: no data download

    return PorterStemmer()


def index_terms(text: str) -> list[str]:
    """The terms a sparse vector is built from: ``analyse`` tokens plus their Porter stems.

    The light stemmer keeps "authority" apart from "author"; the extra "~stem" terms let
    derived forms meet ("regulate", "regulator", "regulation" -> "~regul") with their own,
    usually lower, IDF. Measured on the dev set: one more question found in the top 5.
    """
    tokens = analyse(text)
    return tokens + [f"~{_porter(t)}" for t in tokens if t.isalpha() and len(t) > 3]


def term_index(token: str) -> int:
    """The sparse-vector dimension of a token: a stable 32-bit hash.

    Hashing keeps the vocabulary out of the index's state (nothing to persist or
    rebuild when new words arrive); with tens of thousands of distinct tokens, the
    chance that two share an index is negligible.
    """
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "little")


def _vector(weights: dict[int, float]) -> models.SparseVector:
    indices = sorted(weights)
    return models.SparseVector(indices=indices, values=[weights[i] for i in indices])


def sparse_vector(
    text: str, *, avgdl: float = DEFAULT_AVGDL, k1: float = K1, b: float = B
) -> models.SparseVector:
    """The document-side vector of ``text``: BM25 term weights without IDF."""
    tokens = index_terms(text)
    length_norm = 1 - b + b * len(tokens) / max(avgdl, 1.0)
    weights: dict[int, float] = {}
    for token, tf in Counter(tokens).items():
        index = term_index(token)
        weights[index] = weights.get(index, 0.0) + tf * (k1 + 1) / (tf + k1 * length_norm)
    return _vector(weights)


def query_vector(
    text: str, *, extra_terms: Sequence[str] = (), extra_weight: float = 1.0
) -> models.SparseVector:
    """The query-side vector: weight 1 per unique term of ``text``.

    ``extra_terms`` (e.g. glossary expansions) are analysed too; terms found only
    there get ``extra_weight``, so expansions can count for less than the user's words.
    """
    weights = {term_index(t): 1.0 for t in index_terms(text)}
    for term in extra_terms:
        for token in index_terms(term):
            weights.setdefault(term_index(token), extra_weight)
    return _vector(weights)
