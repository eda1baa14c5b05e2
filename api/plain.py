"""Plain language for the carer and child answer modes.

``plainify`` rewrites one sentence chosen from a guidance passage into one or more plain
sentences, using only what the sentence says:

- markup, footnote markers and bracketed asides go; a bracket that holds an amount, a
  percentage, an age or a period ("(£2,000)", "(up to age 25)") stays;
- the department's "we" and "our" become the speaker's ("We will publish" -> "The
  government plans to publish");
- acronyms are spelled out, and jargon with a short plain replacement in the glossary is
  replaced ("looked-after children" -> "children in care"); a term whose plain
  meaning is long keeps its name and gets a sentence of explanation after it;
- long official words and phrases with an everyday equivalent are swapped for it, and a
  linking word that opens a sentence ("In addition, ") goes (guides/plain_words.yaml);
- a table row's label goes ("Response: ..."), a dictionary line becomes a sentence
  ("Family Help Worker - A person who ..." -> "A Family Help Worker is a person who ..."),
  a list item's closing "and" goes, and pointers elsewhere in the document ("as set out
  in chapter 4") go; ``stands_alone`` tells the composer which sentences are fragments
  that no rewrite can save ("Should arrange a visit ...");
- long sentences are split at clause boundaries where both halves stand as sentences
  (about 15 words a sentence for carers, 10 for children): "; ", ", and", "but", a
  dash, a leading "Although", and with a short opener where the second half needs one
  (", which" -> "This ...", "because" -> "This is because ...", "in order to" -> "This
  is to ...", ", including" -> "This includes ...", "volunteers who give" -> "They
  give"); a second half without a subject takes the first half's ("The council will
  assess ..., and will then decide" -> "... The council will then decide"), and so does
  a second verb after "will" ("A pilot will start in May and run for a year" -> "A
  pilot will start in May. A pilot will run for a year");
- a term's explanation with a "that" clause is two sentences ("A care order is a court
  order. It places a child in the council's care.").

Numbers, dates and amounts are never written, only kept or (inside a dropped aside or a
footnote marker) dropped: every number in the output is one of the input's, exactly as
the input wrote it. ``number_tokens`` is the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import textstat
import yaml

from careguide.guides.glossary import Glossary, GlossaryEntry, GlossaryMatch, Mode, load_glossary
from careguide.ingest.clean import MARKDOWN_LINK, MONTHS, SENTENCE_BREAK


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Longest sentence (in words) left whole, and the fewest words each half of a split needs.
_SPLIT_AT: dict[str, tuple[int, int]] = {"carer": (15, 5), "child": (10, 4)}

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SUPERSCRIPT = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079]+")
_GLUED_FOOTNOTE = re.compile(r"(?<=[a-z]{3})\d{1,3}(?=[\s.,;:!?)]|$)(?![.,]\d)")
_SQUARE = re.compile(r"\[([^\[\]]*)\]")
_EMPHASIS = re.compile(r"\*\*|__")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ROUND = re.compile(r"\(([^()]*)\)")
# What makes a bracketed number part of the meaning, not a reference or a citation year.
_NEEDED_NUMBER = re.compile(
    r"[£$€%]|\d\s*(?:per\s?cent|million|billion|bn|m|k)\b"
    r"|\d{4}\s*(?:-|–|to)\s*\d{2,4}"  # a financial or school year: (2016-17)
    r"|\b(?:aged?|under|over|up to|from|until|within|before|after|at least|at most)\s+\d"
    r"|\d\s*(?:years?|months?|weeks?|days?|hours?|working days|pounds|pence|times|children|"
    r"young people|people|families|councils|local authorities|social workers|carers)\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b|\b(?:{MONTHS})\s+\d{{4}}\b",
    re.IGNORECASE,
)
_DETERMINER = re.compile(
    r"\b(a|an|the|this|that|each|every|any|your|their|his|her|its|no|one)\s+$", re.IGNORECASE
)
# a quantity before a noun used as a modifier: "many", "most", "142"
_COUNTED_BEFORE = re.compile(
    r"\b(?:many|most|some|all|few|several|both|more|fewer|other|no|\d[\d,.]*%?)\s+$",
    re.IGNORECASE,
)
_RELATIVE = frozenset({"that", "who", "whom", "which", "where", "whose", "when"})
_POST_MODIFIER = _RELATIVE | {"in", "of", "for", "with", "to", "under", "until", "from", "by"}
# Nouns that show the term before them is a modifier ("looked-after children numbers"), so a
# plain phrase with words after its head noun ("children in care") cannot stand there.
_MODIFIED_NOUNS = _wordset(
    "review reviews plan plans allowance allowances team teams service services status "
    "population numbers number data figures rate rates holder holders placement placements "
    "support assessment assessments application applications budget funding arrangements "
    "process system cases case order orders outcomes pupil pupils policy policies payment "
    "payments carer carers proceedings hearing meeting meetings panel work worker workers "
    "sector market strategy"
)
_AUXILIARIES = _wordset(
    "is are was were be been being will would can could should must may might shall has "
    "have had do does did need needs plans wants means helps gives gets makes takes "
    "provides supports includes allows lets leads sets shows says said found made took gave "
    "became showed told know knows think thinks believes expects intends agrees recognises "
    "remain remains stay stays live lives go goes come comes work works use uses receive "
    "receives continue continues face faces feel feels want get have keep keeps look looks "
    "help decide decides chair chairs pay pays left moved became lived"
)
_ADVERBS = _wordset(
    "also now then still therefore further already jointly first often always never only "
    "just not soon rightly collectively clearly"
)
_NOT_VERBS = _wordset(
    "as all both each in at and or too alone together ourselves who that the a an to of for "
    "with on by from"
)
_PAST = _wordset(
    "made set gave took put said sent brought began heard saw found held led paid spent "
    "built met thought knew wrote became came ran got let kept left lost told understood"
)
_PLURAL_VERBS = frozenset({"are", "were", "have", "do"})  # "UASC are": the acronym is plural
_MODALS = _wordset("can could would should may might must shall")


def number_tokens(text: str) -> list[str]:
    """Every number in a text as written: "£2,000.50 in 2016-17" -> ["2,000.50", "2016", "17"]."""
    return _NUMBER.findall(text)


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade of ``text`` (US school grade; about 5 suits a child reader)."""
    return float(textstat.flesch_kincaid_grade(text)) if text.strip() else 0.0


