"""``python -m pipeline explain agreements:<article_id>:<agreement_id>``: one row of a table, explained.

The article is read, parsed and extracted again in this process (no cache) and its rows built as the run
builds them (ids are numbered within the article, so they are the ids of ``outputs/``). What is printed
for the row: the rule, the sentence with the matched words marked, and where each field came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLES = ("agreements", "events", "people", "organizations")
TARGET = re.compile(rf"^(?P<table>{'|'.join(TABLES)}):(?P<article>[^:]+):(?P<row>.+)$")
CONTENT, PREDICATE = ("⟦", "⟧"), ("【", "】")  # how the content and the matched words are marked

DATE_FROM = {
    "sentence": "written in the statement's own sentence",
    "event": "the date of the meeting it belongs to",
    "published": "the article's publication date (the statement reports a meeting dated nowhere else)",
    "context": "from the sentences around it (a headline from its lead, a statement from its paragraph's date)",
    "": "no date found",
}


class RowNotFound(LookupError):
    """The article or the row does not exist (exit code 2)."""


@dataclass
class Target:
    table: str
    article_id: str
    row: str


def parse_target(target: str) -> Target | None:
    """``table:article_id:row`` (row: an id, or a person's or organisation's name), else None."""
    m = TARGET.match(target.strip())
    return Target(m["table"], m["article"], m["row"]) if m else None


def explain_row(target: Target, corpus: Path) -> dict[str, Any]:
    """The row and its explanation, as a JSON-ready dict; RowNotFound when it does not exist."""
    from .explain import parse
    from .extract import extraction, facts
    from .output.tables import TableBuilder
    from .parse import ginza
    from .prepare import reading, stage

    found = next((f for f in reading.discover(corpus) if f.article_id == target.article_id), None)
    if found is None:
        raise RowNotFound(f"no article {target.article_id!r} in {corpus}/")
    article = stage.prepare(found)
    if article.error:
        raise RowNotFound(f"article {target.article_id} could not be processed: {article.error}")
    parsed = parse(article, ginza.load_model())
    result = extraction.extract(parsed)
    builder = TableBuilder()
    builder.add_extraction(article, result)
    builder.add_article(article, facts.article_facts(article))
    frame = getattr(builder.build(), target.table)
    row = _find(frame, target)
    out = {"table": target.table, "article_id": target.article_id, "row": row, "rule": row.get("rule", "")}
    if target.table == "agreements":
        out |= _agreement(parsed, result, row)
    elif target.table == "events":
        out |= _event(parsed, row)
    else:
        out |= _entity(parsed, result, row, "PERSON" if target.table == "people" else "ORG")
    return out


def _find(frame: Any, target: Target) -> dict[str, Any]:
    key = {"agreements": "agreement_id", "events": "event_id", "people": "person", "organizations": "organization"}
    column = key[target.table]
    hits = frame[frame[column] == target.row]
    if hits.empty:
        known = ", ".join(frame[column].astype(str).head(30))
        raise RowNotFound(
            f"no {target.table} row {target.row!r} in article {target.article_id} ({column}: {known or 'none'})"
        )
    return {k: (int(v) if hasattr(v, "item") else v) for k, v in hits.iloc[0].to_dict().items()}


def _marked(parsed: Any, sentence_index: int, spans: list[tuple[int, int, tuple[str, str]]]) -> str:
    """The sentence with each (start, end) span of the clean text wrapped in its marks."""
    s = parsed.sentences[sentence_index]
    text = parsed.text[s.start : s.end]
    for start, end, (left, right) in sorted(spans, key=lambda x: -x[0]):
        a, b = max(start - s.start, 0), min(end - s.start, len(text))
        if 0 <= a <= b:
            text = text[:a] + left + text[a:b] + right + text[b:]
    return text


def _tokens(parsed: Any, sentence_index: int, start: int, end: int) -> list[str]:
    s, doc = parsed.sentences[sentence_index], parsed.docs[sentence_index]
    lo, hi = start - s.start, end - s.start
    return [f"{t.text}/{t.tag_}/{t.dep_}" for t in doc if t.idx < hi and t.idx + len(t.text) > lo]


def _agreement(parsed: Any, result: Any, row: dict[str, Any]) -> dict[str, Any]:
    a = next(x for x in result.agreements if x.sentence_index == row["sentence_index"] and x.span_start == row["start"])
    si = a.sentence_index
    content_at = parsed.text.find(a.content, parsed.sentences[si].start) if a.content else -1
    spans = [(a.start, a.end, PREDICATE)]
    if 0 <= content_at < a.start:
        spans.append((content_at, content_at + len(a.content), CONTENT))
    return {
        "sentence": _marked(parsed, si, spans),
        "tokens": _tokens(parsed, si, a.start, a.end),
        "reasons": {
            "predicate": f"{a.predicate}: the word the rule {a.rule} matched, marked {''.join(PREDICATE)}",
            "content": f"the clause the predicate governs, marked {''.join(CONTENT)}",
            "parties": _party_reason(a, parsed),
            "date": f"{a.date or '-'}: {DATE_FROM.get(a.date_from, a.date_from)}",
            "status": f"{a.status}: decided by the status rules (see `pytest -k status.` and gold/NOTES.md)",
            "event": f"{a.event or '-'} ({row['event_id'] or 'no event row'})",
            "repeat_of": row["repeat_of"] or "-",
        },
    }


def _party_reason(a: Any, parsed: Any) -> str:
    sentence = parsed.text[parsed.sentences[a.sentence_index].start : parsed.sentences[a.sentence_index].end]
    stated = [p for p in a.parties if p in sentence]
    kinds = f"people {list(a.party_people)}, organisations {list(a.party_organizations)}"
    kinds += f", countries {list(a.party_countries)}"
    if not a.parties:
        return "none found in the sentence or the ones before it"
    if stated:
        return f"{' | '.join(a.parties)}: named in the sentence ({', '.join(stated)}); {kinds}"
    return f"{' | '.join(a.parties)}: not named in the sentence: the meeting's people or the last subject; {kinds}"


def _event(parsed: Any, row: dict[str, Any]) -> dict[str, Any]:
    si = _sentence_at(parsed, row["start"])
    return {
        "sentence": _marked(parsed, si, [(row["start"], row["end"], PREDICATE)]),
        "tokens": _tokens(parsed, si, row["start"], row["end"]),
        "reasons": {
            "kind": f"{row['kind']}: the first kind rule of events.yaml that matched ({row['rule']})",
            "canonical": f"{row['canonical']}: the agreements family's name for it (agreements.yaml event_names)",
            "date": f"{row['date'] or '-'}: its own mention's date, else its agreements' date",
            "place": f"{row['place'] or '-'}: the で-phrase of its verb (event.place.de)",
            "agreements": f"{row['agreements']} rows of agreements.csv name it",
        },
    }


def _entity(parsed: Any, result: Any, row: dict[str, Any], label: str) -> dict[str, Any]:
    name = row.get("person") or row.get("organization")
    mentions = [m for m in result.mentions if m.label == label and m.canonical == name]
    first = min(mentions, key=lambda m: m.start)
    return {
        "sentence": _marked(
            parsed,
            first.sentence_index,
            [(m.start, m.end, PREDICATE) for m in mentions if m.sentence_index == first.sentence_index],
        ),
        "tokens": _tokens(parsed, first.sentence_index, first.start, first.end),
        "reasons": {
            "mentions": [f"{m.text} (sentence {m.sentence_index}, {m.rule})" for m in mentions],
            "name": f"{name}: the fullest form among its mentions",
        },
    }


def _sentence_at(parsed: Any, offset: int) -> int:
    return next(s.index for s in parsed.sentences if s.start <= offset < max(s.end, s.start + 1))


def render(found: dict[str, Any]) -> str:
    """The explanation as text: the row's id and rule, the marked sentence, then one line per field."""
    lines = [f"# {found['table']} {found['article_id']}: rule {found['rule'] or '-'}", found["sentence"], ""]
    for field, reason in found["reasons"].items():
        items = reason if isinstance(reason, list) else [reason]
        lines += [f"{field:<10} {items[0]}"] + [f"{'':<10} {r}" for r in items[1:]]
    lines += ["", "tokens: " + " ".join(found["tokens"])]
    return "\n".join(lines)
