"""Sentences: how passages are cut into the sentences answers quote, and their vectors.

Search and answers both judge passages by their best sentence, so the cutting and the
vectors live beside the index: ``careguide ingest`` embeds every sentence an answer
could quote (``build_sentence_vectors``) and saves them under the data directory.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from careguide.index.embedder import Embedder
from careguide.ingest.clean import MARKDOWN_LINK, unlink
from careguide.ingest.models import Passage

ASKS = re.compile(r"\?['’\"”)]*\s*(?:\[[^\]]*\]\s*\.?)?\s*$")
"""A sentence or line that asks a question, perhaps followed by its answer options:
"Do you agree ...? [Select one from: Agree; Disagree]"."""

# --- sentences -----------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-•*–]|\(?[a-z0-9]{1,3}[.)])\s+")
# A sentence ends at . ! or ? (perhaps closed by a quote or bracket, or followed by a glued
# footnote number) before a space and a capital, a digit or an opening quote.
_END = re.compile(
    r"(?:[.!?][\"”’)\]]*|(?<=[a-z)])[.!?]\d{1,3})\s+(?=[A-Z0-9£“\"‘(])",
)
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "para",
        "paras",
        "no",
        "nos",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "vs",
        "cf",
        "fig",
        "ch",
        "sec",
        "s",
        "art",
        "reg",
        "ref",
        "approx",
    ]
)
_WHITESPACE = re.compile(r"\s+")
# a link after a sentence's end is a pointer to read more, not a sentence of its own
_TRAILING_LINK = re.compile(rf"(?<=[.!?])(?:\s*{MARKDOWN_LINK.pattern})+\s*$")


def unlinked(text: str) -> str:
    """Markdown links as their words, and a link after the last full stop left out.

    "... local authority children's services. [Inspecting local authority children's
    services - GOV.UK](https://www.gov.uk)" is a sentence and a pointer; an answer quotes
    the sentence, and its citation already points to the passage.
    """
    return unlink(_TRAILING_LINK.sub("", text))


LIST_WORDS = 60
"""The most words of a short list read as one sentence with its lead-in (``run_in_lists``)."""

_ITEM_END = re.compile(r"(?:[;,.]|\s+(?:and|or))+\s*$")


def run_in_lists(lines: list[str]) -> list[str]:
    """Lines with each short bulleted list run into the line that leads in to it.

    "The plan is built around three pillars of reform:" followed by "- people and
    leadership", "- practice and systems", "- governance and accountability." reads "The
    plan is built around three pillars of reform: people and leadership; practice and
    systems; governance and accountability." A lead-in alone says nothing and the items
    are too short to quote, so without this a question asking for the pillars could quote
    neither. Lists of more than ``LIST_WORDS`` words keep their lines: each item can be
    quoted alone.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j, items = i + 1, []
        if line.rstrip().endswith(":") and not _BULLET.match(line):
            while j < len(lines) and (_BULLET.match(lines[j]) or not lines[j].strip()):
                if lines[j].strip():
                    items.append(_ITEM_END.sub("", _BULLET.sub("", lines[j])).strip())
                j += 1
        words = len(line.split()) + sum(len(item.split()) for item in items)
        if len(items) >= 2 and all(items) and words <= LIST_WORDS:
            out.append(f"{line.strip()} {'; '.join(items)}.")
            i = j
        else:
            out.append(line)
            i += 1
    return out


def trace_normalise(text: str) -> str:
    """Text as sentence tracing compares it: links as their words, short lists run into
    their lead-in, whitespace collapsed, no bullet, no end stop."""
    text = "\n".join(run_in_lists(unlink(text.strip()).splitlines()))
    text = _WHITESPACE.sub(" ", _BULLET.sub("", text))
    return text.rstrip(" .;,:")


def split_sentences(text: str) -> list[tuple[str, bool]]:
    """The sentences of a passage, in order, each with whether it is a list item.

    Each line that starts with a bullet is one unit, unless it belongs to a short list
    run into its lead-in (see ``run_in_lists``); other lines are cut into sentences, and
    a table row into its cells first. Whitespace is collapsed, bullets dropped and
    markdown links read as their words (see ``unlinked``); nothing else is changed.
    """
    units: list[tuple[str, bool]] = []
    for line in run_in_lists([unlinked(line) for line in text.splitlines()]):
        if not line.strip():
            continue
        if _BULLET.match(line):
            units.append((_WHITESPACE.sub(" ", _BULLET.sub("", line)).strip(), True))
            continue
        for cell in _CELL.split(_WHITESPACE.sub(" ", line).strip()):
            start = 0
            flat = cell.strip()
            for end in _END.finditer(flat):
                before = flat[start : end.start() + 1].rsplit(" ", 1)[-1].rstrip(".").lower()
                if before in _ABBREVIATIONS or re.fullmatch(r"[a-z]", before):
                    continue
                if _LIST_NUMBER.search(flat[start : end.start() + 1]):
                    continue  # "... are: 1. Using X; 2. Using Y": a list's numbers
                units.append((flat[start : end.end()].strip(), False))
                start = end.end()
            if flat[start:].strip():
                units.append((flat[start:].strip(), False))
    return units


_LIST_NUMBER = re.compile(r"(?:^|[:;]\s+)\d{1,2}\.$")
"""An item number of a list run into one line, after a colon, a semicolon or at the start."""

_CELL = re.compile(r";\s+(?=[A-Z][\w’' ]{0,40}:\s)")
"""Where one cell of a table row ends ("...; Response: ..."), as ingest joins them."""


# what a footnote's link to a web page ends with: "... - GOV.UK (www.gov.uk)"
_WEB_TITLE = re.compile(
    r"\((?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}(?:/\S*)?\)$", re.IGNORECASE
)


def usable(sentence: str, listed: bool, least: int) -> bool:
    """Whether a sentence can stand in an answer: long enough, whole, not a heading."""
    words = sentence.split()
    if len(words) < least or sentence.endswith(":") or not re.search(r"[a-z]", sentence):
        return False
    if ASKS.search(sentence):  # a question, perhaps with its answer options after it
        return False
    if _WEB_TITLE.search(sentence):  # a web page's title: a pointer, not a statement
        return False
    if listed:
        return True
    if sentence[0].islower():
        return False  # the tail of a sentence cut off at a page or passage boundary
    return bool(re.search(r"[.!\"”’)]$|[.!]\d{1,3}$|[a-z]\.\d*$", sentence))


# --- vectors ---------------------------------------------------------------------------------


class SentenceVectors:
    """Sentence vectors from one embedder, kept so that a warm process rarely embeds twice.

    Embedding forty candidate sentences per question costs far more than retrieval on a
    CPU, so vectors are kept by sentence text: in memory for the life of the process,
    and on disk (``save``/``load``) when ``build_sentence_vectors`` has embedded every
    sentence of the corpus ahead of time. A sentence not yet seen is embedded on demand,
    so a stale file only costs time, never correctness.
    """

    def __init__(self, embedder: Embedder, size: int = 200_000) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def add(self, texts: Sequence[str]) -> None:
        """Embed the texts not yet known, in batches."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        for start in range(0, len(missing), 256):
            batch = missing[start : start + 256]
            self._keep(batch, self.embedder.embed(batch))

    def retain(self, texts: set[str]) -> None:
        """Forget vectors of sentences not in ``texts``."""
        self._vectors = {t: v for t, v in self._vectors.items() if t in texts}

    def _keep(self, texts: Sequence[str], rows: np.ndarray) -> None:
        for text, row in zip(texts, rows, strict=True):
            if len(self._vectors) >= self.size:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[text] = row

    def of(self, texts: Sequence[str]) -> np.ndarray:
        """The texts' vectors, one row each, embedding only those not yet known."""
        self.add(texts)
        return np.stack([self._vectors[t] for t in texts])

    def embed(self, queries: Sequence[str], texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The queries' vectors and the texts' vectors, embedding what is new in one batch.

        Queries (a question and its parts) are never kept: they rarely come back.
        """
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        rows = self.embedder.embed([*queries, *missing])
        self._keep(missing, rows[len(queries) :])
        matrix = (
            np.stack([self._vectors[t] for t in texts])
            if texts
            else np.zeros((0, rows.shape[1]), dtype=np.float32)
        )
        return rows[: len(queries)], matrix

    def save(self, path: Path) -> None:
        """Write the vectors beside the index (atomically: readers never see half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._vectors)
        matrix = np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 0))
        partial = path.with_name(path.name + ".partial.npz")
        np.savez(partial, texts=np.array(texts, dtype=object), vectors=matrix)
        partial.replace(path)

    def load(self, path: Path) -> bool:
        """Add the vectors saved at ``path``; False when there is no usable file."""
        try:
            with np.load(path, allow_pickle=True) as saved:
                self._keep([str(t) for t in saved["texts"]], saved["vectors"])
        except (OSError, KeyError, ValueError):
            return False
        return True


