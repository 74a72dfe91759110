"""Article-level facts for articles.csv: title, source (publisher) and published date."""

from __future__ import annotations

import re
from functools import lru_cache

from .. import rulebook
from ..records import Article, ArticleFacts
from . import dates

ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MEANINGFUL = re.compile(r"[\w\u3040-\u30ff\u3400-\u9fff]{4,}")
# A line that opens an article without naming it: a label or credit alone (【ワシントン=共同】), a date
# line (令和8年5月3日, 2026年5月3日(日) 10:05).
NOT_A_TITLE = re.compile(
    r"^(?:【[^】]*】|(?:令和|平成|昭和)?[\d元]{1,4}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?"
    r"(?:\s*[(（][月火水木金土日](?:曜日?)?[)）])?(?:\s*\d{1,2}(?::\d{2}|時\d{0,2}分?))?)$"
)


def title(article: Article) -> str:
    """The page's own title (web pages), else the first body line with some words in it."""
    if article.meta.get("title") and MEANINGFUL.search(article.meta["title"]):
        return article.meta["title"][:200]
    for s in article.sentences:
        line = article.text[s.start : s.end].strip()
        if s.section == "body" and MEANINGFUL.search(line) and not NOT_A_TITLE.match(line):
            return line[:200]
    return ""


def source(article: Article) -> str:
    """The publisher: from the sidecar, else the first source rule that matches the text."""
    if article.meta.get("source"):
        return article.meta["source"]
    return next(filter(None, (_match_source(r, article.text) for r in rulebook.load("sources").rules)), "")


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    return {e["alias"]: e["name"] for e in rulebook.load("sources").entries}


def _match_source(rule: rulebook.Rule, text: str) -> str:
    m = rule.regex.search(text)
    # a rule with alternatives names its groups source, source2, …: the one that matched
    found = [v for k, v in m.groupdict().items() if k.startswith("source") and v] if m else []
    name = found[0].strip() if found else ""
    return _aliases().get(name, name)


def published(article: Article) -> tuple[str, str]:
    """(ISO date, where from): sidecar first, then the text, else nothing."""
    meta = article.meta.get("published", "")
    if meta:
        value = meta.strip()[:10].replace("/", "-")
        if ISO_DATE.match(value):
            return value, "metadata"
    found = dates.find_published(article.text, article.sentences)
    if found:
        return found[0], "text"
    return "", "none"


def article_facts(article: Article) -> ArticleFacts:
    value, origin = published(article)
    return ArticleFacts(title=title(article), source=source(article), published=value, published_from=origin)


def example(rule_id: str, text: str, nlp: object, published: str | None) -> list[dict]:
    """What one source rule finds in an example text (for the rule-example tests)."""
    name = _match_source(rulebook.load("sources").by_id(rule_id), text)
    return [{"source": name}] if name else []


SOURCE_RULES = rulebook.RuleSet(name="sources", module="extract.facts", rule_files=("sources",), example=example)
