"""Structure: cleaned lines -> blocks (headings, numbered paragraphs, items, tables, footnotes).

The parser works on the light markdown every reader emits (``#`` headings, ``- `` items,
tab-separated table rows) and on damaged plain text, where headings, wrapping and
paragraph numbers have to be recognised from the shape of the lines. It keeps:

- a heading path (chapter-level heading, then section heading);
- paragraph numbers scoped to a *part*: a file whose numbering restarts (a council report
  bundling an inspection report and a strategy) is split into parts, named from the
  catalogue when it describes them, else from the nearest appendix/annex/chapter heading;
  a numbered list that interrupts the paragraph sequence, which then resumes, stays a list;
- case-study boxes and quotes spliced into a paragraph, separated and tagged as examples;
- footnote text kept apart from the paragraph that refers to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

from careguide.ingest import clean
from careguide.ingest.models import PageText

BlockKind = str  # "heading" | "para" | "item" | "table" | "footnote"


@dataclass
class Block:
    """One structural unit of a document, before passages are cut."""

    kind: BlockKind
    text: str
    pages: list[int] = field(default_factory=list)
    level: int = 0
    number: str | None = None
    part: str = ""
    heading_path: list[str] = field(default_factory=list)
    example: bool = False
    definition: bool = False
    footnote_refs: list[str] = field(default_factory=list)
    # the sentence each footnote marker closes, by footnote number ("48": "It also ...")
    footnote_anchors: dict[str, str] = field(default_factory=dict)
    table_header: list[str] | None = None
    parent: int | None = None  # index of the numbered paragraph an item belongs to
    splits: list[int] = field(default_factory=list)  # offsets where a splice may start
    line: int = 0  # index of the first source line (for part markers)
    last_len: int = 0  # length of the last source line joined in (hard-wrap detection)


@dataclass
class PartMarker:
    """Where a named part of a bundled file starts (from the catalogue)."""

    label: str
    starts: re.Pattern[str]
    ends: re.Pattern[str] | None = None


@dataclass
class Line:
    text: str
    page: int | None
    raw: str  # before inline cleaning: leading space is a splice signal in PDF extracts


_NUMBERED = re.compile(r"^(?:-\s+)?(\d{1,3})\.\s+(\S.*)$")
_DECIMAL = re.compile(r"^(?:-\s+)?(\d{1,2}\.\d{1,2})\.?\s+(\S.*)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_COUNTED = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten"  # "Chapter 2", "Part one"
_L1_HEADING = re.compile(
    rf"^(?:chapter|annex|appendix|part|section|schedule)\s+(?:{_COUNTED}|[ivxlc]+|[a-z])\b",
    re.I,
)
_LABELLED_HEADING = re.compile(
    r"^(?:mission|pillar|objective|priority|aim|goal|outcome|theme|principle|phase|stage)"
    rf"\s+(?:{_COUNTED})\s*[:.–—-]\s+\S",
    re.I,
)
_EXAMPLE_HEADING = re.compile(
    r"^(?:case stud(?:y|ies)|example|spotlight|box \d+|practice example)\b", re.I
)
_GLOSSARY_HEADING = re.compile(r"\b(?:glossary|definitions|key terms)\b", re.I)
_CONTENTS_HEADING = re.compile(
    r"^(?:contents|table of contents|table of figures|list of (?:figures|tables))$", re.I
)
_CAPS_NUMBERED = re.compile(r"^\d{1,2}\.\s+[A-Z][A-Z ,&'’/-]{3,}$")


def lines_from_pages(pages: Sequence[PageText]) -> list[Line]:
    """Cleaned lines with their page numbers; non-content lines already removed."""
    page_lines = [clean.html_tables_to_rows(p.text).split("\n") for p in pages]
    repeated = clean.repeated_page_lines(page_lines) if len(pages) >= 3 else set()
    out: list[Line] = []
    for page, raw_lines in zip(pages, page_lines, strict=True):
        for raw in raw_lines:
            if clean.is_running_line(raw, repeated):
                continue
            for piece in clean.strip_html_debris(raw, split_lines="\t" not in raw).split("\n"):
                text = clean.normalise_spaces(clean.strip_markdown_debris(piece))
                if text and (
                    clean.is_page_number(text)
                    or clean.is_alt_text(text)
                    or clean.is_web_footer(text)
                ):
                    continue
                out.append(Line(text=text, page=page.number, raw=piece))
    return _drop_runs(out)


def _drop_runs(lines: list[Line]) -> list[Line]:
    """Remove contents pages, web footers and place-name dumps: runs of non-content lines."""
    keep = [True] * len(lines)
    content_idx = [i for i, ln in enumerate(lines) if ln.text]
    # contents: a "Contents" heading followed by entries, or any run of >= 3 entries
    run: list[int] = []
    after_contents_heading = False
    for i in [*content_idx, -1]:
        text = lines[i].text if i >= 0 else ""
        if i >= 0 and _CONTENTS_HEADING.match(text):
            for j in run if len(run) >= 3 else []:
                keep[j] = False
            keep[i] = False
            run, after_contents_heading = [], True
            continue
        if i >= 0 and clean.is_contents_line(text):
            run.append(i)
            continue
        if len(run) >= 3 or (after_contents_heading and run):
            for j in run:
                keep[j] = False
        run, after_contents_heading = [], False
    # place-name dumps: windows of short capitalised lines
    start = 0
    while start < len(content_idx):
        end = start
        while end < len(content_idx) and _short_name(lines[content_idx[end]].text):
            end += 1
        window = [lines[content_idx[k]].text for k in range(start, end)]
        if clean.is_place_name_dump(window):
            for k in range(start, end):
                keep[content_idx[k]] = False
        start = max(end, start + 1)
    # web page footer: everything after a run of footer boilerplate near the end
    tail = content_idx[-15:]
    footer_hits = [i for i in tail if clean.is_web_footer(lines[i].raw.strip())]
    if footer_hits:
        for i in content_idx:
            if i >= footer_hits[0] - 3 and i >= content_idx[-1] - 15:
                keep[i] = keep[i] and not _footerish(lines[i].text)
    return [ln for ln, k in zip(lines, keep, strict=True) if k]


def _short_name(text: str) -> bool:
    return len(text.split()) <= 5 and not clean.ends_sentence(text) and "\t" not in text


def _footerish(text: str) -> bool:
    return len(text) < 80 and not clean.ends_sentence(text)


# --- the parser -------------------------------------------------------------------------


class _Numbering:
    """Tells a paragraph number that continues the document's sequence from a list restart."""

    def __init__(self, numbered: list[tuple[int, int]]) -> None:
        self.numbered = numbered  # (line index, number) for every "N. " line in order
        self.current = 0

    def classify(self, pos: int, n: int) -> str:
        """'para' (continues), 'list' (an interruption the sequence returns from), 'restart'."""
        # a forward jump is a gap (a fragment, a missing paragraph), never a new scheme
        if self.current == 0 or n > self.current:
            self.current = n
            return "para"
        # an interruption: does the sequence resume (current+1 appears) before it ends?
        expected = self.current + 1
        v = n
        for line_idx, m in self.numbered:
            if line_idx <= pos:
                continue
            if m == expected and m != v + 1:
                return "list"
            if m == v + 1:
                v = m
                if v >= expected:
                    break
            elif m == 1 and v > 1:
                break
        self.current = n
        return "restart"


