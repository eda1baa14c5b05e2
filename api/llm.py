"""The optional LLM backend: a model rewords the passages, careguide checks every sentence.

``LLMGenerator`` asks any OpenAI-compatible chat endpoint (Ollama, vLLM, a llama.cpp
server, OpenAI) through llama-index's LLM interface, and trusts nothing it gets back:

1. The prompt (``guides/llm_prompt.yaml``) numbers the retrieved passages, wraps each in
   ``<passage>`` tags as material to quote, and asks for a [n] marker on every sentence
   and the phrase "not found in the passages" when they do not answer. The question and
   the passages are redacted (``careguide.api.redact``) before they leave the machine.
2. ``check_reply`` splits the reply into sentences and keeps only those that cite given
   passages and that those passages support: enough of the sentence's words (see
   ``SUPPORT_THRESHOLD``), every number, and any legal duty ("must", as
   ``careguide.api.duty`` reads it). Text inside a passage that tries to instruct the
   model ("ignore all previous instructions") cannot get past this: whatever the model
   writes must still trace, sentence by sentence, to what the passages say, and the
   passages' own sentences that address a model are not counted as support.
3. When nothing survives, the reply says "not found", or the endpoint fails or times out,
   the extractive answer is returned with a note saying so. It never raises for that.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import cache, cached_property
from importlib.resources import files
from typing import Any

import yaml
from llama_index.core.llms import LLM, ChatMessage, MessageRole
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from careguide.api.answer import citation_for
from careguide.api.answer_models import Answer, Citation, DutyStrength, Mode
from careguide.api.duty import duty_strength
from careguide.api.injection import without_instructions
from careguide.api.llm_settings import LLMSettings
from careguide.api.plain import number_tokens
from careguide.api.redact import redact
from careguide.guides.glossary import Glossary, fold, load_glossary
from careguide.index.models import Hit
from careguide.ingest.errors import ConfigError
from careguide.ingest.models import Passage

__all__ = [
    "MIN_CONTENT_WORDS",
    "NOT_FOUND",
    "SUPPORT_THRESHOLD",
    "CheckedSentence",
    "LLMGenerator",
    "LLMPrompt",
    "ReplyCheck",
    "build_llm",
    "build_messages",
    "check_reply",
    "load_prompt",
    "split_sentences",
]

logger = logging.getLogger(__name__)

PROMPT_FILE = "llm_prompt.yaml"

# A sentence is supported when at least this share of its content words (words outside
# _STOPWORDS, compared on their first _STEM letters after making plurals singular) occur
# in the passages it cites, their citations and titles, or the glossary's other names for
# terms those passages use (so "the council" may stand for "the local authority"). 0.6
# lets a model reword a little and join two clauses; a sentence about something the
# passages never mention shares far fewer of its words with them.
SUPPORT_THRESHOLD = 0.6
# Fewer content words than this leaves nothing to check ("Yes [1].", "HACKED [1]").
MIN_CONTENT_WORDS = 2
_STEM = 5
# Why a sentence saying the passages do not answer is left out of the answer.
NOT_FOUND = "says the passages do not answer"

# Words too common to show where a sentence came from. Modal verbs are here: whether a
# sentence may say "must" is checked on its own (duty_strength).
_STOPWORD_LIST = """
a about above after again all also am an and any are as at be because been before being
both but by can could did do does doing done during each either else even ever every for
from further get gets had has have having he her here hers him his how i if in into is it
its itself just let may me might more most much must my neither no nor not now of off on
once only or other our ours out over own per really said same say says shall she should so
some still such than that the their theirs them then there these they this those though
through to too under until up upon us very was we were what when where whether which
while who whom whose why will with within would yes yet you your yours
according passage passages paragraph paragraphs document documents guidance states
"""
_STOPWORDS = frozenset(_STOPWORD_LIST.split())

_MARKER = re.compile(r"\[\s*(?:passages?\s*)?(\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*)\s*\]", re.I)
_MARKERS_AFTER_END = re.compile(r"([.!?])((?:\s*\[\s*(?:passages?\s*)?[\d,;\s–-]+\])+)", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])['\"’”)]?\s+(?=[A-Z‘“'\"(£0-9\[])")
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|etc|para|paras|no|nos|s|ss|ch|cf|vol|pp?|mr|mrs|ms|dr|st)\.$", re.I
)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)]|#{1,6})\s+")
_EMPHASIS = re.compile(r"\*\*|__|`")
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)*")
# Reasoning models served by Ollama or vLLM (Qwen, DeepSeek) may think aloud first.
_THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.S | re.I)


# --- the prompt ----------------------------------------------------------------------------


class PromptNotes(BaseModel):
    """Notes added to an answer about what the model did."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unreachable: str = Field(description="The endpoint failed or timed out.")
    not_found: str = Field(description="The model said the passages do not answer.")
    unchecked: str = Field(description="No sentence of the reply survived the checks.")
    partial: str = Field(description="The model answered part and said the rest is not found.")
    dropped: str = Field(description="Some sentences were left out; has a {count} placeholder.")


