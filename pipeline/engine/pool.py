"""The parent side of the worker processes: a pool fed from a thread, forked from the parser server."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import server
from .workers import Job, Outcome, Worker, init_process, run_job, warm_up

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


class Fed:
    """A pool whose work is handed on by a feeder thread (``_feeding``), started at the first need."""

    _feeder: threading.Thread | None = None

    def _feed(self, load_model: bool) -> None:
        if self._feeder is None:
            self._feeder = threading.Thread(target=self._feeding, args=(load_model,), daemon=True)
            self._feeder.start()

    def _feeding(self, load_model: bool) -> None:
        raise NotImplementedError


class Pool(Fed):
    """Runs jobs as they are submitted: in this process for one job at a time, else in worker processes.

    The processes are forked from the parser server (``server``; the run starts it, else the first
    need does) at the first article that is not in the caches (``preload``: each gets GiNZA, the
    server's copy when it loaded one) or the first submitted job (a rule edit: no model); none
    starts when nothing needs work. Jobs go through a feeder thread, so the parent never waits for
    the server: it goes on reading and cleaning the corpus while the server imports spaCy.
    """

    def __init__(
        self, cache_root: Path, n_jobs: int = 1, fast: bool = True, progress: Callable[[int], None] | None = None
    ) -> None:
        self.cache_root, self.n_jobs, self.fast, self.progress = Path(cache_root), max(1, n_jobs), fast, progress
        self.outcomes: list[Outcome] = []
        self._local: Worker | None = None
        self._executor: ProcessPoolExecutor | None = None
        self._futures: dict = {}
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._feeder: threading.Thread | None = None
        self._feeder_error: BaseException | None = None

    def preload(self) -> None:
        """New text is coming: start the server with GiNZA loaded and the workers now."""
        if self.n_jobs > 1:
            self._feed(load_model=self.fast)

    def submit(self, job: Job) -> None:
        if self.n_jobs == 1:
            self._local = self._local or Worker(self.cache_root, self.fast)
            self._done(self._local.run(job), job)
            return
        self._feed(load_model=False)
        self._jobs.put(job)

    def _feeding(self, load_model: bool) -> None:
        """The feeder thread: start the server and the workers (this waits for the server), then submit."""
        try:
            from concurrent.futures import ProcessPoolExecutor

            server.start(load_model)
            self._executor = ProcessPoolExecutor(
                self.n_jobs,
                mp_context=server.context(),
                initializer=init_process,
                initargs=(str(self.cache_root), self.fast),
            )
            for _ in range(self.n_jobs if load_model else 0):  # a failed preload is no error: the job says why
                self._executor.submit(warm_up)
            while (job := self._jobs.get()) is not None:
                self._futures[self._executor.submit(run_job, job)] = job
        except BaseException as exc:  # noqa: BLE001 - raised again in the parent's thread by __exit__
            self._feeder_error = exc

    def _done(self, outcome: Outcome, job: Job) -> None:
        self.outcomes.append(outcome)
        if self.progress is not None:
            self.progress(len(job.text))

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, exc_type, *_) -> None:
        if self._feeder is None:
            return
        from concurrent.futures import as_completed

        try:
            self._jobs.put(None)
            self._feeder.join()
            if self._feeder_error is not None:
                raise self._feeder_error
            if exc_type is None:
                for fut in as_completed(self._futures):
                    self._done(fut.result(), self._futures[fut])
        except BaseException:
            exc_type = True
            raise
        finally:
            self._close(clean=exc_type is None)

    def _close(self, clean: bool) -> None:
        if not clean and self._feeder is not None:
            self._feeder.join()  # Ctrl-C may have cut the first join short: the executor may be new
        if self._executor is None:
            return
        if clean:
            # Everything is written: the workers exit while the tables are built (``wait_for_exits``).
            closing = threading.Thread(target=self._executor.shutdown, kwargs={"wait": True}, daemon=True)
            closing.start()
            _exiting.append(closing)
        else:  # after an error or Ctrl-C, no worker outlives the pool
            for fut in self._futures:
                fut.cancel()
            self._executor.shutdown(wait=True, cancel_futures=True)


_exiting: list[threading.Thread] = []  # pools shutting down in the background


def wait_for_exits() -> None:
    """Wait until the worker processes of finished pools, and the parser server, are gone: none may
    outlive the run."""
    while _exiting:
        _exiting.pop().join()
    server.stop()
