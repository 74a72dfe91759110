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
    """Per table present in both, the rows only one side has (as a multiset: a row twice counts twice).
    Rows are compared by a vectorised hash, so only the rows that differ are turned into dicts."""
    out = []
    for name, new in after.items():
        old = before.get(name)
        if old is None or old.equals(new):
            continue
        ha, hb = _hashes(old), _hashes(new)
        ca, cb = Counter(ha), Counter(hb)
        plus, minus = cb - ca, ca - cb
        added = _pick(new, hb, plus)
        removed = _pick(old, ha, minus)
        if added or removed:
            out.append(TableDiff(name, added, removed))
    return out


def _hashes(df: pd.DataFrame) -> list[int]:
    cols = [c for c in df.columns if c not in IGNORED]
    return pd.util.hash_pandas_object(df[cols].astype(str), index=False).tolist()


def _pick(df: pd.DataFrame, hashes: list[int], wanted: Counter) -> list[dict]:
    """The rows whose hash is wanted, as many times as wanted, in table order."""
    left = Counter(wanted)
    rows = []
    for i, h in enumerate(hashes):
        if left[h] > 0:
            left[h] -= 1
            rows.append({k: str(v) for k, v in df.iloc[i].to_dict().items()})
    return rows


def _describe(table: str, row: dict) -> str:
    cols = SHOWN.get(table, tuple(list(row)[:3]))
    text = " ".join(str(row.get(c, "")) for c in cols if row.get(c, ""))
    text = text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"
    rule = row.get("rule", "")
    return f"{row.get('article_id', '')} {text}" + (f" (rule {rule})" if rule else "")
