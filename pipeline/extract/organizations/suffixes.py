"""Suffix rules (token patterns): spaCy's Matcher, screened to the rules a sentence can match, and its candidates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from .lexicon import HQ, HQ_TAILS, PARENT, SUFFIX_RULES, _country_prefix, _rule, _setting, lookup
from .naming import _pattern_org, _subunit_org
from .sentence import Cand, Sent


@lru_cache(maxsize=64)
def _matcher(vocab: Any, rule_ids: tuple[str, ...]) -> Any:
    """One spaCy Matcher per vocabulary and set of suffix rules, with their token patterns (key = rule id)."""
    from spacy.matcher import Matcher

    matcher = Matcher(vocab)
    for rule_id in rule_ids:
        pattern = _rule(rule_id).pattern
        matcher.add(rule_id, pattern if isinstance(pattern[0], list) else [pattern])
    return matcher


def _text_tests(node: dict) -> list[Callable[[str], object]]:
    """What a pattern node requires of a token's text (ORTH/TEXT as a value, an IN list or a REGEX);
    each test's result is read as true or false."""
    tests: list[Callable[[str], object]] = []
    for key in ("ORTH", "TEXT"):
        value = node.get(key)
        if isinstance(value, str):
            tests.append(value.__eq__)
        elif isinstance(value, dict) and "REGEX" in value:
            tests.append(re.compile(value["REGEX"]).search)
        elif isinstance(value, dict) and isinstance(value.get("IN"), list):
            tests.append(frozenset(map(str, value["IN"])).__contains__)
    return tests


@lru_cache(maxsize=1)
def _required_texts() -> dict[str, list[list[list[Callable[[str], object]]]]]:
    """Per suffix rule, per alternative: the text tests of each node the pattern cannot skip."""
    out = {}
    for rule_id in SUFFIX_RULES:
        pattern = _rule(rule_id).pattern
        out[rule_id] = [
            [_text_tests(node) for node in alt if node.get("OP") in (None, "+")]
            for alt in (pattern if isinstance(pattern[0], list) else [pattern])
        ]
    return out


def _possible_rules(doc: Any) -> tuple[str, ...]:
    """The suffix rules the sentence can match: each token a pattern requires has a candidate here.

    The Matcher tries every pattern from every token, and most sentences hold no 省, 局 or 司令部:
    only the rules that could match are run (the same matches, a fraction of the work)."""
    texts = {t.text for t in doc}  # each distinct text tested once; a node's single test runs in C (map)
    return tuple(
        rule_id
        for rule_id, alts in _required_texts().items()
        if any(all(_some_text(node, texts) for node in alt) for alt in alts)
    )


def _some_text(tests: list[Callable[[str], object]], texts: set[str]) -> bool:
    """Whether one of the texts passes every test."""
    if len(tests) == 1:
        return any(map(tests[0], texts))
    return any(all(test(x) for test in tests) for x in texts)


def _longest_per_end(matches: Iterable[tuple[int, int, int]], vocab: Any) -> dict[tuple[str, int], int]:
    """(rule id, end token) → the earliest start token: the whole noun run before the head."""
    best: dict[tuple[str, int], int] = {}
    for match_id, start, end in matches:
        key = (vocab.strings[match_id], end)
        best[key] = min(start, best.get(key, start))
    return best


def _trim_start(doc: Any, start: int, end: int) -> int:
    """First token of the name: after the last space, without leading non-name words and dates."""
    stops = set(_setting("stop_prefixes", []))
    for i in range(start, end - 1):
        if doc[i].whitespace_:
            start = i + 1
    while start < end - 1:
        tok, prev = doc[start], doc[start - 1].text if start else ""
        is_date = (tok.like_num and prev != "第") or (
            tok.text in {"年", "月", "日", "年度", "時", "分"} and start > 0 and doc[start - 1].like_num
        )
        if tok.text not in stops and not is_date:
            break
        start += 1
    return start


