"""``python -m pipeline watch``: a rule author's loop, in the foreground. GiNZA, the rules and the pipeline
are loaded once; every change to the corpus or the rule files re-runs the pipeline incrementally into the
same outputs (the tables ``make run`` would write, byte for byte) and prints what changed.

Changes come from ``watchfiles`` (inotify through Rust's ``notify``): the process sleeps in the kernel
between changes — no polling loop, no CPU when idle — and a burst of saves arrives as one batch. A rule
file that does not load, or whose edited rules' examples no longer hold, is reported (file, line, rule,
reason) and the last good tables stay. Python code is not reloaded: a change to the package's ``.py``
files is said once, with the advice to restart.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import rulebook, rulecheck
from ..extract import examples, extraction, screens
from ..output.locking import OutputLock
from .session import Session

if TYPE_CHECKING:
    from ..output.tables import Block

PACKAGE = Path(__file__).resolve().parent.parent
STABLE_WAIT = 0.25  # seconds a changed article must keep its size and time before it is read
SHOWN_ROWS = 3


@dataclass
class Options:
    corpus: Path
    out: Path
    cache: Path | None = None
    jobs: int = 1
    xlsx: bool = True
    report: bool = True
    parquet: bool = False
    say: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr, flush=True))


@dataclass
class Watcher:
    """The state kept between refreshes: the last good tables and the rule files they were made with."""

    opts: Options
    blocks: dict[str, Block] | None = None  # the last good tables, as their articles' blocks (None: none yet)
    rules: dict[str, dict[str, rulebook.Rule]] = field(default_factory=dict)
    refreshes: int = 0
    warned_code: bool = False
    rules_current: bool = True  # the loaded rules are those the tables were made with (a screen's old side)
    session: Session | None = None  # what the refreshes keep in memory between them

    def __post_init__(self) -> None:
        from ..cache import DEFAULT_CACHE

        self.session = Session(Path(self.opts.cache or DEFAULT_CACHE), jobs=self.opts.jobs)

    def first_run(self) -> None:
        self.rules = _rules_now()
        assert self.session is not None
        self.session.forking = False  # the first run parses the corpus with a run's own server and workers
        try:
            self._refresh("first run", parse_jobs=self.opts.jobs)
        finally:
            self.session.forking = True
        _warm_up(_nlp())  # GiNZA in this process, for the examples of an edited rule, new articles and forked workers

    def on_changes(self, paths: Iterable[Path]) -> None:
        """One batch of changed paths: say what happened, re-run when articles or rules changed."""
        paths = sorted(set(paths))
        code = [p for p in paths if p.suffix == ".py" and PACKAGE in p.parents]
        if code and not self.warned_code:
            self.opts.say(f"{code[0].name} changed: code is not reloaded — restart watch to use it")
            self.warned_code = True
        rules = [p for p in paths if p.suffix == ".yaml" and p.parent == rulebook.RULES_DIR]
        articles = [p for p in paths if self.opts.corpus.resolve() in p.resolve().parents]
        if not rules and not articles:
            return
        _wait_until_stable([p for p in articles if p.exists()])
        if rules and not self._rules_load(rules):
            return
        what = ", ".join(p.name for p in (rules + articles)[:3]) + (" …" if len(rules + articles) > 3 else "")
        self._refresh(f"{what} changed", parse_jobs=1)

    def _rules_load(self, changed: list[Path]) -> bool:
        """The rule files load and the edited rules' examples hold; else say why and keep the tables."""
        screening = self._screening(changed)  # before the old rules are forgotten
        forget_rules([p.stem for p in changed])
        try:
            rulecheck.check_all(_stamps(self.opts))
            problems: list[str] = []
            for path in changed:
                if path.exists():
                    after = rulebook.load(path.stem)
                    problems += examples.changed_rule_failures(self.rules.get(path.stem, {}), after, _nlp)
        except rulebook.RuleError as exc:
            problems = [str(exc)]
        if problems:
            for line in problems[:5]:
                self.opts.say(f"rules not loaded: {line}")
            self.opts.say("the tables stay as they were; watching for the next save")
            self.rules_current = False  # what is loaded now is not what the tables were made with
            return False
        self.rules = _rules_now()
        self.rules_current = True
        _compile_rules()
        if screening is not None and self.session is not None:
            self.session.carry = screening.carry()
        return True

    def _screening(self, changed: list[Path]) -> screens.Screening | None:
        """What the last refresh's articles need to tell which of them the edit cannot change; None when the
        edit cannot be screened (a file removed, or one that does not load: the check says why)."""
        names = [p.stem for p in changed]
        if self.session is None or not self.session.seen or not self.rules_current:
            return None  # nothing to screen, or the old rules are no longer the loaded ones
        if not all(p.exists() and rulebook.loaded(p.stem) for p in changed):
            return None
        from ..cache import Caches

        store = self.session.store("extract", Caches(self.session.cache_root).extract)
        session = self.session
        articles = [
            screens.ScreenArticle(
                aid,
                job.text,
                extraction.lemmas_of(store, job.parse_key),
                partial(extraction.memo_of, store, parse_key=job.parse_key),
                session.docs.get(job.parse_key),
            )
            for aid, job in session.seen.items()
        ]
        try:
            return screens.Screening(names, articles)
        except Exception:  # noqa: BLE001 - an edit that does not load is reported by the check that follows
            return None

    def _refresh(self, what: str, parse_jobs: int) -> None:
        """Re-run into the output folder: the CSVs first, timed and diffed; then the workbook, Parquet and
        report, which a rule author does not wait for (the first run writes everything at once)."""
        from .runner import run_with_stats

        first = self.blocks is None
        o = self.opts
        t0 = time.perf_counter()
        if self.session is not None:
            self.session.seen.clear()  # the run notes the articles it sees, for the next edit's screening
        try:
            tables, stats = run_with_stats(
                o.corpus,
                o.out,
                parse_jobs,
                o.cache,
                progress=False,
                reuse_outputs=True,
                hold_lock=False,
                xlsx=o.xlsx and first,
                parquet=o.parquet and first,
                report=o.report and first,
                session=self.session,
            )
        except rulebook.RuleError as exc:
            o.say(f"rules not loaded: {exc}; the tables stay as they were")
            return
        finally:
            if self.session is not None:
                self.session.carry = None  # it held for this edit only
        self.refreshes += 1
        took = time.perf_counter() - t0
        if tables is None:
            o.say(f"{what}: nothing to do, the tables are up to date ({took:.2f} s)")
            return
        new = {b.article_id: b for b in tables.blocks}
        parse = f"; parsing {stats.parse_s:.2f} s of it" if stats.parse_s else ""
        o.say(f"{what}: tables refreshed in {took:.2f} s ({stats.summary()}{parse})")
        if not first:
            self._say_diff(new)
            self._extras(tables)
        for error in stats.export_errors:
            o.say(f"error: {error}")
        self.blocks = new
        if self.session is not None:
            self.session.flush()  # the cache entries written behind the refresh, before the next one
            self.session.keep_docs()  # for the next refresh, while the rule author reads this one

    def _extras(self, tables: Any) -> None:
        """The workbook, Parquet files and report of the refreshed tables, after the diff is on screen."""
        from .runner import TARGETS, writer

        formats = [
            f
            for f, on in (("xlsx", self.opts.xlsx), ("parquet", self.opts.parquet), ("report", self.opts.report))
            if on
        ]
        t0 = time.perf_counter()
        for fmt in formats:
            try:
                writer(fmt, self.opts.corpus)(tables, self.opts.out)
            except Exception as exc:  # noqa: BLE001 - the CSVs are written; say what is not
                self.opts.say(f"error: {self.opts.out / TARGETS[fmt]} not written: {type(exc).__name__}: {exc}")
        if formats:
            self.opts.say(f"  {', '.join(formats)} updated in {time.perf_counter() - t0:.2f} s")

    def _say_diff(self, new: dict[str, Block]) -> None:
        from ..output.diff import diff

        changes = diff(self.blocks or {}, new)
        if not changes:
            self.opts.say("  no row changed")
        for change in changes:
            for line in change.lines(SHOWN_ROWS):
                self.opts.say(f"  {line}")


