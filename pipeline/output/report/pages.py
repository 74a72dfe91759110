"""The report's pages as HTML strings: the overview and one page per article."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ...prepare.sentences import segment
from ..export import safe_file_name
from . import figures
from .data import Tables, split
from .spans import Span, render

TOP = 20  # people and organisations on the overview's charts
MAX_ROWS = 200  # agreements and meetings listed on the overview (the CSVs hold them all)
MAX_PAIRS = 50
SHORT = 60  # characters of an agreement's content shown on the overview


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # everything from the articles is escaped; only our own markup is marked safe
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def article_file(article_id: str) -> str:
    return f"{safe_file_name(article_id)}.html"


def article_href(article_id: str, anchor: int | None = None, from_overview: bool = True) -> str:
    href = ("articles/" if from_overview else "") + quote(article_file(article_id))
    return f"{href}#s{anchor}" if anchor is not None and anchor >= 0 else href


# ------------------------------------------------------------------ overview


def overview(t: Tables, title: str) -> str:
    import markupsafe

    agreements = t["agreements"]
    kept = agreements[agreements["repeat_of"] == ""]
    published = dict(zip(t["articles"]["article_id"], t["articles"]["published"]))
    whens = _whens(kept, published)
    marks = _marks(kept, whens)
    plotted, outliers = figures.split_outliers(marks)
    undated = [_agreement_row(r) for r, w in zip(kept.to_dict("records"), whens) if w is None]
    latest = kept.assign(_when=[m.isoformat() if m else "" for m in whens]).sort_values(
        ["_when", "article_id", "agreement_id"], ascending=[False, True, True], kind="stable"
    )
    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            title=title,
            figures=_corpus_figures(t),
            timeline_svg=markupsafe.Markup(figures.timeline(plotted)),
            outliers=outliers,
            undated=undated,
            agreements=[_agreement_row(r) for r in latest.head(MAX_ROWS).to_dict("records")],
            agreements_total=len(kept),
            agreements_more=len(kept) > MAX_ROWS,
            pairs=_pairs(kept),
            events=[_event_row(r) for r in t["events"].head(MAX_ROWS).to_dict("records")],
            top=TOP,
            people_svg=markupsafe.Markup(_ranking(t["people"], "person")),
            orgs_svg=markupsafe.Markup(_ranking(t["organizations"], "organization")),
            articles=_article_rows(t),
            errors=t["articles"][t["articles"]["status"] == "error"].to_dict("records"),
        )
    )


def _corpus_figures(t: Tables) -> dict:
    arts, dups = t["articles"], t["duplicates"]
    blocks = dups[dups["kind"].isin(["exact_block", "near_block"])]
    return {
        "files": len(arts),
        "ok": int((arts["status"] == "ok").sum()),
        "errors": int((arts["status"] == "error").sum()),
        "duplicate_blocks": len(blocks),
        "duplicate_chars": int(blocks["chars"].sum()),
        "near_duplicates": int((arts["duplicate_of"] != "").sum()),
        "rows": {name: n for name, n in t.sizes().items() if name != "articles"},
    }


def _whens(agreements: pd.DataFrame, published: dict[str, str]) -> list:
    return [
        figures.parse_when(d) or figures.parse_when(published.get(a, ""))
        for d, a in zip(agreements["date"], agreements["article_id"])
    ]


def _marks(agreements: pd.DataFrame, whens: list) -> list[figures.Mark]:
    out = []
    for row, when in zip(agreements.to_dict("records"), whens):
        if when is not None:
            label = row["instrument"] or row["content"][:12] or row["predicate"]
            href = article_href(row["article_id"], row["start"])
            hover = (
                f"{row['date'] or when.isoformat()} {row['parties'] or '—'}: {row['content'][:80]} ({row['status']})"
            )
            out.append(figures.Mark(when, row["status"], label, href, mark_id(row), hover))
    return out


def mark_id(row: dict) -> str:
    """The timeline element of an agreement (ids are unique in the overview; the article id is made safe)."""
    return f"agreement-{safe_file_name(row['article_id'])}-{row['agreement_id']}"


def _agreement_row(r: dict) -> dict:
    content = r["content"]
    short = content if len(content) <= SHORT else content[:SHORT] + "…"
    return {**r, "content_short": short, "href": article_href(r["article_id"], r["start"]), "mark_id": mark_id(r)}


def _event_row(r: dict) -> dict:
    return {**r, "href": article_href(r["article_id"], r["start"])}


def _pairs(agreements: pd.DataFrame) -> list[dict]:
    """Pairs of parties of one agreement, most frequent first, each with its first agreement."""
    counts: Counter = Counter()
    first: dict[tuple[str, str], dict] = {}
    for r in agreements.to_dict("records"):
        for pair in combinations(sorted(set(split(r["parties"]))), 2):
            counts[pair] += 1
            first.setdefault(pair, r)
    return [
        {
            "a": a,
            "b": b,
            "n": n,
            "first": f"{first[(a, b)]['article_id']} {first[(a, b)]['agreement_id']}",
            "href": article_href(first[(a, b)]["article_id"], first[(a, b)]["start"]),
        }
        for (a, b), n in counts.most_common(MAX_PAIRS)
    ]


def _ranking(df: pd.DataFrame, column: str) -> str:
    counts = df.groupby(column)["article_id"].nunique().sort_values(ascending=False, kind="stable").head(TOP)
    return figures.bars(list(counts.index), [int(n) for n in counts.values], "articles")


def _article_rows(t: Tables) -> list[dict]:
    agreements = t["agreements"]["article_id"].value_counts()
    people = t["people"]["article_id"].value_counts()
    return [
        {
            **r,
            "agreements": int(agreements.get(r["article_id"], 0)),
            "people": int(people.get(r["article_id"], 0)),
            "href": article_href(r["article_id"]) if r["status"] == "ok" else "",
        }
        for r in t["articles"].to_dict("records")
    ]


# ------------------------------------------------------------------ article pages


def article_page(t: Tables, row: dict, prev: dict | None, nxt: dict | None, raw: str | None) -> str:
    import markupsafe

    aid = row["article_id"]
    text = t.clean_text(aid)
    agreements = t.of("agreements", aid)
    link = lambda r: {"article_id": r["article_id"], "href": article_href(r["article_id"], from_overview=False)}
    return (
        _environment()
        .get_template("article.html.j2")
        .render(
            title=row["title"] or aid,
            article=row,
            prev=link(prev) if prev else None,
            next=link(nxt) if nxt else None,
            body=markupsafe.Markup(_body(t, aid, text, agreements)),
            agreements=agreements,
            removed=_removed(t, aid, raw),
        )
    )


def _body(t: Tables, aid: str, text: str, agreements: list[dict]) -> str:
    events = t.of("events", aid)
    spans = [
        Span(int(m["start"]), int(m["end"]), "mark", f"entity {m['label']}", m["label"], (("title", m["rule"]),))
        for m in t.of("mentions", aid)
    ]
    spans += [
        Span(int(a["start"]), int(a["end"]), "span", "agreement", "", (("title", f"{a['agreement_id']} {a['rule']}"),))
        for a in agreements
    ]
    spans += [Span(int(e["start"]), int(e["end"]), "span", "event", "", (("title", e["event_id"]),)) for e in events]
    spans += _sections(text)
    anchors = {int(a["start"]) for a in agreements} | {int(e["start"]) for e in events}
    return render(text, spans, anchors)


def _sections(text: str) -> list[Span]:
    """Reader comments and page furniture, as blocks set apart (consecutive sentences of one section joined)."""
    out: list[Span] = []
    for s in segment(text):
        if s.section == "body":
            continue
        if out and out[-1].classes == f"section-{s.section}" and text[out[-1].end : s.start].strip() == "":
            out[-1] = Span(out[-1].start, s.end, "span", out[-1].classes)
        else:
            out.append(Span(s.start, s.end, "span", f"section-{s.section}"))
    return out


def _removed(t: Tables, aid: str, raw: str | None) -> list[dict]:
    rows = [r for r in t.of("duplicates", aid) if r["kind"] != "markup"]
    out = []
    for r in rows:
        kept_id, _, _ = r["duplicate_of"].rpartition(":")
        out.append(
            {
                **r,
                "text": raw[int(r["start"]) : int(r["end"])] if raw else "",
                "kept": r["duplicate_of"],
                "kept_href": article_href(kept_id, from_overview=False) if kept_id else "",
            }
        )
    return out
