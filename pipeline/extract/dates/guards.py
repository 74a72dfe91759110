"""What may reject a match in its context: the mention rules' ``guards`` and the published rules' ``check``."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .mentions import Candidate

CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]")
# A day-only number at a line start followed by one of these is still a date (13日午前, 13日付).
HEADING_OK_AFTER = set("午夜朝夕未深正昼付以頃中晩限早迄")
# `3日米同盟`, `2日本国内`: a list number before 日米/日本/日中 …
NATION_AFTER_RE = re.compile(r"米|本(?!会議)|中(?:国|関係|韓|首脳|両国)|韓|豪|英|仏|独|印|露|比|欧")
# Kanji that may directly precede a bare month or day number (毎年4月, 毎月13日, 例年4月).
KANJI_OK_BEFORE = set("年月毎例")
WORDS_OK_BEFORE = ("時間", "前回", "今回", "次回", "当初")  # 日本時間11日, 現地時間10日, 前回3月の協議
LINE_PREFIX_RE = re.compile(r"^[ \t\u3000\-・●◆■□▽△▼○◇◎*※>＞]*$")
ORG_LINE_RE = re.compile(
    r"^[^\s。、，,「」]{1,20}"
    r"(?:省|庁|局|府|院|部|課|室|会|所|隊|軍|社|新聞|通信|大臣|長官|市|県|町|村|都|道|区|センター)$"
)


# ------------------------------------------------------------------------ guards


def _line_prefix(text: str, start: int) -> str:
    return text[text.rfind("\n", 0, start) + 1 : start]


def guard_kanji_before(text: str, c: Candidate) -> bool:
    """Reject a bare number glued to a preceding kanji (footnote digits 地震1, 第3日, headline run-ons)."""
    if c.start == 0:
        return True
    prev = text[c.start - 1]
    if text.endswith(WORDS_OK_BEFORE, 0, c.start):
        return True
    return not (CJK_RE.match(prev) and prev not in KANJI_OK_BEFORE)


def guard_heading(text: str, c: Candidate) -> bool:
    """Reject a list or section number read as a day.

    `1 日米防衛協力` (heading), `②日本国内` → NFKC `2日本国内`, `3日米同盟の…`: a bare day
    directly followed by 日米/日本/日中 … is a number before a compound (but `13日本会議で`
    is the 13th), and at a line start a day followed by another kanji is a heading number
    unless that kanji reads as part of a date (13日午前, 13日付).
    """
    after = text[c.end : c.end + 1]
    if NATION_AFTER_RE.match(text, c.end):
        return False
    if (
        LINE_PREFIX_RE.match(_line_prefix(text, c.start))
        and after
        and CJK_RE.match(after)
        and after not in HEADING_OK_AFTER
    ):
        return False
    return True


GUARDS: dict[str, Callable[[str, Candidate], bool]] = {
    "kanji_before": guard_kanji_before,
    "heading": guard_heading,
}


# ----------------------------------------------------------------- published checks


@lru_cache(maxsize=4)
def _line_index(text: str) -> tuple[list[str], list[int], list[int]]:
    """The text's lines, their start offsets and, for each line, how many non-empty lines precede it."""
    lines = text.split("\n")
    starts, before, seen = [], [], 0
    pos = 0
    for line in lines:
        starts.append(pos)
        before.append(seen)
        pos += len(line) + 1
        seen += bool(line.strip())
    return lines, starts, before


def check_letterhead(text: str, m: re.Match, value: str) -> bool:
    """A date-only line counts next to an authority's name line, or (full dates) in the first 3 lines."""
    # Indexed once per text: a page of date-only lines must not cost a split per match.
    lines, starts, before = _line_index(text)
    line_no = bisect.bisect_right(starts, m.start("date") if m.group("date") else m.start()) - 1
    neighbours = []
    for step in (1, -1):
        j = line_no + step
        while 0 <= j < len(lines) and not lines[j].strip():
            j += step
        if 0 <= j < len(lines):
            neighbours.append(re.sub(r"[ \t\u3000]", "", lines[j]))
    if any(ORG_LINE_RE.match(n) for n in neighbours):
        return True
    if len(value) == 10:
        return before[line_no] < 3 or _only_headings_before(lines, line_no)
    return False


HEADING_LINES = 6  # at most this many short lines before a release's date line (省名, 報道発表, 件名 …)


def _only_headings_before(lines: list[str], line_no: int) -> bool:
    """Only a few short heading lines (no sentence) stand before the line: a release's header (外務省 / 報道発表 /
    日米外相電話会談 / 令和8年5月12日)."""
    above = [line.strip() for line in lines[:line_no] if line.strip()]
    return len(above) <= HEADING_LINES and all(
        2 <= len(line) <= 40 and "。" not in line and not LIST_MARK.match(line) for line in above
    )


LIST_MARK = re.compile(
    r"^(?:[0-9０-９一二三四五六七八九十]+|[（(]?[0-9０-９一二三四五六七八九十]+[)）.．、])"
)  # 一 / 2. / （3）


def check_edge(text: str, m: re.Match, value: str) -> bool:
    """A full date on one of the first 3 or the last 2 non-empty lines: a dateline or a closing credit."""
    lines, starts, before = _line_index(text)
    line_no = bisect.bisect_right(starts, m.start()) - 1
    after = sum(1 for line in lines[line_no + 1 :] if line.strip())
    return len(value) == 10 and (before[line_no] < 3 or after < 2)


CHECKS: dict[str, Callable[[str, re.Match, str], bool]] = {"letterhead": check_letterhead, "edge": check_edge}
