"""The candidates of one institution merged into one ``Entity``, with its canonical name and abbreviation."""

from __future__ import annotations

import re

from ...records import Entity, Mention, ParsedArticle
from .lexicon import Org, _country_prefix, country_of, display, in_order, norm
from .sentence import Cand

LABEL = "ORG"


def _drop_unsupported(chosen: list[Cand], learnt: dict[str, Org]) -> list[Cand]:
    """A short ambiguous code (JC, FT) counts only with its full name in the article or a definition."""
    supported = {c.org.key for c in chosen if c.form != "abbr"} | {o.key for o in learnt.values()}
    return [c for c in chosen if not (c.org.needs_support and c.org.key not in supported)]


def _merge_keys(cands: list[Cand], text: str) -> dict[str, str]:
    """Org key → the key it is merged into: 米統合軍司令部 = 統合軍司令部 when both stand in the article."""
    by_name = {norm(c.org.name): c.org for c in cands}
    target: dict[str, str] = _bare_foreign(cands, text)
    for c in cands:
        name = norm(c.org.name)
        base = by_name.get(name[len(_country_prefix(name)) :]) if _country_prefix(name) else None
        if base and base.key != c.org.key and base.country == country_of(name):  # 中国外務省 is not 外務省
            target[c.org.key] = base.key
        elif c.org.key not in target:
            longer = _shortened_from(name, by_name) or _company_of(name, by_name)
            if longer is not None and longer.key != c.org.key:
                target[c.org.key] = longer.key
    return target


def _bare_foreign(cands: list[Cand], text: str) -> dict[str, str]:
    """A foreign body written bare (国防省, which the dictionary takes for the US one) is the one the article
    names with its country (韓国国防省 … 国防省によると), when it names exactly one."""
    surfaces: dict[str, set[str]] = {}
    for c in cands:
        surfaces.setdefault(c.org.key, set()).add(norm(text[c.start : c.end]))
    target: dict[str, str] = {}
    for c in cands:
        written = surfaces[c.org.key]
        if c.org.country in ("", "JP") or len(written) != 1:
            continue
        bare = next(iter(written))
        named = {o.org.key for o in cands if o.org.key != c.org.key and _with_country(norm(o.org.name), bare)}
        if len(named) == 1:
            target[c.org.key] = named.pop()
    return target


def _with_country(name: str, bare: str) -> bool:
    """``name`` is ``bare`` after a country's name or letter (英国防省: 英 + 国防省)."""
    head = name[: len(name) - len(bare)]
    return bool(head) and name.endswith(bare) and _country_prefix(head) == head


# A company named short after (or before) its full name: トヨタ for トヨタ自動車, パナソニック and
# パナソニックHD for パナソニックホールディングス. The full name is the short one plus a business word.
COMPANY_TAIL = re.compile(
    r"(?:ホールディングス|HD|グループ|自動車|製作所|電機|電気|工業|重工業|重工|商事|物産|銀行|証券|化学|製薬|建設"
    r"|電鉄|鉄道|航空|通信|電力|ガス|食品|製紙|不動産|保険|生命)$"
)


def _company_of(name: str, by_name: dict[str, Org]) -> Org | None:
    """The article's company whose full name is ``name`` plus a business word (HD standing for
    ホールディングス)."""
    base = name[:-2] if re.search(r"[^A-Za-z]HD$", name) else name
    if len(base) < 2:
        return None
    found = [
        org
        for other, org in by_name.items()
        if len(other) > len(base) and other.startswith(base) and COMPANY_TAIL.fullmatch(other[len(base) :])
    ]
    return max(found, key=lambda org: len(org.name)) if found else None


# A committee or council written short after its full name: 合同高級委員会, 日米合同高級委員会 for
# 日米科学技術協力合同高級委員会. The short form keeps the full name's head and its word order.
SHORTENED_HEAD = re.compile(r"(?:委員会|協議会|会議|評議会|理事会)$")


def _shortened_from(name: str, by_name: dict[str, Org]) -> Org | None:
    """The longest organisation of the article that ``name`` shortens, if any."""
    head = SHORTENED_HEAD.search(name)
    if head is None or len(name) < 5:
        return None
    found = [
        org
        for other, org in by_name.items()
        if len(other) > len(name) and other.endswith(name[-5:]) and in_order(name, other)
    ]
    return max(found, key=lambda org: len(org.name)) if found else None


def _canonical(org: Org, cands: list[Cand], text: str) -> tuple[str, str]:
    """(canonical, abbreviation): the full name where the article gives one, else the short form it uses."""
    surfaces = [(_unbracketed(display(text[c.start : c.end])), c.form) for c in sorted(cands, key=lambda c: c.start)]
    abbrs = [s for s, f in surfaces if f == "abbr"]
    abbreviation = abbrs[0] if abbrs else org.abbreviation
    if not org.dictionary or any(_names(s, f, org.name) for s, f in surfaces):
        return org.name, (abbreviation if norm(abbreviation) != norm(org.name) else "")
    names = [s for s, f in surfaces if f in ("alias", "name", "compound")]
    if names and abbrs and len(abbrs[0]) > len(max(names, key=len)):
        return abbrs[0], max(names, key=len)  # 自民 and 自民党 written, 自由民主党 not: the longer form names it
    if names:
        return max(names, key=len), abbreviation
    english = [s for s, f in surfaces if f == "english"]
    if english:
        return english[0], abbreviation
    if not abbrs:
        return org.name, abbreviation
    return abbrs[0], org.name  # only a short form in the text (日経, 統幕): it stays canonical, the full name is known


def _unbracketed(surface: str) -> str:
    """A name quoted whole (「2+2」) is named without its brackets; the mention keeps them."""
    m = re.fullmatch(r"[「『【]([^「」『』【】]+)[」』】]", surface)
    return m.group(1) if m else surface


def _names(surface: str, form: str, name: str) -> bool:
    """Does this surface write the full name (also inside 米国防総省, a compound or before 司令部)?"""
    if form == "collective":  # 陸・海・空自 names the SDF as a whole
        return True
    return form in ("compound", "hq", "alias", "name") and norm(name) in norm(surface)


def build_entities(cands: list[Cand], parsed: ParsedArticle) -> tuple[list[Mention], list[Entity]]:
    merged = _merge_keys(cands, parsed.text)
    groups: dict[str, list[Cand]] = {}
    for c in cands:
        groups.setdefault(merged.get(c.org.key, c.org.key), []).append(c)
    mentions, entities = [], []
    for group in groups.values():
        org = next((c.org for c in group if c.org.key not in merged), group[0].org)
        name, abbreviation = _canonical(org, group, parsed.text)
        ms = [
            Mention(LABEL, parsed.text[c.start : c.end], c.start, c.end, c.sent, name, c.rule)
            for c in sorted(group, key=lambda c: c.start)
        ]
        best = min(group, key=lambda c: c.priority).rule
        entities.append(
            Entity(LABEL, name, ms, abbreviation=abbreviation, kind=org.kind, country=org.country, rule=best)
        )
        mentions += ms
    entities.sort(key=lambda e: e.first.start)
    return sorted(mentions, key=lambda m: (m.start, m.end)), entities
