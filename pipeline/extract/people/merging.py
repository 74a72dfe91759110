"""Hits grouped per individual, and one Entity per group (name, title, country, mentions)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

from ...records import Entity, Mention
from .dictionaries import KIND_RANK, SEP_RE, lexicon
from .romaji import kanji_latin_match, kanji_parts, scripts_match
from .rules import PRIORITY
from .sentence import Hit

LABEL = "PERSON"


# ------------------------------------------------------------------ merging


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    return SEP_RE.sub("", "".join(unicodedata.normalize("NFKC", name).split())).casefold()


def same_person(short: Hit, long: Hit, links: dict[str, set[str]]) -> bool:
    """Two hits name one individual: same name, a shorter form of it, or the same name in another script."""
    if name_key(short.name) == name_key(long.name) or name_key(long.name) in links.get(name_key(short.name), set()):
        return True
    if short.script != long.script:
        latin, other = (short, long) if short.script == "latin" else (long, short)
        if latin.script == "latin" and other.script == "kanji":
            return kanji_latin_match(other.name, latin.name.split())
        return (
            latin.script == "latin" and other.script == "kana" and scripts_match(other, latin.name.split(), exact=False)
        )
    if short.script == "kanji":
        head = kanji_parts(long.name)[:1]
        return long.name.startswith(short.name) and (len(short.name) >= 2 or (short.name,) == head)
    fold = lambda h: {name_key(p) for p in h.parts if len(p.rstrip(".")) > 1}
    return bool(fold(short)) and fold(short) <= fold(long)


def merge(hits: list[Hit], links: dict[str, set[str]]) -> list[list[Hit]]:
    """Group hits per individual, longest names first so that short forms join the fullest one.

    Distinct names are compared, not hits: an article repeats a few names many times."""
    by_name: dict[str, list[Hit]] = {}
    for h in sorted(hits, key=lambda h: h.start):
        by_name.setdefault(name_key(h.name), []).append(h)
    groups: list[list[Hit]] = []  # representatives (one hit per distinct name) of each individual
    members: list[list[Hit]] = []
    for same in sorted(by_name.values(), key=lambda hs: (-len(name_key(hs[0].name)), hs[0].start)):
        k = next((i for i, g in enumerate(groups) if any(same_person(same[0], o, links) for o in g)), None)
        if k is None:
            groups.append([same[0]])
            members.append(list(same))
        else:
            groups[k].append(same[0])
            members[k].extend(same)
    return sorted(members, key=lambda g: min(h.start for h in g))


def canonical(group: list[Hit]) -> str:
    """The fullest form; a Japanese-script name before its romanisation; ・ kept when written."""
    best = max(group, key=lambda h: (h.script != "latin", len(name_key(h.name)), bool(SEP_RE.search(h.name)), -h.start))
    return best.name


def to_entity(group: list[Hit]) -> Entity:
    """Title: the highest kind (office > rank > role), then the most frequent (a short form such as 大臣
    counting for 外務大臣 too), then the first."""
    name = canonical(group)
    counts = Counter(h.title for h in group)
    for title in list(counts):  # 大臣 after 外務大臣 is a short form: it counts for the full title too
        counts[title] += sum(n for short, n in counts.items() if short != title and title.endswith(short))
    titled = sorted(group, key=lambda h: (-KIND_RANK[h.kind], -counts[h.title], h.start))[0]
    country = titled.country or next((h.country for h in sorted(group, key=lambda h: h.start) if h.country), "")
    country = country or lexicon().known.get(name, "")
    rule = min(group, key=lambda h: PRIORITY.index(h.rule)).rule
    mentions = [
        Mention(LABEL, h.text, h.start, h.end, h.sent, name, h.rule) for h in sorted(group, key=lambda h: h.start)
    ]
    title = titled.title if KIND_RANK[titled.kind] > 0 else ""
    return Entity(LABEL, name, mentions, title=title, country=country, rule=rule)
