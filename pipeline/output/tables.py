"""Tables stage: plain records in, the contract's DataFrames out (spec/outputs.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

import pandas as pd

from ..records import Agreement, Amount, Article, ArticleFacts, DateMention, Entity, Extraction, Removal, Sentence

SEP = " | "

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
NUMERIC = {"start", "end", "chars", "mentions", "sentence_index", "chars_raw", "chars_clean", "chars_removed"}
SORT_KEYS: dict[str, list[str]] = {
    "articles": ["article_id"],
    "mentions": ["article_id", "start", "end", "label"],
    "people": ["article_id", "first_start", "person"],
    "organizations": ["article_id", "first_start", "organization"],
    "dates": ["article_id", "start", "end"],
    "agreements": ["article_id", "start", "predicate"],
    "duplicates": ["article_id", "start"],
    "amounts": ["article_id", "start", "end"],
}


@dataclass
class Tables:
    """The eight tables of the output contract, as DataFrames."""

    articles: pd.DataFrame
    mentions: pd.DataFrame
    people: pd.DataFrame
    organizations: pd.DataFrame
    dates: pd.DataFrame
    agreements: pd.DataFrame
    duplicates: pd.DataFrame
    amounts: pd.DataFrame

    def items(self) -> Iterable[tuple[str, pd.DataFrame]]:
        return ((f.name, getattr(self, f.name)) for f in fields(self))


class TableBuilder:
    """Collects rows article by article (so parsed docs never pile up), then makes DataFrames."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in COLUMNS}

    def add_article(self, article: Article, facts: ArticleFacts) -> None:
        self.rows["articles"].append(_article_row(article, facts))
        self.rows["duplicates"] += [_removal_row(article.article_id, r) for r in article.removals]

    def add_extraction(self, article: Article, ex: Extraction) -> None:
        aid, text, sents = article.article_id, article.text, article.sentences
        sentence_text = lambda i: _sentence(text, sents, i)
        self.rows["mentions"] += _mention_rows(aid, ex, {s.index: s.section for s in sents})
        self.rows["people"] += [_person_row(aid, e, sentence_text) for e in ex.people]
        self.rows["organizations"] += [_organization_row(aid, e, sentence_text) for e in ex.organizations]
        self.rows["dates"] += [_date_row(aid, d, sentence_text) for d in ex.dates]
        self.rows["agreements"] += [_agreement_row(aid, a) for a in ex.agreements]
        self.rows["amounts"] += [_amount_row(aid, q, sentence_text) for q in ex.amounts]

    def build(self) -> Tables:
        frames = {name: _frame(name, rows) for name, rows in self.rows.items()}
        frames["agreements"]["agreement_id"] = _ids(frames["agreements"], "a")
        frames["amounts"]["amount_id"] = _ids(frames["amounts"], "q")
        return Tables(**{name: df[COLUMNS[name]].reset_index(drop=True) for name, df in frames.items()})


def _article_row(article: Article, facts: ArticleFacts) -> dict:
    return {
        "article_id": article.article_id,
        "path": article.path,
        "sha256": article.sha256,
        "encoding": article.encoding,
        "title": facts.title,
        "source": facts.source,
        "published": facts.published,
        "published_from": facts.published_from,
        "chars_raw": len(article.raw),
        "chars_clean": len(article.text),
        "chars_removed": sum(r.chars for r in article.removals),
        "duplicate_of": article.duplicate_of,
        "status": "error" if article.error or article.meta_error else "ok",
        "error": article.error or (f"{article.meta_error} (text processed without it)" if article.meta_error else ""),
        "format": article.format,
        "pages": article.pages if article.format == "pdf" else "",
        "warnings": article.warnings,
    }


def _removal_row(aid: str, r: Removal) -> dict:
    return {
        "article_id": aid,
        "start": r.start,
        "end": r.end,
        "chars": r.chars,
        "kind": r.kind,
        "duplicate_of": r.duplicate_of,
    }


