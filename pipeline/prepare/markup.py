"""Markup removal: HTML tags, comments, entities, image URLs and link-icon labels (別ウィンドウで開く), with the
raw offset of every kept character.

- Markup is scanned here, not with ``html.parser`` (which would report offsets
  through ``getpos()``): most inputs are plain text with stray fragments, where
  only known tag names are markup and a cut-off ``<img src=...`` is dropped to the
  paragraph end, while html.parser reads everything as HTML (a cut-off tag or an
  unclosed ``<!--`` comes back as text, a ``<script>`` mention swallows every later
  tag); its handling of broken input changes between CPython patch releases
  (gh-135462), which no cache key covers; and on 3.13.0 it is quadratic on
  incomplete tags (30 KB of ``<a `` takes 10 s). Each removed span is a
  ``Removal(kind="markup")``; a block tag (``<p>``, ``<br>``, ``<td>``) is still
  removed whole and its line break points at the tag's first character.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..records import Removal
from .chars import is_cjk_wide

KNOWN_TAGS = frozenset(
    "a abbr acronym address area article aside audio b base basefont bdi bdo big blockquote body br "
    "button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div "
    "dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head "
    "header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta meter "
    "nav nobr noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp "
    "script section select small source span strike strong style sub summary sup svg table tbody td "
    "template textarea tfoot th thead time title tr track tt u ul var video wbr".split()
)
BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr html iframe legend li "
    "main menu nav ol option p picture pre section summary table tbody td tfoot th thead title tr ul video".split()
)
# Elements whose content is never article text (code, styling, furigana, page head, menus).
DROP_CONTENT = frozenset("script style noscript template head svg iframe object canvas rt rp nav button select".split())
# A page with an <article> (else a <main>): its header, footer and aside outside that element are the site's
# chrome (logo, breadcrumb, related links, footer menu), never the article's text.
CHROME = frozenset("header footer aside".split())
_ARTICLE = re.compile(r"<article\b", re.IGNORECASE)
_MAIN = re.compile(r"<main\b", re.IGNORECASE)
MAX_TAG_CHARS = 8192  # in plain text a longer "<img ...>" is not a tag; bounds the work per '<'

_TAG_START = re.compile(r"<(?:!--|!\[CDATA\[|[!?][A-Za-z]|(/?)([A-Za-z][A-Za-z0-9:-]*))")
_TAG_REST = re.compile(r"""[^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>""")  # attributes up to '>', quotes honoured
_HAS_ATTR = re.compile(r"\s+[A-Za-z_:][\w:.-]*\s*=")
_PARA_END = re.compile(r"\n[ \t]*\n")
_HTML_WS = re.compile(r"[ \t\n\r\f]+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
# An image URL is markup even outside a tag: it must not reach the clean text.
_IMAGE_URL = re.compile(
    r"""https?://[^\s<>"']{1,1000}?\.(?:jpe?g|png|gif|webp|avif|bmp|svg)(?:[?#][^\s<>"']{0,2000})?(?=[\s<>"']|$)""",
    re.IGNORECASE,
)


def strip_markup(raw: str, is_html: bool) -> tuple[str, list[int], list[Removal]]:
    """The text without markup, the raw offset of each of its characters, and the merged markup removals."""
    out = _Builder()
    container = "" if not is_html else "article" if _ARTICLE.search(raw) else "main" if _MAIN.search(raw) else ""
    _Markup(raw, is_html, out, _Tags(raw, is_html), container=container).run()
    return out.result()


