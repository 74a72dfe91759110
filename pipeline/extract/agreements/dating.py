"""When and at which meeting a statement was made: its own clause's date and meeting first, then the
sentence's, the meeting's, the story's — not the date of a report telling it, nor of the meeting it follows."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...records import DateMention
from .candidates import Cand
from .context import Context
from .decisions import TO_COME, _after_publication, _tense
from .events import SentInfo, _topic_dates
from .rulefile import config
from .syntax import _after_subject, _background

if TYPE_CHECKING:
    from spacy.tokens import Token


def _fill_event_date(c: Cand, info: SentInfo, ctx: Context, own: set[int], cands: list[Cand]) -> None:
    """The meeting and date of the predicate's own clause; else of the sentence; else of the context."""
    own_events = [e for e in info.events if e[4].i in own]
    background = _background(c.anchor)
    loose = [e for e in info.events if e[4].i not in c.ids and e[4].i not in background]
    event = (own_events or loose)[0] if own_events or loose else None
    # a bare 会談 (会談後、…) is the meeting being reported, not the nearest one named (次回の…協議を開催する)
    reported = ctx.topic if event is not None and ctx.topic and _is_bare(event, ctx.topic) else None
    if reported is not None:
        c.event = reported[1]
    elif event is not None:
        c.event = ctx.article.event_name(event[2], event[3], c.index)
    elif ctx.topic:
        c.event = ctx.topic[1]
    # 7月の会談以来で、同年4月には…を発表した: a date the predicate governs comes before one inside another phrase
    heads = {c.pred.i, c.anchor.i} | ({c.host.i} if c.host is not None else set())
    offset = ctx.article.parsed.sentences[c.index].start
    reports = _report_dates(c, info, offset)
    published = ctx.article.parsed.published or ""
    tense = _tense(c.host or c.anchor)
    others = _others_clause(c)
    own_dates = [
        d.value
        for d, t in sorted(info.dates, key=lambda dt: (dt[1].head.i not in heads, _in_other_clause(dt[1], heads)))
        if t.i in own
        and t.i not in others
        and (d.start, d.end) not in reports
        and not (tense == "past" and _to_come(d, info, offset))
        and not _narrowed(d, info)
        and not _since(d, info, offset)
    ]
    own_dates = _refined(own_dates, info)
    met = [v for ty, sf, v in info.meetings if own_events and sf == own_events[0][3]]
    reported_past = tense != "nonpast"
    if not reported_past and _vague_time(c, own):
        # 年内にも合意する見込みだ: still to come, at a time the text leaves open — no other date is its own
        c.date, c.date_from = (own_dates[0], "sentence") if own_dates else ("", "")
        return
    for value, source in (
        (own_dates[0] if own_dates else "", "sentence"),
        (met[0] if met else "", "event"),
        (_sentence_date(c, info, cands, offset, tense == "past", others), "sentence"),
        (_disclosed_date(c, info), "sentence"),
        # 首脳会談は20日に予定されており、…署名する見通しだ: what is still to come, at the dated meeting named
        ("" if reported_past or event is None else _meeting_value(info, event[3]), "event"),
        # 首脳会談では、…を発表する見通しだ: what is to come at a meeting named in its own clause, on its day
        (
            ctx.article.meeting_date(own_events[0][2], c.index, own_events[0][3], loose=False, named=True)
            if own_events and not reported_past and not re.fullmatch(config().s["generic_event"], own_events[0][3])
            else "",
            "event",
        ),
        (_inherited_date(c, ctx), "context"),
        # a meeting named but dated elsewhere: its dated line (a bare 会談 with none: the one reported, not the
        # nearest of its type), else the report's date
        (
            ctx.article.meeting_date(own_events[0][2], c.index, own_events[0][3], loose=not reported)
            if own_events
            else "",
            "event",
        ),
        (reported[2] if reported and own_events else "", "event"),
        (published if own_events and reported_past else "", "published"),
        # the meeting being reported, dated nowhere (a joint statement's 閣僚は…を誓った): the report's date
        (ctx.topic[2] if ctx.topic else "", "event"),
        (published if ctx.topic and reported_past else "", "published"),
    ):
        # a statement told as done cannot be dated after the report (来月にも…会談を行うことでも一致した)
        if value and not (tense == "past" and _after_publication(value, published)):
            c.date, c.date_from = value, source
            break
    if event is None and ctx.topic and c.date_from == "sentence" and not _same_time(c.date, ctx.topic[2] or published):
        c.event = ""  # dated in its own sentence to another time (昨年11月に…を設置しており): not the meeting told of


