"""Excel export: every table as one sheet of ``outputs/tables.xlsx``, each cell typed as what it is.

XlsxWriter writes and never reads, and in ``constant_memory`` mode it streams each row to a temporary file as
soon as the next one starts, so a table of 100,000 rows never sits in memory as cell objects. Every cell is
written with an explicit type: the NUMERIC columns as numbers, everything else as text, so that Excel never
reads ``2024-07`` as a date, ``2015`` as a number or ``1e3`` as 1000.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from ..atomic import write_atomic
from .export import neutralise
from .tables import NUMERIC, Tables

NAME = "tables.xlsx"
CELL_LIMIT = 32_767  # Excel's longest text in a cell, in UTF-16 code units
MAX_ROWS = 1_048_575  # a sheet's rows below the header
MAX_WIDTH = 60  # characters; a longer text wraps nothing, it is simply cut off on screen
# XlsxWriter dates the zip entries 1980-01-01; the document's own creation date is set to the same, so that an
# unchanged run writes the same bytes (the default is the time of writing).
CREATED = datetime(1980, 1, 1)


def export_workbook(tables: Tables, out: Path) -> Path:
    """Write ``out/tables.xlsx`` atomically; returns its path."""
    path = out / NAME
    write_atomic(path, workbook_bytes(tables))
    return path


def workbook_bytes(tables: Tables) -> bytes:
    """The workbook of ``tables``: one sheet per table, in the tables' order."""
    buffer = io.BytesIO()
    # in_memory would keep every cell until close; constant_memory streams rows through a temporary file.
    with xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False}) as book:
        book.set_properties({"created": CREATED})
        header = book.add_format({"bold": True})
        for name, df in tables.items():
            if len(df) > MAX_ROWS:  # XlsxWriter would drop the rows past the limit without a word
                raise ValueError(f"{name} has {len(df):,} rows, more than an Excel sheet holds ({MAX_ROWS:,})")
            _write_sheet(book.add_worksheet(name[:31]), df, header)
    return buffer.getvalue()


def _write_sheet(sheet: Any, df: pd.DataFrame, header: Any) -> None:
    """Header, fitted widths, frozen header row, autofilter, then the rows in order (streaming needs order)."""
    columns = list(df.columns)
    for c, col in enumerate(columns):
        sheet.set_column(c, c, column_width(col, df[col]))
        sheet.write_string(0, c, col, header)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(df), max(len(columns) - 1, 0))
    writers = [_number_writer(sheet) if col in NUMERIC else _text_writer(sheet) for col in columns]
    values = [_cells(df[col]) for col in columns]
    for r, row in enumerate(zip(*values), 1):
        for c, value in enumerate(row):
            writers[c](r, c, value)


def _cells(values: pd.Series) -> list:
    """A column's values as written: numbers as they are, texts guarded and cut."""
    if values.name in NUMERIC:
        return values.tolist()
    return [excel_text(v) for v in values.astype(str).tolist()]


def _number_writer(sheet: Any) -> Callable[[int, int, Any], None]:
    def write(row: int, col: int, value: Any) -> None:
        if isinstance(value, int | float) and value == value:  # NaN != NaN: a missing number stays blank
            sheet.write_number(row, col, value)
        elif value is not None and str(value) != "":
            sheet.write_string(row, col, excel_text(str(value)))

    return write


def _text_writer(sheet: Any) -> Callable[[int, int, str], None]:
    def write(row: int, col: int, value: str) -> None:
        if value:  # an empty string is left blank, not written as an empty text cell
            sheet.write_string(row, col, value)

    return write


def excel_text(value: str) -> str:
    """A text as its cell holds it: guarded against formulas like the CSVs, cut to Excel's cell limit."""
    # A text cell is never evaluated, but an analyst who edits it (F2, Enter) or saves the sheet as CSV makes it a
    # formula; the same quote as in the CSVs also keeps the two files' values identical.
    return cut(neutralise(value))


def cut(value: str, limit: int = CELL_LIMIT) -> str:
    """``value`` cut to ``limit`` UTF-16 code units, ending with ``…`` when it was cut."""
    if len(value) <= limit // 2 or _utf16_len(value) <= limit:
        return value
    kept, units = [], 1  # the ellipsis is one unit
    for ch in value:
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def _utf16_len(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


def column_width(name: str, values: pd.Series) -> int:
    """Width in Excel's character units: the widest of the header and the values, wide characters counting
    twice, at most MAX_WIDTH."""
    best = display_width(name)
    texts = values.astype(str)
    lengths = texts.str.len()
    if len(texts) and lengths.max() >= MAX_WIDTH:
        return MAX_WIDTH
    # Only a text at least half as long as the longest can be the widest (a character counts 1 or 2).
    longest = int(lengths.max()) if len(texts) else 0
    for text in texts[lengths * 2 >= longest].unique():
        best = max(best, display_width(text))
    return min(best + 1, MAX_WIDTH)  # one more for the autofilter's button


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: East Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
