"""Clean stage: markup removal, character normalisation, PDF repair, sentence split.

``clean(raw)`` returns the clean text as an ``AlignedText`` whose ``origin[i]``
is the raw offset of clean character ``i``; every pass below carries that
mapping along, so any offset found later traces back to the raw input.
``segment(text)`` splits the clean text into ``Sentence`` records and labels
each with a section (``body``, ``comments`` or ``meta``) using the rules in
``rules/sections.yaml``.

Decisions worth knowing:

- Markup is scanned here, not with a DOM library: a parser re-serialises the
  text and loses the raw offsets that every later table refers to. Each removed
  span is a ``Removal(kind="markup")``; a block tag (``<p>``, ``<br>``, ``<td>``)
  is still removed whole and its line break points at the tag's first character.
- Tabs separate table cells in PDF extractions, so a tab run becomes a line
  break: a cell is a unit of its own and is never glued to its neighbour.
- Lines are stripped; runs of blank lines become one blank line.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

from .. import rulebook
from ..records import AlignedText, Removal, Sentence

# ================================================================== markup

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


@dataclass
class _Markup:
    raw: str
    html: bool
    out: _Builder
    pre: int = 0  # depth of <pre>/<textarea>: whitespace kept as is
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

    def run(self) -> None:
        pos, text_start = 0, 0
        while True:
            m = _TAG_START.search(self.raw, pos)
            if m is None:
                break
            end = self.tag_end(m)
            if end is None:
                pos = m.start() + 1
                continue
            self.text(text_start, m.start())
            pos = text_start = self.consume(m, end)
        self.text(text_start, len(self.raw))

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

    def consume(self, m: re.Match, end: int) -> int:
        """Remove the tag (and a dropped element's content); return where text resumes."""
        name = (m.group(2) or "").lower()
        closing = bool(m.group(1))
        if name and not closing and name in DROP_CONTENT and not self.raw[m.start() : end].endswith("/>"):
            end = self.element_end(name, end)
        self.out.remove(m.start(), end)
        if name in BLOCK_TAGS:
            self.out.put("\n", m.start())
        if name in ("pre", "textarea"):
            self.pre = max(0, self.pre + (-1 if closing else 1))
        return end

    def element_end(self, name: str, pos: int) -> int:
        """End of ``</name>`` after ``pos`` (the rest of a page when it never closes, the tag alone in plain text)."""
        closer = re.compile(rf"</{re.escape(name)}\s*>", re.IGNORECASE)
        at = self.find(closer, pos)
        if at < 0:
            return len(self.raw) if self.html else pos
        return closer.match(self.raw, at).end()

    def text(self, start: int, end: int) -> None:
        """Copy a text run, decoding entities and dropping image URLs."""
        if start >= end:
            return
        pos = start
        for kind, m in self.specials(start, end):
            self.out.copy(self.raw, pos, m.start())
            pos = m.end()
            if kind == "ws":
                self.out.put(self.html_space(m), m.start())
            elif kind == "entity":
                self.entity(m)
            else:
                self.out.remove(m.start(), m.end())
        self.out.copy(self.raw, pos, end)

    def specials(self, start: int, end: int) -> Iterator[tuple[str, re.Match]]:
        found = [("image", m) for m in _IMAGE_URL.finditer(self.raw, start, end)]
        found += [("entity", m) for m in _ENTITY.finditer(self.raw, start, end)]
        if self.html and not self.pre:
            found += [("ws", m) for m in _HTML_WS.finditer(self.raw, start, end)]
        found.sort(key=lambda km: km[1].start())
        last = start
        for kind, m in found:  # image URLs win over the entities/spaces inside them
            if m.start() >= last:
                last = m.end()
                yield kind, m

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

    def html_space(self, m: re.Match) -> str:
        """HTML whitespace collapses to one space; a line break between two CJK characters vanishes."""
        before = self.raw[m.start() - 1] if m.start() else ""
        after = self.raw[m.end()] if m.end() < len(self.raw) else ""
        if "\n" in m.group(0) and before and after and _is_cjk_wide(before) and _is_cjk_wide(after):
            return ""
        return " "


def _strip_markup(raw: str, is_html: bool) -> tuple[str, list[int], list[Removal]]:
    out = _Builder()
    _Markup(raw, is_html, out).run()
    return out.result()


# ================================================================== characters

# NFKC would turn these into plain digits or ASCII: they carry meaning, keep them.
_KEEP_RANGES = ((0x2460, 0x2473), (0x24EA, 0x24FF), (0x2776, 0x2793), (0x3251, 0x325F), (0x3280, 0x32BF))
_KEEP = frozenset("…‥〜・゛゜")
_SPECIAL = {"\uff5e": "〜", "\r": "\n", "\f": "\n", "\v": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
_DELETE_RANGES = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))  # variation selectors