class LLMPrompt(BaseModel):
    """The prompt and notes from ``guides/llm_prompt.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    not_found: str = Field(description="The phrase the model must use when nothing answers.")
    system: str = Field(description="Instructions; placeholders {not_found} and {style}.")
    styles: dict[Mode, str] = Field(description="How to write for each answer mode.")
    passage: str = Field(description="One passage; placeholders {n}, {citation}, {text}.")
    user: str = Field(description="The message; placeholders {passages} and {question}.")
    notes: PromptNotes


@cache
def load_prompt() -> LLMPrompt:
    """The prompt shipped with careguide, loaded and checked once."""
    text = files("careguide.guides").joinpath(PROMPT_FILE).read_text("utf-8")
    try:
        prompt = LLMPrompt.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as error:
        first = str(error).splitlines()[0]
        raise ConfigError(f"{PROMPT_FILE} is malformed ({first}); fix it and try again") from error
    missing = [m.value for m in Mode if m not in prompt.styles]
    if missing:
        raise ConfigError(f"{PROMPT_FILE} has no style for {', '.join(missing)}; add one")
    return prompt


def _as_data(text: str) -> str:
    """Passage or question text that cannot close the tags it is wrapped in."""
    return text.replace("<", "‹").replace(">", "›")


def build_messages(
    question: str, passages: Sequence[Passage], mode: Mode, prompt: LLMPrompt | None = None
) -> list[ChatMessage]:
    """The chat sent to the model: instructions, then the numbered passages and question.

    Everything taken from the user or the documents is redacted first.
    """
    prompt = prompt or load_prompt()
    blocks = [
        prompt.passage.format(
            n=n,
            citation=_as_data(redact(p.citation)).replace('"', "'"),
            text=_as_data(redact(p.text.strip())),
        )
        for n, p in enumerate(passages, 1)
    ]
    system = prompt.system.format(not_found=prompt.not_found, style=prompt.styles[mode].strip())
    user = prompt.user.format(
        passages="\n\n".join(blocks), question=_as_data(redact(question.strip()))
    )
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system),
        ChatMessage(role=MessageRole.USER, content=user),
    ]


# --- checking the reply --------------------------------------------------------------------


class CheckedSentence(BaseModel):
    """One sentence of a model's reply, and whether it may go into an answer."""

    text: str = Field(description="The sentence without its [n] markers.")
    cites: list[int] = Field(description="Passage numbers it cites, as given to the model.")
    dropped: str | None = Field(default=None, description="Why it was left out; None if kept.")

    def render(self, renumber: dict[int, int]) -> str:
        """The sentence with its markers, renumbered, before its closing punctuation."""
        markers = "".join(f"[{n}]" for n in sorted(renumber[c] for c in self.cites))
        body = self.text.rstrip()
        end = ""
        if body[-1:] in ".!?":
            body, end = body[:-1].rstrip(), body[-1]
        return f"{body} {markers}{end or '.'}"


class ReplyCheck(BaseModel):
    """A model's reply, sentence by sentence, after checking."""

    sentences: list[CheckedSentence]
    not_found: bool = Field(description="The reply says the passages do not answer (in part).")

    @property
    def kept(self) -> list[CheckedSentence]:
        return [s for s in self.sentences if s.dropped is None]

    @property
    def dropped(self) -> list[CheckedSentence]:
        return [s for s in self.sentences if s.dropped is not None]


def _cited_numbers(marker: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", marker):
        bounds = [int(b) for b in re.split(r"\s*[-–]\s*", part) if b.strip().isdigit()]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] < 20:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def split_sentences(reply: str) -> list[tuple[str, list[int]]]:
    """The reply's sentences, each as (text without markers, cited numbers in order).

    Markers written after the full stop ("... carers. [1]") belong to the sentence before;
    list bullets and markdown emphasis are dropped.
    """
    pieces: list[str] = []
    for line in reply.splitlines():
        line = _EMPHASIS.sub("", _BULLET.sub("", line)).strip()
        if not line:
            continue
        line = _MARKERS_AFTER_END.sub(lambda m: f"{m.group(2)}{m.group(1)}", line)
        for piece in _SENTENCE_END.split(line):
            if pieces and _ABBREVIATION.search(pieces[-1]) and not pieces[-1].endswith("\n"):
                pieces[-1] = f"{pieces[-1]} {piece}"
            else:
                pieces.append(piece)
        pieces[-1] += "\n"  # a line break always ends a sentence
    sentences: list[tuple[str, list[int]]] = []
    for piece in pieces:
        cites: list[int] = []
        for match in _MARKER.finditer(piece):
            cites += [c for c in _cited_numbers(match.group(1)) if c not in cites]
        text = _MARKER.sub(" ", piece)
        text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
        if not re.search(r"[A-Za-z0-9]", text):
            if cites and sentences:  # a line holding only markers: they cite the line above
                prev_text, prev_cites = sentences[-1]
                sentences[-1] = (prev_text, prev_cites + [c for c in cites if c not in prev_cites])
            continue
        sentences.append((text, cites))
    return sentences