class _Builder:
    """Clean characters with their raw origins, plus the merged markup removals."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.origin: list[int] = []
        self.removed: list[list[int]] = []

    def copy(self, raw: str, start: int, end: int) -> None:
        self.parts.append(raw[start:end])
        self.origin.extend(range(start, end))

    def put(self, text: str, at: int) -> None:
        self.parts.append(text)
        self.origin.extend([at] * len(text))

    def remove(self, start: int, end: int) -> None:
        if start >= end:
            return
        if self.removed and start <= self.removed[-1][1]:
            self.removed[-1][1] = max(self.removed[-1][1], end)
        else:
            self.removed.append([start, end])

    def result(self) -> tuple[str, list[int], list[Removal]]:
        removals = [Removal(s, e, "markup") for s, e in self.removed]
        return "".join(self.parts), self.origin, removals


# The alt text of a link icon, saved with a page's text (共同声明(仮訳(PDF)別ウィンドウで開く)): image markup
# too, with the file type shown beside it.
_ICON_LABEL = re.compile(
    r"(?:[(（](?:PDF|Word|Excel|PowerPoint)(?:形式)?(?:[:：][^()（）\n]{0,16})?[)）])?"
    r"(?:別ウィンドウ|別ウインドウ|新しいウィンドウ|新しいウインドウ|新規ウィンドウ|外部サイト)で開(?:く|きます)"
)


@dataclass
class _Tags:
    """Where a piece of markup that starts at a '<' ends."""

    raw: str
    html: bool
    found: dict = field(default_factory=dict)  # needle -> (searched from, found at)

    def find(self, needle: str | re.Pattern, pos: int) -> int:
        """Start of the next ``needle`` at or after ``pos`` (-1: none), without rescanning.

        Candidate tags only move forward, so a remembered answer stays valid until
        ``pos`` passes it: the text is scanned about once per needle."""
        since, at = self.found.get(needle, (len(self.raw) + 1, -1))
        if not (since <= pos and (at < 0 or at >= pos)):
            if isinstance(needle, str):
                at = self.raw.find(needle, pos)
            else:
                m = needle.search(self.raw, pos)
                at = m.start() if m else -1
            self.found[needle] = (pos, at)
        return at

    def tag_end(self, m: re.Match) -> int | None:
        """End of the markup that starts at ``m``, or None when it is ordinary text."""
        token = m.group(0)
        if token[1] in "!?":
            return self.declaration_end(token, m.end())
        name = m.group(2).lower()
        if not self.html and name not in KNOWN_TAGS:
            return None  # plain text: only real HTML tags, so "a < b" and <注> stay
        nxt = self.raw[m.end() : m.end() + 1]
        if nxt and not (nxt.isspace() or nxt in "/>"):
            return None
        return self.attributes_end(m.end())

    def declaration_end(self, token: str, pos: int) -> int | None:
        """Comments, CDATA, and (in a whole page) <!DOCTYPE>/<?xml?>."""
        if token == "<!--":
            close = self.find("-->", pos)
            return close + 3 if close >= 0 else (len(self.raw) if self.html else None)
        if token.startswith("<![CDATA["):
            close = self.find("]]>", pos)
            return close + 3 if close >= 0 else None
        close = self.find(">", pos)
        return close + 1 if self.html and 0 <= close < pos + MAX_TAG_CHARS else None

    def attributes_end(self, pos: int) -> int | None:
        """Past the '>' that closes a tag's attributes (quoted values may hold '>')."""
        raw = self.raw
        close = self.find(">", pos)
        limit = len(raw) if self.html else min(len(raw), pos + MAX_TAG_CHARS)  # data: URIs are long
        rest = _TAG_REST.match(raw, pos, limit) if 0 <= close < limit else None
        if rest is not None:
            return rest.end()
        if _HAS_ATTR.match(raw, pos):  # "<img src=..." cut off: drop the fragment to the paragraph end
            para = _PARA_END.search(raw, pos)
            return para.start() if para else len(raw)
        return len(raw) if self.html else None

    def element_end(self, name: str, pos: int) -> int:
        """End of ``</name>`` after ``pos`` (the rest of a page when it never closes, the tag alone in plain text)."""
        closer = re.compile(rf"</{re.escape(name)}\s*>", re.IGNORECASE)
        at = self.find(closer, pos)
        if at < 0:
            return len(self.raw) if self.html else pos
        found = closer.match(self.raw, at)  # find() stopped where it matches
        assert found is not None
        return found.end()


