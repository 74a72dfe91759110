"""What changed between two sets of tables: rows added and removed per table, the first few shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

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


def diff(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> list[TableDiff]:
    """Per table present in both, the rows only one side has (as a multiset: a row twice counts twice)."""
    out = []
    for name, new in after.items():
        old = before.get(name)
        if old is None:
            continue
        a, b = _rows(old), _rows(new)
        ca, cb = Counter(a), Counter(b)
        added = [dict(k) for k in (cb - ca).elements()]
        removed = [dict(k) for k in (ca - cb).elements()]
        if added or removed:
            out.append(TableDiff(name, added, removed))
    return out


def _rows(df: pd.DataFrame) -> list[tuple]:
    cols = [c for c in df.columns if c not in IGNORED]
    return [tuple(zip(cols, map(str, values))) for values in df[cols].itertuples(index=False, name=None)]


def _describe(table: str, row: dict) -> str:
    cols = SHOWN.get(table, tuple(list(row)[:3]))
    text = " ".join(str(row.get(c, "")) for c in cols if row.get(c, ""))
    text = text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"
    rule = row.get("rule", "")
    return f"{row.get('article_id', '')} {text}" + (f" (rule {rule})" if rule else "")
