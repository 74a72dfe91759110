"""Every mention rule over the masked text: candidates parsed and guarded, overlaps resolved, values resolved."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ...records import DateMention, Sentence
from .guards import GUARDS
from .resolvers import RESOLVERS, Context
from .rules import DateRule, _eras, load_rules, setting_regex
from .values import MONTH_NAMES, _valid, kind_of, parse_iso, to_int

# Masked before matching: URLs, bare domain paths, e-mail addresses, markup tags.
MASK_RE = re.compile(
    r"(?:https?|ftp)://[^\s<>\"'「」『』（）]+"
    r"|www\.[^\s<>\"'「」『』（）]+"
    r"|[A-Za-z0-9_.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
    r"|(?<![A-Za-z0-9])[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+/[^\s<>\"'「」『』（）]*"
    r"|<[^<>\n]{1,4000}>"
)
MASK_CHAR = "\x00"


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


# ------------------------------------------------------------------- extraction


@lru_cache(maxsize=4)  # one text is masked by the mention pass and by each published rule
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


def _section(sentences: list[Sentence], starts: list[int], pos: int) -> str:
    i = bisect.bisect_right(starts, pos) - 1
    return sentences[i].section if i >= 0 else "body"


def extract_dates(text: str, sentences: list[Sentence], published: str | None) -> list[DateMention]:
    """Every temporal expression of the clean text, normalised; sorted by start."""
    return _extract(text, sentences, published)


def _extract(
    text: str, sentences: list[Sentence], published: str | None, only: set[str] | None = None
) -> list[DateMention]:
    sentences = sorted(sentences or [], key=lambda s: s.start)
    starts = [s.start for s in sentences]
    past, future = setting_regex("past_clause"), setting_regex("future_clause")
    times = setting_regex("times_clause")
    ctx = Context(text, parse_iso(published), past_clause=past, future_clause=future, times_clause=times)
    other_clock = setting_regex("other_clock")  # a bracket opening on another time zone's clock, before a date
    for c in select(candidates(text, only)):
        resolved = RESOLVERS[c.rule.resolve](c, ctx)
        if resolved is None:
            continue
        value, anchor = resolved
        if _section(sentences, starts, c.start) == "meta" or other_clock.search(text, max(0, c.start - 16), c.start):
            ctx.not_anchors.add(c.start)
        ctx.found.append(
            DateMention(
                start=c.start,
                end=c.end,
                text=text[c.start : c.end],
                value=value,
                kind=kind_of(value),
                anchor=anchor,
                sentence_index=_sentence_index(sentences, starts, c.start),
                rule=c.rule.id,
            )
        )
    return ctx.found
