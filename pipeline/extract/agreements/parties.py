"""Parties: the dictionary, person and organisation mentions of a sentence, and the subject among them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from ...records import Entity, Sentence
from .rulefile import config
from .syntax import _quotes


@dataclass(frozen=True)
class PartySpan:
    start: int  # sentence-relative characters
    end: int
    names: tuple[str, ...]
    kind: str  # person | org | pair | country | local | joint | joint_countries | group | title
    plural: bool = False  # …らは, …等が: it and others, acting together


@lru_cache(maxsize=1)
def _party_regexes() -> dict[str, re.Pattern]:
    p = config().s["parties"]
    letters = "".join(p["pair_letters"])
    joint = "|".join(sorted(p["joint_people"], key=len, reverse=True))
    joint_c = "|".join(sorted(p["joint_countries"], key=len, reverse=True))
    groups = "|".join(sorted(p["joint_groups"], key=len, reverse=True))
    countries = "|".join(sorted(p["countries"], key=len, reverse=True))
    sides = "|".join(p["country_suffixes"])
    suffixes = "|".join(sorted(p["pair_suffixes"], key=len, reverse=True))
    counts = "|".join(sorted(p["pair_counts"], key=len, reverse=True))
    roles = "|".join(sorted(p["pair_roles"], key=len, reverse=True))
    offices = "|".join(sorted(p["bare_offices"], key=len, reverse=True))
    agents = "|".join(sorted(p["agents"], key=len, reverse=True))
    bodies = "|".join(sorted(p["pair_bodies"], key=len, reverse=True))
    agent = f"の[一-龥]{{0,4}}(?:{agents})"  # 日本の防衛当局が: who acts for the party before it
    return {
        "joint": re.compile(f"(?:{joint})"),
        "joint_countries": re.compile(f"(?<![一-龥])(?:{joint_c})"),
        # 両社, 労使, 各国の外相; and a forum's members by their role (G7外相, ASEAN首脳, NATO国防相): joint, named
        # as written
        "group": re.compile(
            f"(?<![一-龥])(?:{groups})(?:の(?:{roles}))?|(?:{p['count_regex']})(?:の?(?:{roles}))?"
            f"|(?<![A-Za-z0-9])(?:{p['forum_regex']})(?:{roles})"
        ),
        "pair": re.compile(
            f"(?<![一-龥ァ-ヴー])[{letters}]{{2,4}}(?:(?:{counts})?の?(?:{roles})|{suffixes})?"
            f"(?=[はがもで、と]|両|の間で|{agent})"
        ),
        # 日EU, 日ASEANの首脳: countries by their letter with a body by its code
        "body_pair": re.compile(
            f"(?<![一-龥ァ-ヴーA-Za-z])(?P<letters>[{letters}]{{1,3}})(?P<body>{bodies})"
            f"(?:(?:{counts})?の?(?:{roles})|{suffixes})?(?=[はがもで、と]|{agent})"
        ),
        "country": re.compile(
            f"(?<![一-龥々ァ-ヴーA-Za-z])(?P<country>{countries})(?:{sides})?(?=[はがもで、と・]|から|の間で|{agent})"
        ),
        "marker": re.compile(p["marker_regex"].replace("{AGENTS}", agents)),
        "agent": re.compile(agent),
        "title": re.compile(p["title_regex"]),
        "local": re.compile(p["local_regex"]),
        "side": re.compile(p["side_regex"]),
        "both": re.compile(p["both_regex"]),
        "office": re.compile(f"(?<![一-龥ァ-ヴー・A-Za-z])(?:{offices})(?=(?:ら|たち|等)?[はがもとで、])"),
    }


@lru_cache(maxsize=1)
def _pair_class() -> str:
    """A regex class of the one-letter country abbreviations (日, 米, 豪 …) of ``parties.pair_letters``."""
    return "[" + "".join(config().s["parties"]["pair_letters"]) + "]"


def pair_of(surface: str, longest: bool = False) -> tuple[str, ...]:
    """The countries a pair prefix names (日米 → 日本 | 米国), or () for fewer than two."""
    letters = config().s["parties"]["pair_letters"]
    m = re.match(_pair_class() + ("+" if longest else "{2,4}"), surface)
    names = tuple(dict.fromkeys(letters[ch] for ch in m.group())) if m else ()
    return names if len(names) >= 2 else ()


def pair_or_body(surface: str) -> tuple[str, ...]:
    """The countries, or countries and body, a meeting's prefix names (日韓外務次官協議 → 日本 | 韓国; 日EU首脳会議 →
    日本 | 欧州連合), or ()."""
    names = pair_of(surface)
    if names:
        return names
    p = config().s["parties"]
    m = _body_prefix().match(surface)
    return tuple(p["pair_letters"][ch] for ch in m.group(1)) + (p["pair_bodies"][m.group(2)],) if m else ()


@lru_cache(maxsize=1)
def _body_prefix() -> re.Pattern:
    """Countries' letters before a body's code (日EU, 日ASEAN): ``parties.pair_bodies``."""
    bodies = "|".join(sorted(config().s["parties"]["pair_bodies"], key=len, reverse=True))
    return re.compile(f"({_pair_class()}{{1,3}})({bodies})")


def _dictionary_parties(text: str) -> list[PartySpan]:
    p, rx, out = config().s["parties"], _party_regexes(), []
    for kind in ("joint", "joint_countries", "group"):
        for m in rx[kind].finditer(text):
            out.append(PartySpan(m.start(), m.end(), (m.group(),), kind))
    for m in rx["pair"].finditer(text):
        names = pair_of(m.group(), longest=True)
        if names:
            out.append(PartySpan(m.start(), m.end(), names, "pair"))
    for m in rx["body_pair"].finditer(text):
        names = tuple(p["pair_letters"][ch] for ch in m.group("letters")) + (p["pair_bodies"][m.group("body")],)
        out.append(PartySpan(m.start(), m.end(), names, "pair"))
    for m in rx["country"].finditer(text):
        out.append(PartySpan(m.start(), m.end(), (p["countries"][m.group("country")],), "country"))
    for m in rx["local"].finditer(text):
        out.append(PartySpan(m.start(), m.end(), (m.group("local"),), "local"))
    for m in rx["side"].finditer(text):
        out.append(PartySpan(m.start(), m.end(), (m.group(),), "local"))
    for m in rx["both"].finditer(text):
        if not pair_of(m.group("b")):  # 先般、日米両政府: the pair is 日米 alone
            out.append(PartySpan(m.start(), m.end(), (m.group("a"), m.group("b")), "group"))
    return out


def _entity_parties(sentence: Sentence, ents: Iterable[Entity], kind: str) -> list[PartySpan]:
    out = []
    for e in ents:
        for m in e.mentions:
            if m.rule == BYLINE_RULE:
                continue  # （ソウル＝佐藤花子）: who wrote it, no party
            if sentence.start <= m.start and m.end <= sentence.end:
                out.append(PartySpan(m.start - sentence.start, m.end - sentence.start, (e.name,), kind))
    return out


def _all_parties(sentence: Sentence, text: str, people: list[Entity], orgs: list[Entity]) -> list[PartySpan]:
    spans = _entity_parties(sentence, people, "person") + _dictionary_parties(text)
    spans += _entity_parties(sentence, orgs, "org")
    taken = [(s.start, s.end) for s in spans]
    for m in _party_regexes()["title"].finditer(text):
        if not any(a < m.end() and m.start() < b for a, b in taken):
            spans.append(PartySpan(m.start(), m.end(), (m.group("name"),), "title"))
    for m in _party_regexes()["office"].finditer(text):  # 首相とグリーン大統領は: the office stands for its holder
        if not any(a < m.end() and m.start() < b for a, b in taken):
            spans.append(PartySpan(m.start(), m.end(), (m.group(),), "title"))
    # Longest first, then drop spans inside a longer one (山田 inside 山田防衛大臣 stays the person).
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    out: list[PartySpan] = []
    for s in spans:
        if not any(o.start <= s.start and s.end <= o.end for o in out):
            out.append(replace(s, plural=True) if PLURAL.match(text, s.end) else s)
    # 両国の経済閣僚が: the agent acting for a party (agents) is that party, not one of its own
    agent = _party_regexes()["agent"]
    agents = {s: (s.end, found.end()) for s in out if (found := agent.match(text, s.end))}
    return [s for s in _named_agents(out, agents) if not any(a < s.start and s.end <= b for a, b in agents.values())]


def _named_agents(spans: list[PartySpan], agents: dict[PartySpan, tuple[int, int]]) -> list[PartySpan]:
    """A person named as the agent (韓国の金東洙外相は) is the party, not the country: the person's span takes in
    the country's (so 木下外相と韓国の金外相は coordinates both), and the country goes (from ``agents`` too)."""
    owner_of = {}
    for owner, (a, b) in agents.items():
        person = next((p for p in spans if p.kind == "person" and a < p.start and p.end <= b), None)
        if person is not None:
            owner_of[person] = owner
    for owner in owner_of.values():
        del agents[owner]
    owners = set(owner_of.values())
    return [replace(s, start=owner_of[s].start) if s in owner_of else s for s in spans if s not in owners]