# …本年中に / 本年度内に / 3月末までに: a deadline, the time of what was agreed, not of the agreeing
DEADLINE = re.compile(r"(?:中(?!旬)|内|末?まで)")


def _refined(own: list[str], info: SentInfo) -> list[str]:
    """A year that names an occasion (2026年春闘で、労使は18日、…妥結した) gives way to the day set off after the
    subject, which says when within it, wherever the parser hung that day."""
    if not own:
        return own
    days = [d.value for d, t in info.dates if _after_subject(t) and d.value.startswith(own[0]) and d.value != own[0]]
    return days[:1] + own if days else own


def _to_come(d: DateMention, info: SentInfo, offset: int) -> bool:
    """A day still to come, or a deadline: never the date of a statement told as done."""
    deadline = d.text.endswith(("中", "内")) or DEADLINE.match(info.text, d.end - offset)
    return bool(TO_COME.match(d.text) or deadline)


SINCE = re.compile(r"\s*(?:から|より|以来|以降)")


def _since(d: DateMention, info: SentInfo, offset: int) -> bool:
    """A start (2024年から交渉を続けてきたが、…合意した): when something began, never when it was agreed."""
    return bool(SINCE.match(info.text, d.end - offset))


def _is_bare(event: tuple, topic: tuple[str, str, str]) -> bool:
    """A meeting named only by its generic word (会談) while a meeting of its type is being reported."""
    return event[2] == topic[0] and bool(re.fullmatch(config().s["generic_event"], event[3]))


def _narrowed(d: DateMention, info: SentInfo) -> bool:
    """A month or year that the next mention narrows in the same expression (今月|15〜16日, 5月|28〜29日): the
    day is the date."""
    return any(o.start == d.end and o.value.startswith(d.value) and o.value != d.value for o, _t in info.dates)


def _meeting_value(info: SentInfo, surface: str) -> str:
    """The date the sentence gives the meeting written ``surface``, or ""."""
    return next((v for _ty, sf, v in info.meetings if sf == surface and v), "")


def _report_dates(c: Cand, info: SentInfo, offset: int) -> set[tuple[int, int]]:
    """Dates of the report, not of what it reports: set off after the reporter's topic (聯合ニュースは22日、
    …が21日に…で一致したと報じた), when the statement is told by a reporting verb. ``offset``: where the
    sentence starts in the article (date mentions count from there)."""
    text = info.text
    if len(info.dates) < 2 or not _told_by_report(c, info):
        return set()
    return {
        (d.start, d.end)
        for d, _t in info.dates
        if re.search(r"は[、,]?$", text[: d.start - offset]) and text[d.end - offset :].startswith(("、", ","))
    }


def _told_by_report(c: Cand, info: SentInfo) -> bool:
    """The statement is what a reporting verb tells (…で一致したと報じた / と明らかにした)."""
    return bool(re.match(config().by_id(config().s["reported_rule"]).get("quote_verbs"), _after_predicate(c, info)))


ANNOUNCED = re.compile(r"\s*と[、,\s]*(?:発表|公表)")


def _announced(c: Cand, info: SentInfo) -> bool:
    """The statement is what someone announced (…両政府が…で一致したと発表した)."""
    return bool(ANNOUNCED.match(_after_predicate(c, info)))


def _after_predicate(c: Cand, info: SentInfo) -> str:
    """The sentence's text after the predicate and its auxiliaries."""
    doc = info.doc
    last = max([c.anchor.i] + [t.i for t in c.anchor.children if t.dep_ == "aux" and t.i > c.anchor.i])
    return info.text[doc[last].idx + len(doc[last].text) :]


def _same_time(a: str, b: str) -> bool:
    """Two normalised dates that may name the same time (2027-07 and 2027-07-01; an unknown one matches all)."""
    return not a or not b or a.startswith(b) or b.startswith(a)


def _sentence_date(c: Cand, info: SentInfo, cands: list[Cand], offset: int, past: bool, others: set[int]) -> str:
    """A date opening the sentence that no other agreement's clause or content claims (``offset``: where the
    sentence starts in the article; ``past``: the statement is told as done; ``others``: ``_others_clause``)."""
    # …協約に調印し、交渉は妥結した: a statement coordinated into this one is the same act, its date this one's too
    taken = set().union(*[o.ids | {t.i for t in o.pred.subtree} for o in cands if o is not c and not _leads_into(o, c)])
    # 昨年12月の会談に続き、…: that meeting's date; but a date set off by its own comma (2015年、…に基づき) is the
    # sentence's, wherever the parser hung it
    doc = info.doc
    taken |= {
        i
        for i in _background(c.anchor) | _background(c.pred)
        if not (i + 1 < len(doc) and doc[i + 1].text in ("、", ","))
    }
    # …両政府が先週、…を設けることで一致した: a date set off right after the subject is the statement's, even
    # where the parser hung it inside the content
    blocked = (taken | c.ids) - {t.i for _d, t in info.dates if _after_subject(t)}
    if past:
        blocked |= {t.i for d, t in info.dates if _to_come(d, info, offset)}
    blocked |= {t.i for d, t in info.dates if _since(d, info, offset)}
    blocked |= others
    return next((v for v in _topic_dates(info) if all(t.i not in blocked for d, t in info.dates if d.value == v)), "")


