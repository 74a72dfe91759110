"""From kept candidates to ``Agreement`` rows: the statement's span, its parties by type, and repeats
(the same agreement stated again later in the article: a headline, then its lead)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ... import rulebook
from ...records import Agreement, Entity, ParsedArticle
from .candidates import Cand
from .rulefile import config

JOINED = " | "


def agreement(parsed: ParsedArticle, c: Cand, parties: PartyIndex) -> Agreement:
    s = parsed.sentences[c.index]
    kinds = parties.typed(c.parties)
    return Agreement(
        start=s.start + c.pred.idx,
        sentence_index=c.index,
        predicate=c.cls,
        status=c.status,
        content=c.content,
        sentence=parsed.text[s.start : s.end],
        rule=c.rule,
        date=c.date,
        event=c.event,
        parties=c.parties,
        instrument=c.instrument,
        end=s.start + statement_end(c),
        span_start=s.start + min(c.span[0], c.pred.idx) if c.span else s.start + c.pred.idx,
        date_from=c.date_from if c.date else "",
        party_people=kinds[0],
        party_organizations=kinds[1],
        party_countries=kinds[2],
    )


def statement_end(c: Cand) -> int:
    """Sentence-relative character after the predicate and the auxiliaries that close it (一致した, 確認しました)."""
    doc, end = c.pred.doc, c.pred.i
    while end + 1 < len(doc) and doc[end + 1].pos_ == "AUX" and doc[end + 1].head.i in (c.pred.i, doc[end].i):
        end += 1
    return doc[end].idx + len(doc[end].text)


@dataclass(frozen=True)
class PartyIndex:
    """The article's people and organisations by name (and organisations by every surface), made once."""

    people: dict[str, Entity]
    orgs: dict[str, Entity]

    @classmethod
    def of(cls, people: list[Entity], orgs: list[Entity]) -> PartyIndex:
        return cls({e.name: e for e in people}, {surface: e for e in orgs for surface in (e.name, *e.surfaces)})

    def typed(self, parties: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(people, organisations, ISO country codes) of the parties; a person's or an organisation's
        country counts among the countries (青井美咲 | ハーパー → JP | US)."""
        codes: dict[str, str] = config().s["parties"]["country_codes"]
        persons: list[str] = []
        organizations: list[str] = []
        countries: list[str] = []
        for name in parties:
            if name in self.people:
                persons.append(name)
                countries += _codes(self.people[name].country)
            elif name in codes:
                countries.append(codes[name])
            elif name in self.orgs:
                organizations.append(self.orgs[name].name)
                countries += _codes(self.orgs[name].country)
        return tuple(dict.fromkeys(persons)), tuple(dict.fromkeys(organizations)), tuple(dict.fromkeys(countries))


def typed_parties(
    parties: tuple[str, ...], people: list[Entity], orgs: list[Entity]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    return PartyIndex.of(people, orgs).typed(parties)


def _codes(country: str) -> list[str]:
    """An entity's country as codes: a joint body's ``JP-US`` is both."""
    return [code for code in country.split("-") if code]


# ------------------------------------------------------------------ repeats


def mark_repeats(rows: list[Agreement], parsed: ParsedArticle) -> list[Agreement]:
    """Each row that states again an earlier row's agreement, with ``repeat_of`` set to that row's start
    (by the ``repeat`` rule of the rule file; none: no repeats are marked)."""
    if not config().repeats:
        return rows
    rule = config().repeats[0]
    out: list[Agreement] = []
    for row in rows:
        first = next((o for o in out if o.repeat_of < 0 and same_agreement(o, row, parsed, rule)), None)
        out.append(row if first is None else _with_repeat(row, first.start))
    return out


def same_agreement(earlier: Agreement, later: Agreement, parsed: ParsedArticle, rule: rulebook.Rule) -> bool:
    """Two statements of one agreement: in different sentences of one section, the same parties (or one
    side's unstated), compatible dates, and contents that share most of their words (character bigrams)."""
    reach = int(rule.get("reach"))
    if earlier.sentence_index == later.sentence_index or later.sentence_index - earlier.sentence_index > reach:
        return False
    if parsed.sentences[earlier.sentence_index].section != parsed.sentences[later.sentence_index].section:
        return False
    if earlier.parties and later.parties and not set(earlier.parties) & set(later.parties):
        return False
    if earlier.date and later.date and not (earlier.date.startswith(later.date) or later.date.startswith(earlier.date)):
        return False
    return overlap(earlier.content, later.content) >= float(rule.get("overlap"))


def overlap(a: str, b: str) -> float:
    """Share of the shorter content's character bigrams found in the longer one (0 when either is empty)."""
    ga, gb = _bigrams(a), _bigrams(b)
    if not ga or not gb:
        return 0.0
    short, long_ = (ga, gb) if len(ga) <= len(gb) else (gb, ga)
    return len(short & long_) / len(short)


def _bigrams(text: str) -> set[str]:
    """Bigrams of the content words: a headline drops the particles and endings its lead writes (防衛装備の
    共同開発 / 防衛装備品を共同で開発する), so hiragana is left out."""
    kept = "".join(ch for ch in text if ch.isalnum() and not "ぁ" <= ch <= "ゖ")
    return {kept[i : i + 2] for i in range(len(kept) - 1)}


def _with_repeat(row: Agreement, start: int) -> Agreement:
    return replace(row, repeat_of=start)
