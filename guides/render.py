"""Rendering a built guide: print-friendly HTML, Markdown, and PDF from the HTML.

The HTML is built as an element tree (lxml's builder), so text from the corpus can only
ever be text: there is no string of markup to escape by hand. A file on its own carries
its stylesheet inline; the HTTP API links ``GUIDE_CSS`` instead, because the app's
Content-Security-Policy refuses inline styles. The PDF is the HTML printed by headless
Chromium (Debian's ``/usr/bin/chromium``; see ``render_pdf``).

The fixed wording a guide adds around the engine's answers (labels, the "not covered"
line, the footer) lives in ``WORDING`` below and frames rather than asserts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import lxml.html
from lxml.html import builder as E

from careguide.guides.build import BuiltExercise, BuiltGuide, BuiltSection, Reference
from careguide.ingest.errors import CareguideError

__all__ = ["GUIDE_CSS", "WORDING", "PdfError", "render_html", "render_markdown", "render_pdf"]

WORDING = {
    "kicker": "careguide guide",
    "for": "For",
    "about": "About this guide",
    "how": (
        "Each answer below is made of sentences from the guidance in careguide's library. "
        "The numbers in square brackets point to the references at the end, which give the "
        "document, its date, whether it is current, and the paragraph to check."
    ),
    "asked": "Question asked:",
    "not_covered": "Not covered by the guidance in this library.",
    "notes": "Check before relying on this",
    "exercises": "Exercises: find the paragraph",
    "exercises_how": (
        "Read the scenario, then search the guidance for the paragraph that answers the task. "
        "The answer key is at the end."
    ),
    "scenario": "Scenario:",
    "task": "Your task:",
    "key": "Answer key",
    "key_how": "The paragraphs careguide's search finds for each exercise.",
    "key_missing": "careguide's search found no paragraph for this exercise.",
    "references": "References",
    "document": "Document",
    "published": "Published",
    "status": "Status",
    "where": "Paragraph",
    "reviewer": "Notes for reviewers",
    "reviewer_how": "Not part of the handout: check these before giving it out.",
    "footer": (
        "Made with careguide {version} on {date} from library version {library} "
        "({passages} passages). careguide quotes published guidance; it is not legal advice "
        "and does not replace local procedures or professional judgement."
    ),
}

READERS = {
    "practitioner": "practitioners",
    "carer": "kinship carers",
    "child": "children and young people",
    "trainer": "trainers",
}

STATUS = {
    "current": "Current",
    "superseded": "Superseded",
    "historical": "Historical",
    "unknown": "Status not known",
}

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

GUIDE_CSS = """
@page { size: A4; margin: 16mm 16mm 18mm; }
:root { color: #0b0c0c; background: #fff; font-family: Arial, "Liberation Sans", Helvetica, sans-serif; line-height: 1.5; }
body { margin: 0; font-size: 1.0625em; }
.guide { max-width: 46em; margin: 0 auto; padding: 1.5em 1em 2em; }
.guide h1 { font-size: 2em; line-height: 1.2; margin: 0.25em 0 0.75em; }
.guide h2 { font-size: 1.375em; line-height: 1.25; margin: 2em 0 0.5em; padding-top: 0.75em; border-top: 2px solid #12436d; break-after: avoid; page-break-after: avoid; }
.guide h3 { font-size: 1.125em; margin: 1.25em 0 0.4em; break-after: avoid; page-break-after: avoid; }
.guide p { margin: 0 0 0.75em; }
.guide a { color: #1d4f91; }
.guide__kicker { color: #383f43; font-weight: 700; margin: 0; text-transform: uppercase; letter-spacing: 0.04em; font-size: 0.9375em; }
.guide__meta { color: #383f43; font-size: 0.9375em; }
.guide__how { color: #383f43; font-size: 0.9375em; }
.guide__question { color: #383f43; font-style: italic; }
.guide__answer { border-left: 4px solid #12436d; padding-left: 0.9em; }
.guide__gap { font-weight: 700; border-left: 4px solid #b1b4b6; padding-left: 0.9em; }
.guide__cite { font-weight: 700; text-decoration: none; white-space: nowrap; }
.guide__notes { background: #fff7e6; border-left: 4px solid #8a5a00; padding: 0.4em 0.9em; margin: 0.75em 0; font-size: 0.9375em; break-inside: avoid; page-break-inside: avoid; }
.guide__notes h3 { font-size: 1em; margin: 0.25em 0; }
.guide__notes ul { margin: 0; padding-left: 1.1em; }
.exercise { border: 2px solid #b1b4b6; padding: 0.5em 0.9em 0.25em; margin: 0.75em 0; break-inside: avoid; page-break-inside: avoid; }
.exercise h3 { margin-top: 0.25em; }
.guide__key { break-before: page; page-break-before: always; }
.key__item { margin: 0 0 0.75em; }
.key__text { margin: 0.25em 0 0.75em; padding: 0.4em 0.8em; border-left: 4px solid #1d4f91; background: #f3f2f1; white-space: pre-line; font-size: 0.9375em; }
.refs { padding-left: 2.2em; font-size: 0.9375em; }
.refs li { margin: 0 0 0.6em; break-inside: avoid; page-break-inside: avoid; }
.refs cite { font-style: normal; font-weight: 700; display: block; }
.ref__meta { display: block; color: #383f43; }
.status { font-weight: 700; padding: 0 0.3em; }
.status--current { color: #005a30; background: #cce2d8; }
.status--superseded { color: #6e3619; background: #fcd6c3; }
.status--historical, .status--unknown { color: #383f43; background: #e6e8e9; }
.guide__reviewer { background: #f3f2f1; padding: 0.25em 1em 0.5em; margin-top: 2em; }
.guide__reviewer h2 { border-top: 0; margin-top: 0.5em; }
.guide__footer { margin-top: 2em; padding-top: 0.75em; border-top: 1px solid #b1b4b6; color: #383f43; font-size: 0.875em; }
@media print {
  body { font-size: 10.5pt; }
  .guide { max-width: none; padding: 0; }
  .guide a { color: inherit; text-decoration: none; }
  .guide__reviewer { display: none; }
}
""".strip()

_MARKER = re.compile(r"\[(\d+)\]")


def human_date(value: str) -> str:
    """'2023-02' -> 'February 2023'; '2017-09-18' -> '18 September 2017'."""
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value or "")
    if not m:
        return value or "date not known"
    year, month, day = m.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    name = MONTHS[int(month) - 1]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


def _status(value: str) -> str:
    return STATUS.get(value, STATUS["unknown"])


def _readers(guide: BuiltGuide) -> str:
    return guide.readers or READERS[guide.audience.value]


def _footer(guide: BuiltGuide) -> str:
    return WORDING["footer"].format(
        version=guide.careguide,
        date=human_date(guide.built_at[:10]),
        library=guide.library.fingerprint[:12],
        passages=guide.library.passages,
    )


def _where(ref: Reference) -> str:
    return ref.location or (", ".join(ref.paragraphs) if ref.paragraphs else "whole passage")


# --- HTML ------------------------------------------------------------------------------------


def _cited(text: str, known: int) -> list[Any]:
    """Text with each [n] marker a link to its reference."""
    parts: list[Any] = []
    last = 0
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if not 1 <= n <= known:
            continue
        parts.append(text[last : m.start()])
        parts.append(E.A(f"[{n}]", E.CLASS("guide__cite"), href=f"#ref-{n}"))
        last = m.end()
    parts.append(text[last:])
    return [p for p in parts if p != ""]


def _paragraphs(text: str, known: int) -> list[Any]:
    return [E.P(*_cited(p.strip(), known)) for p in text.split("\n\n") if p.strip()]


def _html_section(i: int, section: BuiltSection, known: int) -> Any:
    anchor = f"section-{i}"
    body: list[Any] = [E.H2(section.heading, id=anchor)]
    if section.heading != section.question:
        body.append(E.P(f"{WORDING['asked']} {section.question}", E.CLASS("guide__question")))
    if not section.grounded:
        body.append(E.P(WORDING["not_covered"], E.CLASS("guide__gap")))
    else:
        body.append(E.DIV(E.CLASS("guide__answer"), *_paragraphs(section.answer, known)))
        if section.notes:
            body.append(
                E.DIV(
                    E.CLASS("guide__notes"),
                    E.H3(WORDING["notes"]),
                    E.UL(*[E.LI(*_cited(n, known)) for n in section.notes]),
                )
            )
    return E.SECTION(E.CLASS("guide__section"), *body, **{"aria-labelledby": anchor})


def _html_exercise(i: int, ex: BuiltExercise) -> Any:
    return E.DIV(
        E.CLASS("exercise"),
        E.H3(ex.title, id=f"exercise-{i}"),
        E.P(E.STRONG(WORDING["scenario"]), " ", ex.scenario),
        E.P(E.STRONG(WORDING["task"]), " ", ex.task),
    )


def _html_key(guide: BuiltGuide) -> Any:
    items: list[Any] = [E.H2(WORDING["key"], id="answer-key"), E.P(WORDING["key_how"])]
    for ex in guide.exercises:
        items.append(E.H3(ex.title))
        if not ex.key:
            items.append(E.P(WORDING["key_missing"], E.CLASS("guide__gap")))
            continue
        for n in ex.key:
            ref = guide.reference(n)
            items.append(
                E.DIV(
                    E.CLASS("key__item"),
                    E.P(E.A(f"[{n}]", E.CLASS("guide__cite"), href=f"#ref-{n}"), " ", ref.citation),
                    E.BLOCKQUOTE(ref.text, E.CLASS("key__text")),
                )
            )
    return E.SECTION(E.CLASS("guide__key"), *items, **{"aria-labelledby": "answer-key"})


def _html_reference(ref: Reference) -> Any:
    return E.LI(
        E.CITE(ref.citation),
        E.SPAN(
            E.CLASS("ref__meta"),
            f"{WORDING['document']}: {ref.title}. {WORDING['published']}: {human_date(ref.date)}. "
            f"{WORDING['status']}: ",
            E.SPAN(_status(ref.status), E.CLASS(f"status status--{ref.status}")),
            f". {WORDING['where']}: {_where(ref)}.",
        ),
        id=f"ref-{ref.n}",
        value=str(ref.n),
    )


def render_html(
    guide: BuiltGuide, *, stylesheet: str | None = None, icon: str | None = None
) -> str:
    """The guide as one HTML page; ``stylesheet`` links a URL instead of inlining the CSS,
    ``icon`` links the site's icon (served pages; a file on its own has none)."""
    known = len(guide.references)
    style = E.LINK(rel="stylesheet", href=stylesheet) if stylesheet else E.STYLE(GUIDE_CSS)
    head = E.HEAD(
        E.META(charset="utf-8"),
        E.META(name="viewport", content="width=device-width, initial-scale=1"),
        E.TITLE(f"{guide.title} – careguide"),
        style,
        *([E.LINK(rel="icon", href=icon, type="image/svg+xml")] if icon else []),
    )
    main: list[Any] = [
        E.HEADER(
            E.P(
                f"{WORDING['kicker']} · {WORDING['for']} {_readers(guide)}",
                E.CLASS("guide__kicker"),
            ),
            E.H1(guide.title),
        ),
        E.SECTION(
            E.H2(WORDING["about"], id="about"),
            *[E.P(p) for p in guide.introduction.split("\n\n")],
            E.P(WORDING["how"], E.CLASS("guide__how")),
            **{"aria-labelledby": "about"},
        ),
    ]
    main += [_html_section(i, s, known) for i, s in enumerate(guide.sections, 1)]
    if guide.exercises:
        main.append(
            E.SECTION(
                E.H2(WORDING["exercises"], id="exercises"),
                E.P(WORDING["exercises_how"], E.CLASS("guide__how")),
                *[_html_exercise(i, ex) for i, ex in enumerate(guide.exercises, 1)],
                **{"aria-labelledby": "exercises"},
            )
        )
        main.append(_html_key(guide))
    main.append(
        E.SECTION(
            E.H2(WORDING["references"], id="references"),
            E.OL(E.CLASS("refs"), *[_html_reference(r) for r in guide.references]),
            **{"aria-labelledby": "references"},
        )
    )
    if guide.reviewer_notes or guide.warnings:
        main.append(
            E.ASIDE(
                E.CLASS("guide__reviewer"),
                E.H2(WORDING["reviewer"], id="reviewer"),
                E.P(WORDING["reviewer_how"]),
                E.UL(*[E.LI(n) for n in [*guide.reviewer_notes, *guide.warnings]]),
                **{"aria-labelledby": "reviewer"},
            )
        )
    page = E.HTML(
        head,
        E.BODY(
            E.MAIN(E.CLASS("guide"), *main),
            E.FOOTER(E.CLASS("guide guide__footer"), E.P(_footer(guide))),
        ),
        lang="en-GB",
    )
    out: str = lxml.html.tostring(
        page, doctype="<!DOCTYPE html>", encoding="unicode", method="html"
    )
    return out + "\n"


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}<>#|])")


def _md(text: str) -> str:
    """Text safe in Markdown: characters that would start markup are escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_cited(text: str, known: int) -> str:
    escaped = _md(text)
    return _MARKER.sub(
        lambda m: (
            f"[\\[{m.group(1)}\\]](#ref-{m.group(1)})"
            if 1 <= int(m.group(1)) <= known
            else m.group(0)
        ),
        escaped,
    )


def render_markdown(guide: BuiltGuide) -> str:
    """The guide as Markdown (GitHub-flavoured: reference anchors are HTML ids)."""
    known = len(guide.references)
    out: list[str] = [
        f"*{WORDING['kicker']} · {WORDING['for']} {_md(_readers(guide))}*",
        f"# {_md(guide.title)}",
        f"## {WORDING['about']}",
        *[_md(p) for p in guide.introduction.split("\n\n")],
        f"*{WORDING['how']}*",
    ]
    for section in guide.sections:
        out.append(f"## {_md(section.heading)}")
        if section.heading != section.question:
            out.append(f"*{WORDING['asked']} {_md(section.question)}*")
        if not section.grounded:
            out.append(f"**{WORDING['not_covered']}**")
            continue
        out += [_md_cited(p.strip(), known) for p in section.answer.split("\n\n") if p.strip()]
        if section.notes:
            out.append(f"**{WORDING['notes']}**")
            out.append("\n".join(f"- {_md_cited(n, known)}" for n in section.notes))
    if guide.exercises:
        out += [f"## {WORDING['exercises']}", f"*{WORDING['exercises_how']}*"]
        for ex in guide.exercises:
            out += [
                f"### {_md(ex.title)}",
                f"**{WORDING['scenario']}** {_md(ex.scenario)}",
                f"**{WORDING['task']}** {_md(ex.task)}",
            ]
        out += [f"## {WORDING['key']}", WORDING["key_how"]]
        for ex in guide.exercises:
            out.append(f"### {_md(ex.title)}")
            if not ex.key:
                out.append(f"**{WORDING['key_missing']}**")
            for n in ex.key:
                ref = guide.reference(n)
                quoted = "\n".join(
                    f"> {_md(line)}" if line else ">" for line in ref.text.split("\n")
                )
                out += [f"[\\[{n}\\]](#ref-{n}) {_md(ref.citation)}", quoted]
    out.append(f"## {WORDING['references']}")
    out.append(
        "\n".join(
            f'{r.n}. <a id="ref-{r.n}"></a>**{_md(r.citation)}**  \n'
            f"   {WORDING['document']}: {_md(r.title)}. {WORDING['published']}: "
            f"{human_date(r.date)}. {WORDING['status']}: {_status(r.status)}. "
            f"{WORDING['where']}: {_md(_where(r))}."
            for r in guide.references
        )
    )
    if guide.reviewer_notes or guide.warnings:
        out += [f"## {WORDING['reviewer']}", f"*{WORDING['reviewer_how']}*"]
        out.append("\n".join(f"- {_md(n)}" for n in [*guide.reviewer_notes, *guide.warnings]))
    out += ["---", f"*{_md(_footer(guide))}*"]
    return "\n\n".join(out) + "\n"


# --- PDF -------------------------------------------------------------------------------------


class PdfError(CareguideError):
    """Chromium is missing or could not print the guide."""


def render_pdf(html: str, path: Path, *, chromium: Path, timeout: float = 120) -> Path:
    """Print ``html`` to ``path`` with headless Chromium; returns ``path``."""
    if not (chromium.exists() or shutil.which(str(chromium))):
        raise PdfError(
            f"cannot make a PDF: no Chromium at {chromium}; install it "
            "(`apt-get install chromium`) or set CAREGUIDE_CHROMIUM, or use --format html"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="careguide-pdf-") as tmp:
        page = Path(tmp) / "guide.html"
        page.write_text(html, encoding="utf-8")
        partial = Path(tmp) / "guide.pdf"
        command = [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={partial}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(
                f"Chromium took over {timeout:.0f} s to print the guide; try again, or use "
                "--format html and print from a browser"
            ) from None
        except OSError as e:
            raise PdfError(f"cannot run Chromium at {chromium}: {e}") from None
        if not partial.exists() or partial.stat().st_size == 0:
            tail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise PdfError(
                f"Chromium did not print the guide (exit {done.returncode}: {tail[0][:200]}); "
                "use --format html and print from a browser"
            )
        shutil.move(str(partial), path)
    return path