def smog(text: str) -> float:
    """SMOG index of ``text``: years of schooling needed, counting long words."""
    return float(textstat.smog_index(text)) if text.strip() else 0.0


def plainify(
    sentence: str,
    mode: Mode,
    *,
    speaker: str = "the government",
    explain: bool = True,
    glossary: Glossary | None = None,
    plans: bool = False,
) -> list[str]:
    """Rewrite one guidance sentence as plain sentences for a carer or a child reader.

    ``speaker`` is who "we" means in the source: the government for the department's
    papers, "the council" or "Ofsted" for theirs. With ``plans`` (the sentence is from a
    paper setting out what ``speaker`` will do), a commitment written as a bare verb
    ("Invest £9 million in ...", a list item completing "We will:") says who will do it
    ("The government plans to invest ..."). With ``explain``, a term whose plain meaning is
    too long to put in the sentence gets a sentence of its own after it.
    """
    if mode not in _SPLIT_AT:
        raise ValueError(f"mode must be 'carer' or 'child', not {mode!r}")
    glossary = glossary or load_glossary()
    cleaned = _clean(sentence)
    text = _repair(cleaned) or cleaned  # a fragment is the caller's to leave out
    if plans:
        text = _commitment(text)
    text = _outside_quotes(text, lambda part: _speaker_voice(part, speaker))
    text = _second_mentions(text, speaker)
    text, explanations = _plain_words(text, mode, glossary)
    limit, least = _SPLIT_AT[mode]
    sentences = [
        _tidy(_outside_quotes(_drop_opener(s), _everyday_words))
        for s in _split(_tidy(text), limit, least)
    ]
    if explain:
        sentences += explanations
    return [s for s in sentences if s]


def stands_alone(sentence: str) -> bool:
    """Whether a sentence taken from a passage reads on its own in a plain answer.

    It does not when it is the tail of a sentence cut at a page, list or passage boundary
    ("Should arrange a visit ...", "That the service meets ..."), a lead-in cut off before
    its list ("These are children that."), a row of a table ("Activities: X; 2023: Y") or
    the end of a bracket, or a heading kept in the passage's text. Carer and child answers
    leave such sentences out: a practitioner can read one in its passage, but a plain
    reader cannot tell what it is about. So is a condition with nothing said on it, an
    item of a list of cases ("Where a special guardianship order has been granted.").
    """
    return (
        not _is_heading(sentence)
        and not _bare_condition(sentence)
        and bool(_repair(_clean(sentence)))
    )


# "Where X, ..." and "If X, ...": a condition, then (after a comma) what holds under it
_CONDITION = re.compile(r"^(?:Where|If|When|Unless|Whereas|In cases where)\s", re.IGNORECASE)
_MAIN_CLAUSE = re.compile(
    r",\s+(?!(?:in|on|at|for|with|by|from|of|to|as|including|such|which|who|whose|where|when|"
    r"if|or|and|but|nor|either|whether|unless|although|because|while|after|before|until|"
    r"under|over|following|having|being|e\.g|i\.e)\b)[\w'’-]+",
    re.IGNORECASE,
)


def _bare_condition(sentence: str) -> bool:
    """A sentence that opens with a condition and never says what follows from it."""
    return bool(_CONDITION.match(sentence)) and not _MAIN_CLAUSE.search(sentence)


def plain_hedges(mode: Mode = "carer", topics: tuple[str, ...] = ()) -> list[str]:
    """Hedges from the glossary for an answer in ``mode`` about ``topics`` (glossary terms)."""
    return load_glossary().hedges_for(mode, topics)


PLAIN_HEDGES: tuple[str, ...] = tuple(
    hedge.text for hedge in load_glossary().hedges if "carer" in hedge.modes
)
"""Short, honest phrases a carer-mode answer may end with (from glossary.yaml)."""


# --- cleaning ---------------------------------------------------------------------------


def _cut(pattern: re.Pattern[str], text: str, keep: Callable[[re.Match[str]], str]) -> str:
    """Replace matches of ``pattern`` with ``keep(match)``, never joining two numbers."""
    out: list[str] = []
    at = 0
    for match in pattern.finditer(text):
        out.append(text[at : match.start()])
        kept = keep(match)
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        if not kept and (before[-1:].isdigit() or after[:1].isdigit()) and before and after:
            kept = " "
        out.append(kept)
        at = match.end()
    out.append(text[at:])
    return "".join(out)


def _clean(sentence: str) -> str:
    """Markup, footnotes, asides and pointers elsewhere in the document gone."""
    text = _drop_footnotes(_drop_markup(sentence))
    return _tidy(_drop_cross_references(_drop_asides(text)))


def _drop_markup(text: str) -> str:
    text = _cut(MARKDOWN_LINK, text, lambda m: m.group(1))
    text = _cut(_TAG, text, lambda m: " ")
    text = re.sub(r"\\([()\[\]*_])", r"\1", text)
    return _cut(_EMPHASIS, text, lambda m: "")


def _drop_footnotes(text: str) -> str:
    text = _cut(_SUPERSCRIPT, text, lambda m: "")
    text = _cut(_GLUED_FOOTNOTE, text, lambda m: "")
    return _cut(_SQUARE, text, lambda m: "" if re.search(r"\d|^\W*$", m.group(1)) else m.group(1))


def _drop_asides(text: str) -> str:
    """Drop bracketed asides, innermost first; keep brackets holding a needed number."""
    opened, closed = "\x01", "\x02"  # kept brackets, hidden from the next pass

    def keep(match: re.Match[str]) -> str:
        inner = match.group(1)
        return f"{opened}{inner}{closed}" if _NEEDED_NUMBER.search(inner) else ""

    while True:
        dropped = _cut(_ROUND, text, keep)
        if dropped == text:
            break
        text = dropped
    return text.replace(opened, "(").replace(closed, ")")


# A pointer to elsewhere in the document, which the reader of one answer cannot follow:
# ", as discussed in chapter 6", "as set out in Appendix 3" (bracketed ones go as asides).
_CROSS_REFERENCE = re.compile(
    r",?\s+as\s+(?:set out|discussed|described|explained|shown|outlined|detailed)\s+in\s+"
    r"(?:chapter|section|paragraph|annex|appendix|part|table|figure)\s+[\w.]+"
    r"(?:\s+(?:above|below|of this (?:document|guidance|report)))?(?=[\s.,;:]|$)",
    re.IGNORECASE,
)