SENTENCE_FORMAT = "5"
"""Bump when ``split_sentences`` or ``usable`` change what a sentence is: the next ingest
then embeds the corpus's sentences afresh instead of trusting a file of the old ones."""


def sentence_vector_path(data_dir: Path, embedder: Embedder) -> Path:
    """Where the sentence vectors of ``embedder``'s model are kept under ``data_dir``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder.name)
    return data_dir / "sentences" / f"{safe}.s{SENTENCE_FORMAT}.npz"


SENTENCE_WORDS = 6
"""The fewest words a sentence needs to be quoted (or to speak for its passage in search)."""


@lru_cache(maxsize=20_000)
def quotable(text: str, least: int = SENTENCE_WORDS) -> tuple[str, ...]:
    """The sentences of a passage's text that an answer could quote (see ``usable``);
    the same passages come back search after search."""
    return tuple(t for t, listed in split_sentences(text) if usable(t, listed, least))


def corpus_sentences(passages: Sequence[Passage], least: int = SENTENCE_WORDS) -> list[str]:
    """Every sentence of the passages that the composer could choose."""
    return [text for passage in passages for text in quotable(passage.text, least)]


def build_sentence_vectors(
    passages: Sequence[Passage], embedder: Embedder, path: Path, *, reuse: bool = False
) -> int:
    """Embed every candidate sentence of the corpus and save them; returns how many.

    Call it after indexing (it takes about as long as embedding the passages): answers
    then embed only the question. With ``reuse``, vectors already saved at ``path`` are
    kept and only new sentences are embedded; sentences no longer in the corpus are dropped.
    """
    vectors = SentenceVectors(embedder)
    if reuse:
        vectors.load(path)
    wanted = corpus_sentences(passages)
    vectors.retain(set(wanted))
    vectors.add(wanted)
    vectors.save(path)
    _CACHES[embedder] = vectors
    return len(vectors)


_CACHES: weakref.WeakKeyDictionary[Any, SentenceVectors] = weakref.WeakKeyDictionary()


def sentence_vectors(embedder: Embedder, data_dir: Path | None = None) -> SentenceVectors:
    """The process's vectors for ``embedder``, loaded from ``data_dir`` the first time."""
    vectors = _CACHES.get(embedder)
    if vectors is None:
        vectors = _CACHES[embedder] = SentenceVectors(embedder)
        if data_dir is not None:
            vectors.load(sentence_vector_path(data_dir, embedder))
    return vectors