@dataclass
class _Markup:
    """One pass over the raw text: tags removed, text runs copied with entities decoded."""

    raw: str
    html: bool
    out: _Builder
    tags: _Tags
    pre: int = 0  # depth of <pre>/<textarea>: whitespace kept as is
    container: str = ""  # article or main: the page's chrome outside it is dropped (CHROME)
    inside: int = 0  # depth of the container element

    def run(self) -> None:
        pos, text_start = 0, 0
        while True:
            m = _TAG_START.search(self.raw, pos)
            if m is None:
                break
            end = self.tags.tag_end(m)
            if end is None:
                pos = m.start() + 1
                continue
            self.text(text_start, m.start())
            pos = text_start = self.consume(m, end)
        self.text(text_start, len(self.raw))

    def consume(self, m: re.Match, end: int) -> int:
        """Remove the tag (and a dropped element's content); return where text resumes."""
        name = (m.group(2) or "").lower()
        closing = bool(m.group(1))
        if name and name == self.container:
            self.inside = max(0, self.inside + (-1 if closing else 1))
        chrome = name in CHROME and self.container and not self.inside
        if name and not closing and (name in DROP_CONTENT or chrome) and not self.raw[m.start() : end].endswith("/>"):
            end = self.tags.element_end(name, end)
        self.out.remove(m.start(), end)
        if name in BLOCK_TAGS:
            self.out.put("\n", m.start())
        if name in ("pre", "textarea"):
            self.pre = max(0, self.pre + (-1 if closing else 1))
        return end

    def text(self, start: int, end: int) -> None:
        """Copy a text run, decoding entities and dropping image URLs."""
        if start >= end:
            return
        pos = start
        for kind, m in _specials(self.raw, start, end, spaces=self.html and not self.pre):
            self.out.copy(self.raw, pos, m.start())
            pos = m.end()
            if kind == "ws":
                self.out.put(_html_space(self.raw, m), m.start())
            elif kind == "entity":
                self.entity(m)
            else:
                self.out.remove(m.start(), m.end())
        self.out.copy(self.raw, pos, end)

    def entity(self, m: re.Match) -> None:
        token = m.group(0)
        if not token.endswith(";") and not self.html:
            self.out.copy(self.raw, m.start(), m.end())  # "R&D" in plain text is not an entity
            return
        value = html.unescape(token)
        if value == token:
            self.out.copy(self.raw, m.start(), m.end())
            return
        self.out.remove(m.start(), m.end())
        self.out.put(value, m.start())


def _specials(raw: str, start: int, end: int, spaces: bool) -> Iterator[tuple[str, re.Match]]:
    """Image URLs and link-icon labels, entities and (``spaces``: collapsible) whitespace runs in a text run,
    in order."""
    found = [("image", m) for m in _IMAGE_URL.finditer(raw, start, end)]
    found += [("image", m) for m in _ICON_LABEL.finditer(raw, start, end)]
    found += [("entity", m) for m in _ENTITY.finditer(raw, start, end)]
    if spaces:
        found += [("ws", m) for m in _HTML_WS.finditer(raw, start, end)]
    found.sort(key=lambda km: km[1].start())
    last = start
    for kind, m in found:  # image URLs win over the entities/spaces inside them
        if m.start() >= last:
            last = m.end()
            yield kind, m


def _html_space(raw: str, m: re.Match) -> str:
    """HTML whitespace collapses to one space; a line break between two CJK characters vanishes."""
    before = raw[m.start() - 1] if m.start() else ""
    after = raw[m.end()] if m.end() < len(raw) else ""
    if "\n" in m.group(0) and before and after and is_cjk_wide(before) and is_cjk_wide(after):
        return ""
    return " "
