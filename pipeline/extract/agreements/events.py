"""Events and dates: the meetings a sentence names, the dates that go with them, and ``SentInfo``
(what the article context needs from one sentence)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ...records import DateMention, Entity, ParsedArticle
from .parties import PartySpan, _all_parties
from .rulefile import config
from .syntax import _chain_end, _opens_relative_clause, _quote_of, _quotes, _text, _verb_head

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


@lru_cache(maxsize=1)
def _event_regexes() -> list[tuple[re.Pattern, dict]]:
    return [(re.compile(e["pattern"]), e) for e in config().s["events"]]


@lru_cache(maxsize=256)
def _event_spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, type, surface) of every meeting named in a sentence."""
    out: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int]] = []  # sorted, disjoint: an overlap check is a binary search
    for rx, e in _event_regexes():
        for m in rx.finditer(text):
            i = bisect_right(taken, (m.start(), m.end()))
            if (i and taken[i - 1][1] > m.start()) or (i < len(taken) and taken[i][0] < m.end()):
                continue
            taken.insert(i, (m.start(), m.end()))
            out.append((m.start(), m.end(), e["type"], m.group()))
    return sorted(out)


def _token_at(doc: Doc, char: int) -> Token | None:
    """The token covering the character (a binary search: a sentence may be a megabyte long)."""
    i = bisect_right(_starts(doc), char) - 1
    if i >= 0 and char < doc[i].idx + len(doc[i].text):
        return doc[i]
    return None


@lru_cache(maxsize=8)
def _starts(doc: Doc) -> list[int]:
    return [t.idx for t in doc]


LABEL_REACH = 60  # a category label is short: its opening bracket is never further back than this


def _labelled(text: str, start: int) -> bool:
    """A meeting named in a bracketed category label ([日米防衛相会談] …) dates nothing."""
    before = text[max(0, start - LABEL_REACH) : start]
    return before.count("[") > before.count("]") or before.count("【") > before.count("】")


def _main(tok: Token) -> bool:
    """The token is the main predicate or one of its arguments (…と会談した / 会談を行った)."""
    return tok.dep_ == "ROOT" or tok.head.dep_ == "ROOT" and tok.dep_ in ("obj", "nsubj", "obl")


def _last_char(text: str, start: int, end: int) -> int:
    """Offset of a span's last word character (the head of 13日, of 日米「2+2」)."""
    end = min(end, len(text))
    while end - 1 > start and not text[end - 1].isalnum():
        end -= 1
    return end - 1


def _same_clause(date_tok: Token, event_tok: Token, span: tuple[int, int] | None = None) -> bool:
    """A date and a meeting that belong together (2024年7月の2+2, 13日に行われた会談, 会談は13日に…)."""
    head = date_tok
    while head.head.i != head.i and head.pos_ not in ("VERB", "ADJ"):
        head = head.head
        if head.i == event_tok.i:
            return True
    vd, ve = _verb_head(date_tok), _verb_head(event_tok)
    if vd.i in (event_tok.i, ve.i) or vd.head.i == event_tok.i:  # 13日に行われた会談 (acl, or a stray dep)
        return True
    if span and vd.dep_ == "acl" and span[0] <= vd.head.idx < span[1]:  # 28日に開く日米2プラス2
        return True
    return _chain_end(vd).i == ve.i  # 会談は13日に…行われ、…述べた: the topic sits on the last verb


# ------------------------------------------------------------------ one sentence's facts


@dataclass
class SentInfo:
    """What the context needs from one sentence."""

    text: str
    doc: Doc
    dates: list[tuple[DateMention, Any]]  # (mention, token)
    events: list[tuple[int, int, str, str, Any]]  # (start, end, type, surface, token)
    parties: list[PartySpan]
    meetings: list[tuple[str, str, str]] = field(default_factory=list)  # (type, surface, date)


def _sent_info(
    parsed: ParsedArticle, i: int, dates: list[DateMention], people: list[Entity], orgs: list[Entity]
) -> SentInfo:
    assert parsed.docs is not None  # the family reads the parse
    s, doc = parsed.sentences[i], parsed.docs[i]
    text = parsed.text[s.start : s.end]
    located = [
        (d, _token_at(doc, _last_char(text, d.start - s.start, d.end - s.start)))
        for d in dates
        if d.sentence_index == i and d.kind != "time"
    ]
    ds = [(d, t) for d, t in located if t is not None]
    local = [(d, t) for d, t in ds if not _other_zone(text, d.start - s.start, d.end - s.start)]
    ds = local or ds  # 18日(現地時間17日): the meeting is dated where it took place
    evs = [(a, b, ty, sf, _token_at(doc, _last_char(text, a, b))) for a, b, ty, sf in _event_spans(text)]
    info = SentInfo(text, doc, ds, [e for e in evs if e[4] is not None], _all_parties(s, text, people, orgs))
    quotes = _quotes(text)
    held = re.compile(config().s["held_before_meeting"])
    pairs = [
        (ty, sf, d.value, (not _same_clause(dt, et, (a, b)), abs(et.i - dt.i)))
        for a, b, ty, sf, et in info.events
        for d, dt in ds
        if (_same_clause(dt, et, (a, b)) or _opening(dt) and _main(et) or held.fullmatch(text, d.end - s.start, a))
        and _quote_of(quotes, dt.idx) == _quote_of(quotes, et.idx)
        and not _labelled(text, a)
        and not LAST_TIME.match(text, d.end - s.start)
        and not (b <= d.start - s.start and RELATIVE_TO.match(text, b))
    ]
    # 13日 before ことし; the meeting's own clause, then the nearest date, before the report's date
    # (外務省は5日、…が4日夜、…と会談したと発表した: 4日)
    info.meetings = [(ty, sf, v) for ty, sf, v, _ in sorted(pairs, key=lambda m: (-_specificity(m[2]), m[3]))]
    return info


