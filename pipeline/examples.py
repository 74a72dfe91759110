"""Rule examples as the rule families see real articles: sentences split by the cleaner, one Doc each."""
from __future__ import annotations

from . import cleaning
from .records import ParsedArticle


def parse_example(text: str, nlp, published: str | None = None) -> ParsedArticle:
    """A rule example's text, parsed in this process (no cache)."""
    sentences = cleaning.segment(text)
    return ParsedArticle("example", text, sentences, [nlp(text[s.start:s.end]) for s in sentences], published)
