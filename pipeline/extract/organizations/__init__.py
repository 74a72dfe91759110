"""Organisations rule family: ORG mentions and one Entity per institution of an article.

Rules live in ``rules/organizations.yaml`` (patterns) and ``rules/institutions.yaml``
(the dictionary of known bodies). Every rule proposes *candidates* (a span of a
sentence naming an ``Org``); overlapping candidates are resolved longest-first,
then abbreviations the text defines are learnt, GiNZA's entities fill what is
left (kept unless a counter-rule rejects them), and the candidates of one ``Org`` become one ``Entity``.

Offsets: a candidate is found on one sentence (``parsed.docs[i]``) and stored in
clean-text offsets (``sentence.start + token.idx``).

The package, in the order a document goes through it:

- ``lexicon``: the rule files, the dictionary (``Org``, ``Alias``, ``lookup``), name forms and country prefixes;
- ``sentence``: one sentence as the rules see it (``Sent``) and a candidate (``Cand``);
- ``known``: org.dictionary, org.coordinated_services, org.country_qualified_force;
- ``suffixes``: the suffix rules' token patterns (spaCy's Matcher and its screen) and their candidates;
- ``naming``: whether a suffix match names an organisation, and its sub-unit, kind and country;
- ``companies``: org.company_legal_form, org.company_word, org.company_context, org.party_suffix;
- ``credits``: org.media_credit (wire credits and copyright footers);
- ``abbreviations``: org.abbrev_defined;
- ``ginza_signal``: org.ginza_signal (GiNZA's organisation entities and the counter-rules that reject them);
- ``article``: every rule over an article's sentences, overlaps resolved;
- ``merging``: the candidates of one institution as one ``Entity``.
"""

from __future__ import annotations

from typing import Any

from ...records import Entity, Mention, ParsedArticle
from ..families import Family
from .abbreviations import learn_abbreviations, learnt_mentions
from .article import candidates, resolve, sentence_cands
from .ginza_signal import ginza_cands
from .known import coordinated_cands, dictionary_cands, force_cands
from .lexicon import DICTIONARY_FILE, RULE_FILE, Alias, Org, country_of, display, fold, lookup, norm
from .merging import LABEL, build_entities
from .sentence import Cand, Sent
from .suffixes import suffix_cands

__all__ = [
    "DICTIONARY_FILE",
    "FAMILY",
    "LABEL",
    "RULE_FILE",
    "Alias",
    "Cand",
    "Org",
    "Sent",
    "build_entities",
    "candidates",
    "coordinated_cands",
    "country_of",
    "dictionary_cands",
    "display",
    "example",
    "extract",
    "fold",
    "force_cands",
    "ginza_cands",
    "learn_abbreviations",
    "learnt_mentions",
    "lookup",
    "norm",
    "resolve",
    "sentence_cands",
    "suffix_cands",
]


def extract(parsed: ParsedArticle) -> tuple[list[Mention], list[Entity]]:
    """ORG mentions (label 'ORG', canonical, rule id) and one Entity per institution of the article."""
    return build_entities(candidates(parsed), parsed)


def example(rule_id: str, text: str, nlp: Any, published: str | None) -> list[dict]:
    """Parse ``text``, run the rules, keep what rule ``rule_id`` produced (one dict per mention)."""
    from ..examples import parse_example

    mentions, entities = extract(parse_example(text, nlp, published))
    by_mention = {(m.start, m.end, m.rule): e for e in entities for m in e.mentions}
    return [
        {"text": m.text, "organization": e.name, "abbreviation": e.abbreviation, "kind": e.kind, "country": e.country}
        for m in mentions
        if m.rule == rule_id
        for e in [by_mention[(m.start, m.end, m.rule)]]
    ]


FAMILY = Family(
    name="organizations",
    module="extract.organizations",
    rule_files=(RULE_FILE, DICTIONARY_FILE),
    reads_parse=True,
    extract=lambda parsed, _inputs, _memo: extract(parsed),
    example=example,
    anchored=(DICTIONARY_FILE,),  # names, abbreviations and aliases, found where they are written
)
