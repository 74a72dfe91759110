"""The run: files → read → clean → de-duplicate → parse (cached) → rules → tables → CSV.

Data flows one way; each stage is a module of its own and this one only wires
them. Articles stream through extraction one at a time, so parsed documents
never pile up in memory.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import cleaning, dedup, export, facts, parsing, reading, rulebook, workers
from .cache import DiskCache
from .locking import OutputLock
from .records import Article, ArticleFacts, Removal
from .tables import TableBuilder, Tables

DEFAULT_CACHE = Path(os.environ.get("PIPELINE_CACHE", ".cache"))


@dataclass
class RunStats:
    files: int = 0
    failed: int = 0
    parsed_chars: int = 0  # characters that went through GiNZA this run (0 on a warm re-run)
    extracted: int = 0  # articles whose rules ran this run (0 when nothing changed)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the package's code and rule files: extraction results are reused only for the same rules."""
    digest = hashlib.sha256(rulebook.rules_fingerprint().encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def extraction_key(parse_key: str, published: str) -> str:
    return hashlib.sha256(f"{parse_key}|{published}|{code_fingerprint()}".encode()).hexdigest()


def prepare(f: reading.InputFile, cache: DiskCache | None = None) -> Article:
    """Read, clean, de-duplicate blocks and split sentences; errors land on the article.

    With a cache, an unchanged file (same bytes, same code and rules) skips straight to its result.
    """
    article = reading.read(f)
    if article.error:
        return article
    # The id is part of the key: removals name their article ("id:offset"), and two files may share bytes.
    key = hashlib.sha256(f"{article.article_id}|{article.sha256}|{reading.is_html(f)}|{code_fingerprint()}"
                         .encode()).hexdigest()
    payload = cache.get(key) if cache is not None else None
    if payload is not None:
        try:
            article.clean, article.removals, article.sentences, article.signature = pickle.loads(payload)
            return article
        except Exception:  # noqa: BLE001 - unreadable entry: recompute it
            cache.discard(key)
    try:
        clean_text, markup = cleaning.clean(article.raw, html=reading.is_html(f))
        kept, repeats = dedup.dedup_blocks(article.article_id, clean_text)
        article.clean = kept
        article.removals = sorted(markup + _outside(repeats, markup), key=lambda r: r.start)
        article.sentences = cleaning.segment(kept.text)
        article.signature = dedup.signature(kept.text)
        if not article.sentences:
            article.error = "no text left after cleaning"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        article.error = f"cleaning failed: {type(exc).__name__}: {exc}".splitlines()[0]
    if cache is not None and not article.error:
        cache.put(key, pickle.dumps((article.clean, article.removals, article.sentences, article.signature)))
    return article


def _outside(removals: list[Removal], taken: list[Removal]) -> list[Removal]:
    """``removals`` minus the raw spans already in ``taken``, so no character is counted twice."""
    out = []
    for r in removals:
        pieces = [(r.start, r.end)]
        for t in taken:
            pieces = [p for a, b in pieces for p in ((a, min(b, t.start)), (max(a, t.end), b)) if p[0] < p[1]]
        out += [Removal(a, b, r.kind, r.duplicate_of) for a, b in pieces]
    return out


def sentence_texts(article: Article) -> list[str]:
    return [article.text[s.start:s.end] for s in article.sentences]


def mark_duplicate(index: dedup.ArticleIndex, article: Article) -> None:
    """A near-duplicate of an earlier article (a repost) keeps its row but is not parsed."""
    earlier = index.check_and_add(article.article_id, article.text, article.signature)
    if earlier:
        article.duplicate_of = earlier
        article.removals = [Removal(0, len(article.raw), "article", f"{earlier}:0")]


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
    cache_root = Path(cache_dir or DEFAULT_CACHE)
    lock = OutputLock(out_path) if out_path is not None else None
    if lock:
        lock.acquire()
    try:
        return _run(corpus, out_path, jobs or os.cpu_count() or 1, cache_root, progress, fast)
    finally:
        if lock:
            lock.release()


def _run(corpus: Path, out: Path | None, jobs: int, cache_root: Path, progress: bool,
         fast: bool) -> tuple[Tables, RunStats]:
    rulebook.all_rule_files()  # a malformed rule file stops the run here, naming file, rule and reason
    files = reading.discover(corpus)
    prepared = DiskCache(cache_root / "prepare", ".pickle")
    results = workers.result_store(cache_root)
    index = dedup.ArticleIndex()
    articles: list[Article] = []
    info: dict[str, ArticleFacts] = {}
    keys: dict[str, str] = {}
    with _progress_bar(progress) as bar, workers.Pool(cache_root, jobs, fast, bar.update) as pool:
        # Articles stream: each one is handed to the parser as soon as it is read, cleaned and de-duplicated.
        for f in files:
            article = prepare(f, prepared)
            articles.append(article)
            if not article.ok:
                continue
            mark_duplicate(index, article)
            info[article.article_id] = facts.article_facts(article)
            if article.duplicate_of:
                continue
            job = _job(article, info[article.article_id].published)
            keys[article.article_id] = job.result_key
            if not results.has(job.result_key):
                bar.grow(len(job.text))
                pool.submit(job)
    outcomes = pool.outcomes
    stats = RunStats(files=len(files), extracted=len(outcomes), parsed_chars=sum(o.parsed_chars for o in outcomes))
    errors = {o.article_id: o.error for o in outcomes if o.error}
    builder = TableBuilder()
    for article in articles:
        if article.article_id in errors:
            article.error = errors[article.article_id]
        elif article.article_id in keys:
            found = workers.load_result(results, keys[article.article_id])
            if found is None:
                article.error = "extraction result missing or corrupt in the cache; run again"
            else:
                builder.add_extraction(article, found)
        builder.add_article(article, info.get(article.article_id, ArticleFacts()) if article.ok else ArticleFacts())
        if out is not None and article.ok:
            export.export_clean_text(article.article_id, article.text, out)
    tables = builder.build()
    stats.failed = int((tables.articles["status"] == "error").sum())
    if out is not None:
        export.export(tables, out)
    return tables, stats


def _job(article: Article, published: str) -> workers.Job:
    parse_key = parsing.cache_key(sentence_texts(article))
    return workers.Job(article.article_id, parse_key, extraction_key(parse_key, published), article.text,
                       tuple(article.sentences), published or None)


class _progress_bar:
    """A tqdm bar over the characters handed to the workers, on stderr, silent when it is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=0, unit="char", unit_scale=True, desc="parsing", file=sys.stderr)

    def grow(self, chars: int) -> None:
        if self.bar is not None:
            self.bar.total += chars
            self.bar.refresh()

    def update(self, chars: int) -> None:
        if self.bar is not None:
            self.bar.update(chars)

    def __enter__(self) -> "_progress_bar":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()
