"""Cleaning rules for damaged PDF-to-text and web extracts.

Each rule is a small pure function on a line or a short list of lines, so each can be
tested on its own. The structure parser (``structure.py``) decides where to apply them.
No rule removes a number, date or money amount from body text: rules that drop whole
lines (page numbers, contents entries, footers, alt text) only ever match lines that are
not body text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

# --- characters -------------------------------------------------------------------------

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_DIGIT = str.maketrans(SUPERSCRIPTS, "0123456789")
_SPACES = re.compile(r"[ \u00a0\u2002-\u200b\u202f\u205f\u3000]+")
_TERMINAL = re.compile(r"[.!?:;]['\"’”)\]]*$")


def normalise_spaces(line: str) -> str:
    """Undo double spacing and odd space characters; strip the ends. Tabs are kept (tables)."""
    cells = line.split("\t")
    return "\t".join(_SPACES.sub(" ", c).strip() for c in cells).strip("\t ")


def ends_sentence(text: str) -> bool:
    """True when text ends with sentence-final punctuation (closing quotes allowed)."""
    return bool(_TERMINAL.search(text.rstrip()))


# --- markdown and HTML debris ---------------------------------------------------------------

# A markdown link: its words in group 1. The words hold no bracket and the address no
# bracket or space, so "[a] b (c)" in running text is not taken for a link.
MARKDOWN_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")


def unlink(text: str) -> str:
    """Markdown links as their words: "[Annex A](http://...)" -> "Annex A"."""
    return MARKDOWN_LINK.sub(r"\1", text)


_EMPTY_LINK = re.compile(r"\[([^\]]*)\]\((?:#[^)]*)?\)")
_BOLD = re.compile(r"\*\*|__")
_ESCAPED = re.compile(r"\\([()\[\]*_#.&-])")
_HTML_ATTR_TAG = re.compile(
    r"</?(?:p|ul|ol|li|br|span|div|strong|em|b|i|u|sup|sub|a|font)\b[^>]*>", re.I
)
_DATA_BBOX = re.compile(r"\s*data-bbox=\"[^\"]*\"")
_ANY_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_HTML_ENTITIES = {
    "&amp;": "&",
    "&nbsp;": " ",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
}


def strip_markdown_debris(line: str) -> str:
    """Remove bold markers, keep link text but drop empty ``(#)`` targets, unescape ``\\(``."""
    line = _EMPTY_LINK.sub(lambda m: m.group(1), line)
    line = _BOLD.sub("", line)
    return _ESCAPED.sub(r"\1", line)


def strip_html_debris(line: str, *, split_lines: bool = True) -> str:
    """Drop inline HTML tags and ``data-bbox`` attributes; decode the common entities.

    Table markup is handled first by :func:`html_tables_to_rows`; this catches what is left.
    With ``split_lines`` list items and paragraph ends become new lines; a table row (cells
    separated by tabs) must stay on one line, so it passes ``split_lines=False``.
    """
    line = _DATA_BBOX.sub("", line)
    if split_lines:
        line = re.sub(r"<li[^>]*>", "\n- ", line, flags=re.I)
        line = re.sub(r"<br\s*/?>|</p>", "\n", line, flags=re.I)
    line = _HTML_ATTR_TAG.sub(" ", line)
    line = _ANY_TAG.sub(" ", line)
    for entity, char in _HTML_ENTITIES.items():
        line = line.replace(entity, char)
    return line


_TABLE = re.compile(r"<table\b.*?</table>", re.I | re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.I | re.S)
_CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.I | re.S)


def html_tables_to_rows(text: str) -> str:
    """Turn ``<table>`` markup into one line per row, cells separated by tabs."""

    def table(match: re.Match[str]) -> str:
        rows = []
        for row in _ROW.findall(match.group(0)):
            cells = [normalise_spaces(_ANY_TAG.sub(" ", c)) for c in _CELL.findall(row)]
            if any(cells):
                rows.append("\t".join(cells))
        return "\n" + "\n".join(rows) + "\n"

    return _TABLE.sub(table, text)


# --- lines that are not content ---------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$", re.I)
_CONTENTS_TAB = re.compile(r"^[^\t]{3,}\t+\s*\d{1,4}\s*$")
_CONTENTS_DOTS = re.compile(r"^.{3,}?(?:\s*\.{3,}|\s*…+)\s*\d{1,4}\s*$")
_ALT_TEXT = re.compile(
    r"^(?:an?|the)\s+(?:handwritten\s+)?(?:signature|photograph|photo|image|picture|logo|"
    r"illustration|diagram|chart|graphic|icon|infographic)\b.*"
    r"\b(?:of|showing|reading|with|depicting|appearing|in)\b",
    re.I,
)
_WEB_FOOTER = re.compile(
    r"^(?:submit an enquiry|cookies?|privacy(?: policy| notice)?|terms(?: and conditions)?|"
    r"accessibility(?: statement)?|contact us|sign up|follow us|share this|back to top|"
    r"skip to (?:main )?content|all content is available under.*|©.*\d{4}.*|copyright ©.*|"
    r"registered charity.*|charity registration.*|site ?map)$",
    re.I,
)


