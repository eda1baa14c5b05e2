"""The OpenAI-compatible face, driven by the official ``openai`` client against a real
uvicorn server on loopback (what Open WebUI and other chat front ends do)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import pytest
from conftest_app import app_settings, build_library, make_app
from loopback import running_server

from careguide.api.answer_models import Answer, Citation
from careguide.api.routes_openai import MODELS, format_reply

GROUNDED = "accredited practice leader in every local authority by 2020"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("openai")
    build_library(data_dir)
    app, engine = make_app(app_settings(data_dir))
    with engine, running_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)


def test_models_are_the_modes(client: openai.OpenAI) -> None:
    ids = [m.id for m in client.models.list()]
    assert ids == ["careguide", "careguide-carer", "careguide-child", "careguide-trainer"]


def test_chat_completion_lists_numbered_sources(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="careguide",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": GROUNDED},
        ],
        temperature=0.2,
    )
    text = reply.choices[0].message.content or ""
    assert reply.choices[0].finish_reason == "stop" and reply.model == "careguide"
    answer, _, sources = text.partition("\n\nSources:\n")
    assert "[1]" in answer
    assert sources.startswith("[1] Summary of Putting children first (NSPCC, 2016)")


def test_streaming_matches_the_whole_reply(client: openai.OpenAI) -> None:
    messages: list[openai.types.chat.ChatCompletionMessageParam] = [
        {"role": "user", "content": [{"type": "text", "text": GROUNDED}]},
    ]
    whole = client.chat.completions.create(model="careguide-trainer", messages=messages)
    pieces, finishes = [], []
    stream = client.chat.completions.create(
        model="careguide-trainer", messages=messages, stream=True
    )
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        pieces.append(chunk.choices[0].delta.content or "")
        finishes.append(chunk.choices[0].finish_reason)
    assert len(pieces) > 3 and finishes[-1] == "stop" and set(finishes[:-1]) == {None}
    assert "".join(pieces) == whole.choices[0].message.content


def test_earlier_messages_become_history(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="careguide-carer",
        messages=[
            {"role": "user", "content": "what are practice leaders?"},
            {"role": "assistant", "content": "Practice leaders lead social work practice [1]."},
            {"role": "user", "content": "when will every council have one?"},
        ],
    )
    assert reply.choices[0].message.content


def test_a_disclosure_gets_the_safety_reply(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="careguide-child",
        messages=[{"role": "user", "content": "my stepdad hits me and I am scared to go home"}],
    )
    assert "Childline" in (reply.choices[0].message.content or "")


def test_unknown_model_and_bad_messages_are_client_errors(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="careguide serves: careguide, "):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "q"}])
    with pytest.raises(openai.UnprocessableEntityError, match="the last message must be"):
        client.chat.completions.create(
            model="careguide", messages=[{"role": "assistant", "content": "hello"}]
        )


def test_sse_stream_arrives_over_the_wire(base_url: str) -> None:
    names = []
    with (
        httpx.Client(base_url=base_url, timeout=30) as http,
        http.stream("POST", "/api/ask/stream", json={"question": GROUNDED}) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event: "):
                names.append(line.removeprefix("event: "))
    assert names[0] == "delta" and names[-2:] == ["citations", "final"]


def test_format_reply_lists_sources_closest_and_notes() -> None:
    cite = Citation(
        n=1,
        passage_id="d:1",
        citation="Guide (DfE, 2018), para 3",
        source="d.txt",
        doc_id="d",
        title="Guide",
        text="t",
        date="2018-07",
        status="superseded",
    )
    answer = Answer(
        id="a",
        question="q",
        mode=MODELS["careguide"],
        answer="Councils must act [1].",
        citations=[cite],
        closest=[cite.model_copy(update={"status": "current"})],
        grounded=True,
        notes=["A newer edition exists."],
    )
    assert format_reply(answer) == (
        "Councils must act [1].\n\nSources:\n[1] Guide (DfE, 2018), para 3 (2018-07, superseded)"
        "\n\nClosest passages:\n- Guide (DfE, 2018), para 3 (2018-07)"
        "\n\nNote: A newer edition exists."
    )


def test_unknown_v1_path_has_the_openai_error_shape(base_url: str) -> None:
    response = httpx.get(f"{base_url}/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Not Found"
