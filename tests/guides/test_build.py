"""The bundled guides built from the sample corpus with the real model: answers, references,
exercises, rendering (HTML, Markdown, PDF), `guide check`, and the HTTP API."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from conftest_guides import GuideLibrary, browser_helpers
from loopback import running_server
from PIL import Image
from typer.testing import CliRunner

from careguide.api.app import create_app
from careguide.api.cli import app
from careguide.api.server_settings import ServerSettings
from careguide.api.settings import Settings
from careguide.guides.build import (
    build_guide,
    check_guide,
    library_version,
    passage_hash,
    save_built,
)
from careguide.guides.render import WORDING, render_html, render_markdown, render_pdf
from careguide.guides.spec import parse_spec
from careguide.ingest.models import DocStatus, Passage
from careguide.ingest.storage import LibraryStore

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "guides-test-admin-token-0123456789"


def test_the_bundled_guides_answer_every_section(library: GuideLibrary) -> None:
    guides = library.guides
    assert set(guides) == {"kinship-support", "ecf-child-protection-2023", "ofsted-inadequate"}
    for guide in guides.values():
        answered = [s for s in guide.sections if s.grounded]
        assert len(answered) == len(guide.sections), guide.id
        assert not guide.warnings, guide.warnings
        for section in answered:
            markers = {int(n) for n in re.findall(r"\[(\d+)\]", section.answer)}
            assert markers and markers <= set(section.references), section.heading
    assert guides["kinship-support"].audience.value == "carer"
    # the look-up list of trainer answers is left to the guide's own references
    assert all(
        "Paragraphs to look up" not in s.answer
        for s in guides["ecf-child-protection-2023"].sections
    )


def test_every_reference_resolves_to_a_passage(library: GuideLibrary) -> None:
    by_id = {p.id: p for p in library.passages}
    for guide in library.guides.values():
        assert [r.n for r in guide.references] == list(range(1, len(guide.references) + 1))
        for ref in guide.references:
            passage = by_id[ref.passage_id]
            assert passage_hash(passage.text) == ref.text_sha256
            assert ref.status == passage.meta.status.value and ref.date == passage.meta.date
        assert guide.library == library_version(library.passages, library.settings.index.model)


def test_exercise_keys_are_found_by_search(library: GuideLibrary) -> None:
    guide = library.guides["ecf-child-protection-2023"]
    assert len(guide.exercises) == 5
    expected = ["para 60", "para 64", "para 90", "para 103", "para 274"]
    for exercise, where in zip(guide.exercises, expected, strict=True):
        assert exercise.found and exercise.key
        cited = [guide.reference(n).citation for n in exercise.key]
        assert any(c.endswith(where) for c in cited), (exercise.title, cited)
        # the key is the search's result, not text carried by the spec
        top = library.engine.search(exercise.target, k=1)[0].passage
        assert guide.reference(exercise.key[0]).passage_id == top.id


def test_a_question_the_library_cannot_answer_says_so(library: GuideLibrary) -> None:
    spec = parse_spec(
        {
            "id": "off-topic",
            "title": "Off topic",
            "audience": "practitioner",
            "introduction": "A guide with a question the library cannot answer.",
            "sections": [{"question": "What temperature should I bake a lemon drizzle cake at?"}],
        },
        name="test",
    )
    guide = build_guide(spec, engine=library.engine, passages=library.passages)
    assert not guide.sections[0].grounded and guide.references == []
    html = render_html(guide)
    assert WORDING["not_covered"] in html
    assert "lemon" not in render_markdown(guide).split(WORDING["not_covered"])[1]


def test_rendered_html_and_markdown(library: GuideLibrary) -> None:
    guide = library.guides["ecf-child-protection-2023"]
    html = render_html(guide)
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert 'lang="en-GB"' in html
    for ref in guide.references:
        assert f'id="ref-{ref.n}"' in html
    assert set(re.findall(r'href="#ref-(\d+)"', html)) == {str(r.n) for r in guide.references}
    linked = render_html(guide, stylesheet="/api/guides/handout.css")
    assert "<style>" not in linked and 'href="/api/guides/handout.css"' in linked
    md = render_markdown(guide)
    assert md.count("\n## ") >= len(guide.sections) + 3
    assert "## Answer key" in md and "Current" in md


def test_html_escapes_passage_text(library: GuideLibrary) -> None:
    guide = library.guides["kinship-support"]
    ref = guide.references[0].model_copy(update={"text": "<script>alert(1)</script>"})
    hostile = guide.model_copy(
        update={"references": [ref, *guide.references[1:]], "title": "<b>bold</b>"}
    )
    html = render_html(hostile)
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_pdf_pages_render(library: GuideLibrary, tmp_path: Path) -> None:
    guide = library.guides["ecf-child-protection-2023"]
    pdf = render_pdf(render_html(guide), tmp_path / "pack.pdf", chromium=CHROMIUM)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    [png] = list(tmp_path.glob("page-*.png"))
    with Image.open(png) as page:
        grey = page.convert("L")
        assert grey.width < grey.height  # portrait A4
        dark = sum(grey.histogram()[:128])
    assert dark > 0.005 * grey.width * grey.height  # text on the page, not a blank sheet


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_rendered_guides_have_no_serious_axe_violation(library: GuideLibrary) -> None:
    helpers = browser_helpers()
    with helpers.chromium() as browser:
        page = browser.new_page()
        for guide in library.guides.values():
            page.set_content(render_html(guide))
            page.add_script_tag(path=str(helpers.axe_path()))
            bad = helpers.serious(helpers.run_axe(page, name=f"guide-{guide.id}"))
            assert not bad, (guide.id, bad)
        page.close()


def _write_library(data_dir: Path, passages: list[Passage]) -> None:
    LibraryStore(data_dir).save_passages(passages)


def test_guide_check_flags_a_changed_passage(library: GuideLibrary, tmp_path: Path) -> None:
    guide = library.guides["kinship-support"]
    folder = tmp_path / "built"
    save_built(guide, folder)
    env = {"CAREGUIDE_DATA_DIR": str(tmp_path / "data")}

    _write_library(tmp_path / "data", library.passages)
    result = CliRunner().invoke(app, ["guide", "check", str(folder)], env=env)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ok kinship-support" in result.stdout

    cited = guide.references[0].passage_id
    changed = [
        p.model_copy(update={"text": p.text + " A sentence added since."}) if p.id == cited else p
        for p in library.passages
    ]
    _write_library(tmp_path / "data", changed)
    result = CliRunner().invoke(app, ["guide", "check", str(folder)], env=env)
    assert result.exit_code == 1
    assert "stale kinship-support" in result.stdout
    assert f"[1] {guide.references[0].citation}: changed" in result.stdout


def test_guide_check_flags_missing_and_superseded_sources(library: GuideLibrary) -> None:
    guide = library.guides["ofsted-inadequate"]
    current = library_version(library.passages, "m")
    first, second = guide.references[0], guide.references[1]
    passages = []
    for p in library.passages:
        if p.id == first.passage_id:
            continue  # gone from the library
        if p.doc_id == second.doc_id and p.id == second.passage_id:
            p = p.model_copy(
                update={"meta": p.meta.model_copy(update={"status": DocStatus.superseded})}
            )
        passages.append(p)
    result = check_guide(guide, passages, current)
    kinds = {(p.n, p.kind) for p in result.problems}
    assert (1, "missing") in kinds
    if second.status == "current":
        assert (2, "superseded") in kinds
    assert result.stale


def test_http_api_lists_renders_and_builds(library: GuideLibrary) -> None:
    settings = Settings(
        data_dir=library.settings.data_dir,
        admin_token=TOKEN,
        server=ServerSettings(search_per_minute=0, ask_per_minute=0),
    )
    save_built(library.guides["ofsted-inadequate"], settings.data_dir / "guides")
    server_app = create_app(settings, engine=library.engine)
    spec = {
        "id": "api-built",
        "title": "Built over HTTP",
        "audience": "practitioner",
        "introduction": "A guide posted to the API in a test.",
        "sections": [{"question": "When is an inadequate council re-inspected?"}],
    }
    with (
        running_server(server_app, start_timeout=60) as url,
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        listed = client.get("/api/guides").json()["guides"]
        by_id = {g["id"]: g for g in listed}
        assert by_id["ofsted-inadequate"]["built"] and by_id["ofsted-inadequate"]["stale"] is False
        assert by_id["kinship-support"]["bundled"]

        page = client.get("/api/guides/ofsted-inadequate")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'href="/api/guides/handout.css"' in page.text
        assert client.get("/api/guides/handout.css").headers["content-type"].startswith("text/css")
        detail = client.get("/api/guides/ofsted-inadequate", params={"format": "json"}).json()
        assert detail["stale"] is False and len(detail["references"]) > 0
        assert client.get("/api/guides/ofsted-inadequate", params={"format": "md"}).text.startswith(
            "*careguide guide"
        )
        assert client.get("/api/guides/no-such-guide").status_code == 404

        assert client.post("/api/guides/build", json=spec).status_code == 401
        bad = client.post(
            "/api/guides/build",
            json={**spec, "audience": "manager"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert bad.status_code == 422 and "unknown mode 'manager'" in bad.json()["detail"]
        built = client.post(
            "/api/guides/build", json=spec, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert built.status_code == 200, built.text
        assert built.json()["sections"][0]["grounded"]
        assert "api-built" in {g["id"] for g in client.get("/api/guides").json()["guides"]}
