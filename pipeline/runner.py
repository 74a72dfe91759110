"""The run: files → read → clean → de-duplicate → parse (cached) → rules → tables → CSV.

Data flows one way; each stage is a module of its own and this one only wires
them. Articles stream through extraction one at a time, so parsed documents
never pile up in memory.
"""
from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from spacy.vocab import Vocab

from . import cleaning, dedup, export, extraction, facts, parsing, reading
from .locking import OutputLock
from .records import Article, ParsedArticle, Removal
from .tables import ArticleFacts, TableBuilder, Tables

DEFAULT_CACHE = Path(os.environ.get("PIPELINE_CACHE", ".cache"))


@dataclass
class RunStats:
    files: int = 0
    failed: int = 0
    parsed_chars: int = 0  # characters that went through GiNZA this run (0 on a warm re-run)


def prepare(f: reading.InputFile) -> Article:
    """Read, clean, de-duplicate blocks and split sentences; errors land on the article."""
    article = reading.read(f)
    if article.error:
        return article
    try:
        clean_text, markup = cleaning.clean(article.raw, html=reading.is_html(f))
        kept, repeats = dedup.dedup_blocks(article.article_id, clean_text)
        article.clean = kept
        article.removals = sorted(markup + repeats, key=lambda r: r.start)
        article.sentences = cleaning.segment(kept.text)
        if not article.sentences:
            article.error = "no text left after cleaning"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        article.error = f"cleaning failed: {type(exc).__name__}: {exc}".splitlines()[0]
    return article


def sentence_texts(article: Article) -> list[str]:
    return [article.text[s.start:s.end] for s in article.sentences]


def mark_article_duplicates(articles: list[Article]) -> None:
    """Near-duplicate articles (a repost of an earlier one) keep a row but are not parsed."""
    index = dedup.ArticleIndex()
    for a in articles:
        if not a.ok:
            continue
        earlier = index.check_and_add(a.article_id, a.text)
        if earlier:
            a.duplicate_of = earlier
            a.removals = [Removal(0, len(a.raw), "article", f"{earlier}:0")]


def run(corpus: str | Path, out: str | Path | None = None, jobs: int | None = None,
        cache_dir: str | Path | None = None, progress: bool = True, fast: bool = True) -> Tables:
    """Run the whole pipeline on ``corpus``; write CSVs to ``out`` when given; return the tables."""
    tables, _ = run_with_stats(corpus, out, jobs, cache_dir, progress, fast)
    return tables


def run_with_stats(corpus: str | Path, out: str | Path | None = None, jobs: int | None = None,
                   cache_dir: str | Path | None = None, progress: bool = True,
                   fast: bool = True) -> tuple[Tables, RunStats]:
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise NotADirectoryError(f"corpus folder not found: {corpus}")
    out_path = Path(out) if out is not None else None
    cache = parsing.ParseCache(Path(cache_dir or DEFAULT_CACHE) / "parse")
    lock = OutputLock(out_path) if out_path is not None else None
    if lock:
        lock.acquire()
    try:
        return _run(corpus, out_path, jobs or os.cpu_count() or 1, cache, progress, fast)
    finally:
        if lock:
            lock.release()


def _run(corpus: Path, out: Path | None, jobs: int, cache: parsing.ParseCache, progress: bool,
         fast: bool) -> tuple[Tables, RunStats]:
    files = reading.discover(corpus)
    articles = [prepare(f) for f in files]
    mark_article_duplicates(articles)
    todo = [a for a in articles if a.ok and not a.duplicate_of]
    keys = {a.article_id: parsing.cache_key(sentence_texts(a)) for a in todo}
    stats = RunStats(files=len(files))
    with _progress_bar(progress, sum(len(a.text) for a in todo if not cache.has(keys[a.article_id]))) as tick:
        stats.parsed_chars = parsing.parse_into_cache(
            [(keys[a.article_id], sentence_texts(a)) for a in todo], cache, jobs, fast, tick)
    builder = TableBuilder()
    vocab = Vocab()
    for article in articles:
        info = ArticleFacts()
        if article.ok and not article.duplicate_of:
            info = _extract_one(article, keys[article.article_id], cache, vocab, builder)
        elif article.ok:
            info = facts.article_facts(article)
        builder.add_article(article, info)
        if out is not None and article.ok:
            export.export_clean_text(article.article_id, article.text, out)
    tables = builder.build()
    stats.failed = int((tables.articles["status"] == "error").sum())
    if out is not None:
        export.export(tables, out)
    return tables, stats


def _extract_one(article: Article, key: str, cache: parsing.ParseCache, vocab: Vocab,
                 builder: TableBuilder) -> ArticleFacts:
    try:
        docs = cache.load(key, sentence_texts(article), vocab)
        if docs is None:
            raise RuntimeError("parse cache entry missing or corrupt after parsing")
        info = facts.article_facts(article)
        parsed = ParsedArticle(article.article_id, article.text, article.sentences, docs, info.published or None)
        builder.add_extraction(article, extraction.extract(parsed))
        return info
    except Exception as exc:  # noqa: BLE001 - report on the article's row and go on
        if os.environ.get("PIPELINE_DEBUG"):
            traceback.print_exc()
        article.error = f"extraction failed: {type(exc).__name__}: {exc}".splitlines()[0]
        return ArticleFacts()


class _progress_bar:
    """A tqdm bar over parsed characters on stderr, silent when stderr is not a terminal."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.bar = None
        if enabled and total and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="char", unit_scale=True, desc="parsing", file=sys.stderr)

    def __enter__(self) -> Callable[[int], None] | None:
        return self.bar.update if self.bar else None

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.close()
