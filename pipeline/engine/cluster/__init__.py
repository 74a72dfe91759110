"""The cluster engine: the per-article work (parse and extract) on a Dask cluster instead of local processes.

Light on purpose: the runner and the command line import this package only when a scheduler is asked for, and
even then Dask is imported by ``pool`` alone, so the local engine never loads it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENV = "PIPELINE_SCHEDULER"  # the command line's default for --scheduler
TIMEOUT_ENV = "PIPELINE_SCHEDULER_TIMEOUT"  # seconds to reach a scheduler before giving up (default 10)


class ClusterError(Exception):
    """The cluster cannot run this pipeline: unreachable, or a worker differs from this client."""


def timeout() -> float:
    """Seconds allowed to reach the scheduler."""
    return float(os.environ.get(TIMEOUT_ENV) or 10)


def make_pool(scheduler: Any, cache_root: Path, fast: bool, progress: Callable[[int], None] | None, announce: bool):
    """A ``ClusterPool`` for ``scheduler``: an address, ``local:N`` or a ``distributed.Client``."""
    from .pool import ClusterPool

    return ClusterPool(scheduler, cache_root, fast, progress, announce)
