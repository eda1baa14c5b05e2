"""HTML (GOV.UK-style pages) with BeautifulSoup and lxml, down to the reader text convention.

Page furniture (navigation, header, footer, cookie banner, related links) is dropped and
the main content is preferred when the page marks it. The tree is walked with an explicit
stack, never by recursion, so pathologically nested pages cannot exhaust the stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import PreformattedString

from careguide.ingest.errors import ReadError
from careguide.ingest.models import Document, PageText
from careguide.ingest.readers._common import decode_text, load_bytes, make_document, reason
from careguide.ingest.settings import IngestSettings

DROP_TAGS = frozenset(
    {
        "head", "nav", "script", "style", "noscript", "aside", "template", "iframe", "svg",
        "button", "input", "select", "textarea", "dialog",
    }
)  # fmt: skip
DROP_CLASSES = frozenset(
    {
        "govuk-header", "govuk-footer", "govuk-skip-link", "govuk-breadcrumbs",
        "govuk-phase-banner", "govuk-back-link", "govuk-cookie-banner",
        "gem-c-cookie-banner", "gem-c-skip-link", "gem-c-layout-super-navigation-header",
        "gem-c-layout-footer", "gem-c-related-navigation", "gem-c-contextual-sidebar",
        "gem-c-contextual-footer", "gem-c-contents-list", "gem-c-breadcrumbs",
        "gem-c-print-link", "gem-c-share-links", "gem-c-feedback",
        "gem-c-single-page-notification-button", "gem-c-step-nav-header",
        "gem-c-emergency-banner", "gem-c-global-banner",
    }
)  # fmt: skip
DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
WHITESPACE = re.compile(r"\s+")  # in markup, any run of it is one space; <br> is a newline
COOKIE = re.compile(r"cookie", re.IGNORECASE)
SKIP_LINK = re.compile(r"^\s*skip to (main )?content", re.IGNORECASE)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "blockquote", "ul", "ol", "li", "dl", "dt",
        "dd", "figure", "figcaption", "details", "summary", "address", "hr", "center",
        "caption", "body", "html",
    }
)  # fmt: skip
LEADING_NUMBER = re.compile(r"^\s*(\(?[0-9]+[A-Za-z]?[.)]|\(?[a-z][.)]|\([ivx]+\))\s")
GOVUK_SUFFIX = re.compile(r"\s+[-–—|]\s+GOV\.UK\s*$")


def read(path: Path, settings: IngestSettings) -> Document:
    data = load_bytes(path)
    markup, notes = _decode(data, path.name)
    try:
        soup = BeautifulSoup(markup, "lxml")
        landmarks = _prune(soup)
        title = _title(landmarks)
        try:
            text = "\n\n".join(_blocks(_content_root(soup, landmarks)))
        except RecursionError:
            text = _flat_text(soup)
    except Exception as exc:  # bs4 and lxml raise assorted types on broken markup
        raise ReadError(
            f"{path.name} is not readable HTML ({reason(exc)}); save the page again and ingest it"
        ) from None
    if not text.strip():
        raise ReadError(
            f"{path.name} has no readable text; save the page with its content "
            "(not a script-only or empty page) and ingest again"
        )
    return make_document(
        path, data, "html", [PageText(number=None, text=text)], title_hint=title, warnings=notes
    )


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Decode by BOM, then the declared charset, then UTF-8, then cp1252.

    Done here rather than by bs4's UnicodeDammit, whose character-set guessing is slow on
    large files.
    """
    declared = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", data[:4096], re.I)
    if declared and b"\x00" not in data[:4096]:
        charset = declared.group(1).decode("ascii").lower()
        if charset not in {"utf-8", "utf8"}:
            try:
                return data.decode(charset), []
            except (LookupError, UnicodeDecodeError):
                pass
    try:
        return decode_text(data, name)
    except ReadError:
        # A stray NUL in a web page is not worth refusing it for.
        text, notes = decode_text(data.replace(b"\x00", b""), name)
        return text, [*notes, "NUL bytes removed"]


def _title(landmarks: dict[str, Tag]) -> str | None:
    """The page's <title> without GOV.UK's suffix, else its first <h1>."""
    for tag in (landmarks.get("title"), landmarks.get("h1")):
        if tag is not None:
            text = GOVUK_SUFFIX.sub("", _inline(tag.get_text(" ")))
            if text:
                return text
    return None


def _prune(soup: BeautifulSoup) -> dict[str, Tag]:
    """Drop the page furniture; return the first of each landmark left, by name.

    One walk with an explicit stack, in document order, not descending into furniture:
    bs4's ``find`` helpers are far slower on large pages.
    """
    landmarks: dict[str, Tag] = {}
    doomed: list[Tag] = []
    stack: list[tuple[Tag, bool]] = [(soup, False)]  # (tag, inside <main> or <article>)
    while stack:
        tag, in_content = stack.pop()
        if tag.name == "head":
            for title in _children(tag, {"title"})[:1]:
                landmarks.setdefault("title", title.extract())  # out before <head> goes
        if tag is not soup and _is_furniture(tag, in_content):
            doomed.append(tag)
            continue
        if tag.name in {"main", "article", "h1", "body"}:
            landmarks.setdefault(tag.name, tag)
        if tag.get("id") == "content":
            landmarks.setdefault("#content", tag)
        if tag.get("role") == "main":
            landmarks.setdefault("role=main", tag)
        inside = in_content or tag.name in {"main", "article"}
        stack.extend((child, inside) for child in reversed(tag.contents) if isinstance(child, Tag))
    for tag in doomed:
        tag.decompose()
    return landmarks


