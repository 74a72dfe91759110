"""Dates: every temporal expression of an article, normalised, and the article's own date.

The rules live in ``rules/dates.yaml``; this module holds the mechanics:

1. URLs and markup are masked (same length, so offsets stay valid).
2. Every mention rule's regex runs over the whole text. Named groups (era, year,
   year2, month, day, hour, minute, rel, part) are parsed and checked (a month
   is 1–12, 2023-02-30 does not exist), and the rule's ``guards`` (GUARDS
   below) may reject a match in context. Rejected matches never block others.
3. Overlaps: the longest match wins, then the higher ``priority``, then the
   earlier rule in the file. So ``本年2月7日`` beats ``2月7日``, ``2024年度末``
   beats ``2024年``, ``同年9月`` beats ``9月``.
4. The kept matches are resolved in text order by the rule's ``resolve``
   function (RESOLVERS below): ``absolute`` (era/western years), ``fiscal``
   (年度 → FY), ``bare_date``/``bare_day`` (no year: from a directly chained
   date — ``4月10日から12日`` —, else the published date, else X digits),
   ``relative`` (ことし/昨年/先月/きょう … against the published date; nothing
   when there is none, unless the expression also gives a month or day),
   ``backref`` (同年/同月/同日/翌年 … against the closest preceding date that
   has the needed parts), ``time``. The kind follows from the value.

The published date (``find_published``) comes from the ``stage: published``
rules: the first rule in file order that finds a date wins; among its matches
the most specific, then the latest, value.

ja-timex (0.2.x) was evaluated on the five seeds and is not used. Measured on
this machine: ~0.23 s to import, 12–60 ms per seed article (23 ms for the 5 k
character 004), against well under 1 ms per article for these regexes — and it
is wrong where it matters here: ``令和5年度`` → the year 2023 instead of FY2023;
``昨年12月`` → a duration plus ``XXXX-12``; ``ことし``, ``同年9月``,
``本年2月7日`` (→ ``XXXX-02-07``), ``今月13日`` are not resolved; the figure
number ``図表 II -2-3-1`` becomes the date ``0002-03-01``; the section heading
``1 日米防衛協力`` becomes ``XXXX-XX-01`` and ``3 日米同盟`` ``XXXX-XX-03``.
Overriding all of that would leave it only the plain absolute forms, which a
dozen regexes already cover, so it does not pay its way.
"""
from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Callable, Mapping

from .. import rulebook
from ..records import DateMention, ParsedArticle, Sentence
from .families import Family

RULE_FILE = "dates"
MONTH_NAMES = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]")

# Masked before matching: URLs, bare domain paths, e-mail addresses, markup tags.
MASK_RE = re.compile(
    r"(?:https?|ftp)://[^\s<>\"'「」『』（）]+"
    r"|www\.[^\s<>\"'「」『』（）]+"
    r"|[A-Za-z0-9_.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
    r"|(?<![A-Za-z0-9])[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+/[^\s<>\"'「」『』（）]*"
    r"|<[^<>\n]{1,4000}>"
)
MASK_CHAR = "\x00"

# Between a date and a bare day/month that shares its year (4月10日から12日, 2024年7月と9月).
CHAIN_RE = re.compile(r"^[)）]?[ \t\u3000]*(?:と|や|、|,|，|から|より|〜|~|～|-|－|–|—|・|及び|および|並びに|ならびに|または|又は|ないし|乃至)?"
                      r"[ \t\u3000]*(?:[(（][^()（）\n]{0,8}?時間[ \t\u3000]*)?$")
RECURRING_RE = re.compile(r"(?:毎年|毎月|例年)$")  # 毎年4月1日 is no calendar date

