"""From meeting mentions to events: grouping by name and date, the agreements of each, who and where."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...records import Agreement, Entity, Event
from ..agreements.parties import _marker, pair_of
from ..agreements.rulefile import config as agreement_config
from .places import place_of
from .rulefile import config

if TYPE_CHECKING:
    from ..agreements.context import Article

ACTING = ("は", "が", "と", "も")  # a person marked so in an event's sentence takes part in it
UNCLASSIFIED = "event.unclassified"  # the rule of an event no kind rule names (kind ``other``)
BEFORE = 16  # characters before a mention a kind rule's ``before`` reads (…と約30分間電話で会談)


@dataclass
class Mention:
    index: int  # sentence
    start: int  # clean text
    end: int
    surface: str
    canonical: str
    date: str
    token: Any  # the spaCy token of the mention's last word


@dataclass
class Group:
    canonical: str
    date: str
    mentions: list[Mention] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)


def events_of(article: Article, people: list[Entity], agreements: list[Agreement]) -> list[Event]:
    mentions = _mentions(article)
    groups = _group(mentions, agreements)
    _link(groups, agreements)
    return [_event(g, article, people) for g in sorted(groups, key=lambda g: g.mentions[0].start)]


def _mentions(article: Article) -> list[Mention]:
    """Every meeting named in the body, named as the agreements family names it, with its own date."""
    out = []
    for i, info in enumerate(article.info):
        s = article.parsed.sentences[i]
        if s.section != "body":
            continue
        for a, b, ty, surface, tok in info.events:
            dated = [v for t, sf, v in info.meetings if t == ty and sf == surface]
            name = article.event_name(ty, surface, i)
            out.append(Mention(i, s.start + a, s.start + b, surface, name, dated[0] if dated else "", tok))
    return out


def _group(mentions: list[Mention], agreements: list[Agreement]) -> list[Group]:
    groups: dict[tuple[str, str], Group] = {}
    for m in mentions:
        if m.date:
            groups.setdefault((m.canonical, m.date), Group(m.canonical, m.date)).mentions.append(m)
    for m in mentions:
        if not m.date:
            key = _home(m, groups, agreements)
            groups.setdefault(key, Group(*key)).mentions.append(m)
    for g in groups.values():
        g.mentions.sort(key=lambda m: m.start)
    return list(groups.values())


def _home(m: Mention, groups: dict[tuple[str, str], Group], agreements: list[Agreement]) -> tuple[str, str]:
    """The event an undated mention belongs to: the dated one of its name its sentence's agreements
    name, else the latest that began before it, else the first; with none of its name dated, its own."""
    dated = [g for (name, _), g in groups.items() if name == m.canonical]
    if not dated:
        return m.canonical, ""
    said = {a.date for a in agreements if a.sentence_index == m.index and a.event == m.canonical}
    pick = next((g for g in dated if g.date in said), None)
    before = [g for g in dated if g.mentions[0].start <= m.start]
    pick = pick or (max(before, key=lambda g: g.mentions[0].start) if before else dated[0])
    return pick.canonical, pick.date


def _link(groups: list[Group], agreements: list[Agreement]) -> None:
    """Each agreement with an event joins it (its date's, else the latest begun before it); an undated
    event takes its agreements' most common date."""
    for a in agreements:
        named = [g for g in groups if g.canonical == a.event] if a.event else []
        if not named:
            continue
        exact = [g for g in named if g.date and g.date == a.date]
        before = [g for g in named if g.mentions[0].index <= a.sentence_index]
        pick = exact[0] if exact else max(before, key=lambda g: g.mentions[0].start) if before else named[0]
        pick.agreements.append(a)
    for g in groups:
        dates = Counter(a.date for a in g.agreements if a.date and a.date_from in ("sentence", "event"))
        if not g.date and dates:
            g.date = dates.most_common(1)[0][0]


def _event(g: Group, article: Article, people: list[Entity]) -> Event:
    first = g.mentions[0]
    kind, rule = _kind(g, article)
    participants = _participants(g, article)
    return Event(
        key=_key(g, participants),
        start=first.start,
        end=first.end,
        sentence_index=first.index,
        event=first.surface,
        canonical=g.canonical,
        date=g.date,
        place=next((p for m in g.mentions if (p := place_of(m.token, config().places))), ""),
        participants=participants,
        countries=_countries(g, participants, people),
        kind=kind,
        rule=rule,
        agreements=tuple(a.start for a in g.agreements),
    )


def _key(g: Group, participants: tuple[str, ...]) -> str:
    """Canonical name @ date; a bare 会談 names nothing another article could share: its people do
    (会談(リー・中村)@2026-03-12)."""
    name = g.canonical
    if re.fullmatch(agreement_config().s["generic_event"], name) and participants:
        name = f"{name}({'・'.join(sorted(participants))})"
    return f"{name}@{g.date}" if g.date else name


def _kind(g: Group, article: Article) -> tuple[str, str]:
    """(kind, rule id) of the first kind rule that matches a mention's name or the words before it."""
    text = article.parsed.text
    for rule in config().kinds:
        before = re.compile(rule.get("before")) if rule.get("before") else None
        for m in g.mentions:
            if rule.regex.search(f"{m.surface} {g.canonical}") or (
                before is not None and before.search(text[max(0, m.start - BEFORE) : m.start])
            ):
                return rule.get("event_kind"), rule.id
    return "other", UNCLASSIFIED


def _participants(g: Group, article: Article) -> tuple[str, ...]:
    names: list[str] = []
    for i in dict.fromkeys(m.index for m in g.mentions):
        info = article.info[i]
        names += [p.names[0] for p in info.parties if p.kind == "person" and _marker(info.text, p) in ACTING]
    names += [name for a in g.agreements for name in a.party_people]
    return tuple(dict.fromkeys(names))


def _countries(g: Group, participants: tuple[str, ...], people: list[Entity]) -> tuple[str, ...]:
    codes: dict[str, str] = agreement_config().s["parties"]["country_codes"]
    found = [codes[c] for m in g.mentions for c in pair_of(m.surface) or pair_of(g.canonical) if c in codes]
    country = {e.name: e.country for e in people}
    found += [code for name in participants for code in country.get(name, "").split("-") if code]
    found += [code for a in g.agreements for code in a.party_countries]
    return tuple(dict.fromkeys(found))
