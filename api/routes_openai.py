"""An OpenAI-compatible face (/v1), so chat front ends such as Open WebUI can use careguide.

The model name picks the mode: ``careguide`` (practitioner), ``careguide-carer``,
``careguide-child``, ``careguide-trainer``. The last user message is the question and the
earlier user and assistant messages are the history; system messages and sampling
parameters are accepted and ignored (answers are composed from the guidance, not sampled).
The reply is the answer followed by its numbered sources, so it reads well in any chat
window. Streaming sends ``chat.completion.chunk`` events sentence by sentence and ends with
``data: [DONE]``. Errors carry OpenAI's ``{"error": {...}}`` beside careguide's ``detail``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from careguide.api.answer_models import Answer, Citation, Mode, Turn
from careguide.api.routes_api import (
    ERROR_RESPONSES,
    MAX_QUESTION,
    SSE_EVENT,
    ErrorBody,
    sentence_chunks,
)
from careguide.api.routes_deps import AppState, rate_limited, state_of

__all__ = ["MODELS", "format_reply", "router"]

MODELS: dict[str, Mode] = {
    "careguide": Mode.practitioner,
    "careguide-carer": Mode.carer,
    "careguide-child": Mode.child,
    "careguide-trainer": Mode.trainer,
}
CREATED = 1_735_689_600  # 2025-01-01: when these model names were first served

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERROR_RESPONSES)


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = CREATED
    owned_by: str = "careguide"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(max_length=20, description="system, user, assistant (others are ignored).")
    content: str | list[ContentPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat completion request; fields careguide does not use are accepted."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(max_length=100, description=f"One of: {', '.join(MODELS)}.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: StrictBool = False


class ReplyMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: ReplyMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]


def _badge(c: Citation) -> str:
    when = c.date[:7] if c.date else "undated"
    return f"{when}, {c.status}" if c.status not in ("current", "unknown") else when


def format_reply(answer: Answer) -> str:
    """The answer as one chat message: text, numbered sources, closest passages, notes."""
    parts = [answer.answer.strip()]
    if answer.citations:
        parts.append(
            "Sources:\n"
            + "\n".join(f"[{c.n}] {c.citation} ({_badge(c)})" for c in answer.citations)
        )
    if answer.closest:
        parts.append(
            "Closest passages:\n"
            + "\n".join(f"- {c.citation} ({_badge(c)})" for c in answer.closest)
        )
    parts.extend(f"Note: {note}" for note in answer.notes)
    return "\n\n".join(p for p in parts if p)


def _conversation(body: ChatRequest) -> tuple[Mode, str, list[Turn]]:
    mode = MODELS.get(body.model)
    if mode is None:
        raise HTTPException(404, f"no model {body.model!r}; careguide serves: {', '.join(MODELS)}")
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user" or not turns[-1].text.strip():
        raise HTTPException(422, "the last message must be the user's question, and not empty")
    question = turns[-1].text.strip()
    if len(question) > MAX_QUESTION:
        raise HTTPException(422, f"the question is over {MAX_QUESTION} characters; shorten it")
    history = [Turn(role=m.role, content=m.text) for m in turns[:-1]][-40:]
    return mode, question, history


@router.get("/models", response_model=ModelList, summary="The careguide modes, as models")
async def models() -> ModelList:
    return ModelList(data=[ModelCard(id=name) for name in MODELS])


def _chunk(cid: str, model: str, created: int, delta: dict[str, Any], finish: str | None) -> str:
    data = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream(cid: str, model: str, created: int, reply: str) -> AsyncIterator[str]:
    yield _chunk(cid, model, created, {"role": "assistant", "content": ""}, None)
    for piece in sentence_chunks(reply):
        yield _chunk(cid, model, created, {"content": piece}, None)
    yield _chunk(cid, model, created, {}, "stop")
    yield "data: [DONE]\n\n"


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="A cited answer, OpenAI style (set stream for Server-Sent Events)",
    responses={
        404: {"model": ErrorBody, "description": "Unknown model name."},
        429: {"model": ErrorBody, "description": "Too many requests from this client."},
        200: {
            "description": "A chat.completion, or with stream: chat.completion.chunk events.",
            "content": {"text/event-stream": {"itemSchema": SSE_EVENT}},
        },
    },
    dependencies=[Depends(rate_limited("ask"))],
)
async def chat_completions(
    body: ChatRequest, state: Annotated[AppState, Depends(state_of)]
) -> ChatCompletion | StreamingResponse:
    mode, question, history = _conversation(body)
    state.log_question("chat", question)
    answer = await state.answer(question, mode, history)
    reply = format_reply(answer)
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        return StreamingResponse(
            _stream(cid, body.model, created, reply),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    return ChatCompletion(
        id=cid,
        created=created,
        model=body.model,
        choices=[Choice(message=ReplyMessage(content=reply))],
    )