# A day-only number at a line start followed by one of these is still a date (13日午前, 13日付).
HEADING_OK_AFTER = set("午夜朝夕未深正昼付以頃中晩限早迄")
# `3日米同盟`, `2日本国内`: a list number before 日米/日本/日中 …
NATION_AFTER_RE = re.compile(r"米|本(?!会議)|中(?:国|関係|韓|首脳|両国)|韓|豪|英|仏|独|印|露|比|欧")
# Kanji that may directly precede a bare month or day number (毎年4月, 毎月13日, 例年4月).
KANJI_OK_BEFORE = set("年月毎例")
WORDS_OK_BEFORE = ("時間",)  # 日本時間11日, 現地時間10日
LINE_PREFIX_RE = re.compile(r"^[ \t\u3000\-・●◆■□▽△▼○◇◎*※>＞]*$")
ORG_LINE_RE = re.compile(r"^[^\s。、，,「」]{1,20}(?:省|庁|局|府|院|部|課|室|会|所|隊|軍|社|新聞|通信|大臣|長官|市|県|町|村|都|道|区|センター)$")


# ----------------------------------------------------------------------------- rules

@dataclass(frozen=True)
class DateRule:
    rule: rulebook.Rule
    order: int
    regex: re.Pattern
    resolve: str
    guards: tuple[str, ...]
    priority: int
    stage: str

    @property
    def id(self) -> str:
        return self.rule.id


@lru_cache(maxsize=None)
def load_rules() -> tuple[tuple[DateRule, ...], dict]:
    """The compiled rules of dates.yaml and its settings; a bad rule fails with file, id and reason."""
    rf = rulebook.load(RULE_FILE)
    macros = {k: str(v) for k, v in (rf.settings.get("macros") or {}).items()}
    out = []
    for i, rule in enumerate(rf.rules):
        stage = rule.get("stage", "mention")
        resolve = rule.get("resolve", "")
        if stage == "mention" and resolve not in RESOLVERS:
            raise rulebook.RuleError(rf.path, rule.id, f"unknown resolver {resolve!r}")
        if stage == "published" and rule.get("check") and rule.get("check") not in CHECKS:
            raise rulebook.RuleError(rf.path, rule.id, f"unknown check {rule.get('check')!r}")
        guards = tuple(rule.get("guards") or ())
        for g in guards:
            if g not in GUARDS:
                raise rulebook.RuleError(rf.path, rule.id, f"unknown guard {g!r}")
        try:
            regex = re.compile(rulebook.expand(str(rule.pattern), macros))
        except (re.error, KeyError, ValueError) as exc:
            raise rulebook.RuleError(rf.path, rule.id, f"bad pattern: {exc}") from None
        out.append(DateRule(rule, i, regex, resolve, guards, int(rule.get("priority", 0)), stage))
    return tuple(out), dict(rf.settings)


@lru_cache(maxsize=1)
def _eras() -> dict[str, int]:
    return {str(k): int(v) for k, v in (load_rules()[1].get("eras") or {}).items()}


# ------------------------------------------------------------------------- numbers

def to_int(s: str) -> int:
    """ASCII/full-width digits, 元 (=1), digit-by-digit kanji (二〇二四) or positional kanji (二十五)."""
    s = s.strip()
    if s == "元":
        return 1
    if s.isdigit():
        return int(s)
    if any(c in KANJI_UNITS for c in s):
        total, cur = 0, 0
        for c in s:
            if c in KANJI_DIGITS:
                cur = cur * 10 + KANJI_DIGITS[c] if cur else KANJI_DIGITS[c]
            elif c in KANJI_UNITS:
                total += (cur or 1) * KANJI_UNITS[c]
                cur = 0
            else:
                raise ValueError(s)
        return total + cur
    if all(c in KANJI_DIGITS for c in s):
        return int("".join(str(KANJI_DIGITS[c]) for c in s))
    raise ValueError(s)


def _valid(y: int | None, m: int | None, d: int | None) -> bool:
    if m is not None and not 1 <= m <= 12:
        return False
    if d is not None:
        if not 1 <= d <= 31:
            return False
        if m is not None and y is not None and d > calendar.monthrange(y, m)[1]:
            return False
        if m is not None and y is None and d > (29 if m == 2 else calendar.monthrange(2001, m)[1]):
            return False
    return True