def _after_person(sent: Sent, start: int, end: int, known: list[Cand]) -> int:
    """A person's name glued before a known body (山田花子外務省経済局審議官), or before a unit whose chief they
    are (フリードマン編成本部長), is not part of the body's name."""
    doc, i = sent.doc, start
    while i < end - 1 and "人名" in doc[i].tag_:
        i += 1
    chief = doc[end - 1].text.endswith("長") or (end < len(doc) and doc[end].text.startswith("長"))
    if i > start and (chief or any(c.start == sent.offset + doc[i].idx for c in known)):
        return i
    return start


def suffix_cands(sent: Sent, dict_cands: list[Cand]) -> list[Cand]:
    doc = sent.doc
    rules = _possible_rules(doc)
    spans = _longest_per_end(_matcher(doc.vocab, rules)(doc), doc.vocab) if rules else {}
    out = []
    for (rule_id, end), start in spans.items():
        if end < len(doc) and doc[end].text.startswith("警") and not doc[end - 1].whitespace_:
            continue  # 大阪府|警, 神奈川県|警: a police force, not the prefecture's office
        start = _after_person(sent, _trim_start(doc, start, end), end, dict_cands)
        s, e = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
        title = re.search(r"(長官|長)$", doc[end - 1].text) if rule_id != "org.company_suffix" else None
        e -= len(title.group()) if title else 0
        cand = _suffix_cand(sent, rule_id, s, e, dict_cands)
        if cand:
            out.append(cand)
    return out


def _suffix_cand(sent: Sent, rule_id: str, s: int, e: int, known: list[Cand]) -> Cand | None:
    text = sent.text[s:e]
    prefix = _known_prefix(sent, s, e, known)
    if prefix is not None:
        return _compound(sent, rule_id, s, e, prefix)
    if _known_tail(sent, s, e, known):
        return None
    alias = lookup(text)
    if alias:  # the dictionary already names it (same span, the dictionary candidate wins)
        return None
    org = _pattern_org(rule_id, text)
    if org is None:
        return None
    if rule_id == "org.suffix_unit" and text.endswith(HQ_TAILS) and org.key != f"pat:{text}":
        return sent.cand(s, e, org, HQ, "hq", _rule(HQ).get("priority", 2))
    return sent.cand(s, e, org, rule_id, "name", _rule(rule_id).get("priority", 4))


def _known_prefix(sent: Sent, s: int, e: int, known: list[Cand]) -> Cand | None:
    """The longest dictionary/force candidate that starts the compound and ends inside it."""
    inside = [c for c in known if c.start == sent.offset + s and c.end < sent.offset + e]
    return max(inside, key=lambda c: c.end - c.start, default=None)


def _known_tail(sent: Sent, s: int, e: int, known: list[Cand]) -> bool:
    """A known name ends the compound and what precedes it is not a country (付け読売新聞 vs 中国国防省)."""
    tails = [c for c in known if c.end == sent.offset + e and c.start > sent.offset + s]
    if not tails:
        return False
    before = sent.text[s : min(c.start for c in tails) - sent.offset]
    return not _country_prefix(before)


def _compound(sent: Sent, rule_id: str, s: int, e: int, prefix: Cand) -> Cand | None:
    """Known org + rest: its headquarters (hq_merge), or a sub-unit (parent_subunit), or nothing."""
    rest = sent.text[prefix.end - sent.offset : e].strip()
    if rest in HQ_TAILS:
        return sent.cand(s, e, prefix.org, HQ, "hq", _rule(HQ).get("priority", 2))
    if prefix.org.kind == "legislature":  # 参議院外交防衛委員会: the chamber is part of the committee's name
        org = _pattern_org(rule_id, sent.text[s:e], country=prefix.org.country)
        return sent.cand(s, e, org, rule_id, "name", _rule(rule_id).get("priority", 4)) if org else None
    sub = _subunit_org(rule_id, sent.text[s:e], rest, prefix.org)
    if sub is None:
        return None
    cand = sent.cand(s, e, sub, PARENT, "compound", _rule(PARENT).get("priority", 2))
    cand.riders.append(prefix)
    return cand
