"""The article's own date, from the ``stage: published`` rules."""

from __future__ import annotations

from ...records import Sentence
from .guards import CHECKS
from .mentions import _extract, mask
from .rules import DateRule, load_rules, setting_regex


def _normalise_date_text(s: str) -> str | None:
    """The explicit value of a date written alone (for published rules)."""
    found = [d for d in _extract(s, [], None) if d.anchor == "explicit" and d.kind in ("date", "month")]
    if not found:
        return None
    return max(found, key=lambda d: d.end - d.start).value


def _published_matches(rule: DateRule, text: str) -> list[tuple[str, str, bool]]:
    """(value, matched date text, labelled as an update) for every match of one published rule."""
    masked = mask(text)
    update = setting_regex("update_label")  # a label saying the date is an update
    out = []
    for m in rule.regex.finditer(masked):
        name, date_text = next(((k, v) for k, v in m.groupdict().items() if k.startswith("date") and v), ("", None))
        if not date_text:
            continue
        value = _normalise_date_text(date_text)
        if value is None:
            continue
        check = rule.rule.get("check")
        if check and not CHECKS[check](masked, m, value):
            continue
        out.append((value, date_text, bool(update.search(masked, m.start(), m.start(name)))))
    return out


def _best(found: list[tuple[str, str, bool]]) -> tuple[str, str, bool]:
    return max(found, key=lambda f: (len(f[0]), f[0]))


def find_published(text: str, sentences: list[Sentence] | None = None) -> tuple[str, str] | None:
    """The article's own date from the text: (ISO value, rule id), or None. A date labelled as an update
    is taken only when no rule finds another."""
    updated: tuple[str, str] | None = None
    for rule in load_rules()[0]:
        if rule.stage != "published":
            continue
        found = _published_matches(rule, text)
        first = [f for f in found if not f[2]]
        if first:
            return _best(first)[0], rule.id
        if found and updated is None:
            updated = _best(found)[0], rule.id
    return updated
