"""Line wraps of PDF extractions and fixed-width text: where a line break falls inside a sentence.

Decided by the shape of the lines, never by the words: a line that ends without a
terminator continues on the next line when the text is laid out in fixed-width lines
and the line is full, or when the text is a PDF extraction (words letter-spaced by
the extractor, ``令 和 8 年``) and the line is running text (it holds 、 or 。).
Headings, list items, date lines and short title lines never continue.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .chars import is_jp_letter

_JP = r"[\u3041-\u3096\u30a1-\u30fa\u3400-\u9fff々0-9０-９]"
# Four or more single characters one space apart: the extractor spread a word out (日 米 防 衛).
_LETTER_SPACED = re.compile(rf"(?<!\S){_JP}(?:[ \u3000]{_JP}){{3,}}(?!\S)")
_END = "。.!?！？…:：」』)）】〕]>"
# A line that opens a unit of its own: list item, numbered heading, bracketed heading, note.
_UNIT_HEAD = re.compile(
    r"[\-・◆◇■□●○▽▼△▲※★☆→•*>〇◎]|\(?[0-9]{1,2}[.)．]|[0-9]{1,2} |[①-⑳]|\([一二三四五六七八九十]+\)"
    r"|第[0-9一二三四五六七八九十]+[章節条項]|[【〈《\[]|[一二三四五六七八九十]+[ 、.]"
)
# A line that is (or starts with) a date: a letterhead or dateline.
_DATE_HEAD = re.compile(r"(?:令和|平成|昭和)\s?(?:元|[0-9]{1,2})\s?年|[12][0-9]{3}\s?[年./-]")
_CLAUSE = re.compile(r"[、,，。]")
WRAP_MIN_WIDTH = 20  # a fixed wrap narrower than this is a list of short lines, not running text
WRAP_TOLERANCE = 3.0  # justified lines differ by a line-breaking rule's punctuation mark or a space the repair dropped
RUNNING_MIN_WIDTH = 12  # shorter lines are titles, labels or names, even in a PDF


def width(line: str) -> float:
    """Display width in full-width characters (half-width letters and digits count half)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in line)


@dataclass(frozen=True)
class Layout:
    """What the whole text says about its line breaks."""

    pdf: bool  # the extractor letter-spaced some words: a PDF extraction
    wrap_width: float | None  # the fixed width most full lines share, if any

    @classmethod
    def of(cls, raw_text: str, lines: list[str], pdf: bool = False, widths: list | None = None) -> Layout:
        """``widths``: the lines' widths as the file lays them out, where known (else measured here)."""
        # a right-aligned letterhead (half-width spaces before a date) is no wider line of the text block
        measured = [
            w if w is not None else width(line.strip(" \t")) for line, w in zip(lines, widths or [None] * len(lines))
        ]
        return cls(pdf or bool(_LETTER_SPACED.search(raw_text)), _wrap_width(measured))

    def wrapped(self, prev: str, cur: str, prev_width: float | None = None) -> bool:
        """Whether the break between physical lines ``prev`` and ``cur`` falls inside a sentence (``prev_width``:
        the width of ``prev`` as the file lays it out, where known)."""
        if not prev or not cur or prev[-1] in _END or not _word_char(prev[-1] + cur[0]):
            return False
        if _UNIT_HEAD.match(cur) or _DATE_HEAD.match(cur):
            return False
        w = prev_width if prev_width is not None else width(prev.strip(" \t"))
        if self.wrap_width is not None and w >= self.wrap_width - WRAP_TOLERANCE:
            return True  # a full line: even a list item or a heading wraps when it is this long
        if _UNIT_HEAD.match(prev) or _DATE_HEAD.match(prev):
            return False
        return self.pdf and w >= RUNNING_MIN_WIDTH and bool(_CLAUSE.search(prev))


def _word_char(pair: str) -> bool:
    """Both sides of the break are Japanese text (a Latin word may have lost its space there)."""
    a, b = pair[0], pair[1]
    return (is_jp_letter(a) or a.isdigit() or a in "、,，・「『(（〜ー") and (
        is_jp_letter(b) or b.isdigit() or b in "、,，。.)）」』】〕「『(（〜ー"
    )


def _wrap_width(widths: list[float]) -> float | None:
    """The widest width that at least three lines and a quarter of the long lines share, none much wider.

    Hard-wrapped text has most lines at one width and none wider; lines of varied
    length (paragraphs on one line each, reader comments) have no such width."""
    long = [w for w in widths if w >= WRAP_MIN_WIDTH]
    for w in sorted(set(long), reverse=True):
        at = sum(1 for x in long if w - WRAP_TOLERANCE <= x <= w)
        wider = sum(1 for x in long if x > w)
        if wider > max(1, len(long) // 10):
            return None
        if at >= 3 and at >= 0.25 * len(long):
            return w
    return None
