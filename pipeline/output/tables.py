"""Tables stage: plain records in, the contract's DataFrames out (spec/outputs.md).

Every table is sorted by ``article_id`` first and numbers its ids within each article, so a table is its
articles' *blocks* (one article's rows of every table: sorted, numbered, linked) laid end to end in
article-id order. A run builds one block per article; a long-lived ``watch`` keeps the blocks of the
articles that did not change, and the CSVs are written from the blocks (``export``). The DataFrames are
made from the blocks when first asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd

from ..records import Article, ArticleFacts, Extraction
from .rows import SEP, article_rows, extraction_rows

__all__ = ["COLUMNS", "NUMERIC", "SEP", "Block", "TableBuilder", "Tables", "block"]

COLUMNS: dict[str, list[str]] = {
    "articles": [
        "article_id",
        "path",
        "sha256",
        "encoding",
        "title",
        "source",
        "published",
        "published_from",
        "chars_raw",
        "chars_clean",
        "chars_removed",
        "duplicate_of",
        "status",
        "error",
        "format",
        "pages",
        "warnings",
    ],
    "mentions": [
        "article_id",
        "mention_id",
        "label",
        "text",
        "start",
        "end",
        "sentence_index",
        "section",
        "canonical",
        "rule",
    ],
    "people": ["article_id", "person", "title", "country", "surfaces", "mentions", "first_sentence", "rule"],
    "organizations": [
        "article_id",
        "organization",
        "abbreviation",
        "kind",
        "country",
        "surfaces",
        "mentions",
        "first_sentence",
        "rule",
    ],
    "dates": ["article_id", "start", "end", "text", "value", "kind", "anchor", "sentence", "rule"],
    "agreements": [
        "article_id",
        "agreement_id",
        "date",
        "event",
        "parties",
        "predicate",
        "status",
        "instrument",
        "content",
        "sentence",
        "rule",
        "event_id",
        "party_people",
        "party_organizations",
        "party_countries",
        "date_from",
        "start",
        "end",
        "sentence_index",
        "repeat_of",
    ],
    "events": [
        "article_id",
        "event_id",
        "event",
        "canonical",
        "event_key",
        "date",
        "place",
        "participants",
        "countries",
        "kind",
        "agreements",
        "sentence",
        "start",
        "end",
        "rule",
    ],
    "duplicates": ["article_id", "start", "end", "chars", "kind", "duplicate_of"],
    "amounts": [
        "article_id",
        "amount_id",
        "text",
        "value",
        "unit",
        "kind",
        "approx",
        "sentence_index",
        "start",
        "end",
        "sentence",
        "rule",
    ],
}
# ``value`` of amounts is not numeric by type: it is written as the rule module spelled it (plain digits, or
# empty), so that pandas never turns 1200000000000 into a float or 1.2e+12.
NUMERIC = {
    "start",
    "end",
    "chars",
    "mentions",
    "sentence_index",
    "chars_raw",
    "chars_clean",
    "chars_removed",
    "agreements",
}
# Columns the tables are sorted or joined by and do not show: a statement's predicate offset (``at``),
# an agreement's event (``event_at``: its first mention) and the statement it repeats (``repeat_at``).
HIDDEN: dict[str, list[str]] = {
    "people": ["first_start"],
    "organizations": ["first_start"],
    "agreements": ["at", "event_at", "repeat_at"],
}
SORT_KEYS: dict[str, list[str]] = {
    "articles": ["article_id"],
    "mentions": ["article_id", "start", "end", "label"],
    "people": ["article_id", "first_start", "person"],
    "organizations": ["article_id", "first_start", "organization"],
    "dates": ["article_id", "start", "end"],
    "agreements": ["article_id", "at", "predicate"],
    "events": ["article_id", "start"],
    "duplicates": ["article_id", "start"],
    "amounts": ["article_id", "start", "end"],
}


IDS = {"agreements": ("agreement_id", "a", 4), "amounts": ("amount_id", "q", 4), "events": ("event_id", "e", 3)}


class Block:
    """One article's rows of every table, in table order, numbered and linked; ``csv`` holds the CSV lines
    ``export`` made of them (kept with the block, so an unchanged article is formatted once)."""

    __slots__ = ("article_id", "csv", "rows")

    def __init__(self, article_id: str, rows: dict[str, list[dict]]) -> None:
        self.article_id = article_id
        self.rows = rows
        self.csv: dict[str, bytes] = {}


def block(article: Article, facts: ArticleFacts, ex: Extraction | None) -> Block:
    """The article's block: its own row and the rows of its extraction, if any."""
    rows = article_rows(article, facts)
    if ex is not None:
        rows |= extraction_rows(article, ex)
    return _finished(article.article_id, rows)


