"""People rule family: named individuals, with the title and country the text gives them.

Rules live in ``rules/people.yaml``, titles and offices in ``rules/offices.yaml``. Signals:

- an office right after a name (山田防衛大臣, グレイソン米国防長官) or before it in a byline
  (防衛事務官 青井 美咲, Cpl. Daniel Turner) — the strongest;
- GiNZA's Person entities, split from the titles GiNZA glues onto them;
- Sudachi 人名 tags (GiNZA ``tag_`` 名詞-固有名詞-人名-姓/名/一般), katakana ・-names, Latin names;
- names already found, repeated bare elsewhere in the article.

fugashi with UniDic-lite is a second, independent tokeniser and dictionary. Its jobs:
(1) a second opinion on 人名 where GiNZA's tag stands alone (Sudachi tags 英豪 人名-名; UniDic does not);
(2) telling katakana words UniDic does not know — foreign names (グレイソン, ボーデン) — from known
common nouns and places (ソード, オフィス, アメリカ); (3) readings and English glosses of name parts
(ジェームズ → James, 山田 → ヤマダ), to pair a name with its romanised form (ジェームズ・ボーデン = BORDEN JAMES).

Nothing heavy is loaded at import: the rule files, spaCy's Matcher and fugashi load on first use.

The package, in the order a document goes through it:

- ``dictionaries``: the rule-file dictionaries (offices, prefixes, word lists, macros);
- ``unidic``: the fugashi/UniDic adapter (words, 人名/地名 tags, readings);
- ``sentence``: one sentence as the rules see it (``Sent``), the 人名/地名 tag tests, and ``Hit``;
- ``names``: where a name starts or ends next to an office, and the country the text gives it;
- ``rules``: one function per sentence rule of ``people.yaml``, and how overlapping hits resolve;
- ``romaji``: romanisation, to pair a name with its Latin spelling;
- ``article``: every rule over an article's sentences, then name pairing and bare repeats;
- ``merging``: hits grouped per individual, one ``Entity`` each.
"""

from __future__ import annotations

from typing import Any

from ...records import Entity, Mention, ParsedArticle
from ..families import Family
from .article import name_links, run_rules, sentences
from .dictionaries import KIND_RANK, Lexicon, Office, lexicon
from .merging import LABEL, canonical, merge, to_entity
from .romaji import part_matches, romanize, skeleton
from .sentence import Hit
from .unidic import reading

__all__ = [
    "FAMILY",
    "KIND_RANK",
    "LABEL",
    "Entity",
    "Hit",
    "Lexicon",
    "Mention",
    "Office",
    "example",
    "extract",
    "lexicon",
    "part_matches",
    "reading",
    "romanize",
    "skeleton",
]


def extract(parsed: ParsedArticle) -> tuple[list[Mention], list[Entity]]:
    """PERSON mentions and one Entity per individual of the article."""
    _, kept, _ = run_rules(sentences(parsed))
    entities = [to_entity(g) for g in merge(kept, name_links(kept))]
    mentions = sorted((m for e in entities for m in e.mentions), key=lambda m: (m.start, m.end))
    return mentions, entities


# ------------------------------------------------------------------ rule examples


def example(rule_id: str, text: str, nlp: Any, published: str | None) -> list[dict]:
    """What rule ``rule_id`` finds in ``text``: [{'text', 'person', 'title', 'country'}]."""
    from ..examples import parse_example

    sents = sentences(parse_example(text, nlp, published))
    raw, kept, pairs = run_rules(sents, only=rule_id)
    groups = merge(kept, name_links(kept))
    names = {(h.start, h.end): canonical(g) for g in groups for h in g}
    if rule_id == "person.name_pairing":
        return [
            {
                "text": lat.text,
                "person": partner.name,
                "title": lat.title or partner.title,
                "country": lat.country or partner.country,
            }
            for lat, partner in pairs
        ]
    return [
        {"text": h.text, "person": _entity_name(h, names), "title": h.title, "country": h.country}
        for h in raw
        if h.rule == rule_id
    ]


def _entity_name(h: Hit, names: dict[tuple[int, int], str]) -> str:
    if (h.start, h.end) in names:
        return names[(h.start, h.end)]
    return next((n for (a, b), n in names.items() if a <= h.start and h.end <= b), h.name)


FAMILY = Family(
    name="people",
    module="extract.people",
    rule_files=("people", "offices"),
    packages=("fugashi", "unidic-lite"),  # the second tagger: UniDic's 人名 tags
    reads_parse=True,
    extract=lambda parsed, _inputs, _memo: extract(parsed),
    example=example,
    anchored=("offices",),  # titles and prefixes: literal alternatives of the name patterns
)
