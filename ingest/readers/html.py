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
        title = _title(soup)
        _drop_furniture(soup)
        try:
            text = "\n\n".join(_blocks(_content_root(soup)))
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


def _title(soup: BeautifulSoup) -> str | None:
    for tag in (soup.title, soup.find("h1")):
        if isinstance(tag, Tag):
            text = GOVUK_SUFFIX.sub("", _inline(tag.get_text(" ")))
            if text:
                return text
    return None


def _is_furniture(tag: Tag) -> bool:
    if tag.name in DROP_TAGS:
        return True
    if tag.name in {"header", "footer"}:  # the page's, not an article's own title or notes
        return tag.find_parent(["main", "article"]) is None
    if tag.name == "form":  # a search box, unless the site wraps the whole page in a form
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
        tag.name == "a"
        and isinstance(href, str)
        and href.startswith("#")
        and bool(SKIP_LINK.match(tag.get_text()))
    )


def _drop_furniture(soup: BeautifulSoup) -> None:
    doomed = [tag for tag in soup.find_all(True) if _is_furniture(tag)]
    for tag in doomed:
        if not tag.decomposed:  # an ancestor may have taken it already
            tag.decompose()


def _content_root(soup: BeautifulSoup) -> Tag:
    for candidate in (
        soup.find("main"),
        soup.find(id="content"),
        soup.find("article"),
        soup.find(True, {"role": "main"}),
        soup.body,
    ):
        if isinstance(candidate, Tag) and candidate.get_text(strip=True):
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
    caption = table.find("caption")
    if isinstance(caption, Tag) and caption.find_parent("table") is table:
        text = _inline(caption.get_text(" "))
        if text:
            yield text
    rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
    in_head = [row.find_parent("thead") is not None for row in rows]
    ordered = [r for r, h in zip(rows, in_head, strict=True) if h] + [
        r for r, h in zip(rows, in_head, strict=True) if not h
    ]
    lines = []
    for row in ordered:
        cells = [
            _inline(cell.get_text(" "))
            for cell in row.find_all(["th", "td"])
            if cell.find_parent("tr") is row  # not the cells of a nested table
        ]
        if any(cells):
            lines.append("\t".join(cells))
    if lines:
        yield "\n".join(lines)


def _inline(text: str) -> str:
    """Collapse whitespace (tabs included: TAB only ever separates table cells)."""
    return " ".join(text.split())


def _flat_text(soup: BeautifulSoup) -> str:
    """Last resort when the structure cannot be walked: just the text, line by line."""
    lines = (_inline(line) for line in soup.get_text("\n").splitlines())
    return "\n\n".join(line for line in lines if line)
