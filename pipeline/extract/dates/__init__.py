"""Dates: every temporal expression of an article, normalised, and the article's own date.

The rules live in ``rules/dates.yaml``; this package holds the mechanics:

1. URLs and markup are masked (same length, so offsets stay valid).
2. Every mention rule's regex runs over the whole text. Named groups (era, year,
   year2, month, day, hour, minute, rel, part) are parsed and checked (a month
   is 1–12, 2023-02-30 does not exist), and the rule's ``guards`` (GUARDS
   in ``guards``) may reject a match in context. Rejected matches never block others.
3. Overlaps: the longest match wins, then the higher ``priority``, then the
   earlier rule in the file. So ``本年2月7日`` beats ``2月7日``, ``2024年度末``
   beats ``2024年``, ``同年9月`` beats ``9月``.
4. The kept matches are resolved in text order by the rule's ``resolve``
   function (RESOLVERS in ``resolvers``): ``absolute`` (era/western years), ``fiscal``
   (年度 → FY), ``bare_date``/``bare_day`` (no year: from a directly chained
   date — ``4月10日から12日`` —, else the published date, else X digits),
   ``relative`` (ことし/昨年/先月/きょう … against the published date; nothing
   when there is none, unless the expression also gives a month or day),
   ``backref`` (同年/同月/同日/翌年 … against the closest preceding date that
   has the needed parts), ``time``. The kind follows from the value.

The published date (``find_published``) comes from the ``stage: published``
rules: the first rule in file order that finds a date wins; among its matches
the most specific, then the latest, value.

ja-timex (0.2.x) was evaluated on the five seeds and is not used (its cost: README,
"Dependencies and why each"): it is wrong where it matters here: ``令和5年度`` → the year 2023 instead of FY2023;
``昨年12月`` → a duration plus ``XXXX-12``; ``ことし``, ``同年9月``,
``本年2月7日`` (→ ``XXXX-02-07``), ``今月13日`` are not resolved; the figure
number ``図表 II -2-3-1`` becomes the date ``0002-03-01``; the section heading
``1 日米防衛協力`` becomes ``XXXX-XX-01`` and ``3 日米同盟`` ``XXXX-XX-03``.
Overriding all of that would leave it only the plain absolute forms, which a
dozen regexes already cover, so it does not pay its way.

The package, in the order a text goes through it:

- ``values``: kanji and era numerals, ISO values with unknown parts (``XXXX-12``), kinds, fiscal years;
- ``rules``: the rules of dates.yaml, compiled and checked;
- ``guards``: the mention rules' guards and the published rules' checks;
- ``resolvers``: the ``Context`` a resolver sees, and one resolver per ``resolve``;
- ``mentions``: masking, candidates, overlaps, then every mention resolved in text order;
- ``published``: the article's own date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...records import DateMention, ParsedArticle
from ..families import Family
from .guards import CHECKS, GUARDS, check_letterhead, guard_heading, guard_kanji_before
from .mentions import Candidate, candidates, extract_dates, mask, select
from .published import _published_matches, find_published
from .resolvers import RESOLVERS, Context, Resolved
from .rules import RULE_FILE, DateRule, load_rules
from .values import fiscal_year, kind_of, parse_iso, to_int

__all__ = [
    "CHECKS",
    "FAMILY",
    "GUARDS",
    "RESOLVERS",
    "RULE_FILE",
    "Candidate",
    "Context",
    "DateRule",
    "Resolved",
    "candidates",
    "check_letterhead",
    "example",
    "extract_dates",
    "find_published",
    "fiscal_year",
    "guard_heading",
    "guard_kanji_before",
    "kind_of",
    "load_rules",
    "mask",
    "parse_iso",
    "select",
    "to_int",
]


# ----------------------------------------------------------------- rule examples


def example(rule_id: str, text: str, nlp: Any, published: str | None) -> list[dict]:
    """What one rule produces on an example text: [{'text', 'value', 'kind', 'anchor'}]."""
    from ...prepare.cleaning import segment  # the sentences the rules see in a real article

    rules = {r.id: r for r in load_rules()[0]}
    rule = rules[rule_id]
    if rule.stage == "published":
        return [{"text": t, "value": v, "kind": "published"} for v, t, _update in _published_matches(rule, text)]
    found = extract_dates(text, segment(text), str(published) if published else None)
    return [{"text": d.text, "value": d.value, "kind": d.kind, "anchor": d.anchor} for d in found if d.rule == rule_id]


def _family_extract(parsed: ParsedArticle, _inputs: Mapping[str, Any], _memo: None) -> list[DateMention]:
    return extract_dates(parsed.text, parsed.sentences, parsed.published)


def _touches(rule_ids: frozenset[str], article: Any) -> bool:
    """Whether one of these rules finds a mention in the article (``screens``); other stages may do anything."""
    rules = {r.id: r for r in load_rules()[0]}
    if any(i not in rules or rules[i].stage != "mention" for i in rule_ids):
        return True
    return bool(candidates(article.text, only=set(rule_ids)))


FAMILY = Family(
    name="dates",
    module="extract.dates",
    rule_files=(RULE_FILE,),
    reads_parse=False,
    extract=_family_extract,
    example=example,
    touches=_touches,
)
