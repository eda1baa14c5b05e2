"""Personal data: e-mail addresses, UK phone numbers, NI and NHS numbers, dates of birth and
postcodes never reach the log or the external model.

The end-to-end test runs `careguide serve`'s own ``run_server`` in a subprocess (so its
real logging set-up writes to a real stderr), with query logging on and the LLM backend
pointed at the scripted stand-in, which replies with a sentence full of personal details:
careguide drops that sentence and logs it, and the log must show tags, not details.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from conftest_app import CORPUS as CORPUS_FILES
from conftest_app import SAMPLE_FILES
from llm_server import MODEL, StandInLLM
from loopback import free_port

from careguide.api.engine import Engine
from careguide.api.redact import redact
from careguide.api.settings import Settings
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore

DETAILS = {
    "jo.bloggs@example.com": "[email]",
    "07700 900123": "[phone]",
    "+44 20 7946 0018": "[phone]",
    "QQ 12 34 56 C": "[NI number]",
    "943 476 5919": "[NHS number]",
    "12/03/2015": "[date of birth]",
    "LS1 4AP": "[postcode]",
}
QUESTION = (
    "I'm jo.bloggs@example.com, call 07700 900123 or +44 20 7946 0018, NI QQ 12 34 56 C, "
    "NHS number 943 476 5919, born on 12/03/2015, living at LS1 4AP: what does Putting "
    "children first say about accrediting social workers?"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB: 2015-03-12", "DOB: [date of birth]"),
        ("born 2015-3-2 in Hull", "born [date of birth] in Hull"),
        ("date of birth 12-Mar-2015", "date of birth [date of birth]"),
        ("she was born on the 3rd of March 2015", "she was born on the [date of birth]"),
        ("my birthday is 3 March 2015", "my birthday is [date of birth]"),
        ("JO.BLOGGS@EXAMPLE.CO.UK", "[email]"),
        ("+44 (0) 7700 900123", "[phone]"),
        ("(01632) 960 123", "[phone]"),
        ("NI number: AB 12 34 56 C", "NI number: [NI number]"),
        ("NHS No. 485 777 3456", "NHS No. [NHS number]"),
        ("SW1A1AA", "[postcode]"),
        ("W1A 0AX", "[postcode]"),
    ],
)
def test_more_shapes_of_personal_details_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text", ["the meeting on 2024-04-01", "between 2018-2023", "published 12-Mar-2015"]
)
def test_dates_that_are_not_birthdays_are_kept(text: str) -> None:
    assert redact(text) == text


def _only(names: tuple[str, ...]) -> Callable[[str, list[str]], list[str]]:
    """A copytree ``ignore`` that keeps only ``names``."""
    return lambda folder, entries: [e for e in entries if e not in names]


SERVER = """
import sys
from careguide.api.llm_settings import LLMSettings
from careguide.api.server import run_server
from careguide.api.server_settings import ServerSettings
from careguide.api.settings import Settings

data_dir, llm_url, model, port = sys.argv[1:]
settings = Settings(
    data_dir=data_dir,
    server=ServerSettings(query_logging=True, search_per_minute=0, ask_per_minute=0),
    llm=LLMSettings(base_url=llm_url, model=model, timeout=10),
)
run_server(settings, "127.0.0.1", int(port))
"""


def test_nothing_logged_or_sent_to_the_model_holds_personal_details(tmp_path: Path) -> None:
    # the real model, as the server uses: the answer must be grounded for the model to be asked
    shutil.copytree(CORPUS_FILES, tmp_path / "corpus", ignore=_only(SAMPLE_FILES))
    settings = Settings(data_dir=tmp_path)
    library = LibraryStore(tmp_path)
    with Engine(settings) as engine:
        engine.index(ingest_paths([tmp_path / "corpus"], settings.ingest, library=library).passages)
    port = free_port()
    with StandInLLM() as llm:
        echo = f"{QUESTION.split(': what')[0]} [1]."  # a model echoing a user, say
        llm.reply(echo)
        llm.reply(echo)
        server = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(SERVER), str(tmp_path), llm.base_url, MODEL,
             str(port)],
            stdout=subprocess.PIPE,  # uvicorn's access log
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(f"{base}/api/health", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and server.poll() is None
                    time.sleep(0.2)
            asked = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=30)
            searched = httpx.post(f"{base}/api/search", json={"question": QUESTION}, timeout=30)
            fed_back = httpx.post(
                f"{base}/api/feedback",
                json={"answer_id": asked.json()["id"], "helpful": False, "comment": QUESTION},
                timeout=30,
            )
        finally:
            server.terminate()
            log, _ = server.communicate(timeout=30)
        sent = [r.body + json.dumps(r.json, ensure_ascii=False) for r in llm.requests]

    assert asked.status_code == searched.status_code == 200
    assert fed_back.status_code == 201
    assert asked.json()["generator"] == "extractive"  # the echoing sentence was dropped
    assert sent, "the model was never asked: the test proves nothing about what is sent"
    assert "dropped a model sentence" in log and "/api/ask" in log
    for detail, tag in DETAILS.items():
        assert detail not in log, f"{detail} was logged"
        assert tag in log
        for body in sent:
            assert detail not in body, f"{detail} was sent to the model"
