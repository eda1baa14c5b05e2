"""ragas' LLM-judged metrics (Faithfulness, ResponseRelevancy, FactualCorrectness) run for
real: through llama-index's OpenAI client, over HTTP, against a stand-in judge on loopback
(``ragas_judge``) that answers every ragas prompt with well-formed JSON. A judge that fails,
from the start, part way, on one kind of request or with replies that are not JSON, is
recorded in the report and the run goes on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_server import MODEL, Received, Responder, Scripted, StandInLLM
from ragas_judge import judge_reply, prompt_kind
from typer.testing import CliRunner

from careguide.api.cli import app
from careguide.api.engine import Engine
from careguide.api.settings import Settings
from careguide.eval.harness import run_eval
from careguide.eval.metrics import Evidence, GoldItem
from careguide.eval.ragas_scores import JudgeSettings
from careguide.eval.report import write_outputs
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore

JUDGED = ("faithfulness", "response_relevancy", "factual_correctness")
KEY = "judge-key-for-tests"


def _gold() -> list[GoldItem]:
    def item(qid: str, question: str, quote: str, audience: str) -> GoldItem:
        return GoldItem(
            id=qid,
            question=question,
            audience=audience,
            evidence=[Evidence(source=f"{qid}.txt", quote=quote)],
            reference_answer=quote + ".",
        )

    return [
        item(
            "kinship",
            "must the council assess a kinship carer for financial support",
            "The local authority must assess a kinship carer for financial support within 28 days",
            "carer",
        ),
        item(
            "partners",
            "who are the safeguarding partners",
            "Safeguarding partners are the local authority, the integrated care board and police",
            "practitioner",
        ),
        GoldItem(id="pool", question="what time does the swimming pool open", answerable=False),
    ]


@pytest.fixture
def judge() -> Iterator[StandInLLM]:
    with StandInLLM() as server:
        yield server


def _report_value(report: str, metric: str) -> str:
    found = re.search(rf"^\| {metric} \(judge {MODEL}\) \| ([^|]+) \|$", report, re.M)
    assert found, f"no {metric} row in report.md"
    return found.group(1).strip()


def test_careguide_eval_runs_the_judged_metrics_against_a_judge(
    judge: StandInLLM, made_up_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the packaged embedding model, as `careguide eval` uses it, over a small made-up library
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir)
    result = ingest_paths([made_up_corpus], settings.ingest, library=LibraryStore(data_dir))
    with Engine(settings) as engine:
        engine.index(result.passages)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(i.model_dump_json() + "\n" for i in _gold()), encoding="utf-8")
    judge.respond_with(judge_reply)
    monkeypatch.setenv("CAREGUIDE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CAREGUIDE_EVAL_LLM_BASE_URL", judge.base_url)
    monkeypatch.setenv("CAREGUIDE_EVAL_LLM_MODEL", MODEL)
    monkeypatch.setenv("CAREGUIDE_EVAL_LLM_API_KEY", KEY)
    out = tmp_path / "report"

    run = CliRunner().invoke(
        app,
        ["eval", "--gold", str(gold), "--mode", "audience", "--no-baselines", "--out", str(out)],
    )

    assert run.exit_code == 0, run.stdout + run.stderr
    assert "ragas:" not in run.stderr  # no judge errors
    ragas = json.loads((out / "metrics.json").read_text())["ragas"]
    assert ragas["judge"] == MODEL and ragas["errors"] == []
    for metric in JUDGED:
        assert isinstance(ragas[metric], float) and 0 <= ragas[metric] <= 1, (metric, ragas)
    report = (out / "report.md").read_text()
    for name, metric in zip(
        ("Faithfulness", "ResponseRelevancy", "FactualCorrectness"), JUDGED, strict=True
    ):
        assert float(_report_value(report, name)) == pytest.approx(ragas[metric], abs=0.001)
    assert f"faithfulness {ragas['faithfulness']}" in run.stdout

    kinds = [prompt_kind(r.prompt) for r in judge.requests]
    # per answer: statements and verdicts (faithfulness), three questions (relevancy), and
    # claims and verdicts both ways (factual correctness)
    assert kinds.count("statements") == 2 and kinds.count("question") == 6
    assert kinds.count("claims") == 4 and kinds.count("verdicts") == 6
    first = judge.requests[0]
    assert first.path == "/v1/chat/completions" and first.json["model"] == MODEL
    assert first.headers["Authorization"] == f"Bearer {KEY}"
    assert all(r.json.get("n", 1) == 1 for r in judge.requests)
    assert "kinship carer" in " ".join(r.prompt for r in judge.requests)


def _fails_from(kind: str) -> Responder:
    """A judge that answers well until the first ``kind`` prompt, then gives HTTP 500s."""
    failing = False

    def reply(request: Received) -> str | Scripted:
        nonlocal failing
        failing = failing or prompt_kind(request.prompt) == kind
        if failing:
            return Scripted(status=500, raw=b'{"error": {"message": "judge overloaded"}}')
        return judge_reply(request)

    return reply


@pytest.mark.parametrize(
    ("behaviour", "scored", "errors"),
    [
        (
            "down",
            (),
            [
                "faithfulness: not reported, the judge failed on sample 1 of 2 (InternalServerError",
                "response_relevancy: not run, the judge failed on faithfulness",
                "factual_correctness: not run, the judge failed on faithfulness",
            ],
        ),
        (
            "fails mid-run",
            ("faithfulness",),
            [
                "response_relevancy: not reported, the judge failed on sample 1 of 2 (InternalServerError",
                "factual_correctness: not run, the judge failed on response_relevancy",
            ],
        ),
        (
            "refuses one kind of request",
            ("response_relevancy", "factual_correctness"),
            [
                "faithfulness: not reported, the judge failed on sample 1 of 2 (BadRequestError",
            ],
        ),
        (
            "not json",
            (),
            [f"{m}: not reported, the judge failed on sample 1 of 2 (" for m in JUDGED],
        ),
    ],
)
def test_a_failing_judge_is_recorded_and_the_run_goes_on(
    small_engine: tuple[Engine, LibraryStore],
    judge: StandInLLM,
    tmp_path: Path,
    behaviour: str,
    scored: tuple[str, ...],
    errors: list[str],
) -> None:
    if behaviour == "fails mid-run":
        judge.respond_with(_fails_from("question"))
    elif behaviour == "refuses one kind of request":  # a 400 is about the request, not the judge
        judge.respond_with(
            lambda r: (
                Scripted(status=400, raw=b'{"error": {"message": "prompt too long"}}')
                if prompt_kind(r.prompt) == "statements"
                else judge_reply(r)
            )
        )
    elif behaviour == "not json":
        judge.respond_with(lambda _: "I would say the answer is mostly faithful.")
    # "down": nothing scripted, so every call is an HTTP 500
    engine, library = small_engine

    report = run_eval(
        _gold(),
        engine=engine,
        passages=library.passages(),
        documents=library.documents(),
        baselines=(),
        modes=("audience",),
        judge=JudgeSettings(base_url=judge.base_url, model=MODEL, attempts=1),
    )

    assert report.systems[0].recall_at_5 > 0 and report.answers  # the rest of the run is there
    r = report.ragas
    assert r is not None and r.judge == MODEL and r.answer_semantic_similarity is not None
    for metric in JUDGED:
        value = getattr(r, metric)
        assert (value is not None and 0 <= value <= 1) if metric in scored else value is None
    assert len(r.errors) == len(errors)
    for line, start in zip(r.errors, errors, strict=True):
        assert line.startswith(start), line
    assert judge.requests, "the judge was never asked"

    write_outputs(report, tmp_path / "out")
    text = (tmp_path / "out" / "report.md").read_text()
    for line in r.errors:
        assert f"- error: {line}" in text
    stored = json.loads((tmp_path / "out" / "metrics.json").read_text())["ragas"]
    assert stored["errors"] == r.errors
