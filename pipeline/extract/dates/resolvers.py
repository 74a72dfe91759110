"""Resolving a kept match to its value, in text order: one resolver per ``resolve`` of dates.yaml."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ...records import DateMention
from .values import _iso, _valid, fiscal_year, parse_iso, to_int

if TYPE_CHECKING:
    from .mentions import Candidate

# Between a date and a bare day/month that shares its year (4月10日から12日, 2024年7月と9月).
CHAIN_RE = re.compile(
    r"^[)）]?[ \t\u3000]*(?:と|や|、|,|，|から|より|〜|~|～|-|－|–|—|・"
    r"|及び|および|並びに|ならびに|または|又は|ないし|乃至)?"
    r"[ \t\u3000]*(?:[(（][^()（）\n]{0,8}?時間[ \t\u3000]*)?$"
)
# 毎年4月1日, 毎月1日, 例年6月から8月: a recurring day or season, no calendar date (and no row).
RECURRING_RE = re.compile(
    r"(?:毎年|毎月|例年|毎週)(?:[0-9０-９一二三四五六七八九十]{1,3}月)?(?:[0-9０-９一二三四五六七八九十]{1,3}日)?"
    r"(?:上旬|中旬|下旬|ごろ|頃)?(?:から|より|〜|~|～|-|－|と|や|、|および|及び|にかけて)?$"
)


@dataclass
class Context:
    """What a resolver may look at: the article date and the dates already resolved before it."""

    text: str
    published: tuple[int | None, int | None, int | None]
    found: list[DateMention] = field(default_factory=list)
    # Starts of mentions that no later date may lean on: they stand in meta lines (related-article
    # lists, credits), which date other articles, not this one's events.
    not_anchors: set[int] = field(default_factory=set)
    past_clause: re.Pattern | None = None  # dates.yaml: a clause that cannot lie after the article's date
    future_clause: re.Pattern | None = None  # … and one that cannot lie before it
    times_clause: re.Pattern | None = None  # … and what follows a month that times its clause's act (7月に)

    def tense_after(self, end: int) -> str:
        """past | future | '' for the clause after a mention ending at ``end``: the nearer verb decides
        (11月に開くことで一致した: the meeting is to come, though the agreeing is past)."""
        past = self.past_clause.match(self.text, end) if self.past_clause is not None else None
        future = self.future_clause.match(self.text, end) if self.future_clause is not None else None
        if past is not None and (future is None or past.end() <= future.end()):
            return "past"
        return "future" if future is not None else ""

    def times_act(self, end: int) -> bool:
        """A month ending at ``end`` times its clause's act (7月に署名した), not a thing (7月の生産量)."""
        return self.times_clause is not None and self.times_clause.match(self.text, end) is not None

    @property
    def has_published(self) -> bool:
        return self.published[0] is not None

    def previous(self, need: str, skip_rule: str = "", past: bool = False) -> DateMention | None:
        """Closest preceding non-time mention that has the part a back-reference needs.

        同年/同年度 need a known year, 同月 a month, 同日 a day (an unresolved
        antecedent such as XXXX-XX-25 is copied as it is). Mentions of ``skip_rule`` are passed over, and with
        ``past`` those after the article's date (同日開かれた会合 is not the day of the next meeting just named).
        """
        for dm in reversed(self.found):
            if dm.kind == "time" or dm.rule == skip_rule or dm.start in self.not_anchors:
                continue
            if past and self._after_published(dm.value):
                continue
            y, m, d = parse_iso(dm.value)
            if (
                (need in ("year", "fy") and y is not None)
                or (need == "month" and m is not None)
                or (need == "day" and d is not None)
            ):
                return dm
        return None

    def _after_published(self, value: str) -> bool:
        y, m, d = parse_iso(value)
        py, pm, pd = self.published
        if None in (y, m, d, py, pm, pd):
            return False
        return (y, m, d) > (py, pm, pd)

    def chained(self, c: Candidate) -> DateMention | None:
        """The mention just before c when only a connector (と, から, 、 …) stands between them."""
        for dm in reversed(self.found):
            if dm.kind == "time":
                continue
            if dm.end <= c.start and CHAIN_RE.match(self.text[dm.end : c.start]):
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


def res_fiscal_period(c: Candidate, ctx: Context) -> Resolved:
    """A fiscal year named by the month it ends in (2027年3月期): the year it began in, as 年度 names it."""
    if c.year is None or c.month is None:
        return None
    return f"FY{c.year if c.month == 12 else c.year - 1}", "explicit"


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


def _by_tense(y: int, m: int, pub: tuple, tense: str) -> int:
    """The year moved to the side of the article's month its clause's tense allows (1月に署名した, seen from
    November: this January, not the next)."""
    py, pm, _ = pub
    if pm is None:
        return y
    if tense == "past" and (y, m) > (py, pm):
        return y - 1
    if tense == "future" and (y, m) < (py, pm):
        return y + 1
    return y


def _recurring(c: Candidate, ctx: Context) -> bool:
    return bool(RECURRING_RE.search(ctx.text, 0, c.start))


def res_bare_date(c: Candidate, ctx: Context) -> Resolved:
    if _recurring(c, ctx):
        return None
    prev = ctx.chained(c)
    if prev is not None:
        py, _, _ = parse_iso(prev.value)
        if py is not None and _valid(py, c.month, c.day):
            return _iso(py, c.month, c.day), "context"
    if ctx.has_published:
        assert c.month is not None  # every bare-date pattern has a month group
        times = c.day is not None or ctx.times_act(c.end)
        tense = ctx.tense_after(c.end) if times else ""
        y = _by_tense(_year_for_month(c.month, ctx.published), c.month, ctx.published, tense)
        if _valid(y, c.month, c.day):
            return _iso(y, c.month, c.day), "published"
    # no date of its own: the year of the full date the text last wrote (週間まとめ(2026年4月6日〜12日) … 4月8日)
    written = _year_written(ctx)
    if written is not None and c.day is not None and _valid(written, c.month, c.day):
        return _iso(written, c.month, c.day), "context"
    return _iso(None, c.month, c.day), "unresolved"


