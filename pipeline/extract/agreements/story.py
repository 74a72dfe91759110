"""Dates a statement takes from the story around it: a headline from its lead, a lead from its day."""

from __future__ import annotations

import re

from ...records import DateMention, ParsedArticle
from .candidates import Cand
from .decisions import _after_publication, _tense
from .rulefile import config
from .syntax import _pluperfect

HEADLINE_REACH = 6  # sentences after a headline in which its lead statement is looked for
LEAD_SENTENCES = 4  # the first sentences of an article (title, dateline, lead) that report the story's event
LEAD_REACH = 2  # sentences after an undated lead in which the same statement may be dated


def date_from_story(kept: list[Cand], parsed: ParsedArticle, dates: list[DateMention]) -> None:
    """Undated headlines and leads of the kept statements, dated from the story (in place)."""
    _date_under_headings(kept, parsed, dates)
    _date_from_instrument_told(kept, parsed, dates)
    _date_from_paragraph(kept, parsed, dates)
    _date_leads(kept, parsed)
    _date_headlines(kept, parsed)  # last: the lead it tells again may have been dated from its paragraph
    _headline_tense(kept, parsed)


DAY = re.compile(r"\d{4}-\d\d-\d\d")
SOME_DAY = re.compile(r"(?:\d{4}|XXXX)-(?:\d\d|XX)-\d\d")  # a day, its month or year perhaps unknown (no dateline)


def _date_from_paragraph(kept: list[Cand], parsed: ParsedArticle, dates: list[DateMention]) -> None:
    """A concluded statement with no date of its own, after a sentence of its paragraph that names the day
    (青葉市と…大学は20日、…協定を締結した。…締結式には…が出席し、協定書に署名した。): that day, the
    nearest before it — not the publication's; with none in its paragraph, the story's last dated statement."""
    by_sentence: dict[int, list[str]] = {}
    for d in dates:
        if d.kind == "date" and DAY.fullmatch(d.value) and d.anchor != "unresolved":
            by_sentence.setdefault(d.sentence_index, []).append(d.value)
    for c in kept:
        if _dated_itself(c) or not _happened(c) or _is_headline(c, parsed):
            continue  # a date the statement's sentence or meeting gives beats its paragraph's
        day = _paragraph_day(c, parsed, by_sentence)
        if day:
            c.date, c.date_from = day, "context"
        else:
            _date_from_story_event(c, kept, parsed)


def _date_under_headings(kept: list[Cand], parsed: ParsedArticle, dates: list[DateMention]) -> None:
    """A schedule or diary: lines that are only a day (■10日（月）, 【3月5日】), two or more besides the dateline,
    each date what is told below it up to the next, when the statement has no date of its own."""
    heading = re.compile(config().s["date_heading"])
    days: dict[int, str] = {}
    for d in dates:
        s = parsed.sentences[d.sentence_index]
        line = parsed.text[s.start : s.end].strip()
        if d.kind == "date" and SOME_DAY.fullmatch(d.value) and d.value != parsed.published and heading.fullmatch(line):
            days[d.sentence_index] = d.value
    if len(days) < 2:
        return  # a schedule has several; one dated line alone is a dateline
    for c in kept:
        if c.index == 0 or _dated_itself(c):
            continue  # what is planned for a day is under its heading too (◆15日（火）…署名する予定)
        above = [j for j in days if j < c.index]
        if above:
            c.date, c.date_from = days[max(above)], "context"


def _date_from_instrument_told(kept: list[Cand], parsed: ParsedArticle, dates: list[DateMention]) -> None:
    """A signing dated only by the release (…覚書を締結いたしました): the day the next sentences give the same
    instrument (本覚書は、13日に…で署名されたもので) — a release's letterhead is the day it was sent."""
    told = re.compile(config().s["instrument_told_again"])
    for c in kept:
        if c.cls not in config().s["instrument_classes"] or _dated_itself(c) or not _happened(c):
            continue
        for j in range(c.index + 1, min(c.index + 1 + LEAD_REACH, len(parsed.sentences))):
            s = parsed.sentences[j]
            if not told.match(parsed.text[s.start : s.end].lstrip()):
                continue
            days = [d.value for d in dates if d.sentence_index == j and d.kind == "date"]
            days = [v for v in days if SOME_DAY.fullmatch(v) and (not parsed.published or v <= parsed.published)]
            if days:
                c.date, c.date_from = days[0], "context"
                break


def _dated_itself(c: Cand) -> bool:
    """Its sentence, meeting or context dates it: not the publication's date alone, nor none."""
    return bool(c.date) and c.date_from != "published"


def _happened(c: Cand) -> bool:
    """Told as done: concluded, or reported in the past tense (声明によると、双方は…も確認した) — the report
    tells of the same day as the story, unlike a source's word about what is still to come."""
    return c.status == "concluded" or c.status == "reported" and _tense(c.host or c.anchor) == "past"