def _iso(y: int | None, m: int | None = None, d: int | None = None) -> str:
    parts = [f"{y:04d}" if y is not None else "XXXX"]
    if m is not None or d is not None:
        parts.append(f"{m:02d}" if m is not None else "XX")
    if d is not None:
        parts.append(f"{d:02d}")
    return "-".join(parts)


def parse_iso(value: str | None) -> tuple[int | None, int | None, int | None]:
    """'2023-01-13' → (2023, 1, 13); X parts and missing parts are None; FY2024 → (2024, None, None)."""
    if not value:
        return None, None, None
    v = value[2:] if value.startswith("FY") else value
    bits = v.split("-")
    out: list[int | None] = []
    for b in bits[:3]:
        out.append(int(b) if b.isdigit() else None)
    while len(out) < 3:
        out.append(None)
    return out[0], out[1], out[2]


def kind_of(value: str) -> str:
    if value.startswith("FY"):
        return "fiscal_year"
    if value.startswith("T"):
        return "time"
    return {4: "year", 7: "month"}.get(len(value), "date")


def fiscal_year(y: int, m: int | None) -> int:
    """Japanese fiscal year (April–March) of a month."""
    return y - 1 if m is not None and m < 4 else y


# -------------------------------------------------------------------- candidates

@dataclass
class Candidate:
    rule: DateRule
    start: int
    end: int
    groups: dict
    year: int | None = None
    month: int | None = None
    day: int | None = None
    year2: int | None = None
    hour: int | None = None
    minute: int | None = None

    @property
    def text_len(self) -> int:
        return self.end - self.start


def _parse_groups(rule: DateRule, m: re.Match) -> Candidate | None:
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    c = Candidate(rule, m.start(), m.end(), g)
    try:
        if "year" in g:
            n = to_int(g["year"])
            if "era" in g:
                base = _eras().get(g["era"])
                if base is None or n < 1 or n > 99:
                    return None
                c.year = base + n
            else:
                c.year = n
        if "year2" in g:
            c.year2 = int(g["year2"])
        if "year2x" in g:  # second spelling of a full year (alternatives cannot share a group name)
            c.year = to_int(g["year2x"])
        if "mname" in g or "mname2" in g:
            c.month = MONTH_NAMES[(g.get("mname") or g["mname2"])[:3].lower()]
        if "day2" in g:
            c.day = to_int(g["day2"])
        if "month" in g:
            c.month = to_int(g["month"])
        if "day" in g:
            c.day = to_int(g["day"])
        if "hour" in g:
            c.hour = to_int(g["hour"])
            c.minute = to_int(g["minute"]) if "minute" in g else (30 if "half" in g else 0)
            if g.get("ampm") == "午後" and c.hour < 12:
                c.hour += 12
            if not (0 <= c.hour <= 24 and 0 <= c.minute <= 59):
                return None
    except ValueError:
        return None
    if c.year is not None and not 1000 <= c.year <= 2999:
        return None
    if not _valid(c.year, c.month, c.day):
        return None
    return c


# ------------------------------------------------------------------------ guards

def _line_prefix(text: str, start: int) -> str:
    return text[text.rfind("\n", 0, start) + 1:start]


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
    after = text[c.end:c.end + 1]
    if NATION_AFTER_RE.match(text, c.end):
        return False
    if LINE_PREFIX_RE.match(_line_prefix(text, c.start)) and after and CJK_RE.match(after) \
            and after not in HEADING_OK_AFTER:
        return False
    return True


GUARDS: dict[str, Callable[[str, Candidate], bool]] = {
    "kanji_before": guard_kanji_before,
    "heading": guard_heading,
}


# --------------------------------------------------------------------- resolving

