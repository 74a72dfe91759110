"""Amounts: sums of money, counts of people and things, and percentages, with their value as a number.

The rules live in ``rules/amounts.yaml``; this module holds the mechanics:

1. URLs and e-mail addresses are masked (same length, so offsets stay valid).
2. Every rule's regex runs over the whole text. The ``num`` group is read as a number
   (``value``): Arabic digits with ``,`` and ``.``, kanji digits (positional 二十五 or
   digit by digit 二〇〇), 十百千 inside a part, 万 億 兆 between parts (1兆2000億,
   5万5千, 2千万). A numeral with 数 (数百億, 十数) or a range (3〜5人) has no single
   value. A numeral that does not read as a number (千2000) rejects the match, and the
   rule's ``guards`` (GUARDS below) may reject it in context.
3. Overlaps: the longest match wins, then the higher ``priority``, then the earlier
   rule in the file (so ``3個大隊`` beats ``3個``).

``approx`` comes from the qualifiers around the number (the file's ``qualifiers``),
and is true whenever the value is unknown. The value is kept as a ``Decimal`` while
computing and written in plain digits, never in scientific notation.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from .. import rulebook
from ..records import Amount, ParsedArticle, Sentence
from .families import Family

RULE_FILE = "amounts"
KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"兆": 10**12, "億": 10**8, "万": 10**4}
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]")
# Tokens of one part of a numeral (between 万 億 兆): a literal, or a small unit.
TOKEN_RE = re.compile(r"\d[\d,]*(?:\.\d+)?|[〇零一二三四五六七八九]+|[十百千]|数")
PART_RE = re.compile(r"([^兆億万]+)([兆億万]?)")

# Masked before matching: URLs, bare domain paths and e-mail addresses (a %E3 is no percentage).
# Each alternative starts only where a run of its characters starts: else a long run of digits
# and dots would be tried from every position (quadratic).
MASK_RE = re.compile(
    r"(?:https?|ftp)://[^\s<>\"'「」『』（）]+"
    r"|www\.[^\s<>\"'「」『』（）]+"
    r"|(?<![A-Za-z0-9_.+\-])[A-Za-z0-9_.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
    r"|(?<![A-Za-z0-9.\-])[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+/[^\s<>\"'「」『』（）]*"
)
MASK_CHAR = "\x00"
KINDS = ("money", "count", "ratio")


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class AmountRule:
    rule: rulebook.Rule
    order: int
    regex: re.Pattern
    kind: str
    guards: tuple[str, ...]
    priority: int

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True)
class Settings:
    """The file-wide settings: which qualifiers make an amount approximate, and unit spellings."""

    qualifiers: Mapping[str, bool]
    units: Mapping[str, str]


@cache
def load_rules() -> tuple[tuple[AmountRule, ...], Settings]:
    """The compiled rules of amounts.yaml and its settings; a bad rule fails with file, id and reason."""
    rf = rulebook.load(RULE_FILE)
    macros = {k: str(v) for k, v in (rf.settings.get("macros") or {}).items()}
    out = []
    for i, rule in enumerate(rf.rules):
        kind = rule.get("kind", "")
        if kind not in KINDS:
            raise rulebook.RuleError(rf.path, rule.id, f"kind must be one of {KINDS}, not {kind!r}")
        guards = tuple(rule.get("guards") or ())
        for g in guards:
            if g not in GUARDS:
                raise rulebook.RuleError(rf.path, rule.id, f"unknown guard {g!r}")
        try:
            regex = re.compile(rulebook.expand(str(rule.pattern), macros))
        except (re.error, KeyError, ValueError) as exc:
            raise rulebook.RuleError(rf.path, rule.id, f"bad pattern: {exc}") from None
        if not {"num", "unit"} <= set(regex.groupindex):
            raise rulebook.RuleError(rf.path, rule.id, "a pattern needs the groups 'num' and 'unit'")
        out.append(AmountRule(rule, i, regex, kind, guards, int(rule.get("priority", 0))))
    qualifiers = {str(k): bool(v) for k, v in (rf.settings.get("qualifiers") or {}).items()}
    units = {str(k): str(v) for k, v in (rf.settings.get("units") or {}).items()}
    return tuple(out), Settings(qualifiers, units)


# ------------------------------------------------------------------------- numbers


def _literal(token: str) -> Decimal:
    """One literal: Arabic digits (1,200 / 1.5) or kanji digits read one by one (二〇〇 → 200)."""
    if token[0].isdigit():
        return Decimal(token.replace(",", ""))
    return Decimal("".join(str(KANJI_DIGITS[c]) for c in token))


def _small(part: str) -> Decimal | None:
    """A part below 万: 5000, 5千, 二千五百, 十五; None with 数 (several); ValueError if malformed."""
    tokens = TOKEN_RE.findall(part)
    if "".join(tokens) != part:
        raise ValueError(part)
    if "数" in tokens:
        return None
    total, current, last_unit = Decimal(0), None, 10**5
    for token in tokens:
        if token in SMALL_UNITS:
            unit = SMALL_UNITS[token]
            if unit >= last_unit:  # 百千, 十十
                raise ValueError(part)
            total += (current if current is not None else 1) * unit
            current, last_unit = None, unit
        elif current is not None:  # two literals in a row (5五)
            raise ValueError(part)
        else:
            current = _literal(token)
            if last_unit < 10**5 and current >= last_unit:  # 千2000
                raise ValueError(part)
    return total + (current or 0)


def to_value(numeral: str) -> Decimal | None:
    """The number a numeral writes (1兆2000億 → 1200000000000); None with 数; ValueError if malformed."""
    parts = PART_RE.findall(numeral)
    if not parts or "".join(p + b for p, b in parts) != numeral:
        raise ValueError(numeral)
    total, last_big, value_known = Decimal(0), 10**16, True
    for i, (part, big) in enumerate(parts):
        scale = BIG_UNITS.get(big, 1)
        if scale >= last_big:
            raise ValueError(numeral)
        n = _small(part)
        if n is None:
            value_known = False
        elif i and n >= 10**4:  # 1億12000万: only the leading part may be that large
            raise ValueError(numeral)
        else:
            total += n * scale
        last_big = scale
    return total if value_known else None


def plain(value: Decimal | None) -> str:
    """A value in plain digits (1200000000000, 1.5), never 1.2E+12; empty when unknown."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# -------------------------------------------------------------------- candidates


