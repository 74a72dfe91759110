"""Japanese security/defence news articles in, analyst-ready tables out.

from pipeline import run
tables = run("corpus")          # DataFrames: tables.people, tables.agreements, ...
run("corpus", out="outputs")    # the same, and the CSVs and tables.xlsx written as `make run` does
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .output.tables import Tables

__all__ = ["run"]


def run(corpus, out=None, jobs=None, cache_dir=None, progress=False, **options) -> Tables:
    """Process every article under ``corpus``; returns the tables (and writes CSVs and tables.xlsx to ``out`` if
    given). ``options``: ``max_bytes`` (refuse larger files), ``allow_empty`` (let an empty corpus replace tables),
    ``xlsx=False`` (no workbook), ``parquet=True`` (also ``out/parquet/<table>.parquet``)."""
    from .engine.runner import run as _run

    return _run(corpus, out=out, jobs=jobs, cache_dir=cache_dir, progress=progress, **options)