def _map_char(ch: str) -> str:
    """What one character becomes: NFKC, with the exceptions above."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    o = ord(ch)
    if ch in _KEEP or any(a <= o <= b for a, b in _KEEP_RANGES):
        return ch
    if any(a <= o <= b for a, b in _DELETE_RANGES):
        return ""
    cat = unicodedata.category(ch)
    if cat == "Cs":
        return "\ufffd"  # a lone surrogate cannot be written as UTF-8
    if (cat == "Cc" and ch not in "\t\n") or cat == "Cf":
        return ""  # control and zero-width format characters (ZWSP, BOM, soft hyphen)
    norm = unicodedata.normalize("NFKC", ch)
    if len(norm) > 1 and norm[0] == " ":
        return ch  # spacing diacritics (¨, ￣) would become a space plus a combining mark
    return norm


class _CharTable(dict):
    """str.translate table filled on first use of each character."""

    def __missing__(self, o: int) -> str:
        value = self[o] = _map_char(chr(o))
        return value


_TABLE = _CharTable()


def _combining_class() -> str:
    marks, o = [], 0
    while o < 0x10000:
        if unicodedata.combining(chr(o)):
            start = o
            while o < 0x10000 and unicodedata.combining(chr(o)):
                o += 1
            marks.append(f"{re.escape(chr(start))}-{re.escape(chr(o - 1))}")
        o += 1
    return "".join(marks) + "\uff9e\uff9f"  # half-width (semi-)voiced marks merge like combining ones


_MARKS = _combining_class()
_CLUSTER = re.compile(rf".[{_MARKS}]+", re.DOTALL)


def _normalize(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Per-character NFKC (clusters with combining marks together), keeping one origin per character."""
    chars = sorted(set(text))
    for ch in chars:
        _TABLE[ord(ch)]  # noqa: B018 - fills the table
    # Sorted, so articles with the same irregular characters share one compiled pattern (re's cache).
    irregular = "".join(re.escape(c) for c in chars if len(_TABLE[ord(c)]) != 1)
    pattern = _CLUSTER.pattern + (f"|\r\n|[{irregular}]" if irregular else "|\r\n")
    parts: list[str] = []
    out_origin: list[int] = []
    pos = 0
    for m in re.finditer(pattern, text, re.DOTALL):
        parts.append(text[pos : m.start()].translate(_TABLE))
        out_origin.extend(origin[pos : m.start()])
        value = _map_cluster(m.group(0))
        parts.append(value)
        out_origin.extend([origin[m.start()]] * len(value))
        pos = m.end()
    parts.append(text[pos:].translate(_TABLE))
    out_origin.extend(origin[pos:])
    return "".join(parts), out_origin


def _map_cluster(token: str) -> str:
    if token == "\r\n":
        return "\n"
    if len(token) == 1:
        return _TABLE[ord(token)]
    base = _map_char(token[0])
    if base == token[0] and (token[0] in _KEEP or base != unicodedata.normalize("NFKC", base)):
        return token  # a kept symbol keeps its marks untouched
    return unicodedata.normalize("NFKC", base + token[1:])


# ================================================================== character classes


def _is_kanji(c: str) -> bool:
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF or c in "々〆〇"


def _is_hiragana(c: str) -> bool:
    return "\u3041" <= c <= "\u309f"


def _is_katakana(c: str) -> bool:
    return ("\u30a1" <= c <= "\u30ff" and c != "・") or "\u31f0" <= c <= "\u31ff"


def _is_jp_letter(c: str) -> bool:
    return _is_kanji(c) or _is_hiragana(c) or _is_katakana(c)


def _is_jp(c: str) -> bool:
    return _is_jp_letter(c) or c in "、。「」『』【】"


def _is_cjk_wide(c: str) -> bool:
    return _is_jp(c) or unicodedata.east_asian_width(c) in ("W", "F")


