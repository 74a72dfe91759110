"""The client side on a cluster: the local ``Pool``'s interface, with batches of articles sent to Dask workers.

The runner prepares each article here, answers what it can from the caches and submits the rest, as with the
local engine. Jobs carry their clean text, so the workers never read the corpus: a corpus only this machine can
read works. Jobs are grouped into batches of ``BATCH`` articles, one Dask task each; a feeder thread connects
(or starts a ``LocalCluster``), registers the worker plugin and submits the batches while this thread goes on
reading, and collects finished batches as they complete (``as_completed``), so the futures and results do not
pile up on the cluster or here.
"""

from __future__ import annotations

import collections
import itertools
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dask
from distributed import Client, Future, LocalCluster, as_completed

from ...cache import DiskCache
from ...prepare.reading import InputFile
from ...prepare.stage import prepare
from ...records import Article
from .. import pool as local_pool
from .. import server
from ..workers import Job, Outcome
from . import ClusterError, timeout
from .plugin import PipelinePlugin, prepare_batch, problems, run_batch, sees
from .versions import versions

# Articles per task. A synthetic article (~1,900 chars) takes ~0.25 s to parse and extract on one core, Dask's
# cost per task is ~2-5 ms: batches of 4 keep it under 1 % while 2 workers still share the last tasks evenly
# (measured: README, "Running on a cluster").
BATCH = 4
BATCH_ENV = "PIPELINE_CLUSTER_BATCH"
# Where the workers get the articles' text: ``shared`` (they read the corpus at the client's paths and prepare
# each file themselves), ``data`` (the client prepares it and sends the text), ``auto`` (the default: shared
# when every worker reads a sample of the corpus at the client's paths with the client's sizes, else data).
INPUTS_ENV = "PIPELINE_CLUSTER_INPUTS"
PREPARE_BATCH = 8  # files per prepare task (reading and cleaning one takes ~10 ms)
PREPARE_AHEAD = 4  # prepare tasks in flight per worker: enough to keep them busy, few results waiting
# A LocalCluster's workers: forked from the parser server (which has imported these and loaded GiNZA once, as for
# the local engine) instead of spawned, each importing spaCy and loading the model itself; and without the Dask
# worker's statistical profiler (it samples the task thread's stack every 10 ms) or its 20 ms event-loop tick,
# which took about 1.5 s of a core per worker on 200 articles (README, "Running on a cluster").
LOCAL_PRELOAD = ("distributed", "datasketch", prepare.__module__)
LOCAL_CONFIG = {
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
}
_IDLE = object()  # the feeder's queue had nothing new


