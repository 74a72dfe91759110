"""The workbook and Parquet exports, the progress bar and the run's summary of failures."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.cli import _parser, failure_lines
from pipeline.engine import progress
from pipeline.engine.runner import run_with_stats
from pipeline.output import workbook
from pipeline.output.tables import COLUMNS, NUMERIC, Tables

ROOT = Path(__file__).resolve().parent.parent
ISO_LIKE = re.compile(r"\d{4}(-\d{2})?")  # what Excel would turn into a number or a date if it guessed


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def sheet_rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture(scope="module")
def seed_book(seed_run):
    out, *_ = seed_run
    return openpyxl.load_workbook(out / "tables.xlsx")


def test_one_sheet_per_table_with_contract_header(seed_run, seed_book):
    _, _, tables, *_ = seed_run
    assert seed_book.sheetnames == [name for name, _ in tables.items()]
    for name in seed_book.sheetnames:
        sheet = seed_book[name]
        assert sheet_rows(sheet)[0] == COLUMNS[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref


def test_rows_match_the_csvs(seed_run, seed_book):
    out, *_ = seed_run
    for name in seed_book.sheetnames:
        rows = sheet_rows(seed_book[name])[1:]
        csv_rows = read_csv(out / f"{name}.csv")
        assert len(rows) == len(csv_rows), name
        for row, csv_row in zip(rows, csv_rows):
            assert ["" if v is None else str(v) for v in row] == list(csv_row.values()), name


def test_cells_are_typed(seed_book):
    iso_texts = set()
    for name in seed_book.sheetnames:
        sheet = seed_book[name]
        columns = COLUMNS[name]
        for row in sheet.iter_rows(min_row=2):
            for col, cell in zip(columns, row):
                if col in NUMERIC:
                    assert isinstance(cell.value, int), (name, col, cell.value)
                elif cell.value is not None:
                    assert cell.data_type == "s", (name, col, cell.value)
                    if ISO_LIKE.fullmatch(cell.value):
                        iso_texts.add((name, col, cell.value))
    # the seeds have both: a year (2015) and a year-month (2024-07) stay text
    assert any(len(v) == 4 for *_, v in iso_texts) and any(len(v) == 7 for *_, v in iso_texts), iso_texts


def test_unchanged_run_rewrites_nothing_with_the_workbook(seed_run):
    out, cache, _, _, corpus = seed_run
    recorded = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))["files"]
    assert "tables.xlsx" in recorded
    stamps = lambda: {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file() and p.name != ".lock"}
    before = stamps()
    tables, stats = run_with_stats(corpus, out, jobs=1, cache_dir=cache, progress=False, reuse_outputs=True)
    assert tables is None and stats.up_to_date
    assert stamps() == before


def frame(rows: list[dict], name: str) -> pd.DataFrame:
    """A table's frame from partial rows: missing columns empty, NUMERIC ones int64."""
    cells = [{col: row.get(col, 0 if col in NUMERIC else "") for col in COLUMNS[name]} for row in rows]
    df = pd.DataFrame(cells, columns=COLUMNS[name])
    return df.astype({col: "int64" if col in NUMERIC else str for col in COLUMNS[name]})


def tables_with(name: str, rows: list[dict]) -> Tables:
    empty = {table: frame([], table) for table in COLUMNS}
    return Tables(**(empty | {name: frame(rows, name)}))


def book_of(tables: Tables) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook.workbook_bytes(tables)))


def test_cell_types_guard_blanks_and_cut():
    long = "長" * 40_000
    rows = [
        {"article_id": "a0001", "start": 3, "end": 7, "text": "=1+1", "value": "2015", "sentence": long},
        {"article_id": "a0002", "start": 8, "end": 9, "text": "@SUM(A1)", "value": "2024-07", "anchor": ""},
    ]
    sheet = book_of(tables_with("dates", rows))["dates"]
    cells = {col: [row[i] for row in sheet.iter_rows(min_row=2)] for i, col in enumerate(COLUMNS["dates"])}
    assert [c.value for c in cells["article_id"]] == ["a0001", "a0002"]
    assert [(c.value, c.data_type) for c in cells["value"]] == [("2015", "s"), ("2024-07", "s")]
    assert [c.value for c in cells["start"]] == [3, 8] and all(c.data_type == "n" for c in cells["start"])
    assert [c.value for c in cells["text"]] == ["'=1+1", "'@SUM(A1)"]
    assert [c.value for c in cells["anchor"]] == [None, None]  # empty strings are blank cells
    cut = cells["sentence"][0].value
    assert len(cut) == workbook.CELL_LIMIT and cut.endswith("…") and cut.startswith("長長")
    assert cells["sentence"][1].value is None


def test_cut_counts_utf16_units():
    assert workbook.cut("x" * 10, limit=10) == "x" * 10
    assert workbook.cut("x" * 11, limit=10) == "x" * 9 + "…"
    astral = "𠮷" * 8  # two UTF-16 units each
    assert workbook.cut(astral, limit=10) == "𠮷" * 4 + "…"


def test_a_table_longer_than_a_sheet_is_an_error(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 1)
    with pytest.raises(ValueError, match="dates has 2 rows"):
        workbook.workbook_bytes(tables_with("dates", [{"article_id": "a"}, {"article_id": "b"}]))


