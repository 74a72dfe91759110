"""Export stage: DataFrames to CSV files that are safe to open in Excel.

UTF-8 with BOM, RFC 4180 quoting, formula injection neutralised, each file
replaced atomically (temp file in the same folder, fsync, rename).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from ..atomic import write_atomic
from .tables import NUMERIC, Tables

# OWASP CSV injection: a cell starting with one of these may run as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SAFE_NAME = re.compile(r"[^0-9A-Za-z_.\-\u3040-\u30ff\u3400-\u9fff]")


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would treat as a formula with a quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if col not in NUMERIC:
            out[col] = out[col].astype(str).map(neutralise)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    text = safe_frame(df).to_csv(index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def safe_file_name(article_id: str) -> str:
    """A file name that cannot leave its folder, whatever the article id contains."""
    name = SAFE_NAME.sub("_", article_id).lstrip(".") or "_"
    return name[:180]


def export(tables: Tables, out: Path) -> list[Path]:
    """Write every table as ``out/<name>.csv``; returns the paths written."""
    written = []
    for name, df in tables.items():
        path = out / f"{name}.csv"
        write_atomic(path, csv_bytes(df))
        written.append(path)
    return written


def export_clean_text(article_id: str, text: str, out: Path) -> Path:
    """Write the article's clean text (offsets in the tables point into it), unless it is already there."""
    return write_if_changed(out / "clean" / f"{safe_file_name(article_id)}.txt", text.encode("utf-8"))


def export_raw_text(article_id: str, text: str, out: Path) -> Path:
    """Write the text a PDF's text layer gave (``outputs/raw/<id>.txt``), so the clean text can be checked
    against what was extracted."""
    return write_if_changed(out / "raw" / f"{safe_file_name(article_id)}.txt", text.encode("utf-8"))


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