def parse_blocks(
    lines: list[Line],
    *,
    part_markers: Sequence[PartMarker] = (),
    vocabulary: set[str] | None = None,
) -> list[Block]:
    """Turn cleaned lines into blocks. See the module docstring for what is recognised."""
    vocab = vocabulary if vocabulary is not None else _vocabulary(lines)
    nonblank = [ln for ln in lines if ln.text]
    lengths = [len(ln.text) for ln in nonblank if "\t" not in ln.text]
    wrap = _wrap_width(lengths)
    blank_every_line = _blank_after_every_line(lines)
    numbered = [
        (i, int(m.group(1)))
        for i, ln in enumerate(lines)
        if "\t" not in ln.text
        and (m := _NUMBERED.match(ln.text))
        and not _CAPS_NUMBERED.match(ln.text)
    ]
    numbering = _Numbering(numbered)
    blocks: list[Block] = []
    l1 = ""
    l2 = ""
    md_path: list[str] = []
    part = ""
    part_count = 0
    current_para: int | None = None  # open numbered/plain paragraph index
    open_block: int | None = None  # block that a wrapped line may continue
    gap = True
    example_mode = False
    glossary_mode = False
    table_header: list[str] | None = None
    pending_refs: set[str] = set()
    next_marker = 0
    # a box inside numbered text ("Case study", "Rachel's story", "Consultation question
    # 14"): a heading followed by unnumbered text; when the numbering resumes, the box is
    # over and the paragraphs are back in the section the box interrupted
    numbered_in: tuple[str, str] | None = None  # (l1, l2) of the last numbered paragraph
    headed = False  # a heading since the last numbered paragraph
    boxed = False  # ... and unnumbered text after the latest one

    def path() -> list[str]:
        if md_path:
            return [h for h in md_path if h]
        return [h for h in (l1, l2) if h]

    def add(kind: str, text: str, ln: Line, idx: int, **kw: object) -> int:
        nonlocal headed, boxed
        if kind == "heading":
            headed, boxed = True, False
        elif kind in {"para", "item", "table"} and "number" not in kw:
            boxed = boxed or headed
        anchors = clean.footnote_anchors(text) if kind != "footnote" else {}
        text, refs = clean.detach_footnote_markers(text)
        pending_refs.update(refs)
        b = Block(
            kind=kind,
            text=text,
            pages=[ln.page] if ln.page is not None else [],
            part=part,
            heading_path=path(),
            footnote_refs=refs,
            footnote_anchors=anchors,
            line=idx,
            last_len=len(ln.text),
            **kw,  # type: ignore[arg-type]  # fields are checked by the dataclass at run time
        )
        if kind != "heading":
            b.example = example_mode
            b.definition = glossary_mode and kind in {"para", "item", "table"}
        blocks.append(b)
        return len(blocks) - 1

    def extend(bi: int, ln: Line) -> None:
        b = blocks[bi]
        text, refs = clean.detach_footnote_markers(ln.text)
        if refs and b.kind != "footnote":  # a wrapped line: its sentence may start before it
            anchors = clean.footnote_anchors(f"{b.text} {ln.text}", start=len(b.text) + 1)
            b.footnote_anchors = {**anchors, **b.footnote_anchors}
        pending_refs.update(refs)
        b.footnote_refs.extend(refs)
        if not clean.ends_sentence(b.text) and text[:1].isupper():
            b.splits.append(len(b.text) + 1)
        b.text = clean.join_wrapped(b.text, text, vocab)
        b.last_len = len(ln.text)
        if ln.page is not None and ln.page not in b.pages:
            b.pages.append(ln.page)

    for idx, ln in enumerate(lines):
        text = ln.text
        if not text:
            gap = True
            if (
                not blank_every_line
                and open_block is not None
                and blocks[open_block].kind != "table"
                and clean.ends_sentence(blocks[open_block].text)
            ):
                open_block = None
            continue
        was_gap, gap = gap, False

        # catalogue part markers fire in order, once each; a part may end before the next
        current_marker = part_markers[next_marker - 1] if next_marker else None
        if (
            current_marker
            and current_marker.ends
            and part == current_marker.label
            and current_marker.ends.match(text)
        ):
            part, l1, l2, md_path = "", "", "", []
            current_para = open_block = None
        if next_marker < len(part_markers) and part_markers[next_marker].starts.match(text):
            part, l1, l2, md_path = part_markers[next_marker].label, "", "", []
            next_marker += 1
            part_count += 1
            numbering.current = 0
            current_para = open_block = None
            example_mode = glossary_mode = False

        # footnote text: "¹ The three reviews ..." (superscript) or "6 See ..." for a marker seen
        fn = clean.footnote_text(text, superscript_only=True)
        plain = None if fn is not None or "\t" in text else clean.footnote_text(text)
        if plain is not None and plain[0] in pending_refs and not _NUMBERED.match(text):
            fn = plain
        if fn is not None:
            pending_refs.discard(fn[0])
            add("footnote", fn[1], ln, idx, number=fn[0])
            continue

        # markdown headings from structured readers
        if m := _MD_HEADING.match(text):
            level, title = len(m.group(1)), clean.normalise_spaces(m.group(2))
            md_path = md_path[: level - 1] + [""] * (level - 1 - len(md_path)) + [title]
            example_mode = bool(_EXAMPLE_HEADING.match(title))
            glossary_mode = bool(_GLOSSARY_HEADING.search(title))
            add("heading", title, ln, idx, level=level)
            current_para = open_block = None
            continue

        # table rows
        if "\t" in text:
            cells = [c.strip() for c in text.split("\t")]
            in_table = open_block is not None and blocks[open_block].kind in {
                "table",
                "table-header",
            }
            if not in_table or (was_gap and table_header is None):
                table_header = cells if _looks_like_header(cells) else None
                if table_header is not None:
                    open_block = add("table", text, ln, idx, table_header=cells)
                    blocks[open_block].kind = "table-header"
                    continue
            if table_header is not None and [c.casefold() for c in cells] == [
                h.casefold() for h in table_header
            ]:
                continue  # the header row again, repeated where the table crosses a page
            open_block = add("table", text, ln, idx, table_header=table_header)
            continue
        if open_block is not None and blocks[open_block].kind in {"table", "table-header"}:
            open_block = None
            table_header = None

        # a splice ends: text resumes a paragraph that a box or quote interrupted
        if ln.raw[:1] == " " and text[:1].islower() and current_para is not None:
            target = blocks[current_para]
            if open_block != current_para and target.splits:
                cut = target.splits[-1]
                head, tail = target.text[: cut - 1].rstrip(), target.text[cut:]
                target.text = head
                target.splits = [s for s in target.splits if s < cut]
                spliced = add("para", tail, ln, idx)
                blocks[spliced].example = True
                blocks[spliced].heading_path = target.heading_path
                for b in blocks[current_para + 1 : spliced]:
                    if b.kind in {"para", "item"}:
                        b.example = True
                        b.parent = None
                # move the spliced block before the items it introduced
                blocks.insert(current_para + 1, blocks.pop(spliced))
                extend(current_para, ln)
                open_block = current_para
                continue

        # continuation of a wrapped line
        if open_block is not None and _continues(
            blocks[open_block], text, was_gap, blank_every_line, wrap
        ):
            extend(open_block, ln)
            continue

        # numbered paragraph ("47. ...") or decimal ("3.1 ...")
        if (m := _NUMBERED.match(text)) and not _CAPS_NUMBERED.match(text):
            n = int(m.group(1))
            verdict = numbering.classify(idx, n)
            if verdict == "restart" and not part_markers:
                part_count += 1
                part = _part_label(blocks, part_count, l1)
                l2 = "" if l1 == part else l2
            if verdict in {"para", "restart"}:
                example_mode = False
                if verdict == "para" and boxed and numbered_in and numbered_in[0] == l1:
                    l2 = numbered_in[1]
                current_para = open_block = add("para", m.group(2), ln, idx, number=str(n))
                numbered_in, headed, boxed = (l1, l2), False, False
            else:
                open_block = add("item", text, ln, idx, parent=current_para)
            continue
        if m := _DECIMAL.match(text):
            current_para = open_block = add("para", m.group(2), ln, idx, number=m.group(1))
            continue

        # bullets (including OCR'd ones)
        item = clean.normalise_bullet(ln.raw) if ln.raw.strip() else None
        if item is None and text.startswith("- "):
            item = text[2:]
        if item is not None:
            item_text = clean.normalise_spaces(clean.strip_markdown_debris(item))
            open_block = add("item", item_text, ln, idx, parent=current_para)
            continue

        # a heading wrapped onto a second line: "... through our Partners in" / "Practice"
        if (
            not was_gap
            and open_block is None
            and blocks
            and blocks[-1].kind == "heading"
            and not md_path
            and _wraps_heading(blocks[-1].text, text)
        ):
            heading = blocks[-1]
            title = f"{heading.text} {text.rstrip(':')}"
            if l2 == heading.text:
                l2 = title
            elif l1 == heading.text:
                l1 = title
            heading.text = title
            continue

        # headings in plain text
        if _is_heading(text, lines, idx, blocks, open_block, was_gap, wrap):
            title = text.rstrip(":")
            if _L1_HEADING.match(title) or _CAPS_NUMBERED.match(title):
                l1, l2 = title, ""
            else:
                l2 = title
            example_mode = bool(_EXAMPLE_HEADING.match(title))
            glossary_mode = bool(_GLOSSARY_HEADING.search(title)) or (
                glossary_mode and not _L1_HEADING.match(title)
            )
            add("heading", title, ln, idx, level=1 if l2 == "" else 2)
            current_para = open_block = None
            continue

        # an ordinary paragraph
        bi = add("para", text, ln, idx)
        open_block = bi
        current_para = bi
    for b in blocks:
        if b.kind == "table-header":
            b.kind = "heading-table"
    return blocks


