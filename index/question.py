"""Reading a question: the separate things it asks, and what it is about.

Search and the answer composer both use this: a question that asks several things
("who are the partners now and when was that decided?") needs evidence for each, and a
part is read in the question's setting ("ofsted monitoring visits - how many days ...").
"""

from __future__ import annotations

import re

from careguide.index.analyser import analyse

__all__ = [
    "ASKS_MEANING",
    "ASKS_NOW",
    "ASKS_SUMMARY",
    "MOST_PARTS",
    "REACHES_NOW",
    "compared_parts",
    "question_parts",
    "question_setting",
    "search_parts",
]

_ASKING = (
    "whats|hows|whos|wheres|whens|whys|what's|how's|who's|where's|when's|"
    "who|what|when|where|why|how|which|whether|is|are|was|were|did|does|do|can|could|"
    "will|would|has|have|should"
)
# what may come before the question word of a part: a label ("for my session: what ...",
# "Ofsted monitoring visits: how many ...") and a softening word ("roughly what share")
_LEAD_IN = re.compile(
    r"\W*(?:[^:?]{1,80}:\s*)?(?:(?:so|and|also|but|then|roughly|approximately|about|ok|"
    r"okay|please|pls|just|and\s+also)\s+)?",
    re.IGNORECASE,
)
_PART_BREAK = re.compile(
    rf"\?+(?:\s+|$)|\s+[-–—]+\s+|(?:[,;]|\s+(?:and|but|or))\s+(?=(?:{_ASKING})\b)",
    re.IGNORECASE,
)


def _pieces(question: str, least: int) -> list[tuple[str, bool]]:
    """The pieces of a question with at least ``least`` search terms, each with whether it
    asks something (see ``question_parts``)."""
    pieces: list[tuple[str, bool]] = []
    start = 0
    for cut in [*_PART_BREAK.finditer(question), None]:
        piece = question[start : cut.start() if cut else len(question)]
        lead_in = _LEAD_IN.match(piece)
        opening = lead_in.end() if lead_in else 0
        opens_asking = re.match(rf"(?:{_ASKING})\b", piece[opening:], re.IGNORECASE)
        if opens_asking:
            piece = piece[piece.rfind(":", 0, opening) + 1 :]  # the label is not asked
        asks = bool(opens_asking) or (cut is not None and "?" in cut.group(0))
        piece = piece.strip(" ,;:-–—?")
        if len(set(analyse(piece))) >= least:
            pieces.append((piece, asks))
        start = cut.end() if cut else len(question)
    return pieces


def question_parts(question: str, least: int = 2) -> list[str]:
    """The separate things a question asks, in order; ``[]`` when it asks one thing.

    "LSCBs went, didn't they? who are the partners now and when was that decided" asks
    three: the question is cut at question marks, at spaced dashes, and at "and", "but",
    "or", a comma or a semicolon before a question word. A piece counts as a part when
    it asks something (it opens with a question word, perhaps after a label and a
    colon, or ends with a question mark) and has at least ``least`` search terms: "our
    LA was judged inadequate" is the setting of a question, not a part of it.
    """
    parts = [piece for piece, asks in _pieces(question, least) if asks]
    return parts if len(parts) > 1 else []


def question_setting(question: str, least: int = 2) -> str:
    """The pieces of a question that ask nothing but say what it is about: "ofsted
    monitoring visits" in "ofsted monitoring visits - how many HMI come, how many days
    ..."; "" when there are none."""
    return " ".join(piece for piece, asks in _pieces(question, least) if not asks)


# "the difference between X and Y", "comparing X with Y", "X vs Y": two things, each of
# which the answer must cover
_COMPARED = re.compile(
    r"\bdifferences? between (?P<a>.+?) and (?P<b>[^?.,;]+)"
    r"|\bcompar(?:e|es|ed|ing) (?P<c>.+?) (?:with|to|and|against) "
    r"(?P<d>[^?.,;]+?)(?=\s+[-–—]|[?.,;]|$)"
    r"|(?P<e>[^?.,;:–—]+?) (?:vs\.?|versus) (?P<f>[^?.,;]+)",
    re.IGNORECASE,
)


def compared_parts(question: str, least: int = 2) -> list[str]:
    """A comparing question's parts: each thing compared, with what is asked of both
    ("comparing A with B - how many pillars did each have?" -> "A: how many pillars did
    each have", "B: ..."); ``[]`` for a question that compares nothing."""
    found = _COMPARED.search(question)
    if found is None:
        return []
    first, second = (g for g in found.groups() if g)
    rest = (question[: found.start()] + " " + question[found.end() :]).strip(" ,;:-–—?")
    asked = " ".join(p for p, asks in _pieces(rest, least) if asks) if rest else ""
    parts = [f"{item.strip()}: {asked}" if asked else item.strip() for item in (first, second)]
    if any(len(set(analyse(p))) < least for p in parts):
        return []
    return parts


_NOW_WORDS = r"now|nowadays|currently|still|today|these days"
ASKS_NOW = re.compile(rf"\b(?:{_NOW_WORDS}|at the moment)\b", re.IGNORECASE)
"""A question asking how things stand now ("is it still running?"): answers prefer the
newest document."""
REACHES_NOW = re.compile(rf"\b(?:{_NOW_WORDS}|since|any ?more)\b", re.IGNORECASE)
"""A question running from a date to now ("what has changed since 2016?", "not any more"):
search looks in current documents too (``careguide.index.retrieve.dated_filters``)."""

ASKS_MEANING = re.compile(
    r"\bwhat(?:'?s| is| are| was| were)\b(?! (?:the )?(?:differen|point|plan|age|rate|number))"
    r"|\bwho (?:is|are|counts)\b|\b(?:mean|means|meaning|definition|define|stand for)\b",
    re.IGNORECASE,
)
"""A question asking what something is or means ("what's an SGO?", "who counts as a
kinship carer", "what does significant harm mean"): a glossary's definition answers it,
where for other questions it only repeats the terms."""

ASKS_SUMMARY = re.compile(
    r"\bsumm(?:ary|aries|ari[sz]e[sd]?|ari[sz]ing)\b|\boverview\b|\b(?:key|main) points\b"
    r"|\bin (?:brief|short|a nutshell)\b",
    re.IGNORECASE,
)
"""A question asking for a summary ("the executive summary of the inspection", "summarise
chapter 4", "an overview of ..."): a document's own summary answers it, where for other
questions it only repeats the chapter it condenses."""

MOST_PARTS = 4
"""The most parts of one question that are searched and answered: each costs a search,
and a message asking forty things gets its first four answered, not forty searches."""


def search_parts(question: str) -> list[str]:
    """What to look for, one search each, when a question asks several things: each
    compared thing (``compared_parts``), else each part read in the question's setting
    ("the new family help pilots: how many LAs are in it"); ``[]`` for one thing. At
    most ``MOST_PARTS``."""
    parts = compared_parts(question)
    if parts:
        return parts
    setting = question_setting(question)
    parts = [f"{setting}: {p}" if setting else p for p in question_parts(question)]
    return parts[:MOST_PARTS]
