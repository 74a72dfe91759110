"""What a long-lived process (``watch``) keeps between runs into the same outputs.

A run started from the command line reads every cached result from disk and, when the families
must run again, forks workers from a parser server it starts. ``watch`` runs dozens of times an
hour on the same corpus, so it keeps, from one refresh to the next:

- the cache entries it read or wrote (prepared articles, family results, memos) in memory, in
  front of the same disk caches (``MemoryStore``: an entry is content-addressed, so a copy in
  memory can never be stale; the disk still gets every new entry, from a writer thread once the refresh's
  tables are out, so a later ``make run`` is warm);
- each article's title, source and published date (``facts``), by the article's bytes and the code
  and rules they come from;
- the parsed documents of the corpus as the last refresh saw it (``keep_docs``, about 0.2 MB an
  article, without GiNZA's user data, which no rule reads): decoding them again in every refresh's
  workers took a third of a rule edit's refresh at 200 articles. Those of articles gone are
  dropped, so memory stays flat however many refreshes.

And when a refresh has many articles to re-extract (a rule edit), it forks workers from itself
(``ForkPool``): they start in milliseconds with GiNZA, the rules and the caches already loaded,
and share the process's memory copy-on-write. A refresh with little work runs it in-process.
"""

from __future__ import annotations

import hashlib
import os
import signal
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cache import DiskCache, cache_key, fingerprint
from ..extract import extraction
from ..extract.extraction import Carry
from ..output.export import write_if_changed
from ..output.rows import article_rows
from ..output.tables import Block, block
from ..records import Article, ArticleFacts, Extraction
from .workers import Job, Outcome, Worker

MEMORY_BUDGET = 256 << 20  # bytes of cache entries kept in memory; the least recently used go first
FORK_FROM = 8  # articles to re-extract from which a refresh forks workers (under it, forking costs more)
FACTS_CODE = ("extract.facts", "extract.dates", "records")  # what an article's facts are computed by
FACTS_RULES = ("sources", "dates")


class MemoryStore(DiskCache):
    """A ``DiskCache`` with its entries also kept in memory, up to ``budget`` bytes (least recently used out).

    New entries reach the disk from a writer thread (a rule edit carries or makes hundreds of entries, and
    each file costs a create, a write and a rename). They are queued, and handed to the thread only in
    batches of ``BATCH`` or by ``flush`` (after the refresh's tables are out), so that the writes neither
    compete with the refresh for the interpreter nor hold up a fork (``settle``). The thread belongs to the
    process that started it: a forked child starts its own and leaves its parent's queue to the parent."""

    BATCH = 512  # queued entries handed to the writer at once (the queue's memory stays bounded)

    def __init__(self, disk: DiskCache, budget: int = MEMORY_BUDGET) -> None:
        super().__init__(disk.root, disk.suffix)
        self.disk, self.budget, self.size = disk, budget, 0
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self._writer: tuple[int, ThreadPoolExecutor] | None = None  # (pid, executor)
        self._writing: list[Future] = []
        self._queued: list[tuple[str, bytes]] = []  # put, not yet handed to the writer

    def get(self, key: str) -> bytes | None:
        payload = self._kept.get(key)
        if payload is not None:
            self._kept.move_to_end(key)
            return payload
        payload = self.disk.get(key)
        if payload is not None:
            self._keep(key, payload)
        return payload

    def put(self, key: str, payload: bytes) -> None:
        self._keep(key, payload)
        self._queued.append((key, payload))
        if len(self._queued) >= self.BATCH:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._writer is None or self._writer[0] != os.getpid():
            self._writer, self._writing = (os.getpid(), ThreadPoolExecutor(1, "cache-writer")), []
        queued, self._queued = self._queued, []
        self._writing.append(self._writer[1].submit(self._write, queued))

    def _write(self, entries: list[tuple[str, bytes]]) -> None:
        for key, payload in entries:
            self.disk.put(key, payload)

    def settle(self) -> None:
        """Wait for the writes handed over so far (not the queue): none is in flight when this process forks."""
        writing, self._writing = self._writing, []
        for future in writing:
            future.result()

    def flush(self) -> None:
        """Every entry put so far on disk (a write that failed is raised here)."""
        if self._queued:
            self._hand_over()
        self.settle()

    def forget_queue(self) -> None:
        """In a forked child: the entries queued by the parent are the parent's to write."""
        self._queued = []

    def has(self, key: str) -> bool:
        return key in self._kept or self.disk.has(key)

    def discard(self, key: str) -> None:
        self.size -= len(self._kept.pop(key, b""))
        self.disk.discard(key)

    def reload(self, key: str) -> None:
        """Keep the disk's copy of an entry that is not content-addressed (a memo a forked worker rewrote)."""
        payload = self.disk.get(key)
        if payload is not None:
            self._keep(key, payload)

    def _keep(self, key: str, payload: bytes) -> None:
        if key in self._kept:
            self._kept.move_to_end(key)
            if self._kept[key] == payload:
                return
            self.size -= len(self._kept[key])  # a memo's key stays, its matches grow
        self._kept[key] = payload
        self.size += len(payload)
        while self.size > self.budget and self._kept:
            self.size -= len(self._kept.popitem(last=False)[1])