def _finished(aid: str, rows: dict[str, list[dict]]) -> Block:
    """Rows typed as the tables type them, sorted by the tables' keys, numbered, and joined."""
    done = {}
    for name in COLUMNS:
        cols = _columns(name)
        numeric = NUMERIC.union(HIDDEN.get(name, ()))
        typed = [{c: _typed(r.get(c), c in numeric) for c in cols} for r in rows.get(name, ())]
        keys = SORT_KEYS[name][1:]  # the article id is the same in every row of a block
        typed.sort(key=lambda r: tuple(r[k] for k in keys))
        if name in IDS:
            col, prefix, width = IDS[name]
            for n, r in enumerate(typed, 1):
                r[col] = f"{prefix}{n:0{width}d}"
        done[name] = typed
    _link(done["agreements"], done["events"])
    return Block(aid, done)


def _typed(value: object, numeric: bool) -> object:
    """As the tables hold it: an integer, or a string (None and NaN are empty)."""
    if numeric:
        return int(value)  # type: ignore[call-overload]
    return "" if value is None or value != value else str(value)


def _link(agreements: list[dict], events: list[dict]) -> None:
    """Agreements' ``event_id`` and ``repeat_of``, from the offsets they were joined by (in place)."""
    event_id = {e["start"]: e["event_id"] for e in events}
    agreement_id = {a["at"]: a["agreement_id"] for a in agreements}
    for a in agreements:
        a["event_id"] = event_id.get(a["event_at"], "")
        a["repeat_of"] = agreement_id.get(a["repeat_at"], "")


class TableBuilder:
    """Collects rows article by article, then makes the tables (for a few articles; a run makes blocks)."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[str, list[dict]]] = {}

    def add_article(self, article: Article, facts: ArticleFacts) -> None:
        self._rows.setdefault(article.article_id, {}).update(article_rows(article, facts))

    def add_extraction(self, article: Article, ex: Extraction) -> None:
        self._rows.setdefault(article.article_id, {}).update(extraction_rows(article, ex))

    def build(self) -> Tables:
        return Tables.of([_finished(aid, rows) for aid, rows in self._rows.items()])


class Tables:
    """The nine tables of the output contract, as DataFrames (each made from the blocks when first read)."""

    articles: pd.DataFrame
    mentions: pd.DataFrame
    people: pd.DataFrame
    organizations: pd.DataFrame
    dates: pd.DataFrame
    agreements: pd.DataFrame
    events: pd.DataFrame
    duplicates: pd.DataFrame
    amounts: pd.DataFrame

    def __init__(self, **frames: pd.DataFrame) -> None:
        if set(frames) != set(COLUMNS):
            raise TypeError(f"Tables needs every table: {sorted(set(COLUMNS) ^ set(frames))}")
        self.__dict__.update(frames)
        self.blocks: list[Block] = []

    @classmethod
    def of(cls, blocks: Iterable[Block]) -> Tables:
        """The tables of these blocks, in article-id order (whatever order they come in)."""
        tables = cls.__new__(cls)
        tables.blocks = sorted(blocks, key=lambda b: b.article_id)
        return tables

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name not in COLUMNS:
            raise AttributeError(name)
        frame = _frame(name, [r for b in self.blocks for r in b.rows[name]])
        self.__dict__[name] = frame
        return frame

    def items(self) -> Iterator[tuple[str, pd.DataFrame]]:
        return ((name, getattr(self, name)) for name in COLUMNS)

    def rows(self, name: str) -> Iterator[dict]:
        """Table ``name``'s rows as dicts (from the blocks, without making the DataFrame)."""
        if not self.blocks:
            return iter(getattr(self, name).to_dict("records"))
        return (r for b in self.blocks for r in b.rows[name])

    def sizes(self) -> dict[str, int]:
        """Rows per table (from the blocks, without making the DataFrames)."""
        if not self.blocks:
            return {name: len(getattr(self, name)) for name in COLUMNS}
        return {name: sum(len(b.rows[name]) for b in self.blocks) for name in COLUMNS}


def _columns(name: str) -> list[str]:
    return list(dict.fromkeys(COLUMNS[name] + SORT_KEYS[name] + HIDDEN.get(name, [])))


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """The table's DataFrame: the contract's columns, integers as int64, the rest as strings."""
    cols = _columns(name)
    df = pd.DataFrame(rows, columns=cols)
    for col in cols:
        if col in NUMERIC or col in HIDDEN.get(name, []):
            df[col] = pd.to_numeric(df[col]).astype("int64")
        else:
            df[col] = df[col].astype(object).fillna("").astype(str)
    return df[COLUMNS[name]].reset_index(drop=True)
