"""The run: files → read → clean → de-duplicate → parse (cached) → rules → tables → CSV (and xlsx, Parquet).

Data flows one way; each stage is a module of its own and this one only wires
them. Articles stream through extraction one at a time, so parsed documents
never pile up in memory.
"""

from __future__ import annotations

import copy
import os
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import rulebook, rulecheck
from ..cache import DEFAULT_CACHE, Caches
from ..extract import extraction, facts
from ..output import manifest
from ..output.locking import OutputLock, OutputUnusable, check_writable, has_tables
from ..parse import ginza
from ..prepare import dedup, reading, reposts
from ..prepare.stage import prepare
from ..records import Article, ArticleFacts, Extraction
from . import server
from .pool import Pool, wait_for_exits
from .progress import ProgressBar
from .workers import Job

if TYPE_CHECKING:  # the tables stage imports pandas: loaded while the workers parse, not before
    from ..output.tables import Tables
    from .session import Session


TARGETS = {
    "xlsx": "tables.xlsx",
    "parquet": "parquet/",
    "report": "report/",
}  # where each format other than CSV writes, under out


@dataclass
class RunStats:
    files: int = 0
    failed: int = 0
    parsed_chars: int = 0  # characters that went through GiNZA this run (0 on a warm re-run)
    parse_s: float = 0.0  # seconds the workers spent parsing them (summed over workers)
    extracted: int = 0  # articles where some rule family ran this run (0 when nothing changed)
    families: Counter = field(default_factory=Counter)  # rule family → articles it ran on this run
    table_sizes: dict[str, int] = field(default_factory=dict)  # rows per table
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) of every failed file
    up_to_date: bool = False  # nothing changed since the last run into the same folder: nothing was done
    near_duplicates: int = 0  # articles that repeat an earlier one (only their new blocks were parsed)
    export_errors: list[str] = field(default_factory=list)  # the workbook or Parquet files not written, and why
    inputs: str = ""  # on a cluster: shared (the workers read the corpus) or data (sent to them); else empty

    def summary(self) -> str:
        if self.up_to_date:
            return "0 chars parsed, 0 articles extracted (outputs already up to date)"
        ran = ", ".join(f"{name} {n}" for name, n in self.families.items())
        return f"{self.parsed_chars} chars parsed, {self.extracted} articles extracted ({ran or 'all cached'})"

    def record(self) -> dict:
        """What the manifest keeps of this run, to report it again when nothing changes."""
        return {
            "files": self.files,
            "failed": self.failed,
            "near_duplicates": self.near_duplicates,
            "table_sizes": self.table_sizes,
            "errors": [list(e) for e in self.errors],
        }

    @classmethod
    def recorded(cls, summary: dict) -> RunStats:
        return cls(
            files=summary["files"],
            failed=summary["failed"],
            near_duplicates=summary.get("near_duplicates", 0),
            table_sizes=dict(summary["table_sizes"]),
            errors=[tuple(e) for e in summary["errors"]],
            up_to_date=True,
        )


def run(
    corpus: str | Path,
    out: str | Path | None = None,
    jobs: int | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
    fast: bool = True,
    max_bytes: int = reading.DEFAULT_MAX_BYTES,
    allow_empty: bool = False,
    xlsx: bool = True,
    parquet: bool = False,
    report: bool = True,
    scheduler: Any = None,
) -> Tables:
    """Run the whole pipeline on ``corpus``; write CSVs (and ``tables.xlsx`` unless ``xlsx=False``, Parquet files
    with ``parquet=True``) to ``out`` when given; return the tables. A workbook or Parquet file that cannot be
    written is a warning: the tables are returned and the CSVs are written. ``scheduler`` (a Dask scheduler's
    address, ``local:N`` or a ``distributed.Client``) parses and extracts on that cluster instead of here."""
    tables, stats = run_with_stats(
        corpus,
        out,
        jobs,
        cache_dir,
        progress,
        fast,
        max_bytes=max_bytes,
        allow_empty=allow_empty,
        xlsx=xlsx,
        parquet=parquet,
        report=report,
        scheduler=scheduler,
    )
    for error in stats.export_errors:
        warnings.warn(error, RuntimeWarning, stacklevel=2)
    assert tables is not None
    return tables