def _continues(block: Block, text: str, was_gap: bool, blank_every_line: bool, wrap: int) -> bool:
    """Does a plain line continue the open block (a hard wrap), or start something new?"""
    if block.kind not in {"para", "item"}:
        return False
    if _NUMBERED.match(text) or _DECIMAL.match(text) or _MD_HEADING.match(text):
        return False
    if clean.normalise_bullet(text) is not None or text.startswith("- "):
        return False
    prev_open = not clean.ends_sentence(block.text)
    if text[:1].islower() or text[:1] in "(£&" or text[:1].isdigit():
        return prev_open or not was_gap
    if wrap == 0:  # one paragraph per line: a new line is a new paragraph unless mid-sentence
        return prev_open and not was_gap and len(block.text) > 0
    if was_gap and not blank_every_line:
        return prev_open and block.last_len >= 0.6 * wrap
    if prev_open:
        return True
    return block.last_len >= 0.85 * wrap


def _is_heading(
    text: str,
    lines: list[Line],
    idx: int,
    blocks: list[Block],
    open_block: int | None,
    was_gap: bool,
    wrap: int,
) -> bool:
    words = text.split()
    # "Mission 4: By 2027, we will see an improvement in ...": a numbered label heads a
    # section however long its line
    labelled = bool(_LABELLED_HEADING.match(text)) and len(words) <= 40
    if not labelled and (not 1 <= len(words) <= 14 or len(text) > 110):
        return False
    if text[:1].islower() or (clean.ends_sentence(text) and not text.endswith(("?", ":"))):
        return False
    if text.startswith("*"):  # "*Name anonymised": the note to a box's "Simone's story*"
        return False
    if clean.MARKDOWN_LINK.fullmatch(text):  # a link on a line of its own names a web page
        return False
    # "To achieve this, we will:" introduces a list; only a short label ending ":" is a heading
    if text.endswith(":") and (len(words) > 3 or "," in text):
        return False
    if text.endswith((",", ";", "-", "–")) or words[-1].lower() in {"and", "or", "the"}:
        return False
    chapter_like = bool(_L1_HEADING.match(text)) and len(words) <= 12
    after = blocks[open_block] if open_block is not None else None
    # a list whose items carry no full stops may end just before a heading
    after_list = after is not None and after.kind == "item" and was_gap
    if (
        after is not None
        and not clean.ends_sentence(after.text)
        and not (chapter_like and was_gap)
        and not after_list
    ):
        return False
    nxt_at = next((i for i in range(idx + 1, min(idx + 6, len(lines))) if lines[i].text), None)
    nxt = lines[nxt_at].text if nxt_at is not None else ""
    if not nxt or nxt[:1].islower():
        return False
    # PDF text often loses the space above a heading, not the one below it: a short line
    # straight after a finished sentence, then a gap, then a numbered paragraph
    squeezed = (
        after is not None
        and clean.ends_sentence(after.text)
        and nxt_at is not None
        and nxt_at > idx + 1
        and bool(_NUMBERED.match(nxt))
    )
    if not (was_gap or chapter_like or squeezed):
        return False
    return wrap == 0 or len(text) < 0.75 * wrap


