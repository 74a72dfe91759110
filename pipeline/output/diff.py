"""What changed between two runs' tables: rows added and removed per table, the first few shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .tables import COLUMNS, Block

# The columns that say what a row is, per table (ids and offsets left out: they shift when rows come and go).
SHOWN = {
    "agreements": ("date", "parties", "predicate", "content"),
    "events": ("date", "canonical", "place"),
    "people": ("person", "title"),
    "organizations": ("organization", "kind"),
    "dates": ("text", "value"),
    "mentions": ("label", "text", "canonical"),
    "amounts": ("text", "value", "unit"),
    "articles": ("path", "status", "error"),
    "duplicates": ("kind", "chars"),
}
IGNORED = {"agreement_id", "amount_id", "mention_id", "event_id", "repeat_of"}  # renumbered when rows move
WIDTH = 60


@dataclass
class TableDiff:
    name: str
    added: list[dict]
    removed: list[dict]

    def lines(self, shown: int = 3) -> list[str]:
        head = f"{self.name} +{len(self.added)} −{len(self.removed)}"
        rows = [f"  + {_describe(self.name, r)}" for r in self.added[:shown]]
        rows += [f"  − {_describe(self.name, r)}" for r in self.removed[:shown]]
        return [head, *rows]


def diff(before: dict[str, Block], after: dict[str, Block]) -> list[TableDiff]:
    """Per table, the rows only one side has (as a multiset: a row twice counts twice), from the blocks of the
    articles whose block changed (every row names its article, so the others cannot differ), in table order."""
    changed = sorted(aid for aid in before.keys() | after.keys() if before.get(aid) is not after.get(aid))
    out = []
    for name, columns in COLUMNS.items():
        old = [r for aid in changed if aid in before for r in before[aid].rows[name]]
        new = [r for aid in changed if aid in after for r in after[aid].rows[name]]
        shown = [c for c in columns if c not in IGNORED]
        ka, kb = [_key(r, shown) for r in old], [_key(r, shown) for r in new]
        ca, cb = Counter(ka), Counter(kb)
        added = _pick(new, kb, cb - ca, columns)
        removed = _pick(old, ka, ca - cb, columns)
        if added or removed:
            out.append(TableDiff(name, added, removed))
    return out


def _key(row: dict, columns: list[str]) -> tuple:
    return tuple(str(row[c]) for c in columns)


def _pick(rows: list[dict], keys: list[tuple], wanted: Counter, columns: list[str]) -> list[dict]:
    """The rows whose key is wanted, as many times as wanted, in table order (the contract's columns)."""
    left = Counter(wanted)
    picked = []
    for row, k in zip(rows, keys, strict=True):
        if left[k] > 0:
            left[k] -= 1
            picked.append({c: str(row[c]) for c in columns})
    return picked


def _describe(table: str, row: dict) -> str:
    cols = SHOWN.get(table, tuple(list(row)[:3]))
    text = " ".join(str(row.get(c, "")) for c in cols if row.get(c, ""))
    text = text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"
    rule = row.get("rule", "")
    return f"{row.get('article_id', '')} {text}" + (f" (rule {rule})" if rule else "")
