"""Tables stage: plain records in, the contract's DataFrames out (spec/outputs.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

import pandas as pd

from ..records import (
    Agreement,
    Amount,
    Article,
    ArticleFacts,
    DateMention,
    Entity,
    Event,
    Extraction,
    Removal,
    Sentence,
)

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


@dataclass
class Tables:
    """The eight tables of the output contract, as DataFrames."""

    articles: pd.DataFrame
    mentions: pd.DataFrame
    people: pd.DataFrame
    organizations: pd.DataFrame
    dates: pd.DataFrame
    agreements: pd.DataFrame
    events: pd.DataFrame
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
        event_at = {at: e.start for e in ex.events for at in e.agreements}
        self.rows["agreements"] += [_agreement_row(aid, a, event_at.get(a.start, -1)) for a in ex.agreements]
        self.rows["events"] += [_event_row(aid, e, sentence_text) for e in ex.events]
        self.rows["amounts"] += [_amount_row(aid, q, sentence_text) for q in ex.amounts]

    def build(self) -> Tables:
        frames = {name: _frame(name, rows) for name, rows in self.rows.items()}
        frames["agreements"]["agreement_id"] = _ids(frames["agreements"], "a")
        frames["amounts"]["amount_id"] = _ids(frames["amounts"], "q")
        frames["events"]["event_id"] = _ids(frames["events"], "e", width=3)
        _link(frames["agreements"], frames["events"])
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


def _agreement_row(aid: str, a: Agreement, event_at: int) -> dict:
    return {
        "article_id": aid,
        "at": a.start,
        "date": a.date,
        "event": a.event,
        "parties": SEP.join(a.parties),
        "predicate": a.predicate,
        "status": a.status,
        "instrument": a.instrument,
        "content": a.content,
        "sentence": a.sentence,
        "rule": a.rule,
        "party_people": SEP.join(a.party_people),
        "party_organizations": SEP.join(a.party_organizations),
        "party_countries": SEP.join(a.party_countries),
        "date_from": a.date_from,
        "start": a.span_start if a.span_start >= 0 else a.start,
        "end": a.end or a.start,
        "sentence_index": a.sentence_index,
        "event_at": event_at,
        "repeat_at": a.repeat_of,
    }


def _event_row(aid: str, e: Event, sentence_text: Callable[[int], str]) -> dict:
    return {
        "article_id": aid,
        "event": e.event,
        "canonical": e.canonical,
        "event_key": e.key,
        "date": e.date,
        "place": e.place,
        "participants": SEP.join(e.participants),
        "countries": SEP.join(e.countries),
        "kind": e.kind,
        "agreements": len(e.agreements),
        "sentence": sentence_text(e.sentence_index),
        "start": e.start,
        "end": e.end,
        "rule": e.rule,
    }


def _link(agreements: pd.DataFrame, events: pd.DataFrame) -> None:
    """Agreements' ``event_id`` and ``repeat_of``, from the offsets they were joined by (in place)."""
    event_id = dict(zip(zip(events["article_id"], events["start"]), events["event_id"]))
    agreement_id = dict(zip(zip(agreements["article_id"], agreements["at"]), agreements["agreement_id"]))
    keys = list(zip(agreements["article_id"], agreements["event_at"], agreements["repeat_at"]))
    agreements["event_id"] = [event_id.get((a, e), "") for a, e, _ in keys]
    agreements["repeat_of"] = [agreement_id.get((a, r), "") for a, _, r in keys]


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
    cols = list(dict.fromkeys(COLUMNS[name] + SORT_KEYS[name] + HIDDEN.get(name, [])))
    df = pd.DataFrame(rows, columns=cols)
    for col in cols:
        if col in NUMERIC or col in HIDDEN.get(name, []):
            df[col] = pd.to_numeric(df[col]).astype("int64")
        else:
            df[col] = df[col].astype(object).fillna("").astype(str)
    return df.sort_values(SORT_KEYS[name], kind="stable").reset_index(drop=True)


def _ids(df: pd.DataFrame, prefix: str, width: int = 4) -> pd.Series:
    """Ids numbered within each article, in sorted order (stable across runs)."""
    numbers = df.groupby("article_id").cumcount() + 1
    return pd.Series([f"{prefix}{n:0{width}d}" for n in numbers], index=df.index, dtype=object)