def _paragraph_day(c: Cand, parsed: ParsedArticle, by_sentence: dict[int, list[str]]) -> str:
    """The day named by the nearest sentence before c in its paragraph (not after the publication), or ""."""
    paragraph = parsed.sentences[c.index].paragraph
    for j in range(c.index - 1, -1, -1):
        if parsed.sentences[j].paragraph != paragraph:
            return ""
        days = [v for v in by_sentence.get(j, []) if not parsed.published or v <= parsed.published]
        if days and not (parsed.docs is not None and _pluperfect(parsed.docs[j])):  # background (…難航していた)
            return days[-1]
    return ""


def _date_from_story_event(c: Cand, kept: list[Cand], parsed: ParsedArticle) -> None:
    """Across paragraphs (a news story gives each sentence its own), the day of the nearest statement before
    it that its own sentence dates (日比両政府は1日、…に署名した。…両氏は…で一致した。 → the 1st; with no
    dateline, XXXX-XX-01)."""
    before = [
        o
        for o in kept
        if o.index < c.index
        and o.date_from in ("sentence", "context")
        and SOME_DAY.fullmatch(o.date)
        and not _is_headline(o, parsed)
    ]
    # the same parties' last statement before it, where there is one: theirs is the story it goes on with (両政府
    # は七日、…に署名した。…実務者協議で…申し合わせがなされた。両政府は…も確認した。 → the 7th)
    same = [o for o in before if c.parties and o.parties == c.parties]
    before = same or before
    if before and (not parsed.published or before[-1].date <= parsed.published):
        c.date, c.date_from = before[-1].date, "context"


def _is_headline(c: Cand, parsed: ParsedArticle) -> bool:
    """A noun-final statement, or the article's first line when it has no full stop (its title)."""
    s = parsed.sentences[c.index]
    return c.mode == "headline" or c.index == 0 and not parsed.text[s.start : s.end].rstrip().endswith("。")


def _date_headlines(kept: list[Cand], parsed: ParsedArticle) -> None:
    """A headline states the story's agreement: undated, or dated only by its publication, it takes the
    date of the nearest lead statement that tells it again — of its class (…署名へ → the body's 来週17日に署名
    する見通し) or about the same thing in other words (…の共同開発で正式合意 → …を共同開発する協定に署名した);
    a concluded one with neither is the news of the article's day. One dated after its publication by a time
    that belongs to what was agreed (…7月も増産で合意, planned only for that date) takes its lead's date when
    the lead tells it as done."""
    fallback = config().s["nonpast_status_rule"]
    for c in kept:
        ahead = c.status_rule == fallback and _after_publication(c.date, parsed.published)
        if not _is_headline(c, parsed) or c.date not in ("", parsed.published or "") and not ahead:
            continue
        lead = _next_told_again(kept, c, HEADLINE_REACH, done=ahead)
        if lead is not None:
            c.date, c.date_from = lead.date, "context"
        elif not c.date and c.status == "concluded" and parsed.published:
            c.date, c.date_from = parsed.published, "published"


def _headline_tense(kept: list[Cand], parsed: ParsedArticle) -> None:
    """A headline's plain non-past (日本とインドネシアが覚書を交わす) tells what its lead reports as done: concluded,
    when the lead tells it so; a plan or hedge the headline writes (…署名へ, …見通し) stays."""
    fallback = config().s["nonpast_status_rule"]
    for c in kept:
        if _is_headline(c, parsed) and c.status == "planned" and c.status_rule == fallback:
            lead = _next_told_again(kept, c, HEADLINE_REACH)
            if lead is not None and lead.status == "concluded" and lead.date == c.date:
                c.status = "concluded"


WORD = re.compile(r"[一-龥々ァ-ヴー]{2,}")


def _next_told_again(kept: list[Cand], c: Cand, reach: int, done: bool = False) -> Cand | None:
    """The first statement dated within ``reach`` sentences after c of c's class or whose content shares a word
    with c's: the nearest, as the lead tells the news before its background (…政策合意 → 政策合意書に署名した,
    not the 大筋で合意していた after it). ``done``: only one told as done (…が妥結した is not the signing planned
    after it)."""
    words = WORD.findall(c.content)
    return next(
        (
            o
            for o in kept
            if 0 < o.index - c.index <= reach
            and o.date
            and (o.cls == c.cls or any(w in o.content for w in words))
            and (not done or _happened(o))
        ),
        None,
    )


def _date_leads(kept: list[Cand], parsed: ParsedArticle) -> None:
    """A concluded statement opening a dated story without a date of its own (日米両政府は、…で合意しました。)
    reports the story's event: the date of the same statement told again just after it (…5日の2プラス2で
    確認した), in its class or about the same thing, else the story's own date."""
    if not parsed.published:
        return
    for c in kept:
        if c.date or c.status != "concluded" or c.index >= LEAD_SENTENCES or _is_headline(c, parsed):
            continue
        if _tense(c.host or c.anchor) == "state":
            continue  # …協定を締結しており、今回の支援もその一環だ: a standing state, the background of the news
        again = _next_told_again(kept, c, LEAD_REACH, done=True)
        c.date, c.date_from = (again.date, "context") if again is not None else (parsed.published, "published")
