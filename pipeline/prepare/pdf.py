"""PDF extraction repair: spaces inside words and numbers, table cells, sentences broken across lines.

- Tabs separate table cells in PDF extractions, so a tab run becomes a line
  break: a cell is a unit of its own and is never glued to its neighbour.
- Lines are stripped; runs of blank lines become one blank line.
- A sentence broken across lines (``…ことを確`` / ``認した。``) is joined when the
  line shapes say it is a wrap: the text is a PDF extraction (letter-spaced words
  such as ``令 和 8 年``) and the line is running text (it holds 、 or 。), or the
  line is as wide as the document's fixed wrap width. Headings, list items, date
  lines and short title lines stay lines of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import pairwise

from . import wraps
from .chars import is_hiragana, is_jp, is_jp_letter, is_kanji, is_katakana


def repair(text: str, origin: list[int], pdf: bool = False, raw: str | None = None) -> tuple[str, list[int]]:
    """Cells and lines repaired and broken sentences joined, keeping one raw origin per character
    (``pdf``: known to be a PDF's text, whatever its spacing says). With ``raw``, lines are measured as the
    file lays them out (ＯＳＡ and ３ are full-width there, whatever normalisation made of them)."""
    lines = _split_lines(text, origin)
    measure = partial(_raw_width, raw)
    kept = [line for line in lines if line and not line.cell]
    layout = wraps.Layout.of(
        text, [line.text for line in kept], pdf=pdf, widths=[measure(line.origin) for line in kept]
    )
    return _join_lines(lines, layout, measure)


def _raw_width(raw: str | None, origin: list[int]) -> float | None:
    """The display width of a line as the raw text writes it, from the raw line's start: a paragraph's indent
    (a full-width space the cleaning dropped) fills the line too; half-width padding does not count."""
    if raw is None or not origin:
        return None
    start = raw.rfind("\n", 0, origin[0]) + 1
    return wraps.width(raw[start : origin[-1] + 1].strip(" \t"))


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
    letter_spaced = {
        m.start() + i
        for r in (_SPACED_CAPS, _SPACED_DIGITS)
        for m in r.finditer(cell)
        for i in range(1, m.end() - m.start(), 2)
    }
    # two digits at the cell's start ("1　3月18日"): an item's number, then a date; three or more are one
    # number the extractor spaced out (2 0 2 4 年)
    pair = _SPACED_DIGITS.match(cell, len(_BULLETS_ONLY.match(cell).group()))  # type: ignore[union-attr]
    if pair is not None and pair.end() - pair.start() == 3:
        letter_spaced.discard(pair.start() + 1)
    wrapped = _is_wrapped(cell, gaps)
    bullets = _BULLETS_ONLY.match(cell)  # bullets before the first real token (matches the empty string too)
    assert bullets is not None
    head_end = bullets.end()
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
    cuts = [
        g.start()
        for g in gaps
        if 0 < g.start() and g.end() < len(cell) and is_jp(cell[g.start() - 1]) and is_jp(cell[g.end()])
    ]
    if len(cuts) < 2:
        return False
    bounds = [0, *cuts, len(cell)]
    segments = sorted(b - a for a, b in pairwise(bounds))
    return segments[len(segments) // 2] >= WRAP_MIN_SEGMENT


def _drop_gap(left: str, right: str, first: bool, wrapped: bool) -> bool:
    """Whether the space between two tokens is a PDF artefact (the tokens belong together).

    ``first``: ``left`` is the first token of the cell after any bullets."""
    a, b = left[-1], right[0]
    list_head = first and bool(_ENUM.fullmatch(left))
    if wrapped and is_jp(a) and is_jp(b):
        return True
    if len(left) == 1 and len(right) == 1 and is_jp_letter(a) and is_jp_letter(b):
        return True  # 防 衛 省
    if b in "、。" or a in _OPENERS or b in _CLOSERS or b == "を":
        return True
    if a in "、。をの" and (is_jp_letter(b) or b in _OPENERS):
        return True  # 影響を 与える, への アップグレード
    if list_head:
        return False  # "1 総論", "(1) 日米の…": keep the enumerator apart
    mid_word = is_kanji(a) or is_katakana(a) or a in "0123456789)]"  # a Latin word keeps its space
    if b in _PARTICLES and mid_word and not is_hiragana(right[1:2] or "x"):
        return True  # (ガイドライン) に基づき
    if (_NUM.fullmatch(left) and is_jp_letter(b)) or (is_jp_letter(a) and _NUM.fullmatch(right)):
        return True  # 令和 7 年
    return (is_jp_letter(a) and b == "(") or (a == ")" and is_jp_letter(b))  # メカニズム (ACM) の


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
    mid_word = is_kanji(a) or is_katakana(a) or a in "」』)"
    return mid_word and b in _PARTICLES and not is_hiragana(cur[1:2] or "x")


def _joins(prev: _Line, line: _Line, gap: int, layout: wraps.Layout, measure: Callable) -> bool:
    """Whether ``line`` carries on ``prev``: a broken sentence, or a wrap inside a word (no blank line between)."""
    if gap <= 1 and _continues(prev.parts[-1], line.text):
        return True
    last = prev.parts[-1]
    return gap == 0 and layout.wrapped(last, line.text, measure(prev.origin[-len(last) :]))


def _join_lines(lines: list[_Line | None], layout: wraps.Layout, measure: Callable) -> tuple[str, list[int]]:
    """Glue broken sentences back together and keep at most one blank line between lines."""
    out: list[_Line] = []
    blanks: list[bool] = []
    gap = 0
    for line in lines:
        if line is None:
            gap += 1
            continue
        prev = out[-1] if out else None
        if prev is not None and not line.cell and _joins(prev, line, gap, layout, measure):
            prev.parts.extend(line.parts)
            prev.origin.extend(line.origin)
        else:
            out.append(line)
            blanks.append(gap > 0 and prev is not None)
        gap = 0
    parts: list[str] = []
    origin: list[int] = []
    for i, (line, blank) in enumerate(zip(out, blanks, strict=True)):
        if i:
            sep = "\n\n" if blank else "\n"
            parts.append(sep)
            origin.extend([line.break_origin] * len(sep))
        parts.append(line.text)
        origin.extend(line.origin)
    return "".join(parts), origin