def _leads_into(o: Cand, c: Cand) -> bool:
    """o's clause is coordinated into c's (…に調印し、交渉は妥結した)."""
    return o.anchor.head.i == c.anchor.i and o.anchor.dep_ in ("advcl", "conj")


def _others_clause(c: Cand) -> set[int]:
    """Tokens of a clause coordinated before the statement's, when each names its own subject and the first is
    none of the parties the second names (高裁は6月に和解を勧告し、双方は…で合意していた: the court's June, not the
    parties'; but 先月下旬に両クラブの担当者が会い、…で折り合いがついた tells one story)."""
    if not c.parties:
        return set()
    out: set[int] = set()
    for v in c.anchor.children:
        if v.dep_ not in ("advcl", "conj") or v.i > c.anchor.i:
            continue
        first = [_phrase(t) for t in v.children if t.dep_ == "nsubj"]
        second = [_phrase(t) for t in c.anchor.doc[v.i + 1 : c.anchor.i] if _marked_subject(t)]
        if first and any(_is_party(p, c) for p in second) and not any(_is_party(p, c) for p in first):
            out |= {t.i for t in v.subtree}
    return out


def _phrase(tok: Token) -> str:
    return tok.doc[tok.left_edge.i : tok.i + 1].text


def _marked_subject(tok: Token) -> bool:
    return tok.dep_ in ("nsubj", "obl") and any(ch.dep_ == "case" and ch.text in ("は", "が") for ch in tok.children)


def _is_party(phrase: str, c: Cand) -> bool:
    return any(p in phrase or phrase in p for p in c.parties)


def _disclosed_date(c: Cand, info: SentInfo) -> str:
    """…で合意したことが22日、分かった / 明らかになった: the day the statement became known."""
    koto = (c.host or c.anchor).head
    if koto.lemma_ != "こと" or koto.dep_ not in ("nsubj", "obj"):
        return ""
    verb = koto.head
    verbs = set(config().s["disclosure_verbs"])
    told = [t for t in verb.children if t.dep_ in ("advcl", "obl", "xcomp")]  # 明らか|になった
    if verb.lemma_ not in verbs and not any(t.lemma_ in verbs for t in told):
        return ""
    return next((d.value for d, t in info.dates if t.head.i == verb.i), "")


def _inherited_date(c: Cand, ctx: Context) -> str:
    """The date of the sentence the parties were taken from — unless a dated meeting was named since (…が訪日
    した。本日午前の会談では…で一致しました。また、…を確認しました: the meeting's day, not the visit's)."""
    if c.inherited is None or c.inherited == c.index or c.index - c.inherited > 6:
        return ""
    if ctx.topic and ctx.topic[2] and ctx.topic_at > c.inherited:
        return ""
    dates = _topic_dates(ctx.article.info[c.inherited])
    return dates[0] if dates else ""


def _in_other_clause(tok: Token, heads: set[int]) -> bool:
    """The date hangs on a clause of another verb on its way to the predicate (同日深夜に…を提示し、翌12日午前の
    交渉で…妥結した: 同日深夜 is the offer's): a date of the predicate's own phrases comes first."""
    while tok.i not in heads and tok.head.i != tok.i:
        tok = tok.head
        if tok.i not in heads and tok.pos_ == "VERB" and tok.dep_ in ("advcl", "conj"):
            return True
    return False


def _vague_time(c: Cand, own: set[int]) -> bool:
    """The statement's own clause, or a verb it hangs on (今夏にも、…署名する方向で調整している), gives its time
    as a frame, not a date (年内に, 近く)."""
    doc = c.pred.doc
    ids = set(own)
    tok = c.anchor
    while tok.head.i != tok.i:
        tok = tok.head
        ids |= {t.i for t in tok.children}
    vague = set(config().s["vague_frames"])
    return any(doc[i].text in vague or doc[i].lemma_ in vague for i in ids)
