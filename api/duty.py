"""Duty strength: does a passage state law, advice, or neither?

Procedures manuals mark each paragraph so that a practitioner sees at once what is a
legal requirement and what is good practice. ``duty_strength`` does the same from the
wording alone:

- requirement: "must", "must not", "shall", "is required to", "has a duty to",
  "statutory duty", "is under a duty", "it is unlawful";
- guidance: "should", "may", "is expected to", "are encouraged to", "ought to";
- information: everything else, including the government's plans ("we will ...",
  "the government will ...") and descriptions of what happened.

A negation keeps the strength ("must not" is still a requirement). A modal inside a
plan ("we will make sure councils must ...") still counts, because the passage then
describes the duty; a plain "will" never does.
"""

from __future__ import annotations

import re

from careguide.api.answer_models import DutyStrength

__all__ = ["duty_strength"]

_REQUIREMENT = re.compile(
    r"\b(?:must|shall|mustn['’]?t|shan['’]?t)\b"
    r"|\b(?:is|are|be|been|being)\s+(?:legally\s+|statutorily\s+)?(?:required|obliged|obligated)\s+to\b"
    r"|\b(?:has|have|had)\s+(?:a|the)\s+(?:\w+\s+)?(?:duty|obligation)\s+to\b"
    r"|\b(?:statutory|legal)\s+(?:duty|duties|requirement|requirements|obligation|obligations)\b"
    r"|\bunder\s+a\s+(?:\w+\s+)?duty\b"
    r"|\bit\s+is\s+(?:unlawful|an\s+offence)\b",
    re.IGNORECASE,
)
_GUIDANCE = re.compile(
    r"\b(?:should|shouldn['’]?t|may|ought\s+to)\b"
    r"|\b(?:is|are)\s+(?:expected|encouraged|advised|recommended)\s+to\b"
    r"|\b(?:we\s+)?(?:recommend|encourage)s?\b"
    r"|\bgood\s+practice\b",
    re.IGNORECASE,
)
# "may" as the month, and "may" in a question or in "may be" hedges about facts, are not advice.
_MAY_MONTH = re.compile(r"\b(?:\d{1,2}\s+May|May\s+(?:19|20)\d\d)\b")
# Text inside quotation marks reports someone else's words (a consultation question, a quote).
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def duty_strength(text: str) -> DutyStrength:
    """The strongest duty the text states: requirement, guidance, or information."""
    text = _MAY_MONTH.sub(" ", _QUOTED.sub(" ", text))
    if _REQUIREMENT.search(text):
        return DutyStrength.requirement
    if _GUIDANCE.search(text):
        return DutyStrength.guidance
    return DutyStrength.information