class ClusterPool(local_pool.Fed):
    """``Pool`` on a Dask cluster: ``scheduler`` is an address, ``local:N`` or a ``distributed.Client``."""

    def __init__(
        self,
        scheduler: Any,
        cache_root: Path,
        fast: bool = True,
        progress: Callable[[int], None] | None = None,
        announce: bool = True,
    ) -> None:
        self.scheduler, self.cache_root, self.fast = scheduler, Path(cache_root).resolve(), fast
        self.progress, self.announce = progress, announce
        self.outcomes: list[Outcome] = []
        self.batch_size = max(1, int(os.environ.get(BATCH_ENV) or BATCH))
        self._batch: list[Job] = []
        self._batches: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._results: queue.SimpleQueue[tuple[list[Outcome], int] | None] = queue.SimpleQueue()
        self._feeder: threading.Thread | None = None
        self._error: BaseException | None = None
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()  # the feeder has a client and the workers are set up (or it failed)
        self.inputs = ""  # shared | data, once ``prepared`` has decided

    def __enter__(self) -> ClusterPool:
        if str(self.scheduler).startswith("local:"):  # the server gets ready while the cluster starts
            server.start_for(self.cache_root, also=LOCAL_PRELOAD)
        if isinstance(self.scheduler, str) and not self.scheduler.startswith("local:"):
            self._client = connect(self.scheduler)  # now: an unreachable scheduler is said before any reading
        elif isinstance(self.scheduler, Client):
            self._client = self.scheduler
        return self

    def preload(self) -> None:
        """New text is coming: get the workers ready with GiNZA loaded."""
        self._feed(load_model=self.fast)

    def submit(self, job: Job) -> None:
        self._feed(load_model=False)
        self._batch.append(job)
        if len(self._batch) >= self.batch_size:
            self._batches.put(self._batch)
            self._batch = []
        self._collect(block=False)

    def prepared(
        self, files: list[InputFile], store: DiskCache, on_miss: Callable[[], None] | None
    ) -> Iterator[Article]:
        """Each file read, cleaned and its repeated blocks dropped, in the files' order: by the workers when
        they read the corpus at this machine's paths (``inputs`` is ``shared``), else here, the text then
        reaching the workers as task data (``data``). See ``INPUTS_ENV`` for which is used when."""
        wanted = inputs_wanted()
        if wanted == "data":
            self.inputs = "data"
        else:
            # GiNZA is loaded by a worker's first parse, not at set-up: a warm run prepares and parses nothing
            self._feed(load_model=False)
            self._ready.wait()  # the workers' plugin is set up before any task of theirs runs
            if self._error is not None:
                raise self._error
            assert self._client is not None
            self.inputs = inputs_mode(self._client, files, wanted)
        if self.announce:
            print(f"inputs: {INPUTS_SAID[self.inputs]}", file=sys.stderr)
        if self.inputs == "data":
            yield from (prepare(f, store, on_miss=on_miss) for f in files)
        else:
            assert self._client is not None
            yield from self._prepared_there(self._client, files, on_miss)

    def _prepared_there(
        self, client: Client, files: list[InputFile], on_miss: Callable[[], None] | None
    ) -> Iterator[Article]:
        """The workers' prepared articles in order, a few batches ahead (their results wait on the workers)."""
        batches = iter([files[i : i + PREPARE_BATCH] for i in range(0, len(files), PREPARE_BATCH)])
        pending: collections.deque[Future] = collections.deque()

        def submit() -> None:
            for batch in itertools.islice(batches, 1):
                sizes = [_size(f) for f in batch]
                pending.append(client.submit(prepare_batch, batch, sizes, pure=False, priority=1))

        for _ in range(PREPARE_AHEAD * max(1, len(client.scheduler_info().get("workers", {})))):
            submit()
        while pending:
            articles, missed = pending.popleft().result()
            submit()
            if missed and on_miss is not None:
                on_miss()
            yield from articles

    def _feeding(self, load_model: bool) -> None:
        """The feeder thread: connect, set the workers up, then submit batches and collect finished ones."""
        try:
            client = self._start()
            wait_for_workers(client)
            client.register_plugin(PipelinePlugin(str(self.cache_root), self.fast, versions(), load_model))
            check_workers(client)
            self._ready.set()
            done = as_completed(loop=client.loop, with_results=True, raise_errors=False)
            chars: dict[Any, int] = {}
            while (batch := self._next_batch()) is not None:
                if batch is not _IDLE:
                    future = client.submit(run_batch, batch, pure=False)
                    chars[future.key] = sum(len(job.text) for job in batch)
                    done.add(future)
                self._harvest(done, chars, block=False)
            while not done.is_empty() and not self._stop.is_set():
                self._harvest(done, chars, block=True)
        except BaseException as exc:  # noqa: BLE001 - raised again in the runner's thread
            self._error = exc
        finally:
            self._ready.set()
            self._results.put(None)

    def _start(self) -> Client:
        if self._client is None:  # local:N, started here so that the runner reads meanwhile
            n = int(str(self.scheduler).removeprefix("local:") or 1)
            with dask.config.set(LOCAL_CONFIG):  # read as the workers start (a restarted one is spawned)
                self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
            self._client = Client(self._cluster)
        if self.announce and "dashboard" in self._client.scheduler_info().get("services", {}):
            print(f"dashboard: {self._client.dashboard_link}", file=sys.stderr)
        return self._client

    def _next_batch(self) -> Any:
        """The next batch to submit, ``_IDLE`` after a short wait (to collect meanwhile), None at the end."""
        if self._stop.is_set():
            return None
        try:
            return self._batches.get(timeout=0.05)
        except queue.Empty:
            return _IDLE

    def _harvest(self, done: as_completed, chars: dict[Any, int], block: bool) -> None:
        if not block and not done.has_ready():
            return
        for future, result in done.next_batch(block=block):
            if isinstance(future, Future) and future.status == "error":
                future.result()  # raises the task's exception (a differing worker, a rule error) here
            self._results.put((result, chars.pop(future.key)))

    def _collect(self, block: bool) -> None:
        """Take the outcomes the feeder collected (all of them, until it ends, when ``block``)."""
        while True:
            try:
                item = self._results.get(block=block)
            except queue.Empty:
                return
            if item is None:
                if self._error is not None:
                    raise self._error
                return
            outcomes, n_chars = item
            self.outcomes += outcomes
            if self.progress is not None:
                self.progress(n_chars)

    def __exit__(self, exc_type, *_) -> None:
        try:
            if self._feeder is not None:
                if exc_type is not None:
                    self._stop.set()
                elif self._batch:
                    self._batches.put(self._batch)
                self._batches.put(None)
                if exc_type is None:
                    self._collect(block=True)
                self._feeder.join()
                if self._error is not None:
                    raise self._error
        finally:
            self._close()

    def _close(self) -> None:
        if self._client is None or self._client is self.scheduler:
            return  # the caller's client stays theirs
        client, cluster = self._client, self._cluster  # a cluster at an address outlives the run: only the client goes
        closing = threading.Thread(target=lambda: (client.close(), cluster and cluster.close()), daemon=True)
        closing.start()
        local_pool._exiting.append(closing)  # joined by ``wait_for_exits``, while the tables are built