BYLINE_RULE = "person.byline"
PLURAL = re.compile(r"(?:ら|たち|等)(?=[はがもと、])")  # 財務相らは, 両国首脳等が


def _marker(text: str, span: PartySpan) -> str:
    """The particle closing a party phrase (a person's title may come between): は, が, も, で, から, と or ''."""
    after = text[span.end : span.end + 110]  # a bracket of seat and short name may stand before the particle
    roles = tuple(config().s["parties"]["pair_roles"])
    role = span.kind == "group" and after.startswith(roles)  # 各国外相は: the group's people act for it
    m = _party_regexes()["marker"].match(after)
    if (
        span.kind not in ("person", "title", "org")
        and after[:1] not in ("は", "が", "も", "で", "と", "、", "か")
        and not role
        and not (after[:1] == "の" and m)  # 日本の防衛当局が: who acts for it
    ):
        return ""  # 首脳会談で is a meeting, not 首脳 acting
    if not m:
        return ""
    if m.group("between"):
        return "が"  # 両国の間で…が結ばれた: who did it
    mark = m.group("mark") or ""
    if m.group("mark2"):  # 日米、…で合意へ, …訓練 陸自と米海兵隊、…を確認: a headline phrase opening with its parties
        phrase = re.split(r"[ \u3000]", text[: span.start])[-1].lstrip("[]【】「")
        return "は" if not phrase or re.fullmatch(config().s["parties"]["coordination_regex"] + "+", phrase) else ""
    if mark == "で" and span.kind not in ("pair", "joint", "joint_countries", "group"):
        return ""  # 米国で is a place; 日米両政府で is who does it
    return mark


