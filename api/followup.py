"""Follow-up questions: read "what about teenagers?" in the light of the question before it.

A follow-up leans on the earlier question for its topic: it is short and names no topic
of its own ("how much is it?"), or it starts the way people continue a conversation
("what about ...", "and for ...", "how about ...", "what if ..."), or it points back
with a pronoun ("does that apply to ..."). Retrieval needs the topic, so
``resolve_followup`` adds the earlier question's topic to the new question: the
glossary terms it mentioned, else its content words.

A question that names a topic of its own and does not lean on the last one is a new
question and is left alone. Earlier user turns are resolved in order, so a chain of
follow-ups keeps the topic of the question that started it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from careguide.api.answer_models import Turn
from careguide.guides.glossary import load_glossary
from careguide.index.analyser import STOPWORDS, analyse

__all__ = ["is_followup", "resolve_followup", "topic_of"]

_CONTINUATION = re.compile(
    r"^\s*(?:and|but|also|so|or|then|plus)\b"
    r"|^\s*(?:what|how)\s+about\b"
    r"|^\s*what\s+if\b"
    r"|^\s*(?:same|ditto)\b"
    r"|^\s*(?:is|does|do|would|will|can|could)\s+(?:that|this|it|they|those|these)\b",
    re.IGNORECASE,
)
_POINTER = re.compile(r"\b(?:it|that|this|they|them|those|these|there|one)\b", re.IGNORECASE)
# Question words and fillers that say nothing about the topic.
_EMPTY = STOPWORDS | {
    "much",
    "many",
    "long",
    "get",
    "got",
    "tell",
    "please",
    "pls",
    "thanks",
    "ok",
    "okay",
    "else",
    "still",
    "too",
    "yes",
    "mean",
    "start",
    "work",
    "apply",
    "happen",
    "need",
}
_SHORT = 6  # words: a question this short with no topic of its own is a follow-up


def topic_of(question: str) -> str:
    """The topic of a question: its glossary terms, else its content words."""
    terms: list[str] = []
    for match in load_glossary().find(question):
        if match.entry.term not in terms:
            terms.append(match.entry.term)
    if terms:
        return ", ".join(terms)
    content = [w for w in re.findall(r"[A-Za-z0-9£%'-]+", question) if w.lower() not in _EMPTY]
    return " ".join(content[:10])


def _own_topic(question: str) -> bool:
    """Whether the question names something to search for by itself."""
    if load_glossary().find(question):
        return True
    return any(t not in _EMPTY for t in analyse(question))


def is_followup(question: str) -> bool:
    """Whether ``question`` leans on an earlier question for its topic."""
    if _CONTINUATION.search(question):
        return True
    words = question.split()
    if len(words) > _SHORT:
        return False
    return bool(_POINTER.search(question)) or not _own_topic(question)


def resolve_followup(question: str, history: Sequence[Turn]) -> str:
    """The question with the earlier topic added when it is a follow-up; else unchanged."""
    topic = ""
    for turn in history:
        if turn.role != "user" or not turn.content.strip():
            continue
        asked = turn.content.strip()
        leans = bool(topic) and is_followup(asked)
        topic = topic_of(f"{asked} {topic}" if leans else asked)
    if not topic or not is_followup(question):
        return question
    return f"{question.strip()} ({topic})"