def test_column_width_counts_wide_characters_and_is_capped():
    assert workbook.display_width("日米ab") == 6
    assert workbook.column_width("id", pd.Series(["日米首脳会談"])) == 13
    assert workbook.column_width("id", pd.Series(["x" * 500])) == workbook.MAX_WIDTH
    assert workbook.column_width("start", pd.Series([], dtype="int64")) == 6


def test_same_tables_give_the_same_bytes():
    tables = tables_with("dates", [{"article_id": "a", "value": "2024-07"}])
    assert workbook.workbook_bytes(tables) == workbook.workbook_bytes(tables)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_parquet_opt_in_typed_no_workbook_and_progress(seed_run, tmp_path, monkeypatch):
    """A warm run (no parse) into a new folder: Parquet without the workbook, with the bar on a 'terminal'."""
    _, cache, seed_tables, _, corpus = seed_run
    out = tmp_path / "out"
    monkeypatch.setattr(sys, "stderr", Terminal())
    tables, stats = run_with_stats(corpus, out, jobs=1, cache_dir=cache, xlsx=False, parquet=True)
    shown = sys.stderr.getvalue()
    assert all(stage in shown for stage in ("reading", "tables", "writing")), shown
    assert not (out / "tables.xlsx").exists()
    assert stats.export_errors == []
    for name, df in tables.items():
        back = pd.read_parquet(out / "parquet" / f"{name}.parquet")
        assert list(back.columns) == COLUMNS[name]
        for col in back.columns:
            if col in NUMERIC:
                assert back[col].dtype == "int64", (name, col)
            else:
                assert pd.api.types.is_string_dtype(back[col]) or back[col].dtype == object, (name, col)
        pd.testing.assert_frame_equal(back, df, check_dtype=False)
        pd.testing.assert_frame_equal(df, getattr(seed_tables, name), check_dtype=False)
        assert len(back) == len(read_csv(out / f"{name}.csv"))
    # the formats are part of what makes a folder up to date: asking for the workbook now has work to do
    _, again = run_with_stats(corpus, out, jobs=1, cache_dir=cache, progress=False, reuse_outputs=True)
    assert not again.up_to_date and (out / "tables.xlsx").exists()


def cli(corpus: Path, out: Path, cache: Path, *options: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(out)]
    return subprocess.run(
        [*cmd, "--cache", str(cache), "--jobs", "1", *options], capture_output=True, text=True, cwd=ROOT
    )


def test_cli_no_xlsx_and_a_workbook_that_cannot_be_written(seed_run, tmp_path):
    _, cache, _, _, corpus = seed_run
    res = cli(corpus, tmp_path / "plain", cache, "--no-xlsx", "--quiet")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "plain" / "articles.csv").exists() and not (tmp_path / "plain" / "tables.xlsx").exists()
    blocked = tmp_path / "blocked"
    (blocked / "tables.xlsx").mkdir(parents=True)  # a folder where the workbook goes: replacing it fails
    res = cli(corpus, blocked, cache, "--quiet")
    assert res.returncode == 3, res.stderr
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("error: ") and "tables.xlsx" in res.stderr
    assert all((blocked / f"{name}.csv").exists() for name in COLUMNS)
    assert not (blocked / ".manifest.json").exists()  # not complete: the next run writes the workbook again


def test_cli_flags():
    args = _parser().parse_args(["run"])
    assert (args.xlsx, args.parquet) == (True, False)
    args = _parser().parse_args(["run", "--no-xlsx", "--parquet"])
    assert (args.xlsx, args.parquet) == (False, True)


def test_failures_listed_three_then_a_count():
    errors = [(f"{n}.txt", "empty file") for n in range(5)]
    assert failure_lines(errors) == [
        "  0.txt: empty file",
        "  1.txt: empty file",
        "  2.txt: empty file",
        "  … and 2 more (articles.csv says why)",
    ]
    assert failure_lines(errors[:3]) == ["  0.txt: empty file", "  1.txt: empty file", "  2.txt: empty file"]
    assert failure_lines([]) == []


def test_bar_is_off_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress.ProgressBar(True) as bar:
        bar.stage("reading", 3)
        bar.advance()
        assert bar.bar is None
    assert sys.stderr.getvalue() == ""
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert progress.ProgressBar(False).bar is None


def test_bar_names_each_stage_when_on(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    with progress.ProgressBar(True) as bar:
        bar.stage("reading", 2)
        bar.grow(100)
        bar.update(40)  # parsed while the files are read
        bar.advance(2)
        bar.parsing()
        assert (bar.bar.n, bar.bar.total, bar.bar.unit) == (40, 100, "char")
        bar.update(60)
        bar.stage("tables", 2, unit="article")
        bar.advance(2)
        bar.stage("writing", 2, unit="format")
        bar.advance(2)
    shown = sys.stderr.getvalue()
    for stage in ("reading", "parsing", "tables", "writing"):
        assert stage in shown, (stage, shown)


def test_bar_is_on_in_a_jupyter_kernel(monkeypatch):
    kernel = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: kernel))
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress.shown(True) and not progress.shown(False)
