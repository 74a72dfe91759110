"""What the report shows, read from the tables in an output folder (never from a parse)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..export import safe_file_name

TABLES = ("articles", "mentions", "people", "organizations", "dates", "agreements", "events", "duplicates")
SEP = " | "


class ReportInputError(ValueError):
    """The output folder has no tables to report on (or one of them cannot be read)."""


@dataclass
class Tables:
    frames: dict[str, pd.DataFrame]
    out: Path
    _grouped: dict[str, dict[str, list[dict]]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def of(self, name: str, article_id: str) -> list[dict]:
        """The rows of one article as dicts (grouped once per table: a filter per page would be quadratic)."""
        if name not in self._grouped:
            grouped: dict[str, list[dict]] = {}
            for row in self.frames[name].to_dict("records"):
                grouped.setdefault(row["article_id"], []).append(row)
            self._grouped[name] = grouped
        return self._grouped[name].get(article_id, [])

    def clean_text(self, article_id: str) -> str:
        path = self.out / "clean" / f"{safe_file_name(article_id)}.txt"
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def sizes(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.frames.items()}


def load(out: Path) -> Tables:
    """Every table as strings (ids and ISO dates stay text), offsets and counts as integers."""
    frames = {}
    for name in TABLES:
        path = out / f"{name}.csv"
        if not path.is_file():
            raise ReportInputError(f"no {name}.csv in {out}/ (run the pipeline first)")
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ReportInputError(f"{path} cannot be read: {exc}") from None
        for col in ("start", "end", "chars", "mentions", "agreements", "sentence_index"):
            if col in df.columns:
                df[col] = pd.to_numeric(df[col], errors="coerce").fillna(-1).astype("int64")
        frames[name] = _unguarded(df)
    return Tables(frames, out)


def _unguarded(df: pd.DataFrame) -> pd.DataFrame:
    """The CSVs prefix a cell that would run as a formula with ``'``: the report shows the text itself."""
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].map(lambda v: v[1:] if isinstance(v, str) and v[:2] in _GUARDED else v)
    return df


_GUARDED = {"'" + c for c in ("=", "+", "-", "@", "\t", "\r")}


def split(cell: str) -> list[str]:
    return [v for v in cell.split(SEP) if v] if cell else []
