"""The article-level steps: every rule over the sentences, then name pairing and repeats of found names."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from ... import rulebook
from ...records import ParsedArticle
from .dictionaries import alternation, lexicon, macro_re, people_rules, rule_regex
from .merging import name_key
from .names import office_country
from .romaji import scripts_match
from .rules import ARTICLE_RULES, SENTENCE_RULES, resolve
from .sentence import Hit, Sent, make_hit

# ------------------------------------------------------------------ name pairing


def name_pairing(sents: list[Sent], hits: list[Hit], rule: rulebook.Rule) -> list[tuple[Hit, Hit]]:
    """(latin hit, partner): existing Latin hits are linked, unfound runs become new hits."""
    by_sent: dict[int, list[Hit]] = {}
    for h in hits:
        by_sent.setdefault(h.sent, []).append(h)
    pairs = []
    for s in sents:
        jp = [h for h in by_sent.get(s.index, []) if h.script != "latin"]
        for m in rule_regex(rule).finditer(s.text) if jp else ():
            partner = next((h for h in jp if scripts_match(h, m.group(0).split())), None)
            if partner is not None:
                pairs.append((_latin_hit(s, rule, m, by_sent.get(s.index, [])), partner))
    return pairs


def _latin_hit(s: Sent, rule: rulebook.Rule, m: re.Match, hits: list[Hit]) -> Hit:
    a, b = s.offset + m.start(), s.offset + m.end()
    known = next((h for h in hits if h.script == "latin" and h.start <= a and b <= h.end), None)
    return known or make_hit(s, rule.id, m.start(), m.end(), m.start(), m.end())


# ------------------------------------------------------------------ repeats


def name_repeat(sents: list[Sent], hits: list[Hit], rule: rulebook.Rule) -> list[Hit]:
    """Bare re-mentions of found names (and their surnames or katakana parts) not covered yet."""
    names = {n for h in hits if h.script != "latin" for n in _repeat_forms(h)}
    if not names:
        return []
    regex, covered = rule_regex(rule, NAME=alternation(names)), _coverage(hits)
    out = []
    for s in sents:
        for m in regex.finditer(s.text):
            a, b = m.span("name")
            if a in s.starts and b in s.ends and not covered(s.offset + a, s.offset + b):
                out.append(make_hit(s, rule.id, a, b, a, b))
    return out


def surname_title(sents: list[Sent], hits: list[Hit], rule: rulebook.Rule) -> list[Hit]:
    """A found kanji name's surname with an office, where the taggers do not read the surname alone as
    a name (石垣健外務大臣 …, then 石垣大臣: 石垣 is "stone wall" to both). A surname two found people
    share names neither."""
    owners: dict[str, set[str]] = {}
    for h in hits:
        if h.script == "kanji" and len(h.parts) > 1 and len(h.parts[0]) >= 2:
            owners.setdefault(h.parts[0], set()).add(h.name)
    surnames = [n for n, full in owners.items() if len(full) == 1]
    if not surnames:
        return []
    regex, covered, out = rule_regex(rule, NAME=alternation(surnames)), _coverage(hits), []
    for s in sents:
        for m in regex.finditer(s.text):
            a, b = m.span("name")
            if a in s.starts and m.end() in s.ends and not covered(s.offset + a, s.offset + m.end()):
                office = lexicon().offices[m.group("office")]
                country = office_country(office, m.group("prefix") or "", s, a, "kanji")
                kw = {"title": office.text, "kind": office.kind, "country": country}
                out.append(make_hit(s, rule.id, a, m.end(), a, b, **kw))
    return out


def _repeat_forms(h: Hit) -> set[str]:
    if h.script == "kana":
        return {h.name} | {p for p in h.parts if len(p) >= 3}
    return {h.name} | ({h.parts[0]} if len(h.parts) > 1 and len(h.parts[0]) >= 2 else set())


def _covered(hits: list[Hit], start: int, end: int) -> bool:
    return any(h.start < end and start < h.end for h in hits)


def _coverage(hits: list[Hit]) -> Callable[[int, int], bool]:
    """A fast ``_covered`` for many look-ups against the same disjoint, sorted hits."""
    spans = sorted((h.start, h.end) for h in hits)
    starts = [a for a, _ in spans]

    def covered(start: int, end: int) -> bool:
        i = bisect_right(starts, start)
        return any(a < end and start < b for a, b in spans[max(0, i - 1) : i + 1])

    return covered


# ------------------------------------------------------------------ article


def sentences(parsed: ParsedArticle) -> list[Sent]:
    assert parsed.docs is not None, "the people rules read the parse: extraction loads the docs first"
    return [Sent(s.index, s.start, parsed.text[s.start : s.end], doc) for s, doc in zip(parsed.sentences, parsed.docs)]


def run_rules(sents: list[Sent], only: str | None = None) -> tuple[list[Hit], list[Hit], list[tuple[Hit, Hit]]]:
    """(raw hits, resolved hits, name pairs). ``only`` runs one sentence rule; name pairing and
    repeats always run every rule, since they work from the names the others found."""
    rules = people_rules()
    everything = only in (None, *ARTICLE_RULES)
    raw = [
        h
        for rid, fn in SENTENCE_RULES.items()
        if rid in rules and (everything or rid == only)
        for s in sents
        for h in fn(s, rules[rid])
    ]
    raw = _not_introduced_as(sents, raw, "FICTION")
    raw = _not_introduced_as(sents, raw, "CLUB_INTRO")
    kept = resolve(raw)
    pairs = name_pairing(sents, kept, rules["person.name_pairing"]) if "person.name_pairing" in rules else []
    for latin, partner in pairs:
        latin.link = partner.name
    new = [latin for latin, _ in pairs if latin.rule == "person.name_pairing"]
    kept += [h for h in new if not _covered(kept, h.start, h.end)]
    titled = surname_title(sents, kept, rules["person.surname_title"]) if "person.surname_title" in rules else []
    kept += titled
    repeats = name_repeat(sents, kept, rules["person.name_repeat"]) if "person.name_repeat" in rules else []
    return raw + new + titled + repeats, kept + repeats, pairs


def _not_introduced_as(sents: list[Sent], hits: list[Hit], macro: str) -> list[Hit]:
    """Without the names introduced by the macro as something else — characters of fiction (`{FICTION}`:
    主人公の野比のび太), clubs (`{CLUB_INTRO}`: ベルギー1部KVスヘルデン) — nor their other mentions (のび太,
    スヘルデンは…), shorter or longer."""
    by_index = {s.index: s for s in sents}
    intro = macro_re(f"(?:{{{macro}}})$")
    names = {
        name_key(h.name)
        for h in hits
        if (s := by_index.get(h.sent)) is not None and intro.search(s.text[: h.start - s.offset])
    }
    # …and those introduced where no rule took them for a name (KVスヘルデン), found again alone later
    text = "\n".join(s.text for s in sents)
    names |= {name_key(h.name) for h in hits if _introduced(text, h.name, intro)}
    if not names:
        return hits
    return [h for h in hits if not any(name_key(h.name) in n or n in name_key(h.name) for n in names)]


def _introduced(text: str, name: str, intro: re.Pattern) -> bool:
    """The name stands somewhere right after the introduction (which is short: 40 characters are looked at)."""
    return any(intro.search(text, max(0, m.start() - 40), m.start()) for m in re.finditer(re.escape(name), text))


def name_links(hits: list[Hit]) -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    for h in hits:
        if h.link:
            links.setdefault(name_key(h.name), set()).add(name_key(h.link))
            links.setdefault(name_key(h.link), set()).add(name_key(h.name))
    return links