# 首脳会談は2024年5月にソウルで開かれて以来となる: the date of the last such meeting, not of the one reported
LAST_TIME = re.compile(r"[^、。]{0,20}?(?:以来|ぶり)")
# 調印式の前日に来日した: a day counted from the meeting is not the meeting's
RELATIVE_TO = re.compile(r"の(?:前日|翌日|前々日|翌々日|前週|翌週|前月|翌月|前年|翌年|直前|直後)")


def _specificity(value: str) -> int:
    return len(re.sub(r"X", "", value))


def _opening(dt: Token) -> bool:
    """A date that opens the statement: before any verb (a compound particle's, 報道によると、, is none) and
    set off by a comma (…は5日、 / 2015年、)."""
    doc = dt.doc
    # a relative clause describing the subject (…ストを行っていた労組と会社側は8日深夜、) holds no verb of the statement
    # (not a clause nominalised by こと: …で合意したことが1日、分かった tells when it became known)
    describing = {
        x.i
        for t in doc[: dt.i]
        if t.dep_ == "acl" and t.head.i < dt.i and t.head.lemma_ not in ("こと", "の", "旨", "もの")
        for x in t.subtree
    }
    if any(t.pos_ == "VERB" and t.dep_ != "fixed" and t.i not in describing for t in doc[: dt.i]):
        return False
    if _opens_relative_clause(dt):  # 2015年に両政府が合意した指針: the date of a clause modifying a noun
        return False
    after = dt.i + 1
    if after < len(doc) and doc[after].text in ("(", "（"):  # 2日（現地時間）、: the comma after the bracket
        after = next((t.i + 1 for t in doc[after : after + 12] if t.text in (")", "）")), after)
    # 2028年12月　…を設置: a chronology's line, its date set off by a space
    spaced = bool(dt.whitespace_) or after < len(doc) and doc[after].text.isspace()
    # 2025年6月の国交正常化60年の節目には、…: the occasion the date names, set off
    occasion = OCCASION.match(_text(doc), dt.idx + len(dt.text)) is not None
    return any(t.text == "、" for t in doc[after : after + 2]) or dt.i <= 2 or spaced or occasion


OCCASION = re.compile(r"の[^、。「」をがでにはとも]{1,20}?(?:には|では|において|に|で)[、,]")


# A time or nothing, then a bracketed local time (18日(現地時間17日…), 24日午前1時(米国時間23日…)).
LOCAL_TIME = re.compile(
    r"(?:(?:午前|午後)?\d{1,2}(?:時|:)\d{0,2}分?頃?)?[(（](?:現地|米国|米|欧州|英国|ワシントン|ニューヨーク)?(?:東部|中部|西部|太平洋|中央)?(?:標準|夏)?(?:現地)?時間"
)
JAPAN_TIME = re.compile(r"[(（]?日本時間$")


def _other_zone(text: str, start: int, end: int) -> bool:
    """A date given in a second time zone: followed by the local one (18日(現地時間17日)) or labelled
    Japan time where the local one is also given (現地時間24日…(日本時間25日…))."""
    after = re.sub(r"^\s+", "", text[end : end + 24])
    zone = LOCAL_TIME.match(after)
    # 2日（現地時間）: a label of this very date, no second date in the bracket
    local_follows = zone is not None and "日本時間" not in after[:8] and not after[zone.end() :].startswith((")", "）"))
    label = JAPAN_TIME.search(text[max(0, start - 6) : start])
    if label is None:
        return local_follows
    before = text[: max(0, start - 6) + label.start()]
    # 現地時間24日…(日本時間25日…), or 10日(日本時間11日): the Japan-time date beside the local one
    beside = re.search(r"[0-9０-９]日[午前後夜朝]{0,2}$", before) is not None
    return local_follows or "時間" in text[:start][:-6] or beside


def _lead_date(info: SentInfo) -> str:
    """The date of a report's lead sentence — a meeting verb at the top of the sentence and a date before
    any verb (4月30日、…は…委員会を開催した / 現地時間24日…、…と懇談を実施したところ、概要は以下のとおり) —
    else ""."""
    verbs = set(config().s["lead_verbs"])
    if not any(t.lemma_ in verbs and _near_root(t) for t in info.doc):
        return ""
    early = [
        d.value for d, t in info.dates if not any(u.pos_ == "VERB" for u in info.doc[: t.i]) and not _counted_from(d, t)
    ]
    return early[0] if early else ""


def _counted_from(d: DateMention, t: Token) -> bool:
    """調印式の前日に来日し: a day counted from something named before it dates no meeting."""
    return d.text.startswith(COUNTED_DAYS) and t.i > 0 and t.doc[t.i - 1].text == "の"


COUNTED_DAYS = ("前日", "翌日", "前々日", "翌々日", "直前", "直後")


def _near_root(tok: Token, hops: int = 2) -> bool:
    """The token is the root or within ``hops`` heads of it (…実施したところ、概要は…)."""
    for _ in range(hops + 1):
        if tok.dep_ == "ROOT":
            return True
        tok = tok.head
    return False


def _topic_dates(info: SentInfo) -> list[str]:
    """Dates that open the sentence (2015年、日米両政府は… / 木原防衛大臣は5日、…)."""
    return [d.value for d, t in info.dates if _opening(t)]