def _drop_cross_references(text: str) -> str:
    return _cut(_CROSS_REFERENCE, text, lambda m: "")


def _outside_quotes(text: str, rewrite: Callable[[str], str]) -> str:
    """Apply ``rewrite`` to the parts of ``text`` that are not quoted speech."""
    parts = re.split(r"(“[^”]*”|\"[^\"]*\")", text)
    return "".join(part if i % 2 else rewrite(part) for i, part in enumerate(parts))


# --- everyday words ---------------------------------------------------------------------

# A plain phrase ending in one of these needs a word after it ("help with contact").
_NEEDS_OBJECT = ("with", "about", "for", "of", "to")
# Beside the words that open a subject, words that open the clause "make sure" needs
# ("make sure that ...", "make sure young people ...").
_CLAUSE_TOO = frozenset({"that", "young", "local", "social", "foster", "kinship", "care"})


@dataclass(frozen=True)
class _Everyday:
    openers: tuple[tuple[str, str], ...]
    labels: dict[str, str]
    swaps: dict[str, str]
    pattern: re.Pattern[str]


@cache
def _everyday() -> _Everyday:
    """guides/plain_words.yaml, compiled: longest phrase first, whole words only."""
    text = resources.files("careguide.guides").joinpath("plain_words.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    swaps = {k.lower(): v for k, v in {**data["words"], **data["phrases"]}.items()}
    alternatives = "|".join(re.escape(k) for k in sorted(swaps, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
    return _Everyday(
        tuple(data["openers"].items()),
        {k.lower(): v for k, v in data["labels"].items()},
        swaps,
        pattern,
    )


def _drop_opener(text: str) -> str:
    """Drop a linking word that opens a sentence ("In addition, ..."), or shorten it."""
    for opener, plain in _everyday().openers:
        if text.startswith(opener) and len(text) > len(opener):
            rest = text[len(opener) :]
            return plain + (rest[0].upper() + rest[1:] if not plain else rest)
    return text


def _everyday_words(text: str) -> str:
    """Swap official words for everyday ones, leaving names and titles as they are."""
    everyday = _everyday()

    def swap(match: re.Match[str]) -> str:
        found = match.group()
        plain = everyday.swaps[found.lower()]
        if found[0].isupper() and text[: match.start()].strip(" \"“'‘"):
            return found  # a capital in mid-sentence starts a name: "Additional Needs Team"
        if plain.endswith(_NEEDS_OBJECT) and not re.match(r"\s*[\w£]", text[match.end() :]):
            return found  # "... to take into account." cannot end "think about."
        if plain.endswith("sure"):
            after = re.match(r"\s*([\w'’-]+)", text[match.end() :])
            if not after or after.group(1).lower() not in _SUBJECT_OPENERS | _CLAUSE_TOO:
                return found  # "ensure timely planning": "make sure" needs a clause after it
        return plain[0].upper() + plain[1:] if found[0].isupper() else plain

    return everyday.pattern.sub(swap, text)


# --- whose voice ------------------------------------------------------------------------


def _third_person(verb: str) -> str:
    lower = verb.lower()
    irregular = {"are": "is", "were": "was", "have": "has", "do": "does", "go": "goes", "be": "is"}
    if lower in irregular:
        return irregular[lower]
    if lower in _MODALS or lower in _PAST or (lower.endswith("ed") and not lower.endswith("eed")):
        return verb
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(lower) > 2 and lower.endswith("y") and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


# Words that open a sentence without being a verb it could be a command of
_NOT_COMMANDS = _wordset(
    "a an the this that these those there where when what which who how if as all each every "
    "some many most more no not only also both new local national other our their its his her "
    "your my any one two three four five six seven eight nine ten in on at for with by from to "
    "of and or but so while after before during under over since until although though "
    "however it they we he she you i"
)
_PREPOSITIONS = _wordset("to of for in on at with by from and or about into between than")


def _commitment(text: str) -> str:
    """ "Invest £9 million in training." -> "We will invest £9 million in training."

    Only a sentence opening with a capitalised word that can be a verb's base form (not
    "Funding", "Councils", "Increased"), not followed by a preposition ("Access to
    information ..." is a thing, not a command) or a plural ("Kinship carers need ..." has
    its subject), and with no verb of its own.
    """
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", text)
    if len(words) < 3 or not words[0][0].isupper() or words[0].isupper():
        return text
    first, second = words[0].lower(), words[1]
    lower = [w for w in words[1:] if w.islower()]  # a capitalised word is part of a name
    if (
        first in _NOT_COMMANDS
        or first.endswith(("ing", "ed", "ly", "s"))
        or second.lower() in _PREPOSITIONS
        or (second.islower() and second.endswith("s") and not second.endswith("ss"))
        or set(lower) & (_FINITE | _MODALS)
        or set(lower[:3]) & _AUXILIARIES
    ):
        return text
    start = text.index(words[0])
    return f"{text[:start]}We will {first}{text[start + len(words[0]) :]}"


def _speaker_voice(text: str, speaker: str) -> str:
    """ "We will ..." -> "The government plans to ..."; "our" -> "the government's"."""

    def who(word: str) -> str:
        return speaker[0].upper() + speaker[1:] if word[0].isupper() else speaker

    def owner(word: str) -> str:
        return who(word) + "'s"

    def will(match: re.Match[str]) -> str:
        adverb = f" {match.group('adverb')}" if match.group("adverb") else ""
        if match.group("neg"):
            return f"{who(match.group('we'))}{adverb} does not plan to"
        return f"{who(match.group('we'))}{adverb} plans to"

    def verb(match: re.Match[str]) -> str:
        word = match.group("verb")
        if word.lower() in _NOT_VERBS:
            return match.group(0)
        adverb = f" {match.group('adverb')}" if match.group("adverb") else ""
        return f"{who(match.group('we'))}{adverb} {_third_person(word)}"

    adverbs = r"(?:\w+ly|" + "|".join(sorted(_ADVERBS - {"not"})) + r")"
    text = re.sub(
        rf"\b(?P<we>we)(?:\s+will|['’]ll|\s+shall)\s+(?:(?P<adverb>{adverbs})\s+)?(?P<neg>not\s+)?",
        lambda m: will(m) + " ",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        r"\b(?P<we>we)\s+won['’]t\s+",
        lambda m: f"{who(m['we'])} does not plan to ",
        text,
        flags=re.I,
    )
    text = re.sub(r"\b(?P<we>we)['’]re\b", lambda m: f"{who(m['we'])} is", text, flags=re.I)
    text = re.sub(r"\b(?P<we>we)['’]ve\b", lambda m: f"{who(m['we'])} has", text, flags=re.I)
    text = re.sub(
        rf"\b(?P<we>we)\s+(?:(?P<adverb>{adverbs})\s+)?(?P<verb>[A-Za-z]+)\b",
        verb,
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\b(?:our|ours)\b", lambda m: owner(m.group()), text, flags=re.I)
    text = re.sub(r"\bourselves\b", "itself", text, flags=re.I)
    text = re.sub(r"\bus\b", lambda m: speaker, text)
    return re.sub(r"\bwe\b", lambda m: who(m.group()), text, flags=re.I)


def _second_mentions(text: str, speaker: str) -> str:
    """A sentence whose subject is the speaker names it once: "The government plans to
    explore how the government can ..." -> "... how it can ...", "the government's" -> "its".

    Only when the speaker opens the sentence (perhaps after a short lead-in ending in a
    comma), so that "it" can only mean the subject: in "X asked the What Works Centre to
    help the government", "it" would point at the centre.
    """
    name = re.escape(speaker)
    subject = re.match(rf"^(?:[^,“\"]{{0,40}},\s+)?{name}\b", text, re.IGNORECASE)
    if subject is None:
        return text

    def pronouns(part: str) -> str:
        part = re.sub(rf"\b{name}['’]s\b", "its", part, flags=re.IGNORECASE)
        return re.sub(rf"\b{name}\b", "it", part, flags=re.IGNORECASE)

    # sentence by sentence: "it" in a sentence of its own would open with a small letter
    end = SENTENCE_BREAK.search(text, subject.end())
    if end is None:
        return text[: subject.end()] + _outside_quotes(text[subject.end() :], pronouns)
    head = text[: subject.end()] + _outside_quotes(text[subject.end() : end.end()], pronouns)
    return head + _second_mentions(text[end.end() :], speaker)


# --- jargon -----------------------------------------------------------------------------


def _short(plain: str) -> bool:
    parts = plain.split()
    return len(parts) <= 5 and not _RELATIVE & {w.lower() for w in parts}


def _head_final(core: str) -> bool:
    """True when nothing follows the head noun ("the council", not "child in care")."""
    parts = core.lower().split()
    return len(parts) <= 3 and not _POST_MODIFIER & set(parts)


def _article_for(word: str) -> str:
    lower = word.lower()
    if lower.startswith(("uni", "use", "eu", "one")):
        return "a"
    return "an" if lower[:1] in "aeiou" else "a"


def _split_article(plain: str) -> tuple[str | None, str]:
    first, _, rest = plain.partition(" ")
    if first.lower() in {"a", "an", "the"} and rest:
        return first.lower(), rest
    return None, plain


def _replacement(
    match: GlossaryMatch, text: str, mode: Mode, said: set[str]
) -> tuple[str, int, bool] | None:
    """What replaces ``match``: (new text, where the replaced span starts, needs explaining)."""
    entry = match.entry
    usable = entry.plain is not None and mode in entry.plain_for
    start = match.start
    if match.kind == "acronym" and entry.well_known:
        return None
    if re.match(r"[.,]?\d", text[match.end :]):
        return None  # part of a number as written ("s47.0"): leave it whole
    long_plain = usable and not _short(entry.plain or "")
    following = re.match(r"\s+([A-Za-z]+)", text[match.end :])
    next_word = following.group(1).lower() if following else ""
    # "UASC are" is plural; "DfE have" is a body spoken of as its people, still one body
    named = entry.term[0].isupper()
    plural = match.plural or (match.kind == "acronym" and next_word in _PLURAL_VERBS and not named)
    term = entry.plural_term() if plural else entry.term
    if match.kind == "term":
        term = text[match.start : match.end]
        term = re.sub(r"['’]s$", "", term)
    new = term

    # A number in the match ("s47") is a label the reader may need: keep it, in the term.
    labelled = bool(number_tokens(text[match.start : match.end]))
    if usable and not long_plain and not labelled:
        plain = entry.plain_plural if plural else entry.plain
        article, core = _split_article(plain or "")
        modifier = next_word in _MODIFIED_NOUNS
        counted = _COUNTED_BEFORE.search(text[: match.start])  # "many", "12": a modifier
        fits = _head_final(core) or not (match.possessive or modifier)
        if plain and fits:
            determiner = _DETERMINER.search(text[: match.start])
            if determiner:
                start = determiner.start()
                word = determiner.group(1)
                if word.lower() in {"a", "an"}:
                    word = _article_for(core)
                    word = word.capitalize() if determiner.group(1)[0].isupper() else word
                new = f"{word} {core}"
            elif counted and not plural:
                new = core  # "many local authority areas" -> "many council areas"
            elif match.possessive or modifier:
                new = f"the {core}" if article == "the" else core
            else:
                new = plain
    elif match.kind == "acronym":
        determiner = _DETERMINER.search(text[: match.start])
        if determiner and determiner.group(1).lower() in {"a", "an"}:
            start = determiner.start()
            word = _article_for(term)
            word = word.capitalize() if determiner.group(1)[0].isupper() else word
            new = f"{word} {term}"
    if match.possessive:
        new += "'s"
    if not set(number_tokens(new)) <= said:
        return None
    return new, start, bool(long_plain)


# "a court order that places ...": a kind of thing and a "that" clause saying what it does
_KIND_THAT = re.compile(r"^(?P<kind>an? (?:[\w-]+ ){0,2}[\w-]+) that (?P<does>[a-z]+s .*)$")


def _explanation(entry: GlossaryEntry) -> str:
    """ "A care order is a court order. It places a child in the council's care." """
    plain = entry.plain or ""
    first = plain.split(" ", 1)[0].lower()
    if entry.term[0].islower() and first in {"a", "an", "someone", "somebody", "something"}:
        subject = f"{_article_for(entry.term)} {entry.term}"
    else:
        subject = entry.term
    subject = subject[0].upper() + subject[1:]
    kind = _KIND_THAT.match(plain)
    if kind and not kind["does"].startswith(("is ", "was ", "has ")):
        return f"{subject} is {kind['kind']}. It {kind['does']}."
    return f"{subject} is {plain}."


def _plain_words(text: str, mode: Mode, glossary: Glossary) -> tuple[str, list[str]]:
    """Spell out acronyms and replace jargon; return the text and explanation sentences."""
    said = set(number_tokens(text))
    explain: list[GlossaryEntry] = []
    for match in reversed(glossary.find(text, aliases=False)):
        found = _replacement(match, text, mode, said)
        if found is None:
            continue
        new, start, needs_explaining = found
        if needs_explaining and match.entry not in explain:
            explain.insert(0, match.entry)
        if not text[:start].strip(" \"“'‘"):
            new = new[0].upper() + new[1:]
        text = text[:start] + new + text[match.end :]
    explanations = [_explanation(entry) for entry in explain]
    return text, [e for e in explanations if set(number_tokens(e)) <= said]


# --- repairs ----------------------------------------------------------------------------

# Words that cannot open a sentence: a sentence opening with one is the tail of a sentence
# cut at a page, list or passage boundary ("Should arrange a visit ..."), and its subject
# is lost.
_NEEDS_SUBJECT = _wordset(
    "should would could must might shall will are is was were has had does did been being "
    "which whose whom and or nor pursuant than"
)
# A subordinate "that" clause standing alone: "That the service meets the regulations."
_THAT_CLAUSE = re.compile(r"^That\s+(?:the|a|an|all|each|every|any|its|their|there|this)\b")
# A dictionary line's meaning opening with one of these reads "X means ..."
_MEANS_OPENERS = ("the", "someone", "somebody", "people", "any", "all")
# "Family Help Worker - A practitioner who ...": a term, a dash and what it means.
_DEFINED = re.compile(
    r"^(?P<term>[A-Z][\w'’]*(?: [\w'’]+){0,5}) [-–—] "
    rf"(?P<rest>(?:[A-Z]|(?:a|an|{'|'.join(_MEANS_OPENERS)})\b).*)$"
)
# The last word of a term naming a person or a kind of thing ("A Family Help Worker is ...");
# other named terms are one thing ("The Care Leaver Covenant is ...").
_COUNTABLE = _wordset(
    "worker workers practitioner practitioners officer officers carer carers guardian "
    "guardians adviser advisers advisor advisors visitor visitors parent parents child "
    "children manager managers team teams order orders plan plans assessment assessments"
)
_LABEL = re.compile(r"^(?P<label>[A-Z][A-Za-z ]{1,30}?):\s+(?P<rest>\S.*)$")
_TRAILING_JOIN = re.compile(r",?\s+(?:and|or)\s*[.;:]?$", re.IGNORECASE)
# A lead-in cut off before its list ("These are children that."), or a table row.
_CUT_SHORT = re.compile(
    r"\b(?:that|which|who|whose|the|a|an|such as|including)\W*$"
    r"|\s\|\s|^(?:Have|Has|Having) been\b",
    re.IGNORECASE,
)


# Two or more "Label: " cells: a row of a table, not a sentence ("Activities: X; 2023: Y").
_TABLE_ROW = re.compile(r"^[\w ]{1,40}:\s.*;\s*[\w ]{1,40}:\s")


def _repair(text: str) -> str:
    """A sentence that reads on its own, or "" for one that cannot (``stands_alone``).

    A table row's label goes or is shortened (plain_words.yaml); a dictionary line
    becomes a sentence ("Family Help Worker - A practitioner who ..." -> "A Family Help
    Worker is a practitioner who ..."); a list item's closing "and" goes.
    """
    text = text.strip()
    label = _LABEL.match(text)
    if label and label.group("label").lower() in _everyday().labels:
        plain = _everyday().labels[label.group("label").lower()]
        rest = label.group("rest")
        text = f"{plain}: {rest}" if plain else rest[0].upper() + rest[1:]
    text = _defined_term(text)
    text = _TRAILING_JOIN.sub(".", text)
    first = re.match(r"[A-Za-z]+", text)
    if (first and first.group().lower() in _NEEDS_SUBJECT) or _THAT_CLAUSE.match(text):
        return ""
    if _CUT_SHORT.search(text) or text.count("(") != text.count(")") or _TABLE_ROW.search(text):
        return ""
    return text


def _defined_term(text: str) -> str:
    found = _DEFINED.match(text)
    if not found:
        return text
    term, rest = found.group("term"), found.group("rest")
    named = all(w[0].isupper() for w in term.split())  # "Family Help Worker"
    if not named and set(term.lower().split()) & (_AUXILIARIES | _MODALS | {"not"}):
        return text  # a clause before a dash, not a term: left to the splitter
    plural = term.endswith("s") and not term.endswith("ss")
    singular = term[:-1] if plural else term
    first = rest.split(" ", 1)[0].lower()
    lowered = rest[0].lower() + rest[1:]
    if singular.lower() in rest.lower():
        return rest  # "Care order - A care order is made by a court."
    if first in _NEEDS_SUBJECT or first in _AUXILIARIES:
        article = "" if plural else _article_for(term).capitalize() + " "
        return f"{article}{term} {lowered}"
    if first in {"a", "an"} and not plural:
        countable = not named or term.split()[-1].lower() in _COUNTABLE
        article = _article_for(term).capitalize() if countable else "The"
        return f"{article} {term} is {lowered}"
    if first in _MEANS_OPENERS or _NOUN_THEN_CLAUSE.match(rest):
        return f"{term} means {lowered}"
    return text


# "Family-led alternatives that can be used ...": a few words of a noun, then what they do
_NOUN_THEN_CLAUSE = re.compile(r"^(?:[\w'’-]+ ){1,4}(?:that|who|which|where|whose)\b")
# Words a title leaves in lower case ("Children in Care and the Law")
_TITLE_SMALL = _wordset("a an the and or of in on for to at by with from our your their its")


def _is_heading(sentence: str) -> bool:
    """A heading or title kept in a passage's text: no closing stop, and either (beside
    small words) every word capitalised, "The Local Safeguarding Children Board (LSCB)",
    or a phrase opening with "-ing" and no verb that says what happens."""
    text = sentence.strip()
    if re.search(r"[.!?;:]['’\"”]?$", text):
        return False
    found = re.findall(r"[A-Za-z][\w'’-]*", text)
    if found and found[0].lower().endswith("ing") and not {w.lower() for w in found} & _FINITE:
        return True  # "Improving support and reducing barriers to kinship care"
    words = [w for w in found if w.lower() not in _TITLE_SMALL]
    return len(words) >= 2 and all(w[0].isupper() for w in words)


# --- sentences --------------------------------------------------------------------------

# Words that open a subject ("the council", "they", "councils") in the second half of a
# split, and words (verbs that need a subject) after which the first half's subject is
# repeated: "The council will assess ..., and will then decide" -> "The council will then
# decide".
_SUBJECT_OPENERS = _wordset(
    "the a an this these those each every all some many most no any both such their its his "
    "her your my it they he she we you i there one councils children families parents carers "
    "people staff more fewer few several others none"
)
# Common verbs beside _AUXILIARIES, so that "Councils rely on carers" reads as a clause.
_VERBS = _wordset(
    "rely relies offer offers provide provides pay give run runs hold holds lead support "
    "supports ask asks tell tells say show mean care cares visit visits meet meets plan "
    "apply applies depend depends"
)
_FINITE = _MODALS | _wordset("will is are was were has have had does do did")
_SUBORDINATORS = _wordset(
    "if when where while whilst although though as because since once after before unless "
    "until to for in on at by with from during under over through despite"
)


@dataclass(frozen=True)
class _Join:
    """A place a long sentence may split, and how the second half then reads."""

    pattern: re.Pattern[str]
    lead: str  # words that open the second half ("This is because ")
    subject: str  # "own": the second half has one; "shared": it may reuse the first
    #               half's; "lead": the lead supplies it
    after: re.Pattern[str] | None  # what the first half must end with, if anything
    closed: bool  # the second half holds no comma: "the fund, which ..., pays" stays whole
    listed: bool  # the first half may end in a list ("A, B, and C ..."), else no split
    reach: int  # "own" subject: how many words in the second half its verb may come


def _join(
    pattern: str,
    lead: str,
    subject: str,
    *,
    after: str | None = None,
    closed: bool = False,
    listed: bool = True,
    reach: int = 5,
) -> _Join:
    compiled = re.compile(after) if after else None
    return _Join(re.compile(pattern), lead, subject, compiled, closed, listed, reach)


_DETERMINERS = (
    "the|a|an|this|that|these|those|their|its|his|her|our|your|all|each|every|any|some|"
    "other|local|such"
)
_PRONOUNS = "the|this|these|they|it|he|she|we|you|there|many|some|most"
# "children are in councils who ...": after a preposition the noun is not what the subject is
_PLACE = "in|on|at|for|with|by|from|of|to|under|within|across|into|near|without|like"
_JOINS: tuple[_Join, ...] = (
    _join(r"; ", "", "shared", reach=16),
    # "... support - one in four (24%) social workers have ...": the subject may be long
    _join(r" [-–—] ", "", "own", reach=8),
    _join(r",? so that ", "This is so that ", "lead"),
    _join(r",? (?:in order|so as) to ", "This is to ", "lead", closed=True),
    # not "just because", "only because": the reason there is the point of the sentence
    _join(
        r"(?<! is)(?<! was)(?<! just)(?<! only)(?<! simply)(?<! partly)(?<! mainly)(?<! not)"
        r",? because ",
        "This is because ",
        "lead",
    ),
    _join(r", which ", "This ", "lead", closed=True),
    _join(
        r", including (?!(?:when|where|if|before|after|while|by|for|in|at|on)\b)",
        "This includes ",
        "lead",
        closed=True,
    ),
    _join(r", as part of ", "This is part of ", "lead", closed=True),
    # purpose: ", to support them" (not ", to the council": a verb follows "to")
    _join(rf", (?=to (?!(?:{_DETERMINERS})\b)[a-z]+ )", "This is ", "lead", closed=True),
    # "..., who are ..." after a plural noun: "They are ..."
    _join(
        r", who (?=(?:are|were|have|had|will|would|can|could|should|may|must|do|did)\b)",
        "They ",
        "lead",
        after=r"[a-z]{3,}(?<!ss)s$",
        closed=True,
    ),
    # "Visitors are adult volunteers who give up ...": the "who" clause describes the
    # subject itself, so "They give up ..." (not "are the people who ...": that one
    # says which people, and cannot stand apart)
    _join(
        r" who (?=[a-z]+ )",
        "They ",
        "lead",
        after=rf"^(?:(?!\bthat\b)[^,])*\b(?:are|were) (?!the |those )"
        rf"(?:(?!(?:{_PLACE})\b)[\w-]+ ){{0,4}}(?<!people )(?<!ones )[a-z]{{3,}}(?<!ss)s$",
        closed=True,
    ),
    _join(r", but ", "But ", "shared", listed=False, reach=16),
    _join(rf" but (?=(?:I|{_PRONOUNS})\s)", "But ", "own", listed=False),
    _join(r", (?:although|though|whereas) ", "But ", "own", reach=16),
    _join(r", and ", "", "shared", listed=False, reach=16),
    _join(r" and (?=(?:the|this|these|they|it|he|she|there)\s)", "", "own", listed=False),
    # "The council will assess X and decide Y": the second verb shares "The council will"
    _join(r",? and (?=[a-z]+ )", "", "verb", listed=False),
    _join(r", so ", "So ", "shared", listed=False, reach=16),
)
# "Although X, Y." -> "X. But Y."
_CONCESSION = re.compile(r"^(?:Although|Though|Even though) ")


_SENTENCE_END = re.compile(r"(?<=[a-z)])[.!?]\s+(?=[A-Z])")
# A clause inside the sentence that a closing "in order to" may belong to.
_INNER_CLAUSE = re.compile(
    r"\b(?:rather than|instead of|so that|because|unless|if|that|what|how|whether|which|who|"
    r"where|when)\b|ly$",
    re.IGNORECASE,
)


def _is_clause(text: str, least: int) -> bool:
    """Whether ``text`` reads as a sentence: long enough, with a verb after its first word."""
    found = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    if len(found) < least or found[0].lower() in {"to", "and", "or"}:
        return False
    if found[0].islower() and found[0].endswith(("ing", "ed")):
        return False  # ", and working with ..." continues the sentence before it
    verbs = _AUXILIARIES | _VERBS | _PAST
    return any(w.lower() in verbs or w.lower().endswith("ed") for w in found[1:])


def _has_subject(text: str, reach: int = 16) -> bool:
    """Whether a clause from mid-sentence opens with its own subject and then, within
    ``reach`` words, its verb ("the social worker will ...", "carers need ...")."""
    text = _SENTENCE_END.split(text, maxsplit=1)[0]  # its verb is in its own sentence
    words = [w.strip("“‘\"'").lower() for w in text.split()]
    if not words or not words[0]:
        return False
    first = text.lstrip("“‘\"'")[:1]
    named = first.isupper() and words[0] not in _NEEDS_SUBJECT | _SUBORDINATORS
    plural = words[0].endswith("s") and not words[0].endswith("ss")
    if not (words[0] in _SUBJECT_OPENERS or first.isdigit() or first == "£" or named or plural):
        return False
    if words[0] in _AUXILIARIES - _SUBJECT_OPENERS:
        return False
    relative = False  # "the rate that led to X has halved": "led" is not the main verb
    for w in words[1:reach]:
        if w in _RELATIVE:
            relative = True
        elif (
            w in _FINITE | _PAST
            or w.endswith("ed")
            or (w in _AUXILIARIES | _VERBS and w.endswith("s"))
        ):
            if not relative:
                return True
            relative = False
    return False


def _subject_of(text: str) -> str | None:
    """The short subject that opens a clause ("The council" in "The council will ..."), or
    None when the clause opens some other way."""
    words = text.split()
    for i, word in enumerate(words[:5]):
        if word.lower() in _FINITE or (i and word.lower() in _AUXILIARIES):
            if i == 0 or any(w.endswith((",", ";", ":")) for w in words[:i]):
                return None
            subject = words[:i]
            opener = subject[0].lower()
            if opener in _SUBORDINATORS or opener in _NEEDS_SUBJECT:
                return None
            if opener in _SUBJECT_OPENERS or all(w[0].isupper() for w in subject):
                return " ".join(subject)
            return None
    return None


def _second_half(join: _Join, left: str, right: str, least: int) -> str | None:
    """How the text after ``join`` reads as a sentence, or None when it cannot."""
    if not join.lead:  # "...; however, more can be done" -> "But more can be done"
        opened = _drop_opener(right[0].upper() + right[1:])
        if opened.lower() != right.lower():
            word, _, rest = opened.partition(" ")
            if word in {"But", "So"}:  # the opener counts towards the half's length
                second = _second_half(join, left, rest, least - 1)
                return f"{word} {second[0].lower()}{second[1:]}" if second else None
            right = opened
    if join.subject == "lead":
        if join.lead == "This ":
            return _which_clause(right, least)
        second = join.lead + right
        return second if _is_clause(second, least) else None
    if join.subject == "verb":
        return _shared_verb(left, right, least)
    if _has_subject(right, join.reach):
        second = join.lead + right
        return second if _is_clause(right, least) else None
    first = right.split(" ", 1)[0].lower()
    if join.subject == "shared" and first in _FINITE:
        subject = _subject_of(left)
        if subject:
            if join.lead and subject.split()[0].lower() in _SUBJECT_OPENERS:
                subject = subject[0].lower() + subject[1:]  # "But the council ..."
            second = f"{join.lead}{subject} {right}"
            return second if _is_clause(second, least) else None
    return None


def _which_clause(right: str, least: int) -> str | None:
    """ ", which matches the offer" -> "This matches the offer", when "which" is the subject.

    It is not in ", which both the review and ..." or ", which councils must follow": a
    word in "-s" that the word lists do not know is taken for a verb only before a
    determiner or a pronoun (", which matches the ...").
    """
    words = [w.strip("“‘\"',").lower() for w in right.split()]
    first, after = words[0], words[1] if len(words) > 1 else ""
    known = first in _FINITE | _AUXILIARIES | _VERBS | _PAST | _ADVERBS
    if not known and after in _FINITE | _AUXILIARIES:
        return None  # "which councils must ...": the word after "which" is a subject
    verbal = known or first.endswith(("ed", "ly"))
    if not verbal and not (first.endswith("s") and after in _OBJECT_OPENERS):
        return None
    lead = "These " if first in _PLURAL_VERBS else "This "  # ", which were ..." -> "These were"
    return lead + right if len(words) + 1 >= least else None


# Verbs in their plain form that are seldom nouns, and verbs that often are ("support"),
# which count as verbs only before a determiner or a pronoun ("and support the council",
# not "and support for parents").
_BASE_VERBS = _wordset(
    "be make give take provide ensure enable publish reduce build deliver embed develop "
    "improve increase introduce explore consider consult strengthen streamline share drive "
    "spread bring create establish identify promote protect keep meet seek encourage allow "
    "continue expand extend launch maintain monitor prepare produce raise receive remove "
    "respond tackle begin become tell learn agree decide put replace invest assess attend "
    "appoint arrange write set commission evaluate update run"
)
_NOUN_LIKE_VERBS = _wordset(
    "support work help lead review test target use offer change plan fund focus report "
    "visit care record check look start contact"
)
_OBJECT_OPENERS = _wordset(
    "the a an this these those their its his her our your all each every any some other "
    "local such them it him us me more new"
)
# Main verbs that take a clause or a second verb ("make sure that X and Y", "help them do
# X and Y"): an "and" after them may join two parts of that, not two of their own.
_TAKES_A_CLAUSE = _wordset(
    "ensure make help let see have get enable allow ask expect encourage require want need "
    "know say show find think believe recognise agree decide consider explore check hear "
    "learn mean understand not"
)
_SUBORDINATE = re.compile(
    r"\b(?:that|whether|how|what|why|where|when|who|which|if|because|so|while|as|than)\b"
    rf"|\bto (?!(?:{_DETERMINERS})\b)[a-z]+"
)
_VERB_GROUP = re.compile(
    r"^(?P<subject>[A-Z][\w'’-]*(?: [\w'’-]+){0,5}?) "
    r"(?P<group>will|would|can|could|should|must|may|might|shall"
    r"|(?:plans|wants|needs|aims|intends) to)"
    r"(?: (?:also|now|then|still|further|jointly|first|soon))? (?P<verb>[a-z]+)\b(?P<rest>.*)$"
)


def _shared_verb(left: str, right: str, least: int) -> str | None:
    """ "The council will assess X" and "decide Y" -> "The council will decide Y".

    Only where the first half is its subject, a modal (or "plans to") and one verb
    phrase, and the second half opens with a verb: an "and" inside a "that", "how" or
    "to" clause may join that clause's own parts.
    """
    words = right.split()
    first = words[0].lower()
    after = words[1].lower() if len(words) > 1 else ""
    if not (first in _BASE_VERBS or (first in _NOUN_LIKE_VERBS and after in _OBJECT_OPENERS)):
        return None
    found = _VERB_GROUP.match(_SENTENCE_END.split(left)[-1])
    if not found or found["verb"] in _TAKES_A_CLAUSE or _SUBORDINATE.search(found["rest"]):
        return None
    if len(found["rest"].split()) < 2:
        return None  # "assess and fund any new burdens": one object for both verbs
    subject = found["subject"]
    opener = subject.split()[0].lower()
    named = all(w[0].isupper() for w in subject.split())
    if not (opener in _SUBJECT_OPENERS or named) or opener in _SUBORDINATORS:
        return None
    if {w.lower() for w in subject.split()[1:]} & (_AUXILIARIES | _FINITE):
        return None  # "This means the government can ...": the subject holds a verb
    second = f"{subject} {found['group']} {right}"
    return second if _is_clause(second, least) else None


def _depth_map(text: str) -> list[int]:
    """For each character, how many brackets or quotes enclose it."""
    depth, inside_quote = 0, False
    levels = []
    for char in text:
        if char in "“":
            inside_quote = True
        elif char == "”":
            inside_quote = False
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        levels.append(depth + inside_quote)
    return levels


def _concession(text: str, least: int) -> tuple[str, str] | None:
    """ "Although X, Y." as ("X.", "But Y."), when both stand as sentences."""
    opener = _CONCESSION.match(text)
    if not opener:
        return None
    levels = _depth_map(text)
    for comma in re.finditer(", ", text):
        if levels[comma.start()]:
            continue
        left, right = text[opener.end() : comma.start()], text[comma.end() :]
        if _is_clause(left, least) and _has_subject(right) and _is_clause(right, least):
            return left[0].upper() + left[1:], "But " + right
    return None


# "To support care leavers financially, the government plans to ...": a purpose put first
_PURPOSE_FIRST = re.compile(rf"^To (?!(?:{_DETERMINERS}|be|date)\b)[a-z]+ ")


def _purpose_first(text: str, least: int) -> tuple[str, str] | None:
    """ "To X, Y." as ("Y.", "This is to X."): what is done first, then what it is for."""
    if not _PURPOSE_FIRST.match(text):
        return None
    levels = _depth_map(text)
    for comma in re.finditer(", ", text):
        if levels[comma.start()]:
            continue
        purpose, main = text[3 : comma.start()], text[comma.end() :]
        if len(purpose.split()) >= 3 and _has_subject(main) and _is_clause(main, least):
            return main, "This is to " + purpose.rstrip(" ,") + "."
        return None  # the first comma closes the purpose, or this is no purpose opener
    return None


def _split(text: str, limit: int, least: int) -> list[str]:
    """Split ``text`` into sentences of about ``limit`` words where both halves stand."""
    if len(text.split()) <= limit:
        return [text]
    halves = _concession(text, least) or _purpose_first(text, least)
    if halves is None:
        halves = _best_split(text, least)
    if halves is None:
        return [text]
    left, right = halves
    left = left.rstrip(" ,;:-–—") + "."
    right = right[0].upper() + right[1:]
    return _split(left, limit, least) + _split(right, limit, least)


_NEGATION = re.compile(r"\b(?:not|never|no|cannot)\b|n['’]t\b", re.IGNORECASE)


def _may_split(join: _Join, text: str, left: str, right: str, least: int) -> bool:
    """Whether the first half stands alone and nothing ties the halves together."""
    last = _SENTENCE_END.split(left)[-1]
    if join.closed and "," in _SENTENCE_END.split(right, maxsplit=1)[0]:
        return False  # the clause may close mid-sentence: "the fund, which ..., pays"
    if not join.listed and "," in " ".join(last.split()[-6:]):
        return False  # "A, B, and C will ...": a list, not two clauses
    if join.pattern.pattern.startswith(" [") and len(re.findall(r" [-–—] ", text)) > 1:
        return False  # a pair of dashes holds an aside
    bare_and = join.pattern.pattern.startswith(" and")
    if bare_and and not {w.lower() for w in last.split()} & (_FINITE | _PAST):
        return False  # "the range of help for children and the ...": one subject
    opener = last.split(" ", 1)[0].lower()
    if opener in _SUBORDINATORS and "," not in last:
        return False  # "While X - ...": the subordinate clause is still open
    if join.lead == "This is " and "," in last:
        return False  # ", to" may finish a verb split by an aside: "requires X, when ..., to"
    if join.lead == "This is " and re.search(r"\b(?:and|or) to\b", right):
        return False  # "reforms to adoption, to special needs and to ...": places, no purpose
    if join.lead == "This is to " and ("," in last or _INNER_CLAUSE.search(last)):
        return False  # "..., rather than apply for X in order to get Y": the purpose is Y's,
        #               and "... primarily in order to": the adverb goes with the purpose
    if join.lead == "This is to " and _NEGATION.search(last):
        return False  # "should not become looked after in order to stay together": the
        #               purpose is under the "not", and "This is to stay together" says
        #               the opposite
    if join.after and not join.after.search(left):
        return False
    return _is_clause(last, least)


def _best_split(text: str, least: int) -> tuple[str, str] | None:
    """The split nearest the middle of ``text`` where both halves stand as sentences."""
    levels = _depth_map(text)
    middle = len(text) / 2
    best: tuple[float, str, str] | None = None
    for join in _JOINS:
        for found in join.pattern.finditer(text):
            if levels[found.start()]:
                continue
            left, right = text[: found.start()], text[found.end() :]
            if not _may_split(join, text, left, right, least):
                continue
            second = _second_half(join, left, right, least)
            if second is None:
                continue
            distance = abs(found.start() - middle)
            if best is None or distance < best[0]:
                best = (distance, left, second)
    return None if best is None else (best[1], best[2])


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])(?!\d)", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    text = re.sub(r"(?<!\d),(?=[,.;:!?])", "", text)
    text = re.sub(r"\.{2,}$", ".", text).rstrip(" ,;:-–")
    if not re.search(r"[A-Za-z0-9]", text):
        return ""
    text = text[0].upper() + text[1:]
    if text[-1] not in ".!?" and not text.endswith(("”", '"')):
        text += "."
    return text