@dataclass
class Context:
    """What a resolver may look at: the article date and the dates already resolved before it."""

    text: str
    published: tuple[int | None, int | None, int | None]
    found: list[DateMention] = field(default_factory=list)

    @property
    def has_published(self) -> bool:
        return self.published[0] is not None

    def previous(self, need: str) -> DateMention | None:
        """Closest preceding non-time mention that has the part a back-reference needs.

        同年/同年度 need a known year, 同月 a month, 同日 a day (an unresolved
        antecedent such as XXXX-XX-25 is copied as it is).
        """
        for dm in reversed(self.found):
            if dm.kind == "time":
                continue
            y, m, d = parse_iso(dm.value)
            if (need in ("year", "fy") and y is not None) or (need == "month" and m is not None) \
                    or (need == "day" and d is not None):
                return dm
        return None

    def chained(self, c: Candidate) -> DateMention | None:
        """The mention just before c when only a connector (と, から, 、 …) stands between them."""
        for dm in reversed(self.found):
            if dm.kind == "time":
                continue
            if dm.end <= c.start and CHAIN_RE.match(self.text[dm.end:c.start]):
                return dm
            return None
        return None


Resolved = tuple[str, str] | None  # (value, anchor)


def res_absolute(c: Candidate, ctx: Context) -> Resolved:
    y = c.year
    if y is None and c.year2 is not None:
        y = 2000 + c.year2
        py = ctx.published[0]
        if py is not None and y > py + 20:
            y -= 100
    if y is None or not _valid(y, c.month, c.day):
        return None
    return _iso(y, c.month, c.day), "explicit"


def res_fiscal(c: Candidate, ctx: Context) -> Resolved:
    r = res_absolute(c, ctx)
    return (f"FY{r[0][:4]}", "explicit") if r else None


def _year_for_month(m: int, pub: tuple) -> int:
    """Year of a bare month seen from the article date: up to 6 months ahead, else the past year."""
    py, pm, _ = pub
    if pm is None:
        return py
    delta = m - pm
    if delta > 6:
        return py - 1
    if delta < -9:
        return py + 1
    return py


def _recurring(c: Candidate, ctx: Context) -> bool:
    return bool(RECURRING_RE.search(ctx.text, 0, c.start))


def res_bare_date(c: Candidate, ctx: Context) -> Resolved:
    if _recurring(c, ctx):
        return _iso(None, c.month, c.day), "unresolved"
    prev = ctx.chained(c)
    if prev is not None:
        py, _, _ = parse_iso(prev.value)
        if py is not None and _valid(py, c.month, c.day):
            return _iso(py, c.month, c.day), "context"
    if ctx.has_published:
        y = _year_for_month(c.month, ctx.published)
        if _valid(y, c.month, c.day):
            return _iso(y, c.month, c.day), "published"
    return _iso(None, c.month, c.day), "unresolved"


def res_range_start(c: Candidate, ctx: Context) -> Resolved:
    """The first number of `10〜12日` / `4〜6月`: a bare day or month."""
    return (res_bare_day if c.day is not None else res_bare_date)(c, ctx)


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def res_bare_day(c: Candidate, ctx: Context) -> Resolved:
    if _recurring(c, ctx):
        return _iso(None, None, c.day), "unresolved"
    prev = ctx.chained(c)
    if prev is not None:
        py, pm, _ = parse_iso(prev.value)
        if pm is not None and _valid(py, pm, c.day):
            return _iso(py, pm, c.day), "context"
    py, pm, pd = ctx.published
    if py is not None and pm is not None:
        order = [0, -1, 1]
        if pd is not None:
            if c.day - pd > 10:
                order = [-1, 0, 1]
            elif c.day - pd < -25:
                order = [1, 0, -1]
        for k in order:
            y, m = _shift_month(py, pm, k)
            if _valid(y, m, c.day):
                return _iso(y, m, c.day), "published"
    return _iso(None, None, c.day), "unresolved"


def _offset(c: Candidate) -> int:
    offsets = c.rule.rule.get("offsets") or {}
    rel = c.groups.get("rel", "")
    if rel not in offsets:
        raise KeyError(f"{c.rule.id}: no offset for {rel!r}")
    return int(offsets[rel])


