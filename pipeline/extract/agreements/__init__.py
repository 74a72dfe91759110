"""Agreements rule family: one row per agreement statement, read off GiNZA's dependency parse.

Rules live in ``rules/agreements.yaml`` and come in three kinds, run in this order:

- ``predicate`` rules (DependencyMatcher patterns) find a predicate token (``pred``), the token
  whose clause is the agreed content (``content``) and, for ``コミットメント``, the verb that
  carries tense (``anchor``). The first rule that claims a predicate token wins.
- ``exclude`` rules drop candidates: relative clauses, negation, conditionals, ``…こととしている``,
  predicates inside another agreement's content, unilateral setups, comments and link lists.
- ``status`` rules decide ``status``; the first that fires wins (hedge > source > intent > tense).
- the ``repeat`` rule recognises a later statement of an earlier row's agreement (``repeat_of``).

Parties, event and date come from the article context (``context.Context``): the subject of the
predicate (or of the last sentence that had one), the people of the meeting for ``両閣僚``, the
meeting named in the predicate's own clause, and the dated meeting line the report is about.

The package, in the order a sentence goes through it:

- ``rulefile``: the rule file split by kind (``config``);
- ``matching``: the DependencyMatcher patterns, the pattern screen and the per-parse ``Memo``;
- ``syntax``: reading the parse (subtrees, 連用形 chains, background clauses) and quotes;
- ``candidates``: ``Cand``, the predicate occurrences the ``predicate`` rules claim;
- ``setting``: the frame the parser hung inside a content (its topic, date, meeting, item number);
- ``spans``: the content span of a candidate (clause, subtree, headline), past its frame;
- ``antecedent``: what an elided object points back to;
- ``decisions``: the ``exclude`` rules and the ``status`` rules (tense, hedges, sources);
- ``parties``: party mentions (dictionary, people, organisations) and the subject among them;
- ``events``: meetings, the dates that go with them, and ``SentInfo`` (one sentence's facts);
- ``context``: the article (``Article``) and what is carried from sentence to sentence (``Context``);
- ``sentence``: one sentence's candidates, filled in and decided;
- ``story``: dates a headline or a lead takes from the story around it;
- ``rows``: the rows: the statement's span, the parties by type, repeats (``repeat`` rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...records import Agreement, DateMention, Entity, ParsedArticle
from ..families import Family
from .candidates import Cand
from .context import Article, Context, read_article
from .events import SentInfo
from .matching import Memo, _forget_other_patterns, touches
from .parties import PartySpan, pair_of
from .rows import PartyIndex, agreement, mark_repeats
from .rulefile import CLOSE_QUOTES, KINDS, OPEN_QUOTES, RULES, Config, config
from .sentence import _sentence_cands
from .setting import Frames
from .spans import PARTICLES
from .story import date_from_story

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "CLOSE_QUOTES",
    "FAMILY",
    "KINDS",
    "OPEN_QUOTES",
    "PARTICLES",
    "RULES",
    "Article",
    "Cand",
    "Config",
    "Context",
    "Frames",
    "Memo",
    "PartySpan",
    "SentInfo",
    "analyse",
    "config",
    "example",
    "extract",
    "pair_of",
    "read_article",
]


def analyse(
    parsed: ParsedArticle, people: list[Entity], orgs: list[Entity], dates: list[DateMention], memo: Memo | None = None
) -> list[Cand]:
    """Every candidate with its decision (kept rows have an empty ``excluded_by``)."""
    ctx = Context(read_article(parsed, people, orgs, dates, memo))
    out: list[Cand] = []
    for i in range(len(parsed.sentences)):
        ctx.here = i
        cands, subject = _sentence_cands(parsed, i, ctx)
        rows = [c for c in cands if not c.excluded_by]
        ctx.advance(i, rows, subject)
        out += cands
    date_from_story([c for c in out if not c.excluded_by], parsed, dates)
    return out


def extract(
    parsed: ParsedArticle, people: list[Entity], orgs: list[Entity], dates: list[DateMention], memo: Memo | None = None
) -> list[Agreement]:
    """One Agreement per agreement statement (predicate occurrence); ``memo``: the article's pattern
    matches from earlier runs, brought up to date."""
    if memo is not None:
        _forget_other_patterns(memo)
    kept = [c for c in analyse(parsed, people, orgs, dates, memo) if not c.excluded_by]
    parties = PartyIndex.of(people, orgs)
    rows = sorted((agreement(parsed, c, parties) for c in kept), key=lambda a: (a.start, a.predicate))
    return mark_repeats(rows, parsed)


def _row(c: Cand) -> dict:
    return {
        "predicate": c.cls,
        "status": c.status,
        "content": c.content,
        "date": c.date,
        "parties": " | ".join(c.parties),
        "instrument": c.instrument,
        "event": c.event,
        "date_from": c.date_from,
        "rule": c.rule,
        "excluded_by": c.excluded_by,
    }


def example(rule_id: str, text: str, nlp: Language | None, published: str | None) -> list[dict]:
    """What rule ``rule_id`` does to an example text: its rows, its statuses or what it excluded."""
    from ..examples import parse_example
    from ..families import run_all

    parsed = parse_example(text, nlp, published)
    found = run_all(parsed, upto="agreements")
    kind = config().by_id(rule_id).get("kind")
    if kind == "repeat":
        rows = extract(parsed, found["people"][1], found["organizations"][1], found["dates"])
        starts = {a.start: a for a in rows}
        return [_repeat_row(a, starts[a.repeat_of]) for a in rows if a.repeat_of >= 0]
    cands = analyse(parsed, found["people"][1], found["organizations"][1], found["dates"])
    if kind == "exclude":
        picked = [c for c in cands if c.excluded_by == rule_id]
    elif kind == "status":
        picked = [c for c in cands if not c.excluded_by and c.status_rule == rule_id]
    else:
        picked = [c for c in cands if not c.excluded_by and c.rule == rule_id]
    return [_row(c) for c in picked]


def _repeat_row(a: Agreement, first: Agreement) -> dict:
    return {"predicate": a.predicate, "content": a.content, "repeats": first.content, "date": a.date}


def _extract(parsed: ParsedArticle, inputs: Mapping[str, Any], memo: Memo | None) -> list[Agreement]:
    return extract(parsed, inputs["people"][1], inputs["organizations"][1], inputs["dates"], memo)


FAMILY = Family(
    name="agreements",
    module="extract.agreements",
    rule_files=(RULES,),
    reads_parse=True,
    reads=("dates", "people", "organizations"),
    memo=Memo,
    extract=_extract,
    example=example,
    touches=touches,
)
