"""The `ask` shell: batch JSON lines with per-line modes, JSON and text for one question."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from passages import build_passage

from careguide.api.answer_models import Mode, Turn
from careguide.api.ask_cmd import row_mode, run_ask
from careguide.api.engine import Engine
from careguide.api.search_cmd import BatchInputError
from careguide.api.settings import Settings
from careguide.index.embedder import HashingEmbedder
from careguide.index.settings import IndexSettings
from careguide.index.store import Store
from careguide.ingest.models import DocKind, DocStatus, Passage

TEXTS = [
    "The local authority must publish a kinship local offer setting out the support available to kinship carers.",
    "Kinship carers may be entitled to a special guardianship allowance from the local authority.",
    "Young people in foster care can stay with their foster carers until they are 21 under staying put arrangements.",
]


def _passage(i: int, text: str) -> Passage:
    return build_passage(
        text,
        doc_id="guide-2023",
        paragraph=str(i),
        passage_id=f"guide-2023:{i}",
        short_title="Guide",
        citation=f"Guide (DfE, Dec 2023), para {i}",
        date="2023-12",
        kind=DocKind.statutory_guidance,
        status=DocStatus.current,
    )


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    settings = Settings(data_dir=tmp_path)
    built = Engine(
        settings,
        embedder=HashingEmbedder(dim=256),
        store=Store(IndexSettings(), location=":memory:"),
    )
    built.index([_passage(i, t) for i, t in enumerate(TEXTS, start=1)])
    yield built
    built.close()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"audience": "carer"}, Mode.carer),
        ({"mode": "child"}, Mode.child),
        ({"audience": "Trainer"}, Mode.trainer),
        ({"audience": "someone"}, Mode.practitioner),
        ({}, Mode.practitioner),
    ],
)
def test_row_mode(row: dict[str, object], expected: Mode) -> None:
    assert row_mode(row, Mode.practitioner) is expected


def test_batch_writes_one_json_object_per_line(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        json.dumps(
            {
                "id": "a",
                "question": "what must the council publish for kinship carers?",
                "audience": "carer",
            }
        )
        + "\n"
        + json.dumps({"id": "b", "text": "im being hurt at home and im scared tonight"})
        + "\n"
    )
    assert run_ask(engine, None, batch=batch, as_json=True) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    first, second = lines
    assert set(first) >= {
        "id",
        "question",
        "mode",
        "answer",
        "grounded",
        "citations",
        "notes",
        "safety",
    }
    assert first["mode"] == "carer"
    for citation in first["citations"]:
        assert set(citation) >= {
            "n",
            "passage_id",
            "doc_id",
            "source",
            "citation",
            "text",
            "date",
            "status",
            "duty",
        }
    assert second["safety"]["disclosure"] is True
    assert second["safety"]["signposts"] and not second["citations"]


@pytest.mark.parametrize(
    ("asked", "expected"),
    [(None, ["carer", "child", "practitioner"]), (Mode.child, ["child", "child", "child"])],
)
def test_a_mode_asked_for_governs_every_batch_line(
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    asked: Mode | None,
    expected: list[str],
) -> None:
    batch = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "question": "what is staying put?", "audience": "carer"},
        {"id": "b", "question": "what is staying put?", "mode": "child"},
        {"id": "c", "question": "what is staying put?"},
    ]
    batch.write_text("".join(json.dumps(row) + "\n" for row in rows))
    run_ask(engine, None, batch=batch, mode=asked, as_json=True)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["mode"] for line in lines] == expected


def test_a_bad_batch_line_names_the_line(engine: Engine, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a"}\n')
    with pytest.raises(BatchInputError, match="line 1"):
        run_ask(engine, None, batch=batch, mode=Mode.practitioner, as_json=True)


def test_one_question_as_text_lists_references(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    history = [
        Turn(role="user", content="can kinship carers get a special guardianship allowance?")
    ]
    run_ask(
        engine,
        "and who pays it?",
        batch=None,
        mode=Mode.practitioner,
        as_json=False,
        history=history,
    )
    out = capsys.readouterr().out
    assert "Guide (DfE, Dec 2023)" in out
    assert "2023-12" in out


def test_one_question_as_json(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    run_ask(engine, "what is staying put?", batch=None, mode=Mode.child, as_json=True)
    line = json.loads(capsys.readouterr().out)
    assert line["mode"] == "child" and line["id"] is None
