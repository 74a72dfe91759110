"""The article context: what is known of the whole article (``Article``) and what is carried from one
sentence to the next while reading it (``Context``): the last subject, the people of the meeting and the
meeting the report is about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...records import DateMention, Entity, ParsedArticle
from .events import LAST_TIME, SentInfo, _lead_date, _main, _sent_info
from .parties import PartySpan, _pair_class, pair_of, pair_or_body
from .rulefile import config
from .syntax import _background, _pluperfect

if TYPE_CHECKING:
    from .candidates import Cand
    from .matching import Memo


@dataclass(frozen=True)
class Article:
    """The article as the context reads it: each sentence's facts, its people and its pair of countries."""

    parsed: ParsedArticle
    people: list[Entity]
    info: list[SentInfo]
    memo: Memo | None
    pair: tuple[str, ...]

    def event_name(self, ty: str, surface: str, at: int) -> str:
        s = config().s["event_names"]
        if ty in s:
            prefix = re.match(_pair_class() + "{2,3}", surface)
            pair = prefix.group() if prefix else self._pair_prefix()
            if pair in ("", "日米"):
                return s[ty]
            return surface if prefix else f"{pair}{surface}"
        if re.fullmatch(config().s["generic_event"], surface):
            return self._specific(ty, at) or surface
        if not pair_or_body(surface) and self._pair_prefix():  # 首脳会談 → 日米首脳会談; not 日EU首脳会議
            return self._pair_prefix() + surface
        return surface

    def _pair_prefix(self) -> str:
        letters = {v: k for k, v in config().s["parties"]["pair_letters"].items()}
        prefix = "".join(letters.get(n, "") for n in self.pair)
        return prefix if len(prefix) >= 2 else ""  # 日 alone (日EU) names no pair of countries

    def _specific(self, ty: str, at: int) -> str:
        order = list(range(at, -1, -1)) + list(range(at + 1, len(self.info)))
        generic = re.compile(config().s["generic_event"])
        for i in order:
            for *_, t, sf, _tok in self.info[i].events:
                if t == ty and not generic.fullmatch(sf):
                    return self.event_name(t, sf, i)
        return ""

    def meeting_date(self, ty: str, at: int, surface: str = "", loose: bool = True, named: bool = False) -> str:
        """Date of the latest meeting line of this type at or before sentence ``at``, else of one in the
        next few sentences (a headline, then 山田防衛大臣は5日、…と会談した); a line naming the meeting as
        the statement does wins (3日に外相会談を、5日に防衛相会談を開いた。…防衛相会談では…: the 5th); not
        ``loose``: only that one; ``named``: also one named more fully (首脳会談: 日中韓首脳会談), never a bare 会談."""
        ahead = int(config().s["meeting_lookahead"])
        order = list(range(at, -1, -1)) + list(range(at + 1, min(at + 1 + ahead, len(self.info))))
        generic = re.compile(config().s["generic_event"])
        for same_name in ((True, False) if loose else (True,)) if surface else (False,):
            for i in order:
                for t, sf, value in self.info[i].meetings:
                    if t == ty and (sf == surface or not same_name and _may_be_same(sf, surface, generic)):
                        return value
                    if named and t == ty and not generic.fullmatch(sf) and (surface in sf or sf in surface):
                        return value
        return ""


def _may_be_same(a: str, b: str, generic: re.Pattern) -> bool:
    """Two names of meetings that may name one (会談 and 日米首脳会談, 外相会談 and 日豪外相会談) — not two
    specific ones (外相会談 and 首脳会談)."""
    return not a or not b or bool(generic.fullmatch(a) or generic.fullmatch(b)) or a in b or b in a


def read_article(
    parsed: ParsedArticle, people: list[Entity], orgs: list[Entity], dates: list[DateMention], memo: Memo | None = None
) -> Article:
    """Every sentence read once for what the context needs."""
    info = [_sent_info(parsed, i, dates, people, orgs) for i in range(len(parsed.sentences))]
    return Article(parsed, people, info, memo, _first_pair(info))


def _first_pair(infos: list[SentInfo]) -> tuple[str, ...]:
    """The article's pair of countries: its first 日米-style party or meeting prefix."""
    for info in infos:
        for p in info.parties:
            if p.kind == "pair":
                return p.names
        for e in info.events:
            if pair_of(e[3]):
                return pair_of(e[3])
    return ()


