"""Whether a span a suffix rule found names an organisation, and which: sub-units, kind and country."""

from __future__ import annotations

import re

from ... import rulebook
from .lexicon import HQ_TAILS, PARENT, Org, _country_prefix, _rule, _setting, country_of, display, lookup, norm


def _subunit_org(rule_id: str, compound: str, rest: str, parent: Org) -> Org | None:
    """The sub-unit named by ``rest``: a dictionary body (北関東防衛局), its HQ, or a new unit (name = compound)."""
    if not _rule(PARENT).regex.search(rest):
        return None
    for text in (rest, _strip_hq(rest)):
        alias = lookup(text)
        if alias:
            return alias.org
    unit = _pattern_org(rule_id, rest, country=parent.country)
    if unit is None or len(rest) < 3:
        return None
    # 防衛装備庁装備政策課: a bare 課 needs its parent
    name = display(compound[: len(compound) - len(rest)] + unit.name)
    kind = "military" if rule_id == "org.suffix_bureau" and re.search("参謀本部$", rest) else unit.kind
    return Org(f"pat:{norm(name)}", name, kind, unit.country)


def _strip_hq(text: str) -> str:
    for tail in HQ_TAILS:
        if text.endswith(tail) and len(text) > len(tail):
            return text[: -len(tail)]
    return text


def _head_of(text: str, rule_id: str) -> str:
    """The suffix that makes ``text`` a name under this rule ('' when none)."""
    tail = _rule(rule_id).pattern[-1] if rule_id != "org.company_suffix" else None
    if tail is None:
        return "社" if text.endswith("社") else ""
    regex = tail["TEXT"]["REGEX"].replace("(?:長官?)?", "").replace("(?:長)?", "")
    m = re.search(regex, text)
    return m.group() if m else ""


def _pattern_org(rule_id: str, text: str, country: str | None = None) -> Org | None:
    """A new organisation named ``text`` by a suffix rule, or None when the name is generic."""
    if rule_id == "org.company_suffix":
        return _company_org(text)
    if not _name_ok(text, _head_of(text, rule_id)):
        return None
    ordinal = r"第?[0-9０-９一二三四五六七八九十]+"
    if rule_id == "org.suffix_bureau" and re.fullmatch(ordinal + _head_of(text, rule_id), text):
        return None  # 第5局 is a game or a round, not a bureau
    rule = _rule(rule_id)
    if rule_id == "org.suffix_unit":
        hq = _strip_hq(text)
        if hq != text and _unit_name_ok(hq):  # 第3海兵遠征軍司令部 = 第3海兵遠征軍
            text = hq
        elif not _unit_name_ok(text):
            return None
    return Org(f"pat:{norm(text)}", display(text), _kind_for(rule, text), _country_for(rule, text, country))


def _unit_name_ok(text: str) -> bool:
    """A unit whose head is 軍 needs an ordinal or a country (第5空軍, 中国軍): 方面軍/統合軍 are generic."""
    rule = _rule("org.suffix_unit")
    if re.search(rule.get("needs_ordinal", "$^"), text):
        rest = text[len(_country_prefix(text)) :]
        return rest.startswith("第") and _name_ok(text, "軍")
    return _name_ok(text, _head_of(text, "org.suffix_unit"))


def _name_ok(text: str, head: str) -> bool:
    """Not a generic word: a real head, a 2+ character modifier that is not itself generic."""
    if not head or any(text.endswith(g) for g in _setting("generic_heads", [])):
        return False
    modifier = text[: len(text) - len(head)]
    if len(modifier) < 2 or modifier in _setting("generic_modifiers", []) or modifier in _setting("stop_prefixes", []):
        return False
    return not modifier.startswith(tuple(p for p in _setting("stop_prefixes", []) if len(p) > 1))


def _kind_for(rule: rulebook.Rule, text: str) -> str:
    if rule.get("legislature_if") and re.search(rule.get("legislature_if"), text):
        return "legislature"
    if rule.get("mechanism_if") and re.search(rule.get("mechanism_if"), text):
        return "mechanism"
    if rule.get("military_if") and re.search(rule.get("military_if"), text):
        return "military"
    return str(rule.get("kind", "other"))


def _country_for(rule: rulebook.Rule, text: str, country: str | None) -> str:
    found = country_of(text, "")
    if found or _country_prefix(text):
        return found
    if text.startswith(tuple(_setting("international_prefixes", []))):
        return ""  # 国際オリンピック委員会: an international body
    if re.match(r"[ァ-ヺ]", text):  # a katakana country we do not list: foreign, unknown
        return ""
    if rule.get("legislature_if") and re.search(r"(?:上院|下院)", text):
        return "US"
    if rule.get("us_if") and re.search(rule.get("us_if"), text):
        return "US"
    if rule.get("jp_if") and re.search(rule.get("jp_if"), text):
        return "JP"
    return country if country is not None else str(rule.get("default_country") or "")


def _company_words() -> str:
    """The company words (…電機, …化学) as the rule's second pattern lists them: one regex group."""
    return _rule("org.company_suffix").pattern[1][-1]["TEXT"]["REGEX"].strip("^$")


def _company_org(text: str) -> Org | None:
    stops = _rule("org.company_suffix").get("stop_words", [])
    name = text[:-1] if text.endswith("社") else text
    base = re.sub(_company_words() + "$", "", name)
    if not (text.endswith("社") or base != name) or len(base) < 2 or base in stops or name in stops:
        return None
    alias = lookup(name)
    return alias.org if alias else Org(f"pat:{norm(name)}", display(name), "company", country_of(name, ""))