def run_with_stats(
    corpus: str | Path,
    out: str | Path | None = None,
    jobs: int | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
    fast: bool = True,
    reuse_outputs: bool = False,
    max_bytes: int = reading.DEFAULT_MAX_BYTES,
    allow_empty: bool = False,
    xlsx: bool = True,
    parquet: bool = False,
    report: bool = True,
    hold_lock: bool = True,
    scheduler: Any = None,
    session: Session | None = None,
) -> tuple[Tables | None, RunStats]:
    """The run and what it did. With ``reuse_outputs``, a run whose inputs, code, rules, packages and output
    formats are those of the last run into ``out``, whose files are untouched, returns ``(None, stats)``
    at once (``stats.up_to_date``) instead of rebuilding identical tables. ``stats.export_errors`` says which
    of the workbook and the Parquet files could not be written (the CSVs were; the run is then not recorded as
    complete, so the next one writes them again). ``session``: what a long-lived caller (``watch``) keeps
    between its runs — cache entries in memory, articles' facts, workers forked from itself."""
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise NotADirectoryError(f"corpus folder not found: {corpus}")
    out_path = Path(out) if out is not None else None
    cache_root = Path(cache_dir or DEFAULT_CACHE)
    if out_path is not None:
        check_writable(out_path)  # before any work: a read-only folder is said now, not after parsing
    lock = OutputLock(out_path) if out_path is not None and hold_lock else None  # else the caller holds it
    if lock:
        lock.acquire()
    formats = ("csv",) + ("xlsx",) * xlsx + ("parquet",) * parquet + ("report",) * report
    try:
        files = reading.discover(corpus, max_bytes)
        if not files and out_path is not None and has_tables(out_path) and not allow_empty:
            raise OutputUnusable(
                f"no article files in {corpus} (not mounted?): the tables in {out_path} are kept; "
                "--allow-empty replaces them with empty ones"
            )
        key = manifest.run_key(corpus, files, formats) if out_path is not None else None
        summary = manifest.current(out_path, key) if out_path is not None and reuse_outputs and key else None
        if summary is not None:
            return None, RunStats.recorded(summary)
        jobs = jobs or os.cpu_count() or 1
        if jobs > 1 and scheduler is None and not (session and session.forking):
            server.start_for(cache_root)  # the parsers get ready while the corpus is read
        tables, stats, written = _run(
            files, out_path, jobs, cache_root, progress, fast, formats, corpus, scheduler, session
        )
        if out_path is not None and key and not stats.export_errors:
            manifest.record(out_path, key, written, stats.record())
        return tables, stats
    finally:
        wait_for_exits()
        if lock:
            lock.release()


def _run(
    files: list[reading.InputFile],
    out: Path | None,
    jobs: int,
    cache_root: Path,
    progress: bool,
    fast: bool,
    formats: tuple[str, ...],
    corpus: Path,
    scheduler: Any = None,
    session: Session | None = None,
) -> tuple[Tables, RunStats, list[Path]]:
    rulecheck.check_all(Caches(cache_root).rules_checked)
    stats = RunStats(files=len(files))
    with ProgressBar(progress) as bar:
        articles, info, found = _extract_all(files, cache_root, jobs, fast, bar, stats, scheduler, session)
        tables, written, stats.export_errors = _tables(articles, info, found, out, bar, formats, corpus, session)
    stats.errors = [(r["path"], r["error"]) for r in tables.rows("articles") if r["status"] == "error"]
    stats.failed = len(stats.errors)
    stats.table_sizes = tables.sizes()
    return tables, stats, written


