"""Organisations rule family."""
from __future__ import annotations

from . import ginza_ner
from .records import Entity, Mention, ParsedArticle


def extract(parsed: ParsedArticle) -> tuple[list[Mention], list[Entity]]:
    found = ginza_ner.mentions(parsed, "ORG")
    return found, ginza_ner.group_by_text(found)