@dataclass
class Session:
    """The state a ``watch`` keeps across its refreshes (see the module's docstring)."""

    cache_root: Path
    jobs: int = 1
    stores: dict[str, MemoryStore] = field(default_factory=dict)
    seen: dict[str, Job] = field(default_factory=dict)  # article id → its job in the last run
    docs: dict[str, list] = field(default_factory=dict)  # parse key → the article's parsed docs (``keep_docs``)
    carry: Carry | None = None  # for the next run: the results a rule edit cannot change (``screens``)
    forking: bool = True  # runs use ``ForkPool`` (False: the run's own parser server and workers)
    _facts: dict[str, tuple[str, ArticleFacts]] = field(default_factory=dict)  # article id → (key, facts)
    _blocks: dict[str, tuple[str, Block]] = field(default_factory=dict)  # article id → (what it was made of, block)
    _files: dict[Path, tuple[int, int, bytes]] = field(default_factory=dict)  # path → (size, mtime, digest) written
    _rewritten: set[str] = field(default_factory=set)  # parse keys whose memos forked workers wrote to disk

    def store(self, name: str, disk: DiskCache) -> MemoryStore:
        """The in-memory layer over the stage cache ``name`` (``prepare``, ``extract``)."""
        if name not in self.stores:
            self.stores[name] = MemoryStore(disk)
        return self.stores[name]

    def facts(self, article: Any, compute: Callable[[Any], ArticleFacts]) -> ArticleFacts:
        """The article's facts, computed once per content, code and rules."""
        key = cache_key(article.sha256, fingerprint(FACTS_CODE, FACTS_RULES))
        kept = self._facts.get(article.article_id)
        if kept is None or kept[0] != key:
            kept = self._facts[article.article_id] = (key, compute(article))
        return kept[1]

    def block(self, article: Article, facts: ArticleFacts, ex: Extraction | None) -> Block:
        """The article's rows of every table, made again only when the article, its facts or its
        extraction's cached results changed (an extraction not from the caches is always made again)."""
        made_of = repr(article_rows(article, facts)) + (ex.key if ex is not None else "-")
        kept = self._blocks.get(article.article_id)
        if kept is None or kept[0] != made_of or (ex is not None and not ex.key):
            kept = self._blocks[article.article_id] = (made_of, block(article, facts, ex))
        return kept[1]

    def write_if_changed(self, path: Path, data: bytes) -> Path:
        """``export.write_if_changed`` without reading the file back when it is as this session left it
        (same size and time, and the bytes it was written with are these)."""
        digest = hashlib.blake2b(data, digest_size=16).digest()
        try:
            st = path.stat()
            unchanged = self._files.get(path) == (st.st_size, st.st_mtime_ns, digest)
        except OSError:
            unchanged = False
        if not unchanged:
            write_if_changed(path, data)
            st = path.stat()
            self._files[path] = (st.st_size, st.st_mtime_ns, digest)
        return path

    def keep_blocks(self, blocks: list[Block]) -> None:
        """Forget the blocks of articles that are not among these (deleted or renamed)."""
        ids = {b.article_id for b in blocks}
        self._blocks = {aid: kept for aid, kept in self._blocks.items() if aid in ids}

    def keep_docs(self) -> None:
        """Hold the parsed docs of the articles the last run saw (from the parse cache), and only those.

        Done between refreshes, after the tables are out: a refresh's workers, forked from this process,
        then find every parse decoded already."""
        from ..parse import ginza

        wanted = {job.parse_key: job for job in self.seen.values()}
        self.docs = {key: docs for key, docs in self.docs.items() if key in wanted}
        parses = ginza.ParseCache.under(self.cache_root)
        for key, job in wanted.items():
            if key not in self.docs and parses.has(key):
                docs = parses.load(key, job.texts(), ginza.japanese_vocab(), user_data=False)
                if docs is not None:
                    self.docs[key] = docs
        memos = self.stores.get("extract")
        if memos is not None:  # the memos as the forked workers left them, for the next refresh's workers
            for key in self._rewritten & wanted.keys():
                for memo_key in extraction.memo_keys(key):
                    memos.reload(memo_key)
        self._rewritten.clear()

    def note_rewritten(self, parse_keys: Iterable[str]) -> None:
        """These parses' memos are rewritten by forked workers, whose entries reach only the disk."""
        self._rewritten.update(parse_keys)

    def flush(self) -> None:
        """Every cache entry of the refreshes so far on disk (a later ``make run`` finds them)."""
        for store in self.stores.values():
            store.flush()

    def settle(self) -> None:
        """No cache write in flight (before a fork); the entries still queued stay in memory until ``flush``."""
        for store in self.stores.values():
            store.settle()

    def pool(self, progress: Callable[[int], None] | None) -> ForkPool:
        return ForkPool(self, progress)