def _is_furniture(tag: Tag, in_content: bool) -> bool:
    name = tag.name
    if name in DROP_TAGS:
        return True
    if name in {"header", "footer"}:  # the page's, not an article's own title or notes
        return not in_content
    if name == "form":  # a search box, unless the site wraps the whole page in a form
        return tag.find(["main", "article", "h1", "h2"]) is None
    classes = tag.get_attribute_list("class")
    if any(c in DROP_CLASSES or COOKIE.search(c) for c in classes if c):
        return True
    ident = tag.get("id")
    if isinstance(ident, str) and (COOKIE.search(ident) or ident in {"global-header", "footer"}):
        return True
    if tag.get("role") in DROP_ROLES:
        return True
    href = tag.get("href")
    return (
        name == "a"
        and isinstance(href, str)
        and href.startswith("#")
        and bool(SKIP_LINK.match(tag.get_text()))
    )


def _content_root(soup: BeautifulSoup, landmarks: dict[str, Tag]) -> Tag:
    """The main content when the page marks it (and it has text), else the body."""
    for key in ("main", "#content", "article", "role=main", "body"):
        candidate = landmarks.get(key)
        if candidate is not None and any(text.strip() for text in candidate.strings):
            return candidate
    return soup


def _blocks(root: Tag) -> Iterator[str]:
    """Walk ``root`` depth-first with an explicit stack, yielding convention blocks."""
    inline: list[str] = []
    prefix = ""  # the "- " (and number) of a list item waiting for its first text
    numbers: dict[int, int] = {}  # id(<ol>) -> number of its latest item

    def flush() -> Iterator[str]:
        nonlocal prefix
        lines = [_inline(line) for line in "".join(inline).split("\n")]
        inline.clear()
        text = "\n".join(line for line in lines if line)
        if text:
            yield _list_line(prefix, text) if prefix else text
            prefix = ""

    stack: list[PageElement | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # the end marker of a block element
            yield from flush()
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                inline.append(WHITESPACE.sub(" ", node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name == "br":
            inline.append("\n")
            continue
        if name in HEADINGS or name in {"table", "pre", "li"}:
            yield from flush()
            prefix = ""
        if name in HEADINGS:
            heading = _inline(node.get_text(" "))
            if heading:
                yield "#" * HEADINGS[name] + " " + heading
            continue
        if name == "table":
            yield from _table(node)
            continue
        if name == "pre":
            pre = node.get_text().strip("\n").replace("\t", "    ")
            if pre.strip():
                yield pre
            continue
        if name == "li":
            prefix = _item_marker(node, numbers)
        if name in BLOCKS:
            yield from flush()
            stack.append(None)
        stack.extend(reversed(node.contents))
    yield from flush()


def _list_line(marker: str, text: str) -> str:
    if marker != "- " and LEADING_NUMBER.match(text):
        marker = "- "  # the text prints its own number: keep that one
    return marker + text


def _item_marker(item: Tag, numbers: dict[int, int]) -> str:
    """``- `` plus, for an ordered list, the number a browser would print."""
    parent = item.parent
    if not isinstance(parent, Tag) or parent.name != "ol":
        return "- "
    previous = numbers.get(id(parent), _int(parent.get("start"), 1) - 1)
    position = _int(item.get("value"), previous + 1)
    numbers[id(parent)] = position
    kind = parent.get("type")
    return f"- {_ordinal(position, kind if isinstance(kind, str) else '1')}. "


def _int(value: object, default: int) -> int:
    try:
        return int(str(value)) if value is not None else default
    except ValueError:
        return default


def _ordinal(n: int, kind: str) -> str:
    if kind in {"a", "A"} and 1 <= n <= 26:
        letter = chr(ord("a") + n - 1)
        return letter if kind == "a" else letter.upper()
    if kind in {"i", "I"} and 1 <= n < 4000:
        roman = _roman(n)
        return roman if kind == "I" else roman.lower()
    return str(n)


def _roman(n: int) -> str:
    numerals = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]  # fmt: skip
    out = []
    for value, numeral in numerals:
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def _table(table: Tag) -> Iterator[str]:
    """The caption, then one line per row with cells separated by TAB, header rows first."""
    caption = _children(table, {"caption"})
    if caption and (text := _inline(caption[0].get_text(" "))):
        yield text
    head: list[str] = []
    body: list[str] = []
    for in_head, row in _rows(table):
        cells = [_inline(cell.get_text(" ")) for cell in _children(row, {"th", "td"})]
        if any(cells):
            (head if in_head else body).append("\t".join(cells))
    if head or body:
        yield "\n".join(head + body)


def _rows(table: Tag) -> Iterator[tuple[bool, Tag]]:
    """(in <thead>, row) for the table's own rows, not those of a table nested in a cell."""
    stack = [(child, False) for child in reversed(_children(table))]
    while stack:
        node, in_head = stack.pop()
        if node.name == "tr":
            yield in_head, node
        elif node.name != "table":
            inside = in_head or node.name == "thead"
            stack.extend((child, inside) for child in reversed(_children(node)))


def _children(tag: Tag, names: set[str] | None = None) -> list[Tag]:
    return [
        child
        for child in tag.contents
        if isinstance(child, Tag) and (names is None or child.name in names)
    ]


def _inline(text: str) -> str:
    """Collapse whitespace (tabs included: TAB only ever separates table cells)."""
    return " ".join(text.split())


def _flat_text(soup: BeautifulSoup) -> str:
    """Last resort when the structure cannot be walked: just the text, line by line."""
    lines = (_inline(line) for line in soup.get_text("\n").splitlines())
    return "\n\n".join(line for line in lines if line)