def is_page_number(line: str) -> bool:
    """A bare page number ("30", "Page 4 of 12") on a line of its own."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def is_contents_line(line: str) -> bool:
    """A contents-page entry: a title followed by a page number (tab or dot leaders)."""
    s = line.rstrip()
    return bool(_CONTENTS_TAB.match(s) or _CONTENTS_DOTS.match(s))


def is_alt_text(line: str) -> bool:
    """Image alt text left in an extract ("A handwritten signature in black ink ...")."""
    s = line.strip()
    return len(s) < 400 and bool(_ALT_TEXT.match(s))


def is_web_footer(line: str) -> bool:
    """Boilerplate from a web page footer (cookies, privacy, enquiry buttons ...)."""
    return bool(_WEB_FOOTER.match(line.strip()))


def repeated_page_lines(pages: Sequence[Sequence[str]], *, edge: int = 3) -> set[str]:
    """Running headers and footers: lines near the top or bottom of at least half the pages.

    Only meaningful for real pages (PDF); returns nothing for fewer than 3 pages. Digits are
    folded so "Page 3" and "Page 4" count as the same footer.
    """
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        content = [ln.strip() for ln in lines if ln.strip()]
        edges = (
            content[:edge] + content[-edge:]
            if len(content) > 2 * edge
            else content[:1] + content[-1:]
        )
        counts.update({_fold_digits(ln) for ln in edges if not ends_sentence(ln)})
    threshold = max(3, len(pages) // 2)
    return {ln for ln, n in counts.items() if n >= threshold and len(ln) < 120}


def _fold_digits(line: str) -> str:
    """Fold page numbers in short lines ("Page 3" ~ "Page 4"); longer lines must match exactly,
    so numbered chapter headings are not mistaken for a running header."""
    return re.sub(r"\d+", "#", line) if len(line.split()) <= 4 else line


def is_running_line(line: str, repeated: set[str]) -> bool:
    """True when a line is one of the running headers/footers found by repeated_page_lines."""
    return bool(repeated) and _fold_digits(line.strip()) in repeated


_PLACE_LINE = re.compile(r"^[A-Z][A-Za-z'’.&-]*(?: (?:and|of|upon|on|&|[A-Z][A-Za-z'’.&-]*))*,?$")


def is_place_name_dump(lines: Sequence[str], *, min_run: int = 15) -> bool:
    """A long run of short capitalised names (a flattened map or list of areas).

    Nearly every line is 1-4 capitalised words with no sentence punctuation; such runs carry
    nothing a question can be answered from and would swamp search with noise.
    """
    content = [ln.strip() for ln in lines if ln.strip()]
    if len(content) < min_run:
        return False
    names = sum(1 for ln in content if len(ln.split()) <= 5 and _PLACE_LINE.match(ln))
    return names / len(content) >= 0.85


# --- bullets, hyphenation, wrapping ----------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-•·▪◦●○■□➢►*]|e|¢|©|o)\s+(?=\S)")


def normalise_bullet(line: str) -> str | None:
    """Return the item text when a line is a bullet (including OCR'd "e " and "¢ "), else None.

    OCR reads round bullets as "e" or "¢"; a line starting "e " followed by a capital letter or
    a lower-case word is a bullet, since "e" is never a word of its own in English prose.
    """
    m = _BULLET.match(line)
    if not m:
        return None
    marker = m.group(0).strip()
    rest = line[m.end() :]
    if marker in {"e", "o", "©"} and not re.match(r"[A-Za-z‘'\"“(£0-9]", rest):
        return None
    return rest.strip()


_HYPHEN_END = re.compile(r"([A-Za-z]+)-$")


def join_wrapped(first: str, second: str, vocabulary: Iterable[str] = ()) -> str:
    """Join a hard-wrapped line to the next, rejoining words split by a line-end hyphen.

    "organis-" + "ation" becomes "organisation" when that word is known (seen elsewhere in the
    document); otherwise the hyphen is real and kept ("co-" + "operation" -> "co-operation",
    "high-" + "quality" -> "high-quality").
    """
    first = first.rstrip()
    second = second.lstrip()
    if not first:
        return second
    if not second:
        return first
    m = _HYPHEN_END.search(first)
    if m and second[:1].islower():
        head = m.group(1)
        tail = re.match(r"[A-Za-z]+", second)
        joined = head + (tail.group(0) if tail else "")
        vocab = vocabulary if isinstance(vocabulary, set | frozenset) else set(vocabulary)
        if joined.lower() in vocab:
            return first[:-1] + second
        return first + second
    return f"{first} {second}"


# --- footnotes ------------------------------------------------------------------------------

_SUPER_MARK = re.compile(rf"(?<=[A-Za-z.,;:)’'\"”%])([{SUPERSCRIPTS}]+)")
_GLUED_DIGIT = re.compile(
    r"(?<=[a-z]{3})(\d{1,3})(?=[\s,;:.)]|$)|(?<=[a-z]\.)(\d{1,3})(?=\s+[A-Z])"
)
_FOOTNOTE_LINE = re.compile(rf"^\s*([{SUPERSCRIPTS}]+|\d{{1,3}})\s+(\S.*)$")


def detach_footnote_markers(text: str) -> tuple[str, list[str]]:
    """Remove footnote markers glued to words; return the text and the marker numbers.

    Handles Unicode superscripts ("£200 million²") and plain digits glued to a lower-case
    word ("authorities6", "reform.5 To"). Numbers that belong to the text are left alone:
    a marker must follow at least three letters or a sentence end, so "KS4", "2016" and
    "£1.5m" are untouched.
    """
    marks: list[str] = []

    def take_super(m: re.Match[str]) -> str:
        marks.append(m.group(1).translate(_SUPER_TO_DIGIT))
        return ""

    def take_digit(m: re.Match[str]) -> str:
        marks.append(m.group(1) or m.group(2))
        return ""

    text = _SUPER_MARK.sub(take_super, text)
    text = _GLUED_DIGIT.sub(take_digit, text)
    return text, marks


SENTENCE_BREAK = re.compile(r"(?<=[.!?])['\"’”)]?\s+(?=[A-Z‘“'\"(£0-9])")
"""The space between two sentences: after ". ! ?" (and a closing quote or bracket),
before a capital, a digit, "£" or an opening quote or bracket."""
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def footnote_anchors(text: str, start: int = 0) -> dict[str, str]:
    """For each footnote marker at or after ``start``, the sentence that leads up to it,
    markers removed: "... seven features of effective practice that are informing our
    reform programme.⁴⁸" -> {"48": "It also identified seven features ... programme."}.

    A footnote often makes sense only with that sentence: "The seven themes are: 1. ..."
    does not say what the themes are of. The first mention of a number is kept.
    """
    anchors: dict[str, str] = {}
    marks = [
        (m.start(), m.group(1).translate(_SUPER_TO_DIGIT)) for m in _SUPER_MARK.finditer(text)
    ] + [(m.start(), m.group(1) or m.group(2)) for m in _GLUED_DIGIT.finditer(text)]
    for at, number in sorted(marks):
        if at < start or number in anchors:
            continue
        before = detach_footnote_markers(text[:at])[0]
        ends = [m.end() for m in SENTENCE_BREAK.finditer(before)]
        sentence = before[ends[-1] if ends else 0 :].strip()
        if sentence:
            anchors[number] = sentence
    return anchors


# "(2022)", "(June 2016)", "(2023, forthcoming)", "(accessed 23 January 2023)", or a
# closing "June 2016": the date of a work cited
_WORK_DATE = re.compile(
    rf"\((?:accessed \d+ )?(?:(?:{MONTHS}) )?(?:19|20)\d\d[a-z]?(?:, [a-z]+)?\)"
    rf"|(?:{MONTHS}) (?:19|20)\d\d\.?$"
)
_SAYS = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|must|should|found|said|"
    r"led|shows?|showed)\b",
    re.IGNORECASE,
)
_POINTER = re.compile(
    r"^(?:for (?:more|further) (?:details?|information)\b[^:]*?\bsee\b|see\b)", re.I
)
_WEB = re.compile(r"www\.|https?://|\.(?:uk|org|com)\b", re.IGNORECASE)


def names_a_source(note: str) -> bool:
    """Whether a footnote only names a work or points elsewhere, saying nothing itself:
    "Department for Education (2022) Ethnicity and children's social care", "For more
    details see: ...", a web page's title. Text before a work's date that has a verb of
    its own ("3,264 were UASC (Department for Education (2022) ...)") says something."""
    note = note.strip()
    if _POINTER.match(note):
        return True
    dated = _WORK_DATE.search(note)
    if dated and not _SAYS.search(note[: dated.start()]):
        return True
    return bool(_WEB.search(note)) and not _SAYS.search(note)


def footnote_text(line: str, *, superscript_only: bool = False) -> tuple[str, str] | None:
    """Split a footnote line ("¹ The three reviews are ...") into (number, text), else None."""
    m = _FOOTNOTE_LINE.match(line)
    if not m:
        return None
    mark = m.group(1)
    if superscript_only and mark[0] not in SUPERSCRIPTS:
        return None
    return mark.translate(_SUPER_TO_DIGIT), m.group(2).strip()


# --- text-level helpers -------------------------------------------------------------------


def clean_inline(line: str) -> str:
    """All inline rules for one line: debris out, spacing normalised, unicode composed."""
    line = unicodedata.normalize("NFC", line)
    line = strip_html_debris(line)
    line = strip_markdown_debris(line)
    return normalise_spaces(line)


_NUMBERISH = re.compile(r"£?\d[\d,.]*(?:%|bn|m\b)?")


def numbers_in(text: str) -> list[str]:
    """Numbers, dates and money amounts in text (used by property tests and answer checks)."""
    return [m.group(0).rstrip(".,") for m in _NUMBERISH.finditer(text)]