class ForkPool:
    """The ``Pool`` interface for a refresh: jobs are collected, then run at the end of the ``with`` —
    in this process when there are few, else in ``jobs`` processes forked from this one."""

    def __init__(self, session: Session, progress: Callable[[int], None] | None) -> None:
        self.session, self.progress = session, progress
        self.outcomes: list[Outcome] = []
        self._jobs: list[Job] = []

    def preload(self) -> None:
        """Nothing to start: this process has GiNZA already (``watch`` loads it before the first refresh)."""

    def submit(self, job: Job) -> None:
        self._jobs.append(job)

    def __enter__(self) -> ForkPool:
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is not None or not self._jobs:
            return
        jobs, self._jobs = self._jobs, []
        if self.session.jobs > 1 and len(jobs) >= FORK_FROM:
            outcomes = _forked(self.session, jobs)
        else:
            worker = _local_worker(self.session)
            outcomes = [worker.run(job) for job in jobs]
        for job, outcome in zip(jobs, outcomes, strict=True):
            self.outcomes.append(outcome)
            if self.progress is not None:
                self.progress(len(job.text))


def _local_worker(session: Session) -> Worker:
    worker = Worker(session.cache_root, fast=True)
    worker.results = session.store("extract", worker.results)
    worker.carry = session.carry
    worker.kept_docs = session.docs
    return worker


def _forked(session: Session, jobs: list[Job]) -> list[Outcome]:
    """The jobs' outcomes from ``session.jobs`` processes forked from this one, in the jobs' order.

    Forked, not spawned: a child starts with the model, the compiled rules and the in-memory caches of
    this process. Each child takes every n-th job, so long and short articles spread evenly."""
    import multiprocessing

    global _CHILD
    session.settle()  # no write of this process's in flight while it forks
    session.note_rewritten(job.parse_key for job in jobs)
    _CHILD = _local_worker(session)
    n = min(session.jobs, len(jobs))
    shares = [jobs[i::n] for i in range(n)]
    with warnings.catch_warnings():
        # The file watcher's thread is never touched by a child, which only extracts and exits.
        warnings.filterwarnings("ignore", message=".*multi-threaded.*fork", category=DeprecationWarning)
        with multiprocessing.get_context("fork").Pool(n, initializer=_quiet) as pool:
            done = pool.map(_run_share, shares, chunksize=1)
    _CHILD = None
    out: list[Outcome] = [None] * len(jobs)  # type: ignore[list-item]
    for i, share in enumerate(done):
        out[i::n] = share
    return out


_CHILD: Worker | None = None  # the worker a forked child runs its share with (set before the fork)


def _quiet() -> None:
    """Ctrl-C goes to the whole process group: the parent stops the children, which say nothing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_share(share: list[Job]) -> list[Outcome]:
    assert _CHILD is not None
    assert isinstance(_CHILD.results, MemoryStore)
    _CHILD.results.forget_queue()  # the parent writes what it queued before the fork
    done = [_CHILD.run(job) for job in share]
    _CHILD.results.flush()  # the child's entries are on disk before it reports (and exits)
    return done
