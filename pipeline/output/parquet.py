"""Parquet export (opt-in): every table as ``outputs/parquet/<table>.parquet``, with typed columns.

Opt-in rather than written on every run: the CSVs and the workbook are what analysts open, Parquet is for
whoever loads the tables into pandas, DuckDB or Spark, and writing it costs time and disk on each run for
nobody else. It does not save pyarrow's import: pandas 3 imports pyarrow itself whenever it is installed
(measured on this machine: ``import pyarrow`` takes 35-40 ms of ``import pandas``'s ~420 ms); what a run
without Parquet saves is ``pyarrow.parquet`` (16 ms more after pandas) and the writing.

The NUMERIC columns are int64 and every other column a string, as in the CSVs. No formula guard: a Parquet
file is read by programs, never opened in a spreadsheet, so its values are the tables' own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_atomic
from .tables import NUMERIC, Tables

if TYPE_CHECKING:
    import pandas as pd

FOLDER = "parquet"


def export_parquet(tables: Tables, out: Path) -> list[Path]:
    """Write every table as ``out/parquet/<name>.parquet``, each atomically; returns the paths written."""
    written = []
    for name, df in tables.items():
        path = out / FOLDER / f"{name}.parquet"
        write_atomic(path, parquet_bytes(df))
        written.append(path)
    return written


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as a Parquet file: NUMERIC columns int64, the others strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(col, pa.int64() if col in NUMERIC else pa.string()) for col in df.columns])
    table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()
