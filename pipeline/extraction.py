"""Run every rule family over one parsed article."""
from __future__ import annotations

from . import agreements, dates, organizations, people
from .records import Extraction, ParsedArticle


def extract(parsed: ParsedArticle) -> Extraction:
    """People, organisations, dates, then agreements (which refer to the other three)."""
    found_dates = dates.extract_dates(parsed.text, parsed.sentences, parsed.published)
    person_mentions, persons = people.extract(parsed)
    org_mentions, orgs = organizations.extract(parsed)
    deals = agreements.extract(parsed, persons, orgs, found_dates)
    return Extraction(parsed.article_id, person_mentions + org_mentions, found_dates, persons, orgs, deals)
