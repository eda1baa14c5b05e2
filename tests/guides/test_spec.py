"""Guide specs: the bundled ones are valid, and bad specs get one line naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from careguide.api.answer_models import Mode
from careguide.api.cli import app
from careguide.guides.spec import (
    GuideSpecError,
    bundled_spec_paths,
    find_spec,
    load_spec,
    parse_spec,
)

GOOD = """\
title: A short test guide
audience: carer
introduction: |
  Framing for the reader,
  over two lines.

  A second paragraph.
sections:
  - question: What is a special guardianship order?
    filters: {doc_ids: [stable-homes-2023], year_from: 2020}
exercises:
  - scenario: A made-up situation for the learners to think about.
    task: Find the paragraph about it.
    target: special guardianship order meaning
"""


def test_bundled_specs_are_valid_and_as_briefed() -> None:
    specs = {p.stem: load_spec(p) for p in bundled_spec_paths()}
    assert set(specs) == {"kinship-support", "ecf-child-protection-2023", "ofsted-inadequate"}
    assert specs["kinship-support"].audience is Mode.carer
    assert specs["ecf-child-protection-2023"].audience is Mode.trainer
    assert len(specs["ecf-child-protection-2023"].exercises) == 5
    assert all(e.expect for e in specs["ecf-child-protection-2023"].exercises)
    assert specs["ofsted-inadequate"].title == "When Ofsted judges a council inadequate"


def test_a_spec_reads_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "My Guide.yaml"
    path.write_text(GOOD, encoding="utf-8")
    spec = load_spec(path)
    assert spec.id == "my-guide"
    assert spec.introduction == "Framing for the reader, over two lines.\n\nA second paragraph."
    assert spec.sections[0].title == spec.sections[0].question
    filters = spec.sections[0].filters.to_search()
    assert filters is not None and filters.doc_ids == ["stable-homes-2023"]
    assert spec.exercises[0].paragraphs == 1
    assert spec.exercises[0].filters.to_search() is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("audience: carer", "audience: manager"), "audience: unknown mode 'manager'"),
        (
            GOOD.replace("    task:", "    colour: red\n    task:"),
            "exercises.0.colour is not a spec field",
        ),
        (GOOD.replace("title: A short test guide\n", ""), "title is missing; add it"),
        (GOOD.replace("year_from: 2020", "year_from: soon"), "sections.0.filters.year_from:"),
        ("title: [unclosed\n", "invalid YAML at line 2"),
        ("- just\n- a list\n", "a guide spec is a mapping"),
    ],
)
def test_bad_specs_name_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GuideSpecError) as caught:
        load_spec(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_parse_spec_needs_an_id_without_a_file() -> None:
    with pytest.raises(GuideSpecError, match=r"^request: id is missing; add it"):
        parse_spec({"title": "x" * 5}, name="request")


def test_find_spec_by_bundled_name() -> None:
    assert find_spec("kinship-support").name == "kinship-support.yaml"
    with pytest.raises(GuideSpecError, match="no guide spec 'nope'"):
        find_spec("nope")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["guide", "build", "missing.yaml"], "no guide spec at missing.yaml"),
        (["guide", "build", "kinship-support", "--format", "docx"], "unknown format 'docx'"),
        (["guide", "build", "BAD"], "audience: unknown mode 'manager'"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("audience: carer", "audience: manager"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = [str(bad) if a == "BAD" else a for a in args]
    result = CliRunner().invoke(app, args, env={"CAREGUIDE_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) <= 2  # one line, maybe wrapped once


def test_cli_list_shows_the_bundled_guides(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["guide", "list"], env={"CAREGUIDE_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.stderr
    for name in ("kinship-support", "ecf-child-protection-2023", "ofsted-inadequate"):
        assert name in result.stdout