def _extract_all(
    files: list[reading.InputFile],
    cache_root: Path,
    jobs: int,
    fast: bool,
    bar: ProgressBar,
    stats: RunStats,
    scheduler: Any = None,
    session: Session | None = None,
) -> tuple[list[Article], dict[str, ArticleFacts], dict[str, Extraction]]:
    """Every file prepared, de-duplicated and extracted: here from the caches, else by the workers."""
    prepared, results = _stores(cache_root, session)
    index = dedup.ArticleIndex()
    by_id: dict[str, Article] = {}  # the articles a later one may repeat
    articles: list[Article] = []
    info: dict[str, ArticleFacts] = {}
    found: dict[str, Extraction] = {}
    bar.stage("reading", len(files))
    # A watch's workers are forked from it in milliseconds: every missing family runs there, in parallel.
    forks = session is not None and session.forking and session.jobs > 1
    with _pool(cache_root, jobs, fast, bar, scheduler, session) as pool:
        # Articles stream: each one is handed to the parser as soon as it is read, cleaned and de-duplicated.
        for article in _prepared(files, prepared, pool):
            bar.advance()
            bar.describe("reading")
            articles.append(article)
            if not article.ok:
                continue
            dedup.mark_duplicate(index, article)
            info[article.article_id] = _facts(article, session)  # title and date from the whole text
            by_id[article.article_id] = copy.copy(article)  # as read: a later article may repeat any of it
            if article.duplicate_of:
                stats.near_duplicates += 1
                if not reposts.keep_new_blocks(article, by_id[article.duplicate_of]):
                    continue  # a repost: nothing of its own to parse
            job = _job(article, info[article.article_id].published)
            if session is not None:
                session.seen[article.article_id] = job
            # What the caches answer without a parse is done here; the rest goes to the workers.
            try:
                bar.describe("extracting")
                carry = session.carry if session else None
                found[article.article_id], ran = extraction.extract_cached(
                    job.unparsed(), job.parse_key, results, carry=carry, defer=forks
                )
                stats.families.update(ran)
                stats.extracted += bool(ran)
            except extraction.NeedsParse as missing:
                stats.families.update(missing.ran)
                bar.grow(len(job.text))
                bar.describe("parsing" if jobs == 1 else "reading")  # with workers, submit only queues the job
                pool.submit(job)
            except rulebook.RuleError:
                raise
            except Exception as exc:  # noqa: BLE001 - the article's row says why; the run goes on
                article.error = f"extraction failed: {type(exc).__name__}: {exc}".splitlines()[0]
        bar.parsing()
        # The workers may still be parsing: load the tables and export stages (pandas) meanwhile.
        from ..output import export, tables  # noqa: F401
    errors = {}
    for o in pool.outcomes:
        stats.parsed_chars += o.parsed_chars
        stats.parse_s += o.parse_s
        stats.families.update(o.ran)
        stats.extracted += 1
        if o.found is not None:
            found[o.article_id] = o.found
        if o.error:
            errors[o.article_id] = o.error
    for article in articles:
        article.error = errors.get(article.article_id, article.error)
    stats.inputs = getattr(pool, "inputs", "")
    return articles, info, found


def _tables(
    articles: list[Article],
    info: dict[str, ArticleFacts],
    found: dict[str, Extraction],
    out: Path | None,
    bar: ProgressBar,
    formats: tuple[str, ...],
    corpus: Path,
    session: Session | None = None,
) -> tuple[Tables, list[Path], list[str]]:
    """The tables, and with ``out`` the clean texts and tables written there (returned, for the manifest), and
    the formats that could not be written."""
    from ..output import export
    from ..output.tables import Tables

    blocks, written = [], []
    if out is not None:
        manifest.forget(out)  # until the new one is written, this folder is not known to be current
    bar.stage("tables", len(articles), unit="article")
    for article in articles:
        bar.advance()
        ex = found.pop(article.article_id, None) if article.ok else None
        facts = info.get(article.article_id, ArticleFacts()) if article.ok else ArticleFacts()
        blocks.append(session.block(article, facts, ex) if session else _block(article, facts, ex))
        if out is not None and article.ok:
            write = session.write_if_changed if session else None
            written.append(export.export_clean_text(article.article_id, article.text, out, write))
            if article.format == "pdf":
                written.append(export.export_raw_text(article.article_id, article.raw, out, write))
    tables = Tables.of(blocks)
    if session is not None:
        session.keep_blocks(tables.blocks)  # an article gone from the corpus is forgotten
    if out is None:
        return tables, written, []
    files, errors = _write(tables, out, bar, formats, corpus)
    written += files
    export.remove_stale_texts(out, written)
    return tables, written, errors


