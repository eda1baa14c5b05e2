"""The gold-file reader: every bad input gets one line that says what to fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careguide.eval.metrics import GoldFileError, GoldItem, covered, load_gold, relevant

ITEM = {
    "id": "q1",
    "question": "who pays the allowance",
    "answerable": True,
    "evidence": [{"source": "a.txt", "quote": "the allowance is paid by the council each month"}],
}


def _write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "gold.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_items_and_defaults(tmp_path: Path) -> None:
    items = load_gold(_write(tmp_path, ITEM, {"id": "q2", "question": "x", "answerable": False}))
    assert [i.id for i in items] == ["q1", "q2"]
    assert items[0].needs == "any" and not items[0].draft


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["{not json"], "line 1 is not a gold item"),
        ([{**ITEM, "needs": "some"}], "line 1 is not a gold item (needs:"),
        ([{**ITEM, "evidence": []}], "is answerable but has no evidence"),
        ([ITEM, ITEM], "id 'q1' is used twice"),
        ([""], "has no items"),
    ],
)
def test_bad_gold_files_say_what_to_fix(tmp_path: Path, rows: list[object], message: str) -> None:
    with pytest.raises(GoldFileError) as caught:
        load_gold(_write(tmp_path, *rows))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GoldFileError, match="not found; check the path"):
        load_gold(tmp_path / "nope.jsonl")


def test_needs_all_requires_every_group() -> None:
    item = GoldItem.model_validate(
        {
            "id": "q",
            "question": "q",
            "needs": "all",
            "evidence": [
                {"source": "a", "quote": "one two three four five six seven eight", "group": 1},
                {
                    "source": "a",
                    "quote": "alpha beta gamma delta epsilon zeta eta theta",
                    "group": 2,
                },
            ],
        }
    )
    first = "x one two three four five six seven eight y"
    second = "alpha beta gamma delta epsilon zeta eta theta"
    assert relevant(item.evidence[0].quote, first)
    assert not covered(item, [first], 10)
    assert covered(item, [first, second], 10)
    assert not covered(item, [first, "filler", second], 2)