INPUTS_SAID = {
    "shared": "the workers read the corpus themselves (same paths on a shared filesystem)",
    "data": "sent to the workers as task data (they do not see the corpus at this machine's paths)",
}


def inputs_wanted() -> str:
    """``PIPELINE_CLUSTER_INPUTS``: auto (the default), shared or data."""
    wanted = (os.environ.get(INPUTS_ENV) or "auto").strip().lower()
    if wanted not in ("auto", "shared", "data"):
        raise ClusterError(f"{INPUTS_ENV}={wanted!r}: expected auto, shared or data")
    return wanted


def inputs_mode(client: Client, files: list[InputFile], wanted: str) -> str:
    """``shared`` when every worker reads a sample of the files at the same paths with the same sizes, else
    ``data`` — or, when ``shared`` is wanted, a ``ClusterError`` naming the workers that do not."""
    if wanted == "data" or not files:
        return "data"
    sample = files[:: max(1, len(files) // 3)][:3]
    seen = client.run(sees, [str(f.path) for f in sample], [_size(f) for f in sample])
    blind = sorted(addr for addr, ok in seen.items() if not ok)
    if blind and wanted == "shared":
        where = sample[0].corpus
        raise ClusterError(f"{INPUTS_ENV}=shared, but workers do not read the corpus at {where}: {', '.join(blind)}")
    return "data" if blind else "shared"


def _size(f: InputFile) -> int:
    try:
        return f.path.stat().st_size
    except OSError:
        return -1  # the worker's read reports the file as the client's would


def connect(address: str) -> Client:
    """A client of the scheduler at ``address``, or ``ClusterError`` after ``timeout()`` seconds."""
    try:
        return Client(address, timeout=timeout())
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address} within {timeout():.0f} s ({type(exc).__name__})"
        ) from None


def wait_for_workers(client: Client) -> None:
    """Wait ``timeout()`` seconds at most for a first worker: a scheduler without any would wait for ever."""
    try:
        client.wait_for_workers(1, timeout=timeout())
    except TimeoutError:
        raise ClusterError(f"no Dask worker joined the scheduler within {timeout():.0f} s") from None


def check_workers(client: Client) -> None:
    """Fail when a worker differs from this client: each one named, with what differs."""
    found = client.run(problems)
    bad = [f"worker {addr}: " + "; ".join(what) for addr, what in sorted(found.items()) if what]
    if bad:
        raise ClusterError("workers differ from this client: " + " | ".join(bad))
