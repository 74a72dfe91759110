"""The data dictionary (docs/tables.md, copied as outputs/README.md) documents exactly what the run writes."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pipeline import rulebook
from pipeline.extract import amounts
from pipeline.extract.events.rulefile import EVENT_KINDS
from pipeline.output.tables import COLUMNS
from pipeline.records import SECTIONS

ROOT = Path(__file__).resolve().parent.parent
DICTIONARY = ROOT / "docs" / "tables.md"
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")


def sections() -> dict[str, tuple[list[str], dict[str, set[str]]]]:
    """{table: ([documented columns], {coded column: {documented values}})} from the dictionary."""
    out: dict[str, tuple[list[str], dict[str, set[str]]]] = {}
    table, in_values = None, False
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+)\.csv$", line)
        if heading or line.startswith("## "):
            table, in_values = (heading.group(1) if heading else None), False
            if table:
                out[table] = ([], {})
            continue
        if line.startswith("### Values"):
            in_values = True
            continue
        m = ROW.match(line)
        if table is None or m is None:
            continue
        cells = [c.strip() for c in m.group(2).split("|")]
        if in_values:
            value = "" if cells[0] == "*(empty)*" else cells[0].strip("`")
            out[table][1].setdefault(m.group(1), set()).add(value)
        else:
            out[table][0].append(m.group(1))
    return out


def test_every_table_and_column_is_documented_in_order():
    documented = sections()
    assert set(documented) == set(COLUMNS)
    for name, columns in COLUMNS.items():
        assert documented[name][0] == columns, name


def test_the_outputs_folder_carries_the_same_dictionary():
    assert (ROOT / "outputs" / "README.md").read_text(encoding="utf-8") == DICTIONARY.read_text(encoding="utf-8")


def test_every_written_csv_is_documented(seed_run):
    out, *_ = seed_run
    documented = sections()
    for path in sorted(out.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            assert next(csv.reader(f)) == documented[path.stem][0], path.name


def _code_values() -> dict[tuple[str, str], set[str]]:
    """Coded columns whose values the code or the rule files define: the dictionary lists exactly these."""
    agreements = rulebook.load("agreements")
    return {
        ("events", "kind"): set(EVENT_KINDS),
        ("agreements", "status"): {r.get("status") for r in agreements.rules if r.get("kind") == "status"}
        | {"concluded"},
        ("agreements", "predicate"): set(agreements.settings["classes"].values()),
        ("agreements", "date_from"): {"sentence", "event", "published", "context", ""},
        ("mentions", "section"): set(SECTIONS),
        ("amounts", "kind"): set(amounts.KINDS),
        ("dates", "anchor"): {"explicit", "published", "context", "unresolved"},
        ("duplicates", "kind"): {"markup", "exact_block", "near_block", "article"},
    }


@pytest.mark.parametrize("key", sorted(_code_values()), ids=lambda k: f"{k[0]}.{k[1]}")
def test_coded_values_are_those_the_code_writes(key):
    table, column = key
    assert sections()[table][1][column] == _code_values()[key]


def test_every_coded_value_written_for_the_seeds_is_documented(seed_run):
    out, *_ = seed_run
    for table, (_, coded) in sections().items():
        with (out / f"{table}.csv").open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        for column, values in coded.items():
            written = {r[column] for r in rows}
            assert written <= values, f"{table}.{column}: {written - values} undocumented"
