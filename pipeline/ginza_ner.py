"""GiNZA's own named entities as one signal among the rule families' others.

Maps GiNZA's extended named-entity labels onto the contract's PERSON/ORG and
gives each mention the rule id ``ginza_ner``.
"""
from __future__ import annotations

from .records import Entity, Mention, ParsedArticle

RULE = "ginza_ner"
LABELS = {
    "Person": "PERSON",
    "Company": "ORG", "Company_Group": "ORG", "Corporation_Other": "ORG", "Organization_Other": "ORG",
    "Government": "ORG", "Military": "ORG", "Public_Institution": "ORG", "International_Organization": "ORG",
    "Political_Organization_Other": "ORG", "Political_Party": "ORG", "Newspaper": "ORG",
    "Show_Organization": "ORG", "Research_Institute": "ORG",
}


def mentions(parsed: ParsedArticle, label: str) -> list[Mention]:
    """GiNZA entities of the contract label ``label`` (PERSON or ORG), in clean-text offsets."""
    out = []
    for sent, doc in zip(parsed.sentences, parsed.docs):
        for ent in doc.ents:
            if LABELS.get(ent.label_) == label and ent.text.strip():
                start = sent.start + ent.start_char
                out.append(Mention(label, ent.text, start, start + len(ent.text), sent.index, ent.text, RULE))
    return out


def group_by_text(found: list[Mention]) -> list[Entity]:
    """One entity per distinct surface: the simplest merge, before any rule knows better."""
    by_text: dict[str, Entity] = {}
    for m in found:
        by_text.setdefault(m.text, Entity(m.label, m.text, rule=RULE)).mentions.append(m)
    return list(by_text.values())