def _year_written(ctx: Context) -> int | None:
    """The year of the last full date written out before (2026年4月6日), for an article with no date of its own."""
    for dm in reversed(ctx.found):
        if dm.anchor == "explicit" and dm.kind == "date" and dm.start not in ctx.not_anchors:
            return parse_iso(dm.value)[0]
    return None


def res_range_start(c: Candidate, ctx: Context) -> Resolved:
    """The first number of `10〜12日` / `4〜6月`: a bare day or month."""
    return (res_bare_day if c.day is not None else res_bare_date)(c, ctx)


def res_both_days(c: Candidate, ctx: Context) -> Resolved:
    """The first day of `10月3、4両日` (a month and a day) or of `3、4両日` (a day)."""
    return (res_bare_date if c.month is not None else res_bare_day)(c, ctx)


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def res_bare_day(c: Candidate, ctx: Context) -> Resolved:
    assert c.day is not None  # every bare-day pattern has a day group
    if _recurring(c, ctx):
        return None
    prev = ctx.chained(c)
    if prev is not None:
        py, pm, _ = parse_iso(prev.value)
        if pm is not None and _valid(py, pm, c.day):
            return _iso(py, pm, c.day), "context"
    py, pm, pd = ctx.published
    if py is not None and pm is not None:
        order = [0, -1, 1]
        tense = ctx.tense_after(c.end)
        if pd is not None and tense == "future":  # 30日に署名する, seen from the 2nd: this month's 30th
            order = [0, 1] if c.day >= pd else [1, 0]
        elif pd is not None and tense == "past":  # 30日に署名した, seen from the 2nd: last month's
            order = [0, -1] if c.day <= pd else [-1, 0]
        elif pd is not None:
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
    """Steps of the rule's unit: the word's offset (昨年 → -1), times a stated count (3年前 → 3 × -1)."""
    offsets = c.rule.rule.get("offsets") or {}
    rel = c.groups.get("rel", "")
    if rel not in offsets:
        raise KeyError(f"{c.rule.id}: no offset for {rel!r}")
    return int(offsets[rel]) * (to_int(c.groups["count"]) if "count" in c.groups else 1)


def _step(y: int, m: int | None, d: int | None, unit: str, k: int) -> tuple[int, int | None, int | None]:
    if unit in ("year", "fy"):
        return y + k, m, d
    assert m is not None  # month and day steps start from a month
    if unit == "month":
        y2, m2 = _shift_month(y, m, k)
        return y2, m2, d
    assert d is not None  # a day step starts from a full date
    day = date(y, m, d) + timedelta(days=k)
    return day.year, day.month, day.day


def res_relative(c: Candidate, ctx: Context) -> Resolved:
    unit = c.rule.rule.get("unit", "year")
    k = _offset(c)
    py, pm, pd = ctx.published
    if (
        py is None
        or (unit == "month" and pm is None)
        or (unit in ("day", "week") and pd is None)
        or (unit == "fy" and pm is None)
    ):
        if c.month is not None or c.day is not None:  # 本年2月7日 with no article date
            return _iso(None, c.month, c.day), "unresolved"
        return None
    if unit == "fy":
        assert pm is not None  # checked above
        return f"FY{fiscal_year(py, pm) + k}", "published"
    if unit == "day":
        y, m, d = _step(py, pm, pd, "day", k)
        return _iso(y, m, d), "published"
    if unit == "week":
        assert pm is not None and pd is not None  # checked above
        year, week, _ = (date(py, pm, pd) + timedelta(weeks=k)).isocalendar()
        return f"{year:04d}-W{week:02d}", "published"
    if unit == "month":
        assert pm is not None  # checked above
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
    # 前日/翌日 count from the day the story is about, not from another 前日/翌日 (…前日には…。翌日、…).
    need = c.rule.rule.get("anchor_need", unit)
    past = unit == "day" and k == 0 and ctx.has_published and ctx.tense_after(c.end) == "past"
    prev = ctx.previous(need, skip_rule=c.rule.id if k != 0 and c.rule.rule.get("steps_from_event") else "", past=past)
    if prev is None:
        if c.month is not None or c.day is not None:
            return _iso(None, c.month, c.day), "unresolved"
        return None
    y, m, d = parse_iso(prev.value)
    if unit == "fy":
        assert y is not None  # ctx.previous gives a date with the unit's part
        base = y if prev.value.startswith("FY") else fiscal_year(y, m)
        return f"FY{base + k}", "context"
    if unit == "year":
        assert y is not None  # ctx.previous gives a date with a year
        y = y + k
        if not _valid(y, c.month, c.day):
            return None
        return _iso(y, c.month, c.day), "context"
    if y is None:  # antecedent without a year (4月10日 … 同日): copy what is known, no stepping
        if k != 0:
            return None
        return _iso(None, m, c.day if unit == "month" else d), "context"
    if unit == "month":
        assert m is not None  # ctx.previous gives a date with a month
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
    "fiscal_period": res_fiscal_period,
    "bare_date": res_bare_date,
    "bare_day": res_bare_day,
    "range_start": res_range_start,
    "both_days": res_both_days,
    "relative": res_relative,
    "backref": res_backref,
    "time": res_time,
}