# ================================================================== PDF spacing

_OPENERS, _CLOSERS = "「『【〔", "」』】〕"
_PARTICLES = "がをにはでとのへもやな"
_BULLETS_ONLY = re.compile(r"[\s\-・◆◇■□●○▽▼△▲※★☆→•*>]*")
_ENUM = re.compile(r"\(?[0-9]{1,2}[.)]?|[①-⑳]|\(?[A-Za-z][.)]")
_NUM = re.compile(r"[0-9]{1,4}")
# Letter-spaced capitals (D I C A S) and digits (3 0): single characters, one space apart.
_SPACED_CAPS = re.compile(r"(?<![A-Za-z])[A-Z](?: [A-Z]){2,}(?![A-Za-z])")
_SPACED_DIGITS = re.compile(r"(?<![0-9.,])[0-9](?: [0-9])+(?![0-9])")
_GAP = re.compile(r" +")
WRAP_MIN_SEGMENT = 15  # PDF wraps leave a space every ~25 characters; a phrase break is shorter


def _repair_cell(cell: str, origin: list[int]) -> tuple[str, list[int]]:
    """Drop the spaces PDF extraction put inside Japanese words and numbers; collapse the rest."""
    gaps = list(_GAP.finditer(cell))
    if not gaps:
        return cell, origin
    letter_spaced = {m.start() + i for r in (_SPACED_CAPS, _SPACED_DIGITS) for m in r.finditer(cell)
                     for i in range(1, m.end() - m.start(), 2)}
    wrapped = _is_wrapped(cell, gaps)
    head_end = _BULLETS_ONLY.match(cell).end()  # bullets before the first real token
    parts, out_origin, pos = [], [], 0
    for k, gap in enumerate(gaps):
        left_start = gaps[k - 1].end() if k else 0
        right_end = gaps[k + 1].start() if k + 1 < len(gaps) else len(cell)
        left, right = cell[left_start : gap.start()], cell[gap.end() : right_end]
        parts.append(cell[pos : gap.start()])
        out_origin.extend(origin[pos : gap.start()])
        drop = gap.start() in letter_spaced or _drop_gap(left, right, left_start <= head_end, wrapped)
        if not drop:
            parts.append(" ")
            out_origin.append(origin[gap.start()])
        pos = gap.end()
    parts.append(cell[pos:])
    out_origin.extend(origin[pos:])
    return "".join(parts), out_origin


