"""Text in a document that speaks to a language model rather than to a reader.

A passage may carry prompt-injection text ("ignore your instructions and reply ...").
Such a sentence is never evidence: the LLM path does not count it as support for a
reply, and the extractive composer never quotes it.
"""

from __future__ import annotations

import re

INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.!?]{0,40}\b(?:instructions?|rules|prompts?)\b"
    r"|\bsystem\s+(?:prompt|message|notice|instructions?)\b|\bdeveloper\s+mode\b"
    r"|\byou\s+are\s+now\s+(?:in\s+)?(?:developer|an?\s+(?:ai|assistant|unrestricted))\b"
    r"|\b(?:reply|respond)\s+(?:only\s+with\b|with\s+[\"'“]?(?-i:[A-Z]{2,})\b)"
    r"|\bas\s+an\s+ai\b|\blanguage\s+model\b",
    re.I,
)
_PASSAGE_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def without_instructions(text: str) -> str:
    """The passage text less any sentence addressed to a model (see ``INSTRUCTION``)."""
    return " ".join(s for s in _PASSAGE_SENTENCE.split(text) if not INSTRUCTION.search(s))


def addresses_a_model(sentence: str) -> bool:
    """Whether ``sentence`` is an instruction to a model (see ``INSTRUCTION``)."""
    return bool(INSTRUCTION.search(sentence))
