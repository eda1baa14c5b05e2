"""`careguide eval` from the shell: bad input is one line and exit 2; a gold file the
project has never seen (written here from the sample corpus at test time) gets a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careguide.api.cli import app
from careguide.eval.metrics import tokens
from careguide.ingest.storage import LibraryStore

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["eval", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --gold FILE"),
        (["--gold", "/nonexistent/gold.jsonl"], "not found; check the path"),
        (["--gold", "{bad}"], "is not a gold item"),
        (["--gold", "{good}", "--mode", "pirate"], "unknown mode 'pirate'; choose from:"),
        (["--gold", "{good}", "--baseline", "tfidf"], "unknown baseline 'tfidf'"),
        (["--disclosures", "{bad}"], "is not a labelled message"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": \n', encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "u", "question": "q", "answerable": False}) + "\n")
    args = [a.format(bad=bad, good=good) for a in args]
    code, out, err = _run(*args)
    assert code == 2, (out, err)
    assert message in err
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) <= 2  # one message, which rich may wrap once


def _unseen_gold(data_dir: Path, path: Path) -> None:
    """Three answerable items quoting passages of three documents, and one unanswerable."""
    passages = LibraryStore(data_dir).passages()
    chosen, seen = [], set()
    for p in passages:
        words = p.text.split()
        if p.source not in seen and len(words) >= 40 and len(tokens(p.text)) >= 40:
            seen.add(p.source)
            chosen.append(p)
        if len(chosen) == 3:
            break
    rows = []
    for n, p in enumerate(chosen, start=1):
        words = p.text.split()
        quote = " ".join(words[10:26])
        rows.append(
            {
                "id": f"t{n}",
                "question": " ".join(words[8:24]),
                "audience": ["practitioner", "carer", "trainer"][n - 1],
                "answerable": True,
                "needs": "any",
                "evidence": [{"source": p.source, "quote": quote, "group": 1}],
                "reference_answer": " ".join(words[:30]),
                "difficulty": "easy",
            }
        )
    rows.append(
        {
            "id": "t4",
            "question": "what are the opening hours of the leisure centre swimming pool",
            "audience": "child",
            "answerable": False,
            "difficulty": "easy",
        }
    )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.mark.slow
def test_eval_on_a_gold_file_it_has_never_seen(
    sample_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = tmp_path / "unseen.jsonl"
    _unseen_gold(sample_library, gold)
    monkeypatch.setenv("CAREGUIDE_DATA_DIR", str(sample_library))
    out = tmp_path / "report"
    code, stdout, stderr = _run("--gold", str(gold), "--out", str(out), "--mode", "audience")
    assert code == 0, stdout + stderr
    assert "careguide" in stdout and "llama-index" in stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["items"], metrics["answerable"], metrics["unanswerable"]) == (4, 3, 1)
    names = [s["name"] for s in metrics["systems"]]
    assert names == ["careguide", "BM25 (bm25s)", "dense alone", "llama-index default"]
    assert metrics["systems"][0]["recall_at_10"] >= 2 / 3  # the questions quote the passages
    assert metrics["ragas"]["context_recall"] is not None
    assert {p.name for p in out.iterdir()} >= {"report.md", "recall_at_k.png", "reading_grade.png"}
