"""The parser server: one process that imports spaCy (and loads GiNZA) once, then forks the workers.

Every worker used to import spaCy and load GiNZA on its own, all at the same time
as the parent read and cleaned the corpus: on two cores that was most of a short run's start-up.
The server is multiprocessing's *forkserver* with a preload: it does that work once, and each
worker forked from it starts with spaCy imported and, when the server loaded it, GiNZA's weights
shared copy-on-write. A run starts it first thing, before the parent has read a file, so that it is
ready when the first article reaches a worker; on a warm cache it imports spaCy only (a rule edit
reloads cached parses, a new article's worker loads GiNZA itself). This module stays light: the
command line imports it before anything else.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing import forkserver, spawn
from pathlib import Path

from ..cache import secret
from ..parse.ginza import ParseCache  # light: spaCy is imported only when something is parsed or loaded

# One BLAS thread per worker: N workers x N OpenBLAS threads on N cores fight for them and the pool
# ends up slower than one process (figures: README, "Speed and memory").
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
IMPORTS = f"{__package__}.preload"  # spaCy and the worker code
MODEL = f"{__package__}.preload_model"  # the above, and GiNZA loaded


class _Process(multiprocessing.context.ForkServerProcess):
    """A worker started without re-running the caller's ``__main__``.

    multiprocessing hands every new process the path of the program's main module, which the process
    imports again before it starts; a script that calls ``run()`` at its top level, without
    ``if __name__ == "__main__":`` (or one fed on stdin), would then run the whole pipeline again
    inside every worker, and the pool broke. The workers need nothing from ``__main__``: their code
    is in this package. So the main module is left out of what a worker is told to prepare."""

    @staticmethod
    def _Popen(process_obj):  # multiprocessing's name
        with _LAUNCH:
            original = spawn.get_preparation_data
            spawn.get_preparation_data = _without_main(original)
            try:
                return multiprocessing.context.ForkServerProcess._Popen(process_obj)
            finally:
                spawn.get_preparation_data = original


_LAUNCH = threading.Lock()  # the hook above is swapped only while one of our workers starts


def _without_main(original: Callable[[str], dict]) -> Callable[[str], dict]:
    def prepare(name: str) -> dict:
        data = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    return prepare


class _Context(multiprocessing.context.ForkServerContext):
    Process = _Process


def context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context the worker pool forks its processes from: the forkserver's, with
    workers that do not import the caller's ``__main__`` again (``_Process``)."""
    return _Context()


def start(load_model: bool, also: tuple[str, ...] = ()) -> None:
    """Start the server unless it runs already; with ``load_model`` it loads GiNZA before forking, and it
    imports the modules ``also`` names (a Dask worker's) first."""
    if not running():
        for var in BLAS_THREAD_VARS:  # before the server starts: it and every worker inherit them
            os.environ.setdefault(var, "1")
        secret()  # the cache's signing key, before the workers exist: a run-only key reaches them too
        context().set_forkserver_preload([*also, MODEL if load_model else IMPORTS])
    forkserver.ensure_running()  # also starts again a server that died


def start_for(cache_root: Path, also: tuple[str, ...] = ()) -> None:
    """Start the server now, while the run has not read a file yet: with the model when the parse
    cache is empty (everything will be parsed), else with spaCy only (a rule edit reloads cached
    parses). A run that turns out to need no worker stops it unused (``stop``)."""
    start(load_model=ParseCache.under(cache_root).empty(), also=also)


def running() -> bool:
    return getattr(forkserver._forkserver, "_forkserver_pid", None) is not None


def stop() -> None:
    """Stop the server, so that no process outlives the run (and no model stays in memory after it).

    Its workers are gone by now. SIGTERM first: a server still loading (a run that turned out to need
    no parser) would otherwise be waited for until it is done."""
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    stopper = getattr(forkserver._forkserver, "_stop", None)  # CPython 3.8+; else it ends with this process
    if pid is None or stopper is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    stopper()