def _step(y: int, m: int | None, d: int | None, unit: str, k: int) -> tuple[int, int | None, int | None]:
    if unit in ("year", "fy"):
        return y + k, m, d
    if unit == "month":
        y2, m2 = _shift_month(y, m, k)
        return y2, m2, d
    day = date(y, m, d) + timedelta(days=k)
    return day.year, day.month, day.day


def res_relative(c: Candidate, ctx: Context) -> Resolved:
    unit = c.rule.rule.get("unit", "year")
    k = _offset(c)
    py, pm, pd = ctx.published
    if py is None or (unit == "month" and pm is None) or (unit == "day" and pd is None) or \
            (unit == "fy" and pm is None):
        if c.month is not None or c.day is not None:  # 本年2月7日 with no article date
            return _iso(None, c.month, c.day), "unresolved"
        return None
    if unit == "fy":
        return f"FY{fiscal_year(py, pm) + k}", "published"
    if unit == "day":
        y, m, d = _step(py, pm, pd, "day", k)
        return _iso(y, m, d), "published"
    if unit == "month":
        y, m = _shift_month(py, pm, k)
        if not _valid(y, m, c.day):
            return None
        return _iso(y, m, c.day), "published"
    y = py + k
    if not _valid(y, c.month, c.day):
        return None
    return _iso(y, c.month, c.day), "published"


def res_backref(c: Candidate, ctx: Context) -> Resolved:
    unit = c.rule.rule.get("unit", "year")
    k = _offset(c)
    prev = ctx.previous(unit)
    if prev is None:
        if c.month is not None or c.day is not None:
            return _iso(None, c.month, c.day), "unresolved"
        return None
    y, m, d = parse_iso(prev.value)
    if unit == "fy":
        base = y if prev.value.startswith("FY") else fiscal_year(y, m)
        return f"FY{base + k}", "context"
    if unit == "year":
        y = y + k
        if not _valid(y, c.month, c.day):
            return None
        return _iso(y, c.month, c.day), "context"
    if y is None:  # antecedent without a year (4月10日 … 同日): copy what is known, no stepping
        if k != 0:
            return None
        return _iso(None, m, c.day if unit == "month" else d), "context"
    if unit == "month":
        y, m = _shift_month(y, m, k)
        if not _valid(y, m, c.day):
            return None
        return _iso(y, m, c.day), "context"
    y, m, d = _step(y, m, d, "day", k)
    return _iso(y, m, d), "context"


def res_time(c: Candidate, ctx: Context) -> Resolved:
    return f"T{c.hour:02d}:{c.minute:02d}", "explicit"


RESOLVERS: dict[str, Callable[[Candidate, Context], Resolved]] = {
    "absolute": res_absolute,
    "fiscal": res_fiscal,
    "bare_date": res_bare_date,
    "bare_day": res_bare_day,
    "range_start": res_range_start,
    "relative": res_relative,
    "backref": res_backref,
    "time": res_time,
}


# ------------------------------------------------------------------- extraction

def mask(text: str) -> str:
    """URLs, domain paths, e-mail addresses and tags blanked out (same length)."""
    return MASK_RE.sub(lambda m: MASK_CHAR * len(m.group(0)), text)


def candidates(text: str, only: set[str] | None = None) -> list[Candidate]:
    masked = mask(text)
    out = []
    for rule in load_rules()[0]:
        if rule.stage != "mention" or (only is not None and rule.id not in only):
            continue
        for m in rule.regex.finditer(masked):
            if m.end() <= m.start():
                continue
            c = _parse_groups(rule, m)
            if c is None:
                continue
            if all(GUARDS[g](masked, c) for g in rule.guards):
                out.append(c)
    return out