def _key(word: str) -> str:
    return fold(word)[:_STEM]


def _content_keys(text: str) -> list[str]:
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [_key(w) for w in words if w not in _STOPWORDS and len(w) > 1]


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in number_tokens(text)}


class _Evidence:
    """What one passage lets a sentence say: its words (with glossary synonyms) and numbers."""

    def __init__(self, passage: Passage, glossary: Glossary | None) -> None:
        text = without_instructions(passage.text)
        source = " ".join([text, redact(text), passage.citation, passage.title])
        texts = [source]
        if glossary is not None:
            for match in glossary.find(text):
                entry = match.entry
                texts += [entry.term, entry.plural or "", entry.plain or ""]
                texts += [entry.plain_plural or "", *entry.acronyms, *entry.aliases]
        self.words = set(_content_keys(" ".join(texts)))
        self.numbers = _numbers(source) | {n for p in passage.paragraphs for n in _numbers(p)}
        self.states_duty = duty_strength(text) is DutyStrength.requirement


def _verdict(text: str, cites: list[int], evidence: Sequence[_Evidence]) -> str | None:
    """Why a sentence must be left out, or None when its passages support it."""
    if not cites:
        return "cites no passage"
    unknown = [c for c in cites if not 1 <= c <= len(evidence)]
    if unknown:
        return f"cites passage {unknown[0]}, which was not given"
    cited = [evidence[c - 1] for c in cites]
    keys = _content_keys(text)
    if len(keys) < MIN_CONTENT_WORDS:
        return "too short to check against its passages"
    words = set[str]().union(*(e.words for e in cited))
    support = sum(k in words for k in keys) / len(keys)
    if support < SUPPORT_THRESHOLD:
        return f"only {support:.0%} of its words are in its passages"
    numbers = set[str]().union(*(e.numbers for e in cited))
    missing = sorted(_numbers(text) - numbers)
    if missing:
        return f"the number {missing[0]} is not in its passages"
    if duty_strength(text) is DutyStrength.requirement and not any(e.states_duty for e in cited):
        return "states a duty its passages do not"
    return None


def check_reply(
    reply: str,
    passages: Sequence[Passage],
    *,
    not_found: str | None = None,
    glossary: Glossary | None = None,
) -> ReplyCheck:
    """Check a model's reply against the passages it was given (numbered from 1)."""
    phrase = (not_found or load_prompt().not_found).strip().rstrip(".")
    # Any spacing and case; "passage" for "passages" too.
    said = re.compile(r"\s+".join(re.escape(w) for w in phrase.split()) + "?", re.I)
    evidence = [_Evidence(p, glossary) for p in passages]
    sentences = []
    for text, cites in split_sentences(reply):
        verdict = NOT_FOUND if said.search(text) else _verdict(text, cites, evidence)
        sentences.append(CheckedSentence(text=text, cites=cites, dropped=verdict))
    return ReplyCheck(sentences=sentences, not_found=bool(said.search(reply)))


# --- the generator -------------------------------------------------------------------------


_NOT_CONFIGURED = (
    "the LLM backend needs both CAREGUIDE_LLM_BASE_URL and CAREGUIDE_LLM_MODEL; "
    "set both, or unset both to keep answers extractive"
)


def build_llm(settings: LLMSettings) -> LLM:
    """An OpenAI-compatible chat model from settings, through llama-index's OpenAILike."""
    if not settings.enabled:
        raise ConfigError(_NOT_CONFIGURED)
    from llama_index.llms.openai_like import OpenAILike  # the openai SDK loads only if used

    # An explicit placeholder key: local servers ignore it, and the OpenAI client would
    # otherwise send OPENAI_API_KEY from the environment to whatever endpoint is set.
    key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    return OpenAILike(
        model=settings.model or "",
        api_base=settings.base_url,
        api_key=key,
        is_chat_model=True,
        is_function_calling_model=False,
        context_window=settings.context_window,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
    )


def _citation(n: int, passage: Passage, known: Iterable[Citation]) -> Citation:
    """The citation numbered n for a passage: the extractive answer's, if it has one."""
    for citation in known:
        if citation.passage_id == passage.id:
            return citation.model_copy(update={"n": n})
    return citation_for(n, passage)


