"""Events rule family: the meetings, summits, calls, consultations and signings an article reports
(events.csv), one row per event.

The meetings are those the agreements family recognises (``events`` in agreements.yaml): this family
reads each sentence as that family does (``agreements.read_article``) and names each meeting the same
way, so that an agreement's ``event`` is its event's ``canonical``. Then (``grouping``):

- the mentions of one article are grouped into events: one per canonical name and date; an undated
  mention joins the dated event of its name its sentence's agreements name, else the latest before it;
- the agreements whose ``event`` is an event's name belong to it (the one with their date, else the
  nearest before them); an undated event takes the date its agreements give;
- ``kind`` rules (events.yaml) classify it, the ``place`` rule says where it was held (``places``);
- participants: the people acting in its sentences (は/が/と/も-marked) and its agreements' people;
  countries: its name's pair (日米 → JP | US), its participants' and its agreements' countries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...records import Agreement, DateMention, Entity, Event, ParsedArticle
from ..families import Family
from .grouping import events_of
from .rulefile import RULES, config

if TYPE_CHECKING:
    from spacy.language import Language


def extract(
    parsed: ParsedArticle,
    people: list[Entity],
    orgs: list[Entity],
    dates: list[DateMention],
    agreements: list[Agreement],
) -> list[Event]:
    """One Event per meeting the article reports, in the order of their first mention."""
    from ..agreements import read_article

    return events_of(read_article(parsed, people, orgs, dates), people, agreements)


def example(rule_id: str, text: str, nlp: Language | None, published: str | None) -> list[dict]:
    """The event rows rule ``rule_id`` classified (a kind rule) or placed (a place rule)."""
    from ..examples import parse_example
    from ..families import run_all

    parsed = parse_example(text, nlp, published)
    found = run_all(parsed, upto="events")
    events = extract(parsed, found["people"][1], found["organizations"][1], found["dates"], found["agreements"])
    rule = config().by_id(rule_id)
    picked = [e for e in events if (e.place if rule.get("kind") == "place" else e.rule == rule_id)]
    return [_row(e) for e in picked]


def _row(e: Event) -> dict:
    return {
        "event": e.event,
        "canonical": e.canonical,
        "date": e.date,
        "place": e.place,
        "participants": " | ".join(e.participants),
        "countries": " | ".join(e.countries),
        "kind": e.kind,
        "rule": e.rule,
    }


def _extract(parsed: ParsedArticle, inputs: Mapping[str, Any], memo: Any) -> list[Event]:
    return extract(parsed, inputs["people"][1], inputs["organizations"][1], inputs["dates"], inputs["agreements"])


FAMILY = Family(
    name="events",
    module="extract.events",
    rule_files=(RULES,),
    reads_parse=True,
    reads=("dates", "people", "organizations", "agreements"),
    uses=("agreements",),  # its sentence reader, meeting patterns and names: their code and rule file
    extract=_extract,
    example=example,
)
