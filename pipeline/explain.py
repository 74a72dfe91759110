"""``python -m pipeline explain``: which rule produced each item, and over which tokens."""

from __future__ import annotations

from pathlib import Path

from .extract import extraction, facts
from .parse import ginza
from .prepare import cleaning, reading, stage
from .records import Article, ParsedArticle


def _is_file(target: str) -> bool:
    """A path to a file; a long text or one with a newline is never taken for a path (File name too long)."""
    if "\n" in target or len(target.encode()) > 4096:
        return False
    try:
        return Path(target).is_file()
    except OSError:
        return False


def _article_for(target: str, corpus: Path) -> Article:
    """A file path, an article id of the corpus, or else the text itself."""
    path: Path | None = Path(target)
    if not _is_file(target):
        path = (
            next((f.path for f in reading.discover(corpus) if f.article_id == target), None)
            if corpus.is_dir()
            else None
        )
    if path is not None:
        return stage.prepare(reading.InputFile(path, path.name, reading.article_id_for(path.name)))
    text, _ = cleaning.clean(target)
    article = Article("explain", "<text>", "", raw=target, clean=text)
    article.sentences = cleaning.segment(text.text)
    return article


def parse(article: Article, nlp) -> ParsedArticle:
    """A prepared article parsed in this process (no cache), as the rule families see it."""
    published = facts.article_facts(article).published or None
    return ginza.parse_article(article.article_id, article.text, article.sentences, nlp, published)


def _tokens(doc, start: int, end: int) -> str:
    """The tokens of ``doc`` overlapping [start, end) (doc-relative), with their tags."""
    return " ".join(f"{t.text}/{t.tag_}" for t in doc if t.idx < end and t.idx + len(t.text) > start)


def explain(target: str, corpus: Path = Path("corpus")) -> str:
    article = _article_for(target, corpus)
    if article.error:
        return f"{target}: {article.error}"
    parsed = parse(article, ginza.load_model())
    docs, published = parsed.docs or [], parsed.published
    found = extraction.extract(parsed)
    lines = [f"# {article.article_id}: {len(article.sentences)} sentences, published {published or '-'}"]

    def where(sentence_index: int, start: int, end: int) -> str:
        sent = article.sentences[sentence_index]
        return _tokens(docs[sentence_index], start - sent.start, end - sent.start)

    for m in sorted(found.mentions, key=lambda m: m.start):
        lines.append(
            f"{m.label:<7} {m.text} → {m.canonical}  [{m.rule}]  s{m.sentence_index}: "
            f"{where(m.sentence_index, m.start, m.end)}"
        )
    for d in found.dates:
        lines.append(
            f"DATE    {d.text} → {d.value} ({d.kind}, {d.anchor})  [{d.rule}]  s{d.sentence_index}: "
            f"{where(d.sentence_index, d.start, d.end)}"
        )
    for q in found.amounts:
        lines.append(
            f"AMOUNT  {q.text} → {q.value or '-'} {q.unit} ({q.kind}{', approx' if q.approx else ''})  "
            f"[{q.rule}]  s{q.sentence_index}: {where(q.sentence_index, q.start, q.end)}"
        )
    for a in found.agreements:
        lines.append(
            f"AGREE   {a.predicate} {a.status} {a.date or '-'} parties={'|'.join(a.parties) or '-'} "
            f"[{a.rule}]  s{a.sentence_index}: {where(a.sentence_index, a.start, a.start + 1)}\n"
            f"        content: {a.content}"
        )
    return "\n".join(lines)