def coordinated(spans: list[PartySpan], text: str, last: PartySpan) -> list[PartySpan]:
    """``last`` and the parties coordinated before it (山田知事と田村市長が: both)."""
    group = [last]
    # a name inside brackets (its seat, its head: 株式会社A（本社：東京都港区、社長：山田太郎）と…) coordinates nothing
    for s in reversed([s for s in spans if s.end <= last.start and not _bracketed(text, s.start)]):
        if not re.fullmatch(config().s["parties"]["coordination_regex"], text[s.end : group[0].start]):
            break
        group.insert(0, s)
    return group


def _bracketed(text: str, pos: int) -> bool:
    """Whether ``pos`` lies inside round brackets opened shortly before it (a bounded look-back: a sentence
    may be very long)."""
    before = text[max(0, pos - 120) : pos]
    return before.count("（") + before.count("(") > before.count("）") + before.count(")")


def _subject(
    spans: list[PartySpan],
    text: str,
    scope: tuple[int, int],
    hi: int,
    avoid: tuple[int, int] | None,
    partners_alone: bool = False,
    reported: bool = False,
) -> list[PartySpan]:
    """The subject group nearest before ``hi``: a marked party and the parties coordinated with it, and its
    partners (…と会談し); with ``partners_alone``, the partners even when no subject is written (a
    transcript's ブラウン長官とは、…で一致しました). In a report (``reported``: 聯合ニュースは、韓国と日本の当局が
    …で一致したと報じた) the が-subject after the topic is the statement's; the topic is who tells it.

    Parties quoted inside the scope (someone else's words) are not its subject."""
    lo = scope[0]
    quoted = [q for q in _quotes(text) if q != scope and scope[0] <= q[0] and q[1] <= scope[1]]
    inside = [
        s
        for s in spans
        if lo <= s.start
        and s.end <= hi
        and not (avoid and avoid[0] <= s.start < avoid[1])
        and not any(a < s.start < b for a, b in quoted)
    ]
    # …から marks the speaker of a one-sided statement (山田大臣から、…再会を歓迎する).
    marked = [s for s in inside if _marker(text, s) in ("は", "が", "も", "で", "から")]
    topics = [s for s in marked if _marker(text, s) in ("は", "も")]  # a topic beats an embedded が
    told = [s for s in marked if reported and topics and s.start > topics[-1].end and _marker(text, s) == "が"]
    group = coordinated(inside, text, (told or topics or marked)[-1]) if marked else []
    regexes = config().s["parties"]
    partners = [
        s
        for s in inside
        if s not in group
        and (
            _marker(text, s) == "と"
            and re.match(regexes["partner_regex"], text[s.end : s.end + 40])
            or re.match(regexes["called_on_regex"], text[s.end : s.end + 20])
        )
    ]
    return group + partners if group or partners_alone else []