def _block(article: Article, facts: ArticleFacts, ex: Extraction | None) -> Any:
    from ..output.tables import block

    return block(article, facts, ex)


def _write(
    tables: Tables, out: Path, bar: ProgressBar, formats: tuple[str, ...], corpus: Path
) -> tuple[list[Path], list[str]]:
    """Every format of the tables: the CSVs first (a failure there stops the run), then the others — the
    report last, read from the CSVs — each of which may fail alone and is then reported."""
    from ..output import export

    bar.stage("writing", len(formats), unit="format")
    written, errors = export.export(tables, out), []
    bar.advance()
    for fmt in formats[1:]:
        bar.describe(f"writing {fmt}")
        try:
            written += writer(fmt, corpus)(tables, out)
        except Exception as exc:  # noqa: BLE001 - the CSVs are written and stay; the caller says what failed
            errors.append(f"{out / TARGETS[fmt]} not written: {type(exc).__name__}: {exc}".splitlines()[0])
        bar.advance()
    bar.describe("writing")
    return written, errors


def writer(fmt: str, corpus: Path) -> Callable[[Tables, Path], list[Path]]:
    """The export of ``fmt``, imported only when asked for (XlsxWriter, pyarrow.parquet, matplotlib)."""
    if fmt == "report":
        from ..output import report

        return lambda _tables, out: report.build(out, corpus)
    if fmt == "xlsx":
        from ..output.workbook import export_workbook

        return lambda tables, out: [export_workbook(tables, out)]
    from ..output.parquet import export_parquet

    return export_parquet


def _prepared(files: list[reading.InputFile], store: Any, pool: Any) -> Iterator[Article]:
    """Each file read, cleaned and de-duplicated within itself, in order: here, or by the cluster's workers
    when they read the corpus themselves (``ClusterPool.prepared``)."""
    if hasattr(pool, "prepared"):
        return pool.prepared(files, store, pool.preload)
    return (prepare(f, store, on_miss=pool.preload) for f in files)


def _facts(article: Article, session: Session | None) -> ArticleFacts:
    return session.facts(article, facts.article_facts) if session else facts.article_facts(article)


def _stores(cache_root: Path, session: Session | None) -> tuple[Any, Any]:
    """The prepare and extract caches: on disk, or with ``session`` its in-memory layers over them."""
    caches = Caches(cache_root)
    if session is None:
        return caches.prepare, caches.extract
    return session.store("prepare", caches.prepare), session.store("extract", caches.extract)


def _pool(cache_root: Path, jobs: int, fast: bool, bar: ProgressBar, scheduler: Any, session: Session | None) -> Any:
    """The local engine's ``Pool``, with ``session`` its forking one, or with ``scheduler`` the cluster's (Dask
    is imported only then)."""
    if session is not None and session.forking and scheduler is None:
        return session.pool(bar.update)
    if scheduler is None:
        return Pool(cache_root, jobs, fast, bar.update)
    from . import cluster

    return cluster.make_pool(scheduler, cache_root, fast, bar.update, announce=bar.on)


def _job(article: Article, published: str) -> Job:
    return Job(
        article.article_id,
        ginza.cache_key(article.sentence_texts()),
        article.text,
        tuple(article.sentences),
        published or None,
    )
