"""The rules that name known bodies in a sentence: the dictionary, coordinated services, country-qualified forces."""

from __future__ import annotations

import re

from .lexicon import COORD, DICT, FORCE, Alias, Org, _dictionary, _rule, _setting, country_of, lookup, norm
from .sentence import Cand, Sent

# ================================================================== org.dictionary


def _context_country(sent: Sent, s: int, surface: str, default: str) -> str:
    """A name two countries use: a 米 prefix or the nearest 米側/日本側 before it decides."""
    before = sent.text[:s]
    if surface.startswith(("米", "アメリカ")) or before.endswith(("米", "米国", "アメリカ")):
        return "US"
    sides = list(re.finditer(r"(日本|米国|米|日)\s?側", before))
    if sides:
        return "JP" if sides[-1].group(1) in ("日本", "日") else "US"
    return default


def _with_country(org: Org, country: str) -> Org:
    if country == org.country:
        return org
    return Org(f"{org.key}@{country}", org.name, org.kind, country, org.abbreviation, True, org.needs_support)


def _excluded(text: str, s: int, e: int, alias: Alias) -> bool:
    """The words around the match make it something else (日経平均, 日豪「2+2」)."""
    return text.startswith(alias.not_before, e) or text[:s].rstrip("「『 ").endswith(alias.not_after)


def dictionary_cands(sent: Sent) -> list[Cand]:
    by_first, _ = _dictionary()
    out = []
    for s, ch in enumerate(sent.text):
        for alias in by_first.get(ch, ()):
            m = alias.regex.match(sent.text, s)
            if not m or not sent.edges_ok(s, m.end()) or _excluded(sent.text, s, m.end(), alias):
                continue
            org = alias.org
            if alias.context_country:
                org = _with_country(org, _context_country(sent, s, alias.text, org.country))
            out.append(sent.cand(s, m.end(), org, DICT, alias.form, _rule(DICT).get("priority", 0)))
    return out


# ================================================================== org.coordinated_services


def coordinated_cands(sent: Sent) -> list[Cand]:
    rule = _rule(COORD)
    collective = rule.get("collective_of", {})
    out = []
    for m in rule.regex.finditer(sent.text):
        if not sent.edges_ok(m.start(), m.end(), strict=True):
            continue
        target = collective.get(m.group("tail"))
        alias = lookup(target) if target else None
        if alias:
            org, form = alias.org, "collective"
        else:
            name = norm(m.group())
            org, form = Org(f"pat:{name}", name, "military", "JP"), "name"
        out.append(sent.cand(m.start(), m.end(), org, COORD, form, rule.get("priority", 1)))
    return out


# ================================================================== org.country_qualified_force


def force_cands(sent: Sent) -> list[Cand]:
    rule = _rule(FORCE)
    forms = _setting("prefix_forms", {})
    out = []
    for m in rule.regex.finditer(sent.text):
        if not sent.edges_ok(m.start(), m.end(), strict=True):
            continue
        country = m.group("country")
        name = (m.group("old") or "") + forms.get(country, country) + m.group("force")  # 旧日本軍: a historical force
        alias = lookup(name) or lookup(m.group())
        org = alias.org if alias else Org(f"pat:{name}", name, "military", country_of(forms.get(country, country)))
        out.append(sent.cand(m.start(), m.end(), org, FORCE, "alias", rule.get("priority", 3)))
    return out
