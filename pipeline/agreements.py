"""Agreements rule family."""
from __future__ import annotations

from .records import Agreement, DateMention, Entity, ParsedArticle


def extract(parsed: ParsedArticle, people: list[Entity], orgs: list[Entity],
            dates: list[DateMention]) -> list[Agreement]:
    return []