def _is_wrapped(cell: str, gaps: list[re.Match]) -> bool:
    """A line re-flowed from a PDF: spaces between Japanese characters at a regular, long interval."""
    cuts = [g.start() for g in gaps if 0 < g.start() and g.end() < len(cell)
            and _is_jp(cell[g.start() - 1]) and _is_jp(cell[g.end()])]
    if len(cuts) < 2:
        return False
    bounds = [0, *cuts, len(cell)]
    segments = sorted(b - a for a, b in zip(bounds, bounds[1:]))
    return segments[len(segments) // 2] >= WRAP_MIN_SEGMENT


def _drop_gap(left: str, right: str, first: bool, wrapped: bool) -> bool:
    """Whether the space between two tokens is a PDF artefact (the tokens belong together).

    ``first``: ``left`` is the first token of the cell after any bullets."""
    a, b = left[-1], right[0]
    list_head = first and bool(_ENUM.fullmatch(left))
    if wrapped and _is_jp(a) and _is_jp(b):
        return True
    if len(left) == 1 and len(right) == 1 and _is_jp_letter(a) and _is_jp_letter(b):
        return True  # 防 衛 省
    if b in "、。" or a in _OPENERS or b in _CLOSERS or b == "を":
        return True
    if a in "、。をの" and (_is_jp_letter(b) or b in _OPENERS):
        return True  # 影響を 与える, への アップグレード
    if list_head:
        return False  # "1 総論", "(1) 日米の…": keep the enumerator apart
    mid_word = _is_kanji(a) or _is_katakana(a) or a in "0123456789)]"  # a Latin word keeps its space
    if b in _PARTICLES and mid_word and not _is_hiragana(right[1:2] or "x"):
        return True  # (ガイドライン) に基づき
    if (_NUM.fullmatch(left) and _is_jp_letter(b)) or (_is_jp_letter(a) and _NUM.fullmatch(right)):
        return True  # 令和 7 年
    return (_is_jp_letter(a) and b == "(") or (a == ")" and _is_jp_letter(b))  # メカニズム (ACM) の


# ================================================================== lines


@dataclass
class _Line:
    parts: list[str]
    origin: list[int]
    break_origin: int  # raw offset of the line break (or tab) before this line
    cell: bool = False  # a table cell after the first on its raw line: never joined to the one before

    @property
    def text(self) -> str:
        return "".join(self.parts)


_SENTENCE_END = "。.!?…:"
_STRONG_START = "をゃゅょっぁぃぅぇぉゎャュョッァィゥェォヮー、。」』)】〕"
_LIST_HEAD = re.compile(r"[\-・◆◇■□●○▽▼△▲※★☆→•*>]|\(?[0-9]{1,2}[.)]|[①-⑳]|[0-9]{1,2} ")


def _split_lines(text: str, origin: list[int]) -> list[_Line | None]:
    """Lines and table cells, repaired; None stands for a blank line."""
    out: list[_Line | None] = []
    start = 0
    for chunk in text.split("\n"):
        end = start + len(chunk)
        brk = origin[start - 1] if start else 0
        out.extend(_cells(text, origin, start, end, brk) or [None])
        start = end + 1
    return out


def _cells(text: str, origin: list[int], start: int, end: int, brk: int) -> list[_Line]:
    cells: list[_Line] = []
    for m in re.finditer(r"[^\t]+", text[start:end]):
        a, b = start + m.start(), start + m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a == b:
            continue
        cell, corig = _repair_cell(text[a:b], origin[a:b])
        cell_brk = origin[start + m.start() - 1] if cells else brk
        cells.append(_Line([cell], corig, cell_brk, cell=bool(cells)))
    return cells


def _continues(prev: str, cur: str) -> bool:
    """Whether ``cur`` carries on the sentence that ``prev`` left unfinished."""
    a, b = prev[-1], cur[0]
    if a in _SENTENCE_END or a in "!?" or _LIST_HEAD.match(cur):
        return False
    if b in _STRONG_START or a in "、を" or (b in _PARTICLES and cur[1:2] in ("、", ",")):
        return True  # nothing starts a sentence with を, a small kana, or "は、"
    mid_word = _is_kanji(a) or _is_katakana(a) or a in "」』)"
    return mid_word and b in _PARTICLES and not _is_hiragana(cur[1:2] or "x")


def _join_lines(lines: list[_Line | None]) -> tuple[str, list[int]]:
    """Glue broken sentences back together and keep at most one blank line between lines."""
    out: list[_Line] = []
    blanks: list[bool] = []
    gap = 0
    for line in lines:
        if line is None:
            gap += 1
            continue
        prev = out[-1] if out else None
        if prev is not None and not line.cell and gap <= 1 and _continues(prev.parts[-1], line.text):
            prev.parts.extend(line.parts)
            prev.origin.extend(line.origin)
        else:
            out.append(line)
            blanks.append(gap > 0 and prev is not None)
        gap = 0
    parts: list[str] = []
    origin: list[int] = []
    for i, (line, blank) in enumerate(zip(out, blanks)):
        if i:
            sep = "\n\n" if blank else "\n"
            parts.append(sep)
            origin.extend([line.break_origin] * len(sep))
        parts.append(line.text)
        origin.extend(line.origin)
    return "".join(parts), origin


# ================================================================== clean


def clean(raw: str, *, html: bool = False) -> tuple[AlignedText, list[Removal]]:
    """Strip markup, normalise characters, repair PDF artefacts. Returns the clean text
    aligned to `raw` (AlignedText.origin[i] = raw offset of clean char i) and the markup
    removals (kind='markup', raw offsets, contiguous runs merged)."""
    text, origin, removals = _strip_markup(raw, html)
    text, origin = _normalize(text, origin)
    text, origin = _join_lines(_split_lines(text, origin))
    return AlignedText(text, origin), removals


# ================================================================== sentences

_TERMINATORS = "。!?！？"
_QUOTE_PAIRS = {"「": "」", "『": "』", "“": "”"}
_TRAILING = "」』)）】〕”’]"
MAX_QUOTE_CHARS = 500  # a quote that does not close this soon (or on its line) is ignored
MAX_RULE_LINE = 1000  # longer lines are running text, never a credit or link line
_SPECIAL_CHARS = re.compile("[" + re.escape(_TERMINATORS + "".join(_QUOTE_PAIRS) + "".join(_QUOTE_PAIRS.values())) + "]")


def _quoted_spans(line: str) -> list[tuple[int, int]]:
    """Outermost closed quotes of one line, shorter than the cap."""
    closers = {v: k for k, v in _QUOTE_PAIRS.items()}
    stack: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    for m in _SPECIAL_CHARS.finditer(line):
        ch, at = m.group(0), m.start()
        if ch in _QUOTE_PAIRS:
            stack.append((ch, at))
        elif ch in closers:
            depth = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == closers[ch]), None)
            if depth is None:
                continue
            start = stack[depth][1]
            del stack[depth:]
            if not stack and at + 1 - start <= MAX_QUOTE_CHARS:
                spans.append((start, at + 1))
    return spans