def _mention_rows(aid: str, ex: Extraction, section: dict[int, str]) -> list[dict]:
    """Every person, organisation and date mention, in text order, numbered within the article."""
    mentions = sorted(
        [(m.start, m.end, m.label, m.text, m.sentence_index, m.canonical, m.rule) for m in ex.mentions]
        + [(d.start, d.end, "DATE", d.text, d.sentence_index, d.value, d.rule) for d in ex.dates]
    )
    return [
        {
            "article_id": aid,
            "mention_id": f"m{n:04d}",
            "label": label,
            "text": surface,
            "start": start,
            "end": end,
            "sentence_index": si,
            "section": section.get(si, "body"),
            "canonical": canonical,
            "rule": rule,
        }
        for n, (start, end, label, surface, si, canonical, rule) in enumerate(mentions, 1)
    ]


def _person_row(aid: str, e: Entity, sentence_text: Callable[[int], str]) -> dict:
    return {
        "article_id": aid,
        "person": e.name,
        "title": e.title,
        "country": e.country,
        **_entity_common(e, sentence_text),
    }


def _organization_row(aid: str, e: Entity, sentence_text: Callable[[int], str]) -> dict:
    return {
        "article_id": aid,
        "organization": e.name,
        "abbreviation": e.abbreviation,
        "kind": e.kind,
        "country": e.country,
        **_entity_common(e, sentence_text),
    }


def _date_row(aid: str, d: DateMention, sentence_text: Callable[[int], str]) -> dict:
    return {
        "article_id": aid,
        "start": d.start,
        "end": d.end,
        "text": d.text,
        "value": d.value,
        "kind": d.kind,
        "anchor": d.anchor,
        "sentence": sentence_text(d.sentence_index),
        "rule": d.rule,
    }


def _agreement_row(aid: str, a: Agreement) -> dict:
    return {
        "article_id": aid,
        "start": a.start,
        "date": a.date,
        "event": a.event,
        "parties": SEP.join(a.parties),
        "predicate": a.predicate,
        "status": a.status,
        "instrument": a.instrument,
        "content": a.content,
        "sentence": a.sentence,
        "rule": a.rule,
    }


def _amount_row(aid: str, q: Amount, sentence_text: Callable[[int], str]) -> dict:
    return {
        "article_id": aid,
        "text": q.text,
        "value": q.value,
        "unit": q.unit,
        "kind": q.kind,
        "approx": "true" if q.approx else "false",
        "sentence_index": q.sentence_index,
        "start": q.start,
        "end": q.end,
        "sentence": sentence_text(q.sentence_index),
        "rule": q.rule,
    }


def _sentence(text: str, sentences: list[Sentence], index: int) -> str:
    """Sentence ``index`` (the cleaner numbers sentences in order, so it is ``sentences[index]``)."""
    s = sentences[index] if 0 <= index < len(sentences) else None
    return text[s.start : s.end] if s else ""


def _entity_common(e: Entity, sentence_text) -> dict:
    first = e.first
    return {
        "surfaces": SEP.join(e.surfaces),
        "mentions": len(e.mentions),
        "first_sentence": sentence_text(first.sentence_index),
        "rule": e.rule,
        "first_start": first.start,
    }


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = list(dict.fromkeys(COLUMNS[name] + SORT_KEYS[name]))
    df = pd.DataFrame(rows, columns=cols)
    for col in cols:
        if col in NUMERIC or col == "first_start":
            df[col] = pd.to_numeric(df[col]).astype("int64")
        else:
            df[col] = df[col].astype(object).fillna("").astype(str)
    return df.sort_values(SORT_KEYS[name], kind="stable").reset_index(drop=True)


def _ids(df: pd.DataFrame, prefix: str) -> pd.Series:
    """Ids numbered within each article, in sorted order (stable across runs)."""
    numbers = df.groupby("article_id").cumcount() + 1
    return pd.Series([f"{prefix}{n:04d}" for n in numbers], index=df.index, dtype=object)