@dataclass
class Candidate:
    rule: AmountRule
    start: int
    end: int
    groups: dict[str, str]
    value: Decimal | None

    @property
    def text_len(self) -> int:
        return self.end - self.start


def _candidate(rule: AmountRule, m: re.Match) -> Candidate | None:
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    try:
        value = to_value(groups["num"])
    except (ValueError, InvalidOperation, KeyError):
        return None
    if "range" in groups:
        try:  # the start of a range must be a number too
            to_value(re.sub(r"[^\d,.〇零一二三四五六七八九十百千数兆億万]", "", groups["range"]))
        except (ValueError, InvalidOperation):
            return None
        value = None
    return Candidate(rule, m.start(), m.end(), groups, value)


# ------------------------------------------------------------------------ guards


def guard_bare_one(text: str, c: Candidate) -> bool:
    """Reject a lone kanji 一 (一人ひとり, 一発逆転, 一円も): an idiom far more often than a count."""
    return c.groups["num"] != "一"


def guard_kanji_before(text: str, c: Candidate) -> bool:
    """Reject a kanji numeral glued to a preceding kanji (同一人物, 複数人) unless a qualifier stands between."""
    if c.groups["num"][0].isdigit() or "pre" in c.groups or "range" in c.groups:
        return True
    return c.start == 0 or not CJK_RE.match(text[c.start - 1])


GUARDS: dict[str, Callable[[str, Candidate], bool]] = {
    "bare_one": guard_bare_one,
    "kanji_before": guard_kanji_before,
}


# ------------------------------------------------------------------- extraction


def mask(text: str) -> str:
    """URLs, domain paths and e-mail addresses blanked out (same length)."""
    return MASK_RE.sub(lambda m: MASK_CHAR * len(m.group(0)), text)


def candidates(text: str) -> list[Candidate]:
    masked = mask(text)
    out = []
    for rule in load_rules()[0]:
        for m in rule.regex.finditer(masked):
            c = _candidate(rule, m) if m.end() > m.start() else None
            if c is not None and all(GUARDS[g](masked, c) for g in rule.guards):
                out.append(c)
    return out


def select(cands: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: longest first, then priority, then rule order."""
    taken: list[tuple[int, int]] = []
    kept = []
    for c in sorted(cands, key=lambda c: (-c.text_len, -c.rule.priority, c.rule.order, c.start)):
        i = bisect.bisect_left(taken, (c.start, c.start))
        if (i > 0 and taken[i - 1][1] > c.start) or (i < len(taken) and taken[i][0] < c.end):
            continue
        taken.insert(i, (c.start, c.end))
        kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _approx(c: Candidate, settings: Settings) -> bool:
    words = [c.groups[g] for g in ("pre", "mid", "post") if g in c.groups]
    return c.value is None or any(settings.qualifiers.get(w, False) for w in words)


def _sentence_index(starts: list[int], indexes: list[int], pos: int) -> int:
    i = bisect.bisect_right(starts, pos) - 1
    return indexes[max(i, 0)] if indexes else -1


def extract_amounts(text: str, sentences: list[Sentence]) -> list[Amount]:
    """Every amount of the clean text, its value a plain number; sorted by start."""
    settings = load_rules()[1]
    ordered = sorted(sentences or [], key=lambda s: s.start)
    starts, indexes = [s.start for s in ordered], [s.index for s in ordered]
    out = []
    for c in select(candidates(text)):
        unit = c.groups["unit"]
        out.append(
            Amount(
                start=c.start,
                end=c.end,
                text=text[c.start : c.end],
                value=plain(c.value),
                unit=settings.units.get(unit, unit),
                kind=c.rule.kind,
                approx=_approx(c, settings),
                sentence_index=_sentence_index(starts, indexes, c.start),
                rule=c.rule.id,
            )
        )
    return out


# ----------------------------------------------------------------- rule examples


def example(rule_id: str, text: str, nlp: Any, published: str | None) -> list[dict]:
    """What one rule produces on an example text: [{'text', 'value', 'unit', 'kind', 'approx'}]."""
    return [
        {"text": a.text, "value": a.value, "unit": a.unit, "kind": a.kind, "approx": a.approx}
        for a in extract_amounts(text, [])
        if a.rule == rule_id
    ]


def _family_extract(parsed: ParsedArticle, _inputs: Mapping[str, Any], _memo: None) -> list[Amount]:
    return extract_amounts(parsed.text, parsed.sentences)


FAMILY = Family(
    name="amounts",
    module="extract.amounts",
    rule_files=(RULE_FILE,),
    reads_parse=False,
    extract=_family_extract,
    example=example,
)