def _sentence_ends(line: str) -> list[int]:
    """Offsets (within the line) where a sentence ends: after a terminator outside quotes."""
    spans = _quoted_spans(line)
    ends: list[int] = []
    k = 0
    for m in re.finditer(f"[{_TERMINATORS}]+", line):
        while k < len(spans) and spans[k][1] <= m.start():
            k += 1
        if k < len(spans) and spans[k][0] < m.start():
            continue  # inside a quote
        end = m.end()
        while end < len(line) and line[end] in _TRAILING:
            end += 1
        ends.append(end)
    return ends


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())


def segment(text: str) -> list[Sentence]:
    """Split clean text into sentences (records.Sentence: index, start, end, section, paragraph)."""
    lines = [_strip_span(text, m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    lines = [(a, b) for a, b in lines if a < b]
    sections = line_sections([text[a:b] for a, b in lines])
    out: list[Sentence] = []
    for paragraph, ((a, b), section) in enumerate(zip(lines, sections)):
        pos = a
        for end in [*(a + e for e in _sentence_ends(text[a:b])), b]:
            s, e = _strip_span(text, pos, end)
            if s < e:
                out.append(Sentence(len(out), s, e, section, paragraph))
            pos = end
    return out


# ================================================================== sections



@lru_cache(maxsize=1)
def _section_rules() -> tuple[rulebook.Rule, ...]:
    return rulebook.load("sections").rules


def rule_examples(rule: rulebook.Rule, example_text: str) -> bool:
    """Whether a section rule matches a line (as segment() applies it)."""
    line = example_text.strip()
    return len(line) <= MAX_RULE_LINE and rule.regex.search(line) is not None


def example(rule_id: str, text: str, nlp: object, published: str | None) -> list[dict]:
    """The section rule's effect when it matches the line (``rulebook.RuleSet.example``)."""
    rule = rulebook.load("sections").by_id(rule_id)
    if not rule_examples(rule, text):
        return []
    return [{"effect": rule.get("effect"), "text": rule.regex.search(text.strip()).group(0)}]


def _line_effect(line: str) -> str | None:
    effects = {rule.get("effect") for rule in _section_rules() if rule_examples(rule, line)}
    for effect in ("comments_start", "meta_block", "meta_line"):
        if effect in effects:
            return effect
    return None


def _is_link_label(line: str) -> bool:
    """A line of a link list: a headline, no sentence end, short."""
    return len(line) <= 80 and not line.rstrip().endswith("。")


def line_sections(lines: list[str]) -> list[str]:
    """The section of each non-empty line: meta lines, a comments region after its marker, body."""
    effects = [_line_effect(line) for line in lines]
    comments_from = _comments_start(effects)
    sections: list[str] = []
    in_block = False
    for i, (line, effect) in enumerate(zip(lines, effects)):
        in_block = effect == "meta_block" or (in_block and (effect is not None or _is_link_label(line)))
        if effect is not None or in_block:
            sections.append("meta")
        else:
            sections.append("comments" if comments_from is not None and i > comments_from else "body")
    return sections


def _comments_start(effects: list[str | None]) -> int | None:
    """The first comments marker that has body lines before it and content after it."""
    for i, effect in enumerate(effects):
        if effect != "comments_start":
            continue
        if any(e is None for e in effects[:i]) and any(e is None for e in effects[i + 1 :]):
            return i
    return None


SECTION_RULES = rulebook.RuleSet(name="sections", module="prepare.cleaning", rule_files=("sections",), example=example)
