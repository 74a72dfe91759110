"""Export stage: DataFrames to CSV files that are safe to open in Excel.

UTF-8 with BOM, RFC 4180 quoting, formula injection neutralised, each file
replaced atomically (temp file in the same folder, fsync, rename).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..atomic import write_atomic
from .tables import COLUMNS, NUMERIC, Block, Tables

# OWASP CSV injection: a cell starting with one of these may run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Writer = Callable[[Path, bytes], Path]  # writes a file unless it already holds the bytes; returns its path
SAFE_NAME = re.compile(r"[^0-9A-Za-z_.\-\u3040-\u30ff\u3400-\u9fff]")


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would treat as a formula with a quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """One table as a CSV file's bytes (what ``export`` writes for it)."""
    columns = list(df.columns)
    return _file(columns, [_lines(columns, df.to_dict("records"))])


def csv_lines(name: str, b: Block) -> bytes:
    """The CSV lines of one article's rows of table ``name`` (made once per block)."""
    lines = b.csv.get(name)
    if lines is None:
        lines = b.csv[name] = _lines(COLUMNS[name], b.rows[name])
    return lines


def table_bytes(name: str, tables: Tables) -> bytes:
    """Table ``name`` as a CSV file's bytes: from its blocks' lines when it has blocks, else from its frame."""
    if not tables.blocks:
        return csv_bytes(getattr(tables, name))
    return _file(COLUMNS[name], [csv_lines(name, b) for b in tables.blocks])


def _file(columns: list[str], chunks: list[bytes]) -> bytes:
    header = ",".join(columns) + "\r\n"  # plain names: nothing to quote or neutralise
    return b"\xef\xbb\xbf" + header.encode("utf-8") + b"".join(chunks)


def _lines(columns: list[str], rows: list[dict]) -> bytes:
    """RFC 4180 lines (CRLF, quotes only where needed) of ``rows``' ``columns``, formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    guarded = [c not in NUMERIC for c in columns]
    writer.writerows(
        [neutralise(str(r[c])) if g else r[c] for c, g in zip(columns, guarded, strict=True)] for r in rows
    )
    return buffer.getvalue().encode("utf-8")


def safe_file_name(article_id: str) -> str:
    """A file name that cannot leave its folder, whatever the article id contains."""
    name = SAFE_NAME.sub("_", article_id).lstrip(".") or "_"
    return name[:180]


def export(tables: Tables, out: Path) -> list[Path]:
    """Write every table as ``out/<name>.csv``; returns the paths written."""
    written = []
    for name in COLUMNS:
        path = out / f"{name}.csv"
        write_if_changed(path, table_bytes(name, tables))
        written.append(path)
    return written


def export_clean_text(article_id: str, text: str, out: Path, write: Writer | None = None) -> Path:
    """Write the article's clean text (offsets in the tables point into it), unless it is already there."""
    return (write or write_if_changed)(out / "clean" / f"{safe_file_name(article_id)}.txt", text.encode("utf-8"))


def export_raw_text(article_id: str, text: str, out: Path, write: Writer | None = None) -> Path:
    """Write the text a PDF's text layer gave (``outputs/raw/<id>.txt``), so the clean text can be checked
    against what was extracted."""
    return (write or write_if_changed)(out / "raw" / f"{safe_file_name(article_id)}.txt", text.encode("utf-8"))


def remove_stale_texts(out: Path, written: list[Path]) -> None:
    """Remove the clean and raw texts of articles that are gone from the corpus (this run wrote none)."""
    keep = set(written)
    for folder in (out / "clean", out / "raw"):
        for path in folder.glob("*.txt") if folder.is_dir() else ():
            if path not in keep:
                path.unlink(missing_ok=True)


def write_if_changed(path: Path, data: bytes) -> Path:
    """Write ``data`` atomically unless the file already holds exactly it (an unchanged run rewrites nothing)."""
    try:
        unchanged = path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        unchanged = False
    if not unchanged:
        write_atomic(path, data)
    return path
