"""The worker side: parse and extract, article by article, in a worker process (or this one).

A worker takes one article and runs the rule families that miss their cache
(``extraction.extract_cached``); the parse is loaded from the parse cache, or
made with GiNZA and cached, only when a family that reads it has to run. It
returns the article's extraction (rows, not parsed documents), so the parent
never holds a parse in a run and memory stays flat however large the corpus
(``watch`` holds its corpus' parses on purpose: ``session.Session.keep_docs``). GiNZA is
loaded lazily: a run after a rule change extracts from cached parses without it.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import rulebook
from ..cache import Caches
from ..extract import extraction
from ..parse import ginza
from ..records import Extraction, ParsedArticle, Sentence


@dataclass(frozen=True)
class Job:
    article_id: str
    parse_key: str
    text: str
    sentences: tuple[Sentence, ...]
    published: str | None

    def texts(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.sentences]

    def unparsed(self) -> ParsedArticle:
        """The article as the rule families see it, its docs not loaded yet."""
        return ParsedArticle(self.article_id, self.text, list(self.sentences), None, self.published)


@dataclass(frozen=True)
class Outcome:
    article_id: str
    found: Extraction | None = None
    ran: tuple[str, ...] = ()  # the rule families that ran (the others came from the cache)
    parsed_chars: int = 0
    error: str = ""
    parse_s: float = 0.0  # seconds spent parsing (0 when the parse came from the cache)


class ParseFailed(Exception):
    """GiNZA could not parse the article."""


class Worker:
    """The state of one worker process: its caches and, once needed, the model."""

    def __init__(self, cache_root: Path, fast: bool) -> None:
        self.parses = ginza.ParseCache.under(cache_root)
        self.results = Caches(cache_root).extract
        self.fast = fast
        self.nlp = None
        self.carry: extraction.Carry | None = None  # results a rule edit cannot change (``watch``)
        self.kept_docs: dict[str, list] = {}  # parse key → docs the process holds decoded (``watch``)

    def load_model(self):
        if self.nlp is None:
            shared = SHARED_MODEL if self.fast else None  # loaded by the parser server this worker was forked from
            self.nlp = shared if shared is not None else ginza.load_model(self.fast)
        return self.nlp

    def docs(self, job: Job) -> tuple[list, int]:
        """The article's docs from the parse cache, else parsed now and cached; and the characters parsed."""
        kept = self.kept_docs.get(job.parse_key)
        if kept is not None:
            return kept, 0
        texts = job.texts()
        if self.parses.has(job.parse_key):  # the vocabulary for cached docs is built only when there is one
            docs = self.parses.load(job.parse_key, texts, ginza.japanese_vocab(), user_data=False)
            if docs is not None:
                extraction.note_lemmas(self.results, job.parse_key, docs)
                return docs, 0
        try:
            docs = ginza.parse_texts(self.load_model(), texts)
        except Exception as exc:
            raise ParseFailed(f"{type(exc).__name__}: {exc}") from exc
        self.parses.save(job.parse_key, docs)
        extraction.note_lemmas(self.results, job.parse_key, docs)
        return docs, sum(map(len, texts))

    def run(self, job: Job) -> Outcome:
        parsed_chars, parse_s = 0, 0.0

        def load_docs() -> list:
            nonlocal parsed_chars, parse_s
            t0 = time.perf_counter()
            docs, parsed_chars = self.docs(job)
            parse_s = time.perf_counter() - t0 if parsed_chars else 0.0
            return docs

        try:
            found, ran = extraction.extract_cached(job.unparsed(), job.parse_key, self.results, load_docs, self.carry)
        except rulebook.RuleError:
            raise
        except ParseFailed as exc:
            return Outcome(job.article_id, parsed_chars=parsed_chars, error=f"parsing failed: {exc}".splitlines()[0])
        except Exception as exc:  # noqa: BLE001 - the article's row says why; the run goes on
            if os.environ.get("PIPELINE_DEBUG"):
                traceback.print_exc()
            return Outcome(
                job.article_id,
                parsed_chars=parsed_chars,
                error=f"extraction failed: {type(exc).__name__}: {exc}".splitlines()[0],
            )
        return Outcome(job.article_id, found, tuple(ran), parsed_chars, parse_s=parse_s)


_worker: Worker | None = None
# GiNZA as the parser server loaded it before forking this worker (``preload_model``): shared copy-on-write.
SHARED_MODEL: Any = None


def keep_freed_memory() -> None:
    """Let glibc keep freed memory for reuse instead of handing it back to the kernel at every free.

    GiNZA's layers allocate and free arrays of megabytes per batch; with glibc's defaults each free
    returns the pages and the next batch faults them in again (the time it saves: README, "Speed and
    memory"). Peak memory does not grow (the pages are reused). A no-op where the C library is not glibc.
    """
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: trim the heap only past 1 GB free at its top
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: arrays under 32 MB come from the reusable heap
    except (OSError, AttributeError):
        pass


def init_process(cache_root: str, fast: bool) -> None:
    global _worker
    from .lifeline import die_with_parent

    die_with_parent()  # the parser server forked this worker: it goes when the server goes
    keep_freed_memory()
    # Ctrl-C reaches the whole process group: the parent stops the pool cleanly instead.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = Worker(Path(cache_root), fast)


def run_job(job: Job) -> Outcome:
    assert _worker is not None
    return _worker.run(job)


def warm_up() -> None:
    assert _worker is not None
    _worker.load_model()