@dataclass
class Context:
    """Running state while reading an article sentence by sentence."""

    article: Article
    topic: tuple[str, str, str] | None = None  # (type, surface, date)
    quiet: int = 0
    last_parties: tuple[tuple[str, ...], bool, int] | None = None
    meeting_people: tuple[str, ...] = ()
    topic_at: int = -1  # the sentence that last named the meeting being reported
    here: int = -1  # the sentence being read

    # ----------------------------------------------------------- parties
    def resolve(self, spans: list[PartySpan]) -> tuple[tuple[str, ...], bool]:
        names: list[str] = []
        joint = False
        for s in spans:
            if s.kind == "joint":
                joint = True
                names += self._meeting_people() or list(s.names)
            elif s.kind == "joint_countries":  # 双方, 両国: the pair of the meeting told here, else the article's
                joint = True
                names += list(self._pair_here() or self.article.pair or s.names)
            else:
                joint |= s.kind in ("pair", "group") or s.plural  # 日米, 両社: two parties in one word; 財務相ら
                names += s.names
        names = list(dict.fromkeys(names))
        return tuple(names), joint or len(names) >= 2

    def _pair_here(self) -> tuple[str, ...]:
        """The pair of countries of a meeting named in the sentence being read (日韓外務次官協議が開かれ、双方は…),
        else of the meeting being reported (a schedule of several meetings: each its own pair)."""
        if 0 <= self.here < len(self.article.info):
            for *_, surface, _tok in self.article.info[self.here].events:
                if pair_or_body(surface):
                    return pair_or_body(surface)
        return pair_or_body(self.topic[1]) if self.topic else ()

    def _meeting_people(self) -> list[str]:
        """The people of the meeting: the last sentence naming two or more, else the countries of the meeting
        told of (a transcript's speakers are not its people: 先般の日米首脳会談では、両首脳の間で…), else the
        first two."""
        if len(self.meeting_people) >= 2:
            return list(self.meeting_people)
        pair = self._pair_here()
        if pair:
            return list(pair)
        ranked = sorted(self.article.people, key=lambda e: e.first.start)
        return [e.name for e in ranked[:2]] if len(ranked) >= 2 else []

    # ----------------------------------------------------------- moving on
    def advance(self, i: int, rows: list[Cand], subject: list[PartySpan]) -> None:
        s, info = self.article.parsed.sentences[i], self.article.info[i]
        if info.dates and re.fullmatch(config().s["date_heading"], info.text.strip()):
            # a schedule's next day (■11日（火）): who met and what was reported before are another item's
            self.last_parties, self.meeting_people, self.topic, self.quiet = None, (), None, 0
            return
        persons = [p.names[0] for p in info.parties if p.kind == "person"]
        if len(dict.fromkeys(persons)) >= 2 and s.section == "body":
            self.meeting_people = tuple(dict.fromkeys(persons))
        source_only = re.match(config().s["antecedent_skip"], info.text.strip())  # 国防省が発表した。
        if subject and not source_only:
            names, joint = self.resolve(subject)
            if joint or not re.search(config().s["quoted_speech"], info.text.strip()):  # not a lone speaker
                self.last_parties = (names, joint, i)
        if s.section != "body":
            self.topic, self.quiet = None, 0
            return
        self._update_topic(i, rows)

    def _update_topic(self, i: int, rows: list[Cand]) -> None:
        topic, reported = _next_topic(self.topic, self.article, i, rows)
        if topic != self.topic:
            self.topic, self.topic_at = topic, i
        self.quiet = 0 if reported else self.quiet + 1
        if self.quiet > int(config().s["topic_span"]):
            self.topic = None


Topic = tuple[str, str, str]  # (meeting type, its name, its date)


def _last_time(article: Article, i: int) -> bool:
    """The sentence dates the last such meeting (首脳会談は2024年5月に開かれて以来となる), not the one reported."""
    offset = article.parsed.sentences[i].start
    return any(LAST_TIME.match(article.info[i].text, d.end - offset) for d, _t in article.info[i].dates)


def _coarser(value: str, than: str) -> bool:
    """A date less precise than another (2025-06 against 2025-09-24): a different, earlier occasion."""
    return len(value.replace("X", "")) < len(than.replace("X", ""))


def _next_topic(topic: Topic | None, article: Article, i: int, rows: list[Cand]) -> tuple[Topic | None, bool]:
    """The meeting the article reports after sentence ``i``, and whether the sentence reported something."""
    info = article.info[i]
    covered = set().union(*[r.ids for r in rows]) if rows else set()
    root = next((t for t in info.doc if t.dep_ == "ROOT"), None)
    background = _background(root) if root is not None and info.events else set()
    main = [e for e in info.events if e[4].i not in covered and e[4].i not in background]
    for _a, _b, ty, sf, tok in main:
        dated = [v for t, s2, v in info.meetings if t == ty and s2 == sf]
        passing = not _main(tok) and (not dated or _coarser(dated[0], topic[2])) if topic else False
        if topic and topic[2] and (_pluperfect(info.doc) or passing or _last_time(article, i)):
            continue  # a meeting mentioned in passing (昨年の「2+2」では…, 本年6月の首脳会合以来の…) or as background
            # (…2プラス2で…を申し合わせていた) leaves the dated meeting being reported
        dated = dated or [d for d in [_lead_date(info)] if d]  # 10日(水)、…と会談を行い、…概要以下のとおり
        date = dated[0] if dated else (topic[2] if topic and topic[0] == ty else article.meeting_date(ty, i, sf))
        topic = (ty, article.event_name(ty, sf, i), date)
    lead = _lead_date(info) if not (main or rows or topic and topic[2]) else ""
    if lead:  # 5月21日、…と懇談を実施したところ、概要は以下のとおり: the items after it carry its date
        topic = ("meeting", topic[1] if topic else "", lead)
    return topic, bool(main or rows or lead)