_OPEN_ENDINGS = frozenset(
    {"and", "or", "the", "a", "an", "of", "in", "on", "to", "for", "with", "by", "at", "from"}
    | {"into", "our", "their", "its", "your"}
)
"""Last words that leave a heading unfinished: the next line, if short, wraps it."""


def _wraps_heading(heading: str, text: str) -> bool:
    """Is ``text`` the second line of ``heading``, wrapped after a word like "in" or "of"?"""
    words = text.split()
    return (
        heading.split()[-1].lower() in _OPEN_ENDINGS
        and 1 <= len(words) <= 8
        and not clean.ends_sentence(text)
        and not _NUMBERED.match(text)
    )


def _looks_like_header(cells: list[str]) -> bool:
    return (
        2 <= len(cells) <= 8
        and all(0 < len(c) <= 60 for c in cells)
        and not any(c[:1].isdigit() for c in cells[:1])
    )


def _part_label(blocks: list[Block], count: int, l1: str) -> str:
    """Name a part whose numbering restarted: the nearest appendix heading since the last
    part began, else the nearest annex or part heading, else the chapter-level heading."""
    since: list[Block] = []
    for b in reversed(blocks):
        if b.part != (blocks[-1].part if blocks else ""):
            break
        since.append(b)
    for pattern in (r"^appendix\b", r"^(?:annex|part)\b"):
        for b in since:
            if b.kind == "heading" and re.match(pattern, b.text, re.I):
                return b.text
    return l1 or f"Part {count}"


def _wrap_width(lengths: list[int]) -> int:
    """Hard-wrap width of a PDF-to-text extract; 0 when lines are whole paragraphs."""
    if len(lengths) < 20:
        return 0
    long = sorted(lengths)[int(len(lengths) * 0.9)]
    if long > 200 or median(lengths) > 110:
        return 0
    return long


def _blank_after_every_line(lines: list[Line]) -> bool:
    blanks = sum(1 for ln in lines if not ln.text)
    return blanks >= 0.8 * sum(1 for ln in lines if ln.text)


def _vocabulary(lines: list[Line]) -> set[str]:
    words: set[str] = set()
    for ln in lines:
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", ln.text))
    return words
