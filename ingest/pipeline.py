"""The ingest pipeline: files -> Document -> blocks -> passages, de-duplicated and stored.

One bad file never stops a batch: it is reported with a one-line reason and skipped.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from careguide.ingest.catalogue import Catalogue, citation_prefix, meta_for
from careguide.ingest.chunk import chunk
from careguide.ingest.errors import CareguideError
from careguide.ingest.models import Document, Location, Passage
from careguide.ingest.readers._common import displayable
from careguide.ingest.readers.dispatch import read_path
from careguide.ingest.settings import IngestSettings
from careguide.ingest.storage import LibraryStore, StoredDocument
from careguide.ingest.structure import PartMarker, lines_from_pages, parse_blocks

PARSER_VERSION = "9"
"""Bump when parsing changes, so a re-ingest re-parses files whose bytes did not change."""

SKIP_NAMES = {"SOURCES.md", "README.md", "LICENSE", "LICENSE.md"}
"""Files that describe a folder of documents rather than being one."""


@dataclass
class FileReport:
    """What happened to one file."""

    source: str
    path: str
    status: str  # "ingested" | "unchanged" | "failed"
    passages: int = 0
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    doc_id: str | None = None


@dataclass
class IngestResult:
    """The outcome of one ingest run."""

    reports: list[FileReport]
    documents: list[StoredDocument]
    passages: list[Passage]  # de-duplicated, ready to index
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileReport]:
        return [r for r in self.reports if r.status == "failed"]


def collect_files(paths: Sequence[Path]) -> tuple[list[Path], list[FileReport]]:
    """Expand folders (recursively, safe against symlink loops) into files to read."""
    files: list[Path] = []
    problems: list[FileReport] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path) -> None:
        try:
            st = folder.stat()
        except OSError as e:
            problems.append(_failed(folder, f"cannot open folder {folder.name}: {e.strerror}"))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            problems.append(
                _failed(
                    folder, f"skipped {folder}: a symbolic link loops back to a folder already read"
                )
            )
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            problems.append(_failed(folder, f"cannot list folder {folder.name}: {e.strerror}"))
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name in SKIP_NAMES:
                continue
            p = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=True):
                    walk(p)
                elif entry.is_file(follow_symlinks=True):
                    files.append(p)
                else:
                    problems.append(
                        _failed(p, f"skipped {entry.name}: a broken link or not a regular file")
                    )
            except OSError as e:
                problems.append(_failed(p, f"skipped {entry.name}: {e.strerror}"))

    for path in paths:
        if path.is_dir():
            walk(path)
        elif path.exists():
            files.append(path)
        else:
            problems.append(_failed(path, f"{path} does not exist; check the path and try again"))
    return files, problems


def _failed(path: Path, message: str) -> FileReport:
    return FileReport(
        source=displayable(path.name),
        path=displayable(str(path)),
        status="failed",
        error=displayable(message),
    )


def parse_document(doc: Document, catalogue: Catalogue, settings: IngestSettings) -> StoredDocument:
    """Clean, structure and chunk one Document."""
    meta = meta_for(doc, catalogue)
    entry = catalogue.match(doc)
    parts = list(getattr(entry, "parts", None) or [])
    markers = [
        PartMarker(
            label=p.label,
            starts=re.compile(p.starts),
            ends=re.compile(p.ends) if p.ends else None,
        )
        for p in parts
    ]
    part_metas = {p.label: p.meta_for(meta) for p in parts if p.has_own_meta}
    part_prefixes = {label: citation_prefix(m) for label, m in part_metas.items()}
    lines = lines_from_pages(doc.pages)
    blocks = parse_blocks(lines, part_markers=markers)
    chunked = chunk(
        blocks,
        meta,
        doc.source,
        citation_prefix=citation_prefix(meta),
        min_words=settings.min_words,
        max_words=settings.max_words,
        part_prefixes=part_prefixes,
        part_metas=part_metas,
    )
    warnings = list(doc.warnings)
    if not chunked.passages:
        warnings.append(f"{doc.source}: no passages found; is it a scan or an empty template?")
    return StoredDocument(
        meta=meta,
        source=doc.source,
        path=doc.path,
        format=doc.format,
        sha256=doc.sha256,
        parser_version=PARSER_VERSION,
        pages=len([p for p in doc.pages if p.number is not None]),
        text=chunked.text,
        passages=chunked.passages,
        warnings=warnings,
        ocr=doc.ocr,
    )


def ingest_paths(
    paths: Sequence[Path],
    settings: IngestSettings,
    *,
    library: LibraryStore | None = None,
    catalogue: Catalogue | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> IngestResult:
    """Read every file, parse what changed, de-duplicate, and (with a library) store."""
    t0 = time.perf_counter()
    catalogue = catalogue or Catalogue.load(settings.catalogue_path)
    files, reports = collect_files(paths)
    for r in reports:
        if on_file:
            on_file(r)
    known = library.documents() if library else []  # read once, not once per file
    parsed: list[StoredDocument] = []
    for path in files:
        report = _ingest_one(path, settings, catalogue, known, parsed)
        reports.append(report)
        if on_file:
            on_file(report)
    # a changed file replaces its own passages only: older parses of the same file go
    replaced = {d.source for d in parsed}
    stale = [d for d in known if d.source in replaced]
    docs = {d.meta.doc_id: d for d in known if d.source not in replaced}
    docs.update({d.meta.doc_id: d for d in parsed})
    passages = dedupe([d.passages for d in docs.values()])
    if library is not None:
        for d in stale:
            if d.meta.doc_id not in docs:
                library.delete(d.meta.doc_id)
        for d in parsed:
            library.save(d)
        library.save_passages(passages)
    return IngestResult(
        reports=reports,
        documents=list(docs.values()),
        passages=passages,
        seconds=time.perf_counter() - t0,
    )


def _ingest_one(
    path: Path,
    settings: IngestSettings,
    catalogue: Catalogue,
    known: Sequence[StoredDocument],
    parsed: list[StoredDocument],
) -> FileReport:
    try:
        doc = read_path(path, settings)
    except CareguideError as e:  # a ReadError, or any other library error: one file's problem
        return _failed(path, str(e))
    existing = next((d for d in known if d.sha256 == doc.sha256 and d.source == doc.source), None)
    if existing and existing.parser_version == PARSER_VERSION:
        return FileReport(
            source=doc.source,
            path=displayable(str(path)),
            status="unchanged",
            passages=len(existing.passages),
            pages=existing.pages,
            doc_id=existing.meta.doc_id,
        )
    try:
        stored = parse_document(doc, catalogue, settings)
    except (ValueError, RecursionError) as e:
        return _failed(path, f"cannot parse {doc.source}: {e}; please report this file")
    parsed.append(stored)
    return FileReport(
        source=doc.source,
        path=displayable(str(path)),
        status="ingested",
        passages=len(stored.passages),
        pages=stored.pages,
        warnings=stored.warnings,
        doc_id=stored.meta.doc_id,
    )


# --- de-duplication ----------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9£%]+")


def _shingles(text: str, n: int = 6) -> set[int]:
    words = _WORD.findall(text.lower())
    return {hash(tuple(words[i : i + n])) for i in range(max(1, len(words) - n + 1))}


def dedupe(passage_lists: Iterable[Sequence[Passage]]) -> list[Passage]:
    """Collapse the same paragraph found in several files into one passage.

    Documents are taken most complete first (most passages); each passage of a later
    document that shares at least 80% of its word 6-grams with a passage already kept is
    recorded as an alternative location of that passage instead of being kept. So the more
    complete copy is canonical, and passages of one document are never merged with each
    other: repetition within a document is the author's.
    """
    lists = sorted(
        (list(pl) for pl in passage_lists if pl), key=lambda pl: (-len(pl), pl[0].doc_id)
    )
    kept: list[Passage] = []
    kept_sizes: list[int] = []
    alts: dict[int, list[Location]] = defaultdict(list)
    by_shingle: dict[int, list[int]] = defaultdict(list)
    for pl in lists:
        new: list[tuple[Passage, set[int]]] = []
        for p in pl:
            sh = _shingles(p.text)
            counts: dict[int, int] = defaultdict(int)
            for h in sh if len(sh) >= 4 else ():
                for k in by_shingle[h]:
                    counts[k] += 1
            # the kept passage sharing the largest share of this one's 6-grams; ties go to
            # the earliest kept, so the result never depends on set iteration order
            best = max(
                counts.items(),
                key=lambda kv: (kv[1] / min(len(sh), kept_sizes[kv[0]]), -kv[0]),
                default=None,
            )
            if best is not None and best[1] >= 0.8 * min(len(sh), kept_sizes[best[0]]):
                alts[best[0]].append(
                    Location(
                        source=p.source,
                        doc_id=p.doc_id,
                        citation=p.citation,
                        paragraphs=p.paragraphs,
                        part=p.part,
                    )
                )
                continue
            new.append((p, sh))
        for p, sh in new:  # indexed after the document, so it never matches itself
            k = len(kept)
            kept.append(p)
            kept_sizes.append(len(sh))
            for h in sh:
                by_shingle[h].append(k)
    return [
        p.model_copy(update={"alt_locations": alts[k]}) if k in alts else p
        for k, p in enumerate(kept)
    ]