def _carry_notes(extractive: Answer, renumber_by_id: dict[str, int]) -> list[str]:
    """The extractive answer's notes, with its [n] markers renumbered to the new citations.

    A note naming a passage the new answer does not cite is about evidence no longer
    shown, so it is left out.
    """
    by_old_n = {c.n: renumber_by_id.get(c.passage_id) for c in extractive.citations}
    notes = []
    for note in extractive.notes:
        lost = False

        def swap(match: re.Match[str]) -> str:
            nonlocal lost
            new = by_old_n.get(int(match.group(1)))
            lost = lost or new is None
            return f"[{new}]"

        renumbered = re.sub(r"\[(\d+)\]", swap, note)
        if not lost:
            notes.append(renumbered)
    return notes


class LLMGenerator:
    """Answers with an OpenAI-compatible model, keeping only sentences the passages support.

    ``generate`` follows the answer composer's ``Generator`` protocol. ``llm`` may be any
    llama-index LLM; by default one is built from ``settings`` on first use.
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        llm: LLM | None = None,
        prompt: LLMPrompt | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        if llm is None and not settings.enabled:
            raise ConfigError(_NOT_CONFIGURED)
        self.settings = settings
        self._llm = llm
        self._prompt = prompt
        self._glossary = glossary

    @cached_property
    def llm(self) -> LLM:
        return self._llm or build_llm(self.settings)

    @cached_property
    def prompt(self) -> LLMPrompt:
        return self._prompt or load_prompt()

    @cached_property
    def glossary(self) -> Glossary:
        return self._glossary or load_glossary()

    @property
    def name(self) -> str:
        """The model's name, as recorded in ``Answer.generator``."""
        if self.settings.model:
            return self.settings.model
        return str(getattr(self.llm.metadata, "model_name", "") or "llm")

    def generate(self, question: str, hits: list[Hit], extractive: Answer) -> Answer:
        """The model's answer to ``question`` from ``hits``, checked; else ``extractive``.

        An answer that declined (not grounded) or routed a disclosure to help stands as it
        is: the model is only asked to word an answer the evidence already supports.
        """
        if not hits or not extractive.grounded or extractive.safety.disclosure:
            return extractive
        passages = [hit.passage for hit in hits]
        reply = self._ask(question, passages, extractive.mode)
        if reply is None:
            return _fallback(extractive, self.prompt.notes.unreachable)
        check = check_reply(
            reply, passages, not_found=self.prompt.not_found, glossary=self.glossary
        )
        for sentence in check.dropped:
            logger.info("dropped a model sentence (%s): %s", sentence.dropped, sentence.text)
        kept = check.kept
        if not kept:
            notes = self.prompt.notes
            return _fallback(extractive, notes.not_found if check.not_found else notes.unchecked)
        return self._answer(extractive, passages, check)

    def _ask(self, question: str, passages: list[Passage], mode: Mode) -> str | None:
        """The model's reply, or None when the endpoint cannot give one."""
        messages = build_messages(question, passages, mode, self.prompt)
        try:
            response = self.llm.chat(messages)
            content: Any = response.message.content
        # The endpoint is outside careguide: refused connections, timeouts, HTTP errors and
        # bodies that are not chat completions surface as many exception types (openai,
        # httpx, json, IndexError, TypeError ...). Every one of them means the same thing
        # here: fall back to the extractive answer.
        except Exception as error:
            logger.warning("the AI model could not answer (%s: %s)", type(error).__name__, error)
            return None
        if not isinstance(content, str):
            return None
        return _THINKING.sub("", content).strip() or None

    def _answer(self, extractive: Answer, passages: list[Passage], check: ReplyCheck) -> Answer:
        order: list[int] = []
        for sentence in check.kept:
            order += [c for c in sentence.cites if c not in order]
        renumber = {old: new for new, old in enumerate(order, 1)}
        citations = [
            _citation(renumber[old], passages[old - 1], extractive.citations) for old in order
        ]
        notes = _carry_notes(extractive, {c.passage_id: c.n for c in citations})
        if check.not_found:
            notes.append(self.prompt.notes.partial)
        unsupported = [s for s in check.dropped if s.dropped != NOT_FOUND]
        if unsupported:
            notes.append(self.prompt.notes.dropped.format(count=len(unsupported)))
        return extractive.model_copy(
            update={
                "answer": " ".join(s.render(renumber) for s in check.kept),
                "citations": citations,
                "grounded": True,
                "notes": notes,
                "generator": self.name,
            }
        )


def _fallback(extractive: Answer, note: str) -> Answer:
    return extractive.model_copy(update={"notes": [*extractive.notes, note]})
