"""Tables and export: contract columns, sorting, formula neutralisation, atomic writes."""

from __future__ import annotations

import csv
import os

import pytest

from pipeline import atomic
from pipeline.output import export
from pipeline.output.tables import COLUMNS, NUMERIC, TableBuilder, Tables
from pipeline.records import AlignedText, Article, ArticleFacts, Entity, Extraction, Mention, Removal, Sentence


def small_tables(text: str = '=HYPERLINK("http://x","y")と@SUM(A1)を浜田防衛相が述べた。'):
    art = Article(
        "a1",
        "a1.txt",
        "0" * 64,
        "utf-8",
        raw=text,
        clean=AlignedText.identity(text),
        sentences=[Sentence(0, 0, len(text), "body")],
        removals=[Removal(0, 1, "markup")],
    )
    start = text.index("浜田")
    m = Mention("PERSON", "浜田", start, start + 2, 0, "浜田", "person.title_suffix")
    formula = Mention("ORG", text[:5], 0, 5, 0, "-1+1", "org.test")
    ex = Extraction(
        "a1",
        [m, formula],
        people=[Entity("PERSON", "浜田", [m], title="防衛相", country="JP", rule="person.title_suffix")],
    )
    builder = TableBuilder()
    builder.add_article(art, ArticleFacts(title="@title", published="2024-01-02", published_from="metadata"))
    builder.add_extraction(art, ex)
    return builder.build()


def test_columns_and_rule_names():
    tables = small_tables()
    for name, df in tables.items():
        assert list(df.columns) == COLUMNS[name]
    assert tables.people.iloc[0].to_dict() | {"first_sentence": ""} == {
        "article_id": "a1",
        "person": "浜田",
        "title": "防衛相",
        "country": "JP",
        "surfaces": "浜田",
        "mentions": 1,
        "first_sentence": "",
        "rule": "person.title_suffix",
    }
    assert list(tables.mentions["mention_id"]) == ["m0001", "m0002"]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert export.neutralise(cell) == "'" + cell


def test_csv_is_bom_utf8_and_safe_to_open(tmp_path):
    tables = small_tables()
    export.export(tables, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.csv" for n in COLUMNS)
    for name in COLUMNS:
        raw = (tmp_path / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        with (tmp_path / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                for col, value in row.items():
                    assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, col, value)
    with (tmp_path / "mentions.csv").open(encoding="utf-8-sig", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    assert texts[0] == "'=HYPE"


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "people.csv"
    target.write_bytes(b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        export.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["people.csv"]


def test_atomic_write_interrupted_in_its_own_cleanup_leaves_nothing_at_exit(tmp_path, monkeypatch):
    """Ctrl-C may land inside the removal of the temporary file: the exit hook removes it, and only this
    process's files (a forked worker inherits the set of pending names)."""
    target = tmp_path / "agreements.csv"
    real_unlink = atomic.Path.unlink

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    monkeypatch.setattr(atomic.Path, "unlink", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export.write_atomic(target, b"new")
    monkeypatch.setattr(atomic.Path, "unlink", real_unlink)
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".agreements.csv.") and left[0].endswith(".tmp")
    parents = tmp_path / f".agreements.csv.{os.getpid() + 1}.0.tmp"
    parents.write_bytes(b"a parent's write in progress")
    atomic._pending.add(str(parents))
    atomic.remove_pending()
    assert [p.name for p in tmp_path.iterdir()] == [parents.name]
    assert not atomic._pending


@pytest.mark.parametrize("article_id", ["../../x", "a/b", "\x00\x1b[31m", "..", "日本語 の 名前"])
def test_clean_text_path_stays_inside_outputs(tmp_path, article_id):
    path = export.export_clean_text(article_id, "本文", tmp_path / "out")
    assert path.resolve().parent == (tmp_path / "out" / "clean").resolve()


def test_csv_from_blocks_is_what_pandas_writes_of_the_frames(seed_run):
    """The CSVs are written from the articles' blocks; they are byte for byte pandas' own ``to_csv`` of the
    tables (cells neutralised as before), so an analyst's file does not depend on how it was assembled."""
    out, _, tables, _, _ = seed_run
    assert tables.blocks, "a run's tables are made of blocks"
    for name, df in tables.items():
        safe = df.copy()
        for col in safe.columns:
            if col not in NUMERIC:
                safe[col] = safe[col].astype(str).map(export.neutralise)
        expected = safe.to_csv(index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").encode("utf-8-sig")
        assert export.table_bytes(name, tables) == expected, name
        assert (out / f"{name}.csv").read_bytes() == expected, name
        assert len(df) > 0 or name in ("duplicates", "amounts"), name


def test_blocks_make_the_same_tables_in_any_order(seed_run):
    """A table is its articles' blocks in article-id order: shuffled blocks give the same bytes, and the
    ids are numbered within each article."""
    _, _, tables, _, _ = seed_run
    shuffled = Tables.of(list(reversed(tables.blocks)))
    for name in COLUMNS:
        assert export.table_bytes(name, shuffled) == export.table_bytes(name, tables), name
    agreements = tables.agreements
    firsts = agreements.groupby("article_id")["agreement_id"].first()
    assert set(firsts) == {"a0001"}
    assert tables.sizes() == {name: len(df) for name, df in tables.items()}
