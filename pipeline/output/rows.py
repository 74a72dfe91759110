"""One article's rows of every table, as plain dicts (the columns of spec/outputs.md, plus the hidden
columns the tables are sorted and joined by)."""

from __future__ import annotations

from collections.abc import Callable

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


def article_rows(article: Article, facts: ArticleFacts) -> dict[str, list[dict]]:
    """The article's own row and its removed spans."""
    return {
        "articles": [_article_row(article, facts)],
        "duplicates": [_removal_row(article.article_id, r) for r in article.removals],
    }


def extraction_rows(article: Article, ex: Extraction) -> dict[str, list[dict]]:
    """The rows of what the rule families found in the article."""
    aid, text, sents = article.article_id, article.text, article.sentences
    sentence_text = lambda i: _sentence(text, sents, i)
    event_at = {at: e.start for e in ex.events for at in e.agreements}
    return {
        "mentions": _mention_rows(aid, ex, {s.index: s.section for s in sents}),
        "people": [_person_row(aid, e, sentence_text) for e in ex.people],
        "organizations": [_organization_row(aid, e, sentence_text) for e in ex.organizations],
        "dates": [_date_row(aid, d, sentence_text) for d in ex.dates],
        "agreements": [_agreement_row(aid, a, event_at.get(a.start, -1)) for a in ex.agreements],
        "events": [_event_row(aid, e, sentence_text) for e in ex.events],
        "amounts": [_amount_row(aid, q, sentence_text) for q in ex.amounts],
    }


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
