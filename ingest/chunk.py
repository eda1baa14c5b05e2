"""Chunking: blocks -> passages, and the cleaned document text the passages point into.

A passage is a whole numbered paragraph (with its list items), a run of un-numbered
paragraphs under one heading, a table row, a definition, a case-study box or a footnote.
Passages never split a sentence; long ones split at item or sentence boundaries and keep
their paragraph number, short un-numbered ones merge with their neighbours.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from careguide.ingest.clean import SENTENCE_BREAK, names_a_source, unlink
from careguide.ingest.models import DocumentMeta, Passage, PassageKind
from careguide.ingest.structure import Block


@dataclass
class _Unit:
    """Blocks that become one passage."""

    blocks: list[Block]
    kind: PassageKind
    texts: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(t.split()) for t in self.texts)


def render(block: Block) -> str:
    """The text a block contributes to a passage."""
    if block.kind == "item":
        return f"- {block.text}"
    if block.kind == "table" and block.table_header:
        cells = block.text.split("\t")
        pairs = [
            f"{h}: {c}" if h and c else c
            for h, c in zip(block.table_header, cells, strict=False)
            if c
        ]
        pairs += cells[len(block.table_header) :]
        return "; ".join(pairs)
    if block.kind == "table":
        return " | ".join(c for c in block.text.split("\t") if c)
    return block.text


def split_sentences(text: str) -> list[str]:
    """Split prose at sentence ends (abbreviations like 'e.g.' rarely precede a capital)."""
    return [s for s in SENTENCE_BREAK.split(text) if s.strip()]


def build_units(blocks: Sequence[Block], *, min_words: int, max_words: int) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind in {"heading", "heading-table"}:
            i += 1
            continue
        if b.kind == "footnote":
            units.append(_Unit([b], PassageKind.footnote, [b.text]))
            i += 1
            continue
        if b.kind == "table":
            kind = PassageKind.definition if b.definition else PassageKind.table_row
            units.append(_Unit([b], kind, [render(b)]))
            i += 1
            continue
        if b.definition:
            # a glossary entry with the list that completes it ("Friend and family members
            # - ... include:" then "- a close friend of the child ..."), notes set aside
            group, notes = [b], []
            j = i + 1
            while b.kind == "para" and j < len(blocks):
                nb = blocks[j]
                if nb.kind == "item" and nb.definition and nb.heading_path == b.heading_path:
                    group.append(nb)
                elif nb.kind == "footnote" and j + 1 < len(blocks) and blocks[j + 1].kind == "item":
                    notes.append(nb)
                else:
                    break
                j += 1
            units.extend(_split_long(group, PassageKind.definition, max_words))
            units.extend(_Unit([n], PassageKind.footnote, [n.text]) for n in notes)
            i = j
            continue
        # a paragraph with the items that follow it (and, if unnumbered, short neighbours)
        kind = PassageKind.example if b.example else PassageKind.body
        group = [b]
        j = i + 1
        while j < len(blocks):
            nb = blocks[j]
            if nb.kind == "item" and nb.example == b.example and nb.heading_path == b.heading_path:
                group.append(nb)
                j += 1
                continue
            if (
                b.number is None
                and nb.kind == "para"
                and nb.number is None
                and nb.example == b.example
                and nb.heading_path == b.heading_path
                and nb.part == b.part
                and not nb.definition
                and sum(len(x.text.split()) for x in group) < min_words
                and sum(len(x.text.split()) for x in group) + len(nb.text.split()) <= max_words
            ):
                group.append(nb)
                j += 1
                continue
            break
        units.extend(_split_long(group, kind, max_words))
        i = j
    return _merge_short_tables(units, min_words)


def _split_long(group: list[Block], kind: PassageKind, max_words: int) -> list[_Unit]:
    """Cut a long paragraph group at item boundaries, then at sentence ends."""
    pieces: list[tuple[Block, str]] = []
    for b in group:
        text = render(b)
        if len(text.split()) <= max_words:
            pieces.append((b, text))
            continue
        for sentence in split_sentences(text):
            pieces.append((b, sentence))
    units: list[_Unit] = []
    current = _Unit([], kind)
    for b, text in pieces:
        if current.texts and current.words + len(text.split()) > max_words:
            units.append(current)
            current = _Unit([], kind)
        if not current.blocks or current.blocks[-1] is not b:
            current.blocks.append(b)
            current.texts.append(text)
        else:
            current.texts[-1] = f"{current.texts[-1]} {text}"
    if current.texts:
        units.append(current)
    return units


def _merge_short_tables(units: list[_Unit], min_words: int) -> list[_Unit]:
    """Very short table rows (a grade table, say) read better merged with their neighbours."""
    out: list[_Unit] = []
    for u in units:
        prev = out[-1] if out else None
        if (
            prev is not None
            and u.kind == PassageKind.table_row
            and prev.kind == PassageKind.table_row
            and prev.words < min_words // 3
            and u.words < min_words // 3
            and prev.blocks[-1].heading_path == u.blocks[0].heading_path
        ):
            prev.blocks.extend(u.blocks)
            prev.texts.extend(u.texts)
            continue
        out.append(u)
    return out


def chapter_ref(heading_path: Sequence[str]) -> str:
    """'ch. 4' for 'Chapter 4: ...', 'Annex 2' for 'Annex 2: Glossary', 'App. 3' ..."""
    for h in heading_path:
        if m := re.match(r"^chapter\s+(\d+|[IVXLC]+)\b", h, re.I):
            return f"ch. {m.group(1)}"
        if m := re.match(
            r"^(annex|appendix|section|part)\s+(\d+|[A-Z]\b|[IVXLC]+\b|one|two|three|four)", h, re.I
        ):
            word = m.group(1).lower()
            label = {"appendix": "App.", "annex": "Annex", "section": "section", "part": "Part"}[
                word
            ]
            return f"{label} {m.group(2).rstrip('.:')}"
    return ""


def part_ref(part: str, *, short: bool = False) -> str:
    """The short form of a part label for citations ('App. 3 (Ofsted handbook)').

    ``short`` drops the description, for parts already cited under their own title.
    """
    if not part:
        return ""
    if m := re.match(r"^appendix\s+(\w+)", part, re.I):
        rest = part.split(":", 1)[1].strip() if ":" in part and not short else ""
        return f"App. {m.group(1)}" + (f" ({rest})" if rest else "")
    return part


def make_citation(
    prefix: str,
    unit_blocks: Sequence[Block],
    numbers: Sequence[str],
    pages: Sequence[int],
    *,
    own_part_title: bool = False,
) -> str:
    """How a user would quote a passage: document, part, chapter, paragraph (or heading/page)."""
    first = unit_blocks[0]
    bits = [prefix]
    if pr := part_ref(first.part, short=own_part_title):
        bits.append(pr)
    ch = chapter_ref(first.heading_path)
    if ch and (not first.part or ch.split()[0] not in part_ref(first.part)):
        bits.append(ch)
    if numbers:
        kind = "para" if len(numbers) == 1 else "paras"
        shown = numbers[0] if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"
        if first.kind == "footnote":
            bits.append(f"footnote {shown}")
        else:
            bits.append(f"{kind} {shown}")
    else:
        section = next((h for h in reversed(first.heading_path) if not chapter_ref([h])), "")
        if section:
            bits.append(f"‘{unlink(section)}’")
        if first.kind == "table":
            bits.append("table")
    if pages and not numbers:
        bits.append(f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}-{pages[-1]}")
    return ", ".join(b for b in bits if b)


@dataclass
class ChunkedDocument:
    """The cleaned text of a document and the passages that point into it."""

    text: str
    passages: list[Passage]


def chunk(
    blocks: Sequence[Block],
    meta: DocumentMeta,
    source: str,
    *,
    citation_prefix: str,
    min_words: int = 60,
    max_words: int = 350,
    part_prefixes: dict[str, str] | None = None,
    part_metas: dict[str, DocumentMeta] | None = None,
) -> ChunkedDocument:
    """Cut blocks into passages and assemble the cleaned text they point into."""
    units = build_units(blocks, min_words=min_words, max_words=max_words)
    units_of: dict[int, list[int]] = {}
    for ui, u in enumerate(units):
        for b in u.blocks:
            units_of.setdefault(id(b), []).append(ui)
    text_parts: list[str] = []
    offset = 0
    spans: dict[int, tuple[int, int]] = {}
    for b in blocks:
        pieces: list[tuple[int | None, str]]
        if b.kind in {"heading", "heading-table"}:
            pieces = [(None, b.text)]
        else:
            pieces = [
                (ui, "\n".join(units[ui].texts))
                for ui in units_of.get(id(b), [])
                if ui not in spans
            ]
        for unit_index, piece in pieces:
            if unit_index is not None:
                spans[unit_index] = (offset, offset + len(piece))
            text_parts.append(piece)
            offset += len(piece) + 2
    cleaned = "\n\n".join(text_parts)

    footnote_text = {
        (b.part, b.number): b.text for b in blocks if b.kind == "footnote" and b.number
    }
    anchor_of: dict[tuple[str, str], str] = {}
    for b in blocks:
        for number, sentence in b.footnote_anchors.items():
            anchor_of.setdefault((b.part, number), sentence)
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for ui, u in enumerate(units):
        if ui not in spans:
            continue
        start, end = spans[ui]
        first = u.blocks[0]
        numbers = list(dict.fromkeys(b.number for b in u.blocks if b.number and b.kind != "item"))
        pages = sorted({p for b in u.blocks for p in b.pages})
        prefix = (part_prefixes or {}).get(first.part, citation_prefix)
        own_meta = (part_metas or {}).get(first.part, meta)
        text = cleaned[start:end]
        refs = [r for b in u.blocks for r in b.footnote_refs]
        notes = [footnote_text[(first.part, r)] for r in refs if (first.part, r) in footnote_text]
        digest = hashlib.sha1(f"{first.part}|{numbers}|{text}".encode()).hexdigest()[:12]
        # the same text can recur in one part (repeated boilerplate): number the repeats
        seen[digest] = seen.get(digest, 0) + 1
        if seen[digest] > 1:
            digest = f"{digest}-{seen[digest]}"
        passages.append(
            Passage(
                id=f"{meta.doc_id}:{digest}",
                doc_id=meta.doc_id,
                source=source,
                title=own_meta.title,
                citation=make_citation(
                    prefix,
                    u.blocks,
                    numbers,
                    pages,
                    own_part_title=first.part in (part_prefixes or {}),
                ),
                heading_path=first.heading_path,
                paragraphs=numbers,
                part=first.part,
                pages=pages,
                start=start,
                end=end,
                kind=u.kind,
                text=text,
                footnotes=notes,
                cited_in=anchor_of.get((first.part, first.number or ""), "")
                if u.kind == PassageKind.footnote and not names_a_source(text)
                else "",
                meta=own_meta,
            )
        )
    return ChunkedDocument(text=cleaned, passages=_distinct_citations(passages))


# "Care order - An order ...", "Extra-familial harm - As well as ...": a hyphen inside a
# word is part of the term
_DEFINED = re.compile(r"^\s*((?:[^-–:.;]|(?<=\w)-(?=\w)){2,160}?)\s+[-–:]\s")


def _distinct_citations(passages: list[Passage]) -> list[Passage]:
    """Passages that would share a citation get what tells them apart.

    Unnumbered text under one heading (a glossary, a long table, a summary) would
    otherwise all read "Annex 2" or "'Summary', table": a definition is cited by its
    term, a table row by its row, and anything else by its place among the passages
    under that heading ("excerpt 3 of 7"), in document order.
    """
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(passages):
        groups.setdefault(p.citation, []).append(i)
    out = list(passages)
    for citation, members in groups.items():
        if len(members) < 2:
            continue
        for k, i in enumerate(members, start=1):
            p = passages[i]
            defined = _DEFINED.match(p.text) if p.kind == PassageKind.definition else None
            # "Friend and Family members (as they relate to ...)": the term without its aside
            term = re.sub(r"\s*\([^()]*\)", "", unlink(defined.group(1))) if defined else ""
            if term and len(term.split()) <= 10:
                extra = "‘" + term.strip() + "’"
            elif p.kind == PassageKind.table_row:
                extra = f"row {k}"
            else:
                extra = f"excerpt {k} of {len(members)}"
            out[i] = p.model_copy(update={"citation": f"{citation}, {extra}"})
    return out
