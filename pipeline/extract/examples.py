"""Rule examples as the rule families see real articles: sentences split by the cleaner, one Doc each."""

from __future__ import annotations

from typing import Any

from ..parse.ginza import parse_article
from ..prepare.cleaning import segment
from ..records import ParsedArticle


def parse_example(text: str, nlp: Any, published: str | None = None) -> ParsedArticle:
    """A rule example's text, parsed in this process (no cache)."""
    return parse_article("example", text, segment(text), nlp, published)
