"""A stand-in ragas judge: answers each prompt ragas 0.4's judged metrics send, with JSON
derived from the request, so the judge path runs end to end over real HTTP with no model.

ragas renders every prompt as its instruction, a JSON schema, worked examples, then
``Now perform the same with the following input`` / ``input: {json}`` / ``Output: ``
(``ragas.prompt.PydanticPrompt.to_string``). ``judge_reply`` recognises the prompt by its
instruction, reads the input JSON and replies as a careful judge would, by rule:

- statement generator (Faithfulness): the answer's sentences, [n] markers removed;
- claim decomposition (FactualCorrectness): the response's sentences;
- NLI verdicts (both): a statement is supported when most of its words are in the context;
- question generation (ResponseRelevancy): a question made from the answer's first
  sentence; "noncommittal" when the answer says the library does not cover it.

Use it as a ``StandInLLM`` responder: ``server.respond_with(judge_reply)``. A prompt it
does not know gets an HTTP 400, so a ragas change shows up as a recorded judge error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from llm_server import Received, Scripted

from careguide.eval.metrics import tokens

INPUT_MARK = "Now perform the same with the following input"
STATEMENTS = "Given a question and an answer, analyze the complexity of each sentence"
CLAIMS = "Decompose and break down each of the input sentences"
VERDICTS = "Your task is to judge the faithfulness of a series of statements"
QUESTION = "Generate a question for the given answer and Identify if answer is noncommittal"
FIX_FORMAT = "The output string did not satisfy the constraints given in the prompt"
KINDS = {
    STATEMENTS: "statements",
    CLAIMS: "claims",
    VERDICTS: "verdicts",
    QUESTION: "question",
    FIX_FORMAT: "fix_format",
}
NONCOMMITTAL = ("does not cover", "i don't know", "i'm not sure", "cannot answer")
SUPPORTED_SHARE = 0.6
_MARKER = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def prompt_kind(prompt: str) -> str | None:
    """Which ragas prompt this is, by its instruction; None when unknown."""
    head = prompt.split(INPUT_MARK, 1)[0]
    return next((kind for text, kind in KINDS.items() if text in head), None)


def prompt_input(prompt: str) -> dict[str, Any]:
    """The JSON input a ragas prompt ends with (after ``input: ``, before ``Output: ``)."""
    tail = prompt.rsplit(INPUT_MARK, 1)[1]
    body = tail.split("input:", 1)[1].rsplit("Output:", 1)[0]
    data: dict[str, Any] = json.loads(body)
    return data


def sentences(text: str) -> list[str]:
    """Sentences of an answer, citation markers removed."""
    plain = _MARKER.sub("", text)
    return [s.strip() for s in _SENTENCE.split(" ".join(plain.split())) if s.strip()]


def supported(statement: str, context: str) -> bool:
    """Most of the statement's words appear in the context."""
    words = set(tokens(statement))
    return bool(words) and len(words & set(tokens(context))) / len(words) >= SUPPORTED_SHARE


def reply_for(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The JSON object the prompt's output schema asks for."""
    if kind == "statements":
        return {"statements": sentences(str(data.get("answer", "")))}
    if kind == "claims":
        return {"claims": sentences(str(data.get("response", "")))}
    if kind == "verdicts":
        context = str(data.get("context", ""))
        return {
            "statements": [
                {
                    "statement": s,
                    "reason": "most of its words are in the context"
                    if supported(s, context)
                    else "the context does not say this",
                    "verdict": int(supported(s, context)),
                }
                for s in data.get("statements", [])
            ]
        }
    if kind == "question":
        response = str(data.get("response", ""))
        first = (sentences(response) or [response])[0].rstrip(".!?")
        return {
            "question": f"What does the guidance say about this: {first}?",
            "noncommittal": int(any(p in response.lower() for p in NONCOMMITTAL)),
        }
    raise ValueError(f"no rule for a {kind} prompt")


def judge_reply(request: Received) -> str | Scripted:
    """A ``StandInLLM`` responder that judges like ragas expects; 400 for an unknown prompt."""
    prompt = request.prompt
    kind = prompt_kind(prompt)
    if kind is None or kind == "fix_format":  # our replies always parse: a fix is a bug
        body = {"error": {"message": f"the stand-in judge does not know this prompt: {kind}"}}
        return Scripted(status=400, raw=json.dumps(body).encode())
    return json.dumps(reply_for(kind, prompt_input(prompt)))
