"""One way to build a ``Passage`` in tests (import: ``from passages import build_passage``).

A test says what its passages are about (text, document, paragraph, currency, where in
the document); every other field gets the model's own default, or one derived from the
document id. Test modules keep their own small wrappers for the defaults they share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from careguide.ingest.models import DocKind, DocStatus, DocumentMeta, Passage, PassageKind


def build_passage(
    text: str,
    *,
    doc_id: str = "guide",
    paragraph: str | None = "1",
    passage_id: str | None = None,
    title: str | None = None,
    short_title: str | None = None,
    citation: str | None = None,
    source: str | None = None,
    publisher: str = "",
    date: str = "",
    kind: DocKind = DocKind.unknown,
    status: DocStatus = DocStatus.unknown,
    audience: Sequence[str] = (),
    passage_kind: PassageKind = PassageKind.body,
    heading_path: Sequence[str] = (),
    pages: Sequence[int] = (),
    meta: DocumentMeta | None = None,
) -> Passage:
    """A passage of ``text`` in document ``doc_id``.

    Unless given: the id hashes document, paragraph and text, as ingest's ids do; the
    short title is the document id in title case; the citation is "Short title,
    paragraph N"; ``meta`` is built from the document fields (``title`` defaults to the
    short title). A ``paragraph`` of None leaves the passage unnumbered.
    """
    short_title = short_title or (meta.short_title if meta else doc_id.replace("-", " ").title())
    meta = meta or DocumentMeta(
        doc_id=doc_id,
        title=title or short_title,
        short_title=short_title,
        publisher=publisher,
        date=date,
        kind=kind,
        status=status,
        audience=list(audience),
    )
    digest = hashlib.sha256(f"{doc_id}|{paragraph}|{text}".encode()).hexdigest()[:12]
    return Passage(
        id=passage_id or f"{doc_id}:{digest}",
        doc_id=doc_id,
        source=source or f"{doc_id}.pdf",
        title=short_title,
        citation=citation or f"{short_title}, paragraph {paragraph}",
        heading_path=list(heading_path),
        paragraphs=[paragraph] if paragraph is not None else [],
        pages=list(pages),
        start=0,
        end=len(text),
        kind=passage_kind,
        text=text,
        meta=meta,
    )