# Per-process caches that do not depend on the rule files (or are keyed by their bytes): the taggers, the
# cache key, a rule file's meaning.
KEEP = {"_tagger", "reading", "secret", "model_id", "japanese_vocab", "_compile", "_meaning"}


def forget_rules(changed: list[str]) -> None:
    """Drop the changed rule files and everything made of them (compiled patterns, dictionaries, fingerprints),
    so that the next use reads them again. A rule family's own caches are dropped only when one of its rule
    files (or of the families it uses) changed: recompiling every family's patterns after any edit costs more
    than most refreshes. The model, the taggers and the code stay."""
    rulebook.forget(changed)
    kept = _unaffected_families(set(changed))
    for name, module in list(sys.modules.items()):
        if not name.startswith("pipeline.") or name.startswith(("pipeline.parse", "pipeline.engine")):
            continue
        if any(name == package or name.startswith(package + ".") for package in kept):
            continue
        for attr, value in list(vars(module).items()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", "") == name and attr not in KEEP:
                clear()


def _unaffected_families(changed: set[str]) -> list[str]:
    """The modules (``pipeline.extract.dates``) of the families that read none of the changed rule files."""
    from ..extract.families import families

    every = {f.name: f for f in families()}
    return [
        f"pipeline.{f.module}"
        for f in every.values()
        if not changed & set(f.rule_files + tuple(r for used in f.uses for r in every[used].rule_files))
    ]


def _rules_now() -> dict[str, dict[str, rulebook.Rule]]:
    return {rf.path.stem: {r.id: r for r in rf.rules} for rf in rulebook.all_rule_files()}


def _stamps(opts: Options) -> Path:
    from ..cache import DEFAULT_CACHE, Caches

    return Caches(Path(opts.cache or DEFAULT_CACHE)).rules_checked


_MODEL: list[Any] = []  # GiNZA, loaded once for the examples of edited rules and the new articles


def _nlp() -> Any:
    if not _MODEL:
        from ..parse import ginza
        from . import workers

        _MODEL.append(ginza.load_model(fast=True))
        workers.SHARED_MODEL = _MODEL[0]  # the refreshes' workers (this process, or forked from it) use it
    return _MODEL[0]


WARM_UP = "2030年4月1日、甲国の山田外相は乙国の国務長官と会談し、協力の強化で合意した。"


def _warm_up(nlp: Any) -> None:
    """Every rule family once on a short text of our own, so that the first refresh does not compile the rules
    or import what a new article needs; then everything made so far (the model, the compiled rules) is left
    out of the garbage collector's full passes, which otherwise walk those millions of objects again in the
    middle of a refresh."""
    import gc

    from ..prepare import dedup

    dedup.signature(WARM_UP)  # a new article's near-duplicate check imports datasketch (and SciPy)
    _WARM.append(examples.parse_example(WARM_UP, nlp))
    _compile_rules()
    gc.collect()
    gc.freeze()


def _compile_rules() -> None:
    """Compile what an edit made the families forget, here: the workers forked for the refresh inherit it,
    and the refreshes run in this process (a new article) find it ready."""
    if _WARM:
        extraction.extract(_WARM[0])


_WARM: list[Any] = []  # the warm-up text, parsed once


def _wait_until_stable(paths: list[Path]) -> None:
    """A file still being written (its size or time changing) is read once it stops changing."""

    def sig(p: Path) -> tuple[int, int] | None:
        try:
            st = p.stat()
            return st.st_size, st.st_mtime_ns
        except OSError:
            return None

    before = [sig(p) for p in paths]
    while paths:
        time.sleep(STABLE_WAIT)
        now = [sig(p) for p in paths]
        if now == before:
            return
        before = now


def watch(opts: Options, stop: Any = None) -> int:
    """Hold the output folder, run once, then re-run on every change until Ctrl-C (or ``stop`` is set)."""
    import logging

    import watchfiles

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its own "KeyboardInterrupt caught" line: ours says it
    lock = OutputLock(opts.out)
    lock.acquire()  # for as long as watch runs: a `make run` on the same folder refuses
    try:
        watcher = Watcher(opts)
        watcher.first_run()
        opts.say(f"watching {opts.corpus}/ and {rulebook.RULES_DIR}/ (Ctrl-C stops; code changes need a restart)")
        roots = [opts.corpus, rulebook.RULES_DIR, PACKAGE]
        try:
            for changes in watchfiles.watch(*roots, stop_event=stop, debounce=400, step=50, raise_interrupt=False):
                watcher.on_changes(Path(p) for _, p in changes)
        except KeyboardInterrupt:  # Ctrl-C while a batch was being handled: its refresh may be half written
            opts.say(f"watch stopped during a refresh: the next run or watch in {opts.out}/ completes the tables")
            return 130
        finally:
            if watcher.session is not None:
                watcher.session.flush()  # the last refresh's cache entries, for the next run
        opts.say(f"watch stopped after {watcher.refreshes} refreshes; the tables in {opts.out}/ are complete")
        return 0
    finally:
        lock.release()
