"""The worker side on a cluster: each Dask worker sets up the pipeline's ``Worker`` once, then runs batches.

A worker runs two tasks: ``run_batch`` (parse and extract jobs) and, when it can read the corpus at the client's
paths, ``prepare_batch`` (read, clean, drop repeated blocks). The plugin is registered by the client and set up
on every worker, those that join later included: it checks
that the worker's code, rules, model and cache key are the client's (``versions``), creates the worker's caches
and, when new text is coming, loads GiNZA. A batch run on a worker that differs raises ``ClusterError`` naming
the worker and what differs, so no result of it reaches the tables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

from ...cache import Caches, DiskCache
from ...prepare.reading import InputFile
from ...prepare.stage import prepare
from ...records import Article
from ..workers import Job, Outcome, Worker, keep_freed_memory
from . import ClusterError
from .versions import differences, versions

NAME = "jp-news-tables"


class PipelinePlugin(WorkerPlugin):
    """One per Dask worker: the pipeline's ``Worker`` (caches, GiNZA) and what differs from the client."""

    name = NAME

    def __init__(self, cache_root: str, fast: bool, expected: dict[str, str], load_model: bool) -> None:
        self.cache_root, self.fast, self.expected, self.load_model = cache_root, fast, expected, load_model
        self.address = ""
        self.problems: list[str] = []
        self.worker: Worker | None = None
        self.prepares: DiskCache | None = None

    def setup(self, worker: Any) -> None:
        """Check the versions, then get the caches (and GiNZA, when asked) ready: once per worker process."""
        self.address = worker.address
        self.problems = differences(self.expected, versions())
        if self.problems:
            return  # reported by ``check`` (the client asks every worker; a batch asks its own)
        keep_freed_memory()  # the same allocator setting as the local workers (README, "Speed and memory")
        self.worker = Worker(Path(self.cache_root), self.fast)
        self.prepares = Caches(Path(self.cache_root)).prepare
        if self.load_model:
            try:
                self.worker.load_model()
            except Exception as exc:  # noqa: BLE001 - said by ``check``, with the worker's name
                self.problems.append(f"GiNZA does not load: {type(exc).__name__}: {exc}".splitlines()[0])

    def check(self) -> None:
        if self.problems:
            raise ClusterError(f"worker {self.address} differs from this client: " + "; ".join(self.problems))


def problems(dask_worker: Any) -> list[str]:
    """What differs on this worker (run on every worker by the client after registering the plugin)."""
    plugin = dask_worker.plugins.get(NAME)
    return plugin.problems if plugin is not None else ["the pipeline plugin is not set up"]


def run_batch(jobs: list[Job]) -> list[Outcome]:
    """The task: parse (when the parse cache misses) and extract each article of the batch on this worker."""
    worker = _checked().worker
    assert worker is not None
    return [worker.run(job) for job in jobs]


def prepare_batch(files: list[InputFile], sizes: list[int]) -> tuple[list[Article], bool]:
    """The task for a corpus the workers read themselves: each file read, cleaned and its repeated blocks
    dropped here, through the shared prepare cache; and whether any of them was new text. A worker that does
    not see the files as the client does (one that joined later, without the shared filesystem) fails the run
    rather than report them missing."""
    plugin = _checked()
    if not sees([str(f.path) for f in files], sizes):
        raise ClusterError(f"worker {plugin.address} does not read the corpus at {files[0].corpus} as this client does")
    missed: list[bool] = []
    articles = [prepare(f, plugin.prepares, on_miss=lambda: missed.append(True)) for f in files]
    return articles, bool(missed)


def sees(paths: list[str], sizes: list[int]) -> bool:
    """Whether this worker reads these files at these paths, with these sizes (a shared filesystem)."""
    try:
        return all(os.path.getsize(p) == n for p, n in zip(paths, sizes, strict=True))
    except OSError:
        return False


def _checked() -> PipelinePlugin:
    dask_worker = get_worker()
    plugin = dask_worker.plugins.get(NAME)
    if not isinstance(plugin, PipelinePlugin):
        raise ClusterError(f"worker {dask_worker.address} has not set up the pipeline")
    plugin.check()
    return plugin