def select(cands: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: longest first, then priority, then rule order."""
    taken: list[tuple[int, int]] = []
    kept = []
    for c in sorted(cands, key=lambda c: (-c.text_len, -c.rule.priority, c.rule.order, c.start)):
        i = bisect.bisect_left(taken, (c.start, c.start))
        if i > 0 and taken[i - 1][1] > c.start:
            continue
        if i < len(taken) and taken[i][0] < c.end:
            continue
        taken.insert(i, (c.start, c.end))
        kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _sentence_index(sentences: list[Sentence], starts: list[int], pos: int) -> int:
    i = bisect.bisect_right(starts, pos) - 1
    if i < 0:
        return sentences[0].index if sentences else -1
    return sentences[i].index


def extract_dates(text: str, sentences: list[Sentence], published: str | None) -> list[DateMention]:
    """Every temporal expression of the clean text, normalised; sorted by start."""
    return _extract(text, sentences, published)


def _extract(text: str, sentences: list[Sentence], published: str | None,
             only: set[str] | None = None) -> list[DateMention]:
    sentences = sorted(sentences or [], key=lambda s: s.start)
    starts = [s.start for s in sentences]
    ctx = Context(text, parse_iso(published))
    for c in select(candidates(text, only)):
        resolved = RESOLVERS[c.rule.resolve](c, ctx)
        if resolved is None:
            continue
        value, anchor = resolved
        ctx.found.append(DateMention(
            start=c.start, end=c.end, text=text[c.start:c.end], value=value, kind=kind_of(value),
            anchor=anchor, sentence_index=_sentence_index(sentences, starts, c.start), rule=c.rule.id))
    return ctx.found


# -------------------------------------------------------------------- published

def _normalise_date_text(s: str) -> str | None:
    """The explicit value of a date written alone (for published rules)."""
    found = [d for d in _extract(s, [], None) if d.anchor == "explicit" and d.kind in ("date", "month")]
    if not found:
        return None
    return max(found, key=lambda d: d.end - d.start).value


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
        return before[line_no] < 3
    return False


CHECKS: dict[str, Callable[[str, re.Match, str], bool]] = {"letterhead": check_letterhead}


def _published_matches(rule: DateRule, text: str) -> list[tuple[str, str]]:
    """(value, matched date text) for every match of one published rule."""
    masked = mask(text)
    out = []
    for m in rule.regex.finditer(masked):
        date_text = next((v for k, v in m.groupdict().items() if k.startswith("date") and v), None)
        if not date_text:
            continue
        value = _normalise_date_text(date_text)
        if value is None:
            continue
        check = rule.rule.get("check")
        if check and not CHECKS[check](masked, m, value):
            continue
        out.append((value, date_text))
    return out


def _best(found: list[tuple[str, str]]) -> tuple[str, str]:
    return max(found, key=lambda f: (len(f[0]), f[0]))


def find_published(text: str, sentences: list[Sentence] | None = None) -> tuple[str, str] | None:
    """The article's own date from the text: (ISO value, rule id), or None."""
    for rule in load_rules()[0]:
        if rule.stage != "published":
            continue
        found = _published_matches(rule, text)
        if found:
            return _best(found)[0], rule.id
    return None


# ----------------------------------------------------------------- rule examples

def example(rule_id: str, text: str, nlp: Any, published: str | None) -> list[dict]:
    """What one rule produces on an example text: [{'text', 'value', 'kind', 'anchor'}]."""
    from ..prepare.cleaning import segment  # the sentences the rules see in a real article

    rules = {r.id: r for r in load_rules()[0]}
    rule = rules[rule_id]
    if rule.stage == "published":
        return [{"text": t, "value": v, "kind": "published"} for v, t in _published_matches(rule, text)]
    found = extract_dates(text, segment(text), str(published) if published else None)
    return [{"text": d.text, "value": d.value, "kind": d.kind, "anchor": d.anchor}
            for d in found if d.rule == rule_id]


def _family_extract(parsed: ParsedArticle, _inputs: Mapping[str, Any], _memo: None) -> list[DateMention]:
    return extract_dates(parsed.text, parsed.sentences, parsed.published)


FAMILY = Family(name="dates", module="extract.dates", rule_files=(RULE_FILE,), reads_parse=False,
                extract=_family_extract, example=example)
