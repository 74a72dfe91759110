"""The frame of a statement that the parser hung inside its content: the topic, date, meeting, item number
or speaker label before what was agreed (両閣僚は、 / 8日、 / 日豪防衛相会談で、 / 2. / 大臣:)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .rulefile import config
from .syntax import _compounded, _is_headline, _opens_relative_clause, _past_weekday, _text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


ITEM_CLOSERS = ("\u3000", " ", ".", "．", ")", "）", "、")


@dataclass(frozen=True)
class Frames:
    """Tokens that frame a statement rather than belong to its content."""

    parties: frozenset[int]  # tokens inside a party mention (両閣僚, 日米両政府, a person)
    setting: frozenset[int]  # meetings and dates
    preds: frozenset[int]  # other predicates

    @property
    def other(self) -> frozenset[int]:
        return self.setting | self.preds


def _skip_setting(doc: Doc, left: int, end: int, frames: Frames) -> int:
    """Drop a leading topic or setting the parser hung inside the content: the statement's
    parties (両閣僚は、…), its date (8日、…), its meeting (日豪防衛相会談で、…, 2025年3月1日の…会談で、…,
    …国防相と防衛省で会談し、…, 情勢について意見交換を行い、…)."""
    left = _after_item_number(doc, left, end)
    topic = _topic_end(doc, end, frames)  # 報道によると、両大臣は…ことで一致: the topic is no content
    if topic >= left:
        left = topic + 1
    while left < end:
        after = next(
            (a for k in _frame_heads(doc, left, end, frames) if (a := _setting_end(doc, left, k, end, frames))), None
        )
        if after is None:
            return left
        left = after
    return left


BULLETS = ("▽", "・", "●", "○", "◆", "◇", "■", "□")
SPEAKER_LABEL = re.compile(r"[一-龥ァ-ヴー・A-Za-z]{1,12}[:：]")


def _after_item_number(doc: Doc, left: int, end: int) -> int:
    """Past a list item's number or a transcript's speaker label the parser took into the clause
    (4　…, 2. …, (3) …, 大臣:…)."""
    for colon in range(left + 1, min(left + 5, end)):
        if doc[colon].text in (":", "：") and SPEAKER_LABEL.fullmatch(doc[left : colon + 1].text):
            left = colon + 1
            break
    if left < end and doc[left].text in BULLETS:  # ▽…で合意, ・…を確認: a list item's bullet
        return left + 1
    k = left + 1 if left < end and doc[left].text in ("(", "（") else left
    if k + 1 < end and doc[k].like_num and (doc[k].whitespace_ or doc[k + 1].text in ITEM_CLOSERS):
        return k + 1 + (doc[k + 1].text in ITEM_CLOSERS)
    return left


def _frame_heads(doc: Doc, left: int, end: int, frames: Frames) -> Iterator[int]:
    """Frame words from ``left`` on, each widened to the phrase it heads (2025年3月1日の → …会談)."""
    meeting = set(config().s["meeting_verbs"])
    # a meeting word frames only as a verb (…と会談し、, 2+2を開き、), not as a noun (首脳会談の早期開催に向けて…)
    acting = lambda i: (
        doc[i].lemma_ in meeting and (doc[i].pos_ == "VERB" or any(c.dep_ == "aux" for c in doc[i].children))
    )
    day_parts = set(config().s["day_parts"])
    for k in (i for i in range(left, end) if i in frames.parties or i in frames.setting or acting(i)):
        # a date set off by its comma (５月７日（木）、株式会社…と協定を) is a phrase of its own, whatever it hangs on
        nxt = _past_weekday(doc, k + 1)
        set_off = k in frames.setting and nxt < end and doc[nxt].text in "、,"
        while (
            not set_off
            and k < doc[k].head.i < end
            and doc[k].dep_ in ("nmod", "compound", "nummod")
            and (
                doc[k].head.i in frames.setting
                or doc[k].head.i in frames.parties
                # 14日未明、: the part of the day the date heads is the date's phrase
                or (k in frames.setting and doc[k].head.text in day_parts)
            )
        ):
            k = doc[k].head.i
        while k + 1 < end and (k + 1 in frames.parties or doc[k + 1].head.i == k and doc[k + 1].dep_ == "compound"):
            k += 1
        yield k


def _setting_end(doc: Doc, left: int, k: int, end: int, frames: Frames) -> int | None:
    """Where the content starts after the frame phrase headed by k, if everything from ``left`` hangs on it."""
    if any(not _within(doc[j], k) for j in range(left, k)):
        return None
    if k in frames.parties and k not in frames.setting:  # 2+2 is a body and a meeting: the meeting frames
        return _chunk_end(doc, k, end, markers=("は", "も", "、") if left == 0 else ("は", "も"))
    # 1960年に署名された条約, 昨年の会談で合意した対話: the setting of what is stated; but a date set off by a
    # comma (日比両政府は8日、…協定に署名した) is the sentence's, wherever the parser hung it
    held = _held_meeting_end(doc, k, end)
    if held is not None:
        return held
    if (_in_relative_clause(doc[k]) or _opens_relative_clause(doc[k])) and not _comma_after(doc, k, end):
        return None
    return _chunk_end(doc, k, end, markers=("で", "に", "は", "、"))


def _held_meeting_end(doc: Doc, k: int, end: int) -> int | None:
    """After a meeting the clause at k held, set off by its で and a comma (ワシントンで開いた貿易協議で、…)."""
    held = doc[k].head
    if doc[k].lemma_ not in config().s["meeting_verbs"] or doc[k].dep_ != "acl" or not k < held.i < end:
        return None
    after = _chunk_end(doc, held.i, end, markers=("で",))
    return after if after is not None and doc[after - 1].text in ("、", ",") else None


def _comma_after(doc: Doc, k: int, end: int) -> bool:
    """The frame word is set off by a comma (8日、 / 意見交換し、 / 首脳会談で、), past its auxiliaries and case."""
    after = k + 1
    while after < end and doc[after].head.i == k and doc[after].dep_ in ("aux", "case"):
        after += 1
    return after < end and doc[after].text in ("、", ",")


def _in_relative_clause(tok: Token) -> bool:
    """The word sets a clause modifying a noun (…に署名された条約), not the こと/旨 clause that is the content."""
    head, complements = tok.head, config().s["complements"]
    if head.dep_ != "acl" or head.i == tok.i or _compounded(head):
        return False
    # …させる」旨コミットメント: a こと/旨 between the clause and its head closes the content clause
    return not any(t.lemma_ in complements for t in tok.doc[head.i + 1 : head.head.i + 1])


def _within(tok: Token, k: int) -> bool:
    """The token hangs (directly or through words before k) on token k."""
    while tok.i < k and tok.head.i != tok.i:
        tok = tok.head
    return tok.i == k


def _chunk_end(doc: Doc, k: int, end: int, markers: tuple[str, ...]) -> int | None:
    """After a setting word: its auxiliaries (会談し), a day of the week, case particles (で, において, では) and a
    comma."""
    after = _past_weekday(doc, k + 1)
    while after < end and doc[after].head.i == k and doc[after].dep_ == "aux":
        after += 1
    if after >= end or doc[after].text not in markers:
        return None
    if doc[after].text == "に" and after + 1 < end and doc[after + 1].lemma_ in config().s["aim_particles"]:
        return None  # 外相会談に向けて、/ 来月に向け: the word is part of what is stated (not 会談において)
    while after < end and (
        k <= doc[after].head.i < after
        and doc[after].pos_ in ("ADP", "AUX", "VERB", "SCONJ", "PUNCT")
        # …会談におきましては、: the formal において is the particle, whatever the parser hung it on
        or (doc[after].lemma_ in ("おく", "於く") and doc[after - 1].text == "に")
    ):
        after += 1
    return after if after < end else None


def _topic_end(doc: Doc, before: int, frames: Frames) -> int:
    """Index of the は/も closing the last party topic before the content, or of the 、 after a headline's
    parties (陸自と米海兵隊、離島防衛を確認) (−1 if none)."""
    headline = _is_headline(doc)
    for t in reversed(doc[:before]):
        if t.dep_ == "case" and t.text in ("は", "も") and t.head.i in frames.parties:
            return t.i
        # a speaker set off by its comma (…大臣から、…旨述べた)
        if t.text == "から" and t.head.i in frames.parties and t.i + 1 < len(doc) and doc[t.i + 1].text in "、,":
            return t.i + 1
        if headline and t.text == "、" and t.i > 0 and t.i - 1 in frames.parties:
            return t.i
    return -1


# After a date opening the content: also (にも, には), set off (、), or the occasion it names (の参院選でも,
# の首脳会談で、) — the statement's time, not what was agreed (両社は2018年にも…協定を結んだ)
DATE_TAIL = re.compile(
    r"に(?:も|は)[、,]?|に[、,]|[、,]"
    # …の首脳会談で合意した経済対話を…: without a comma or も/は, the occasion belongs to a clause in the content
    r"|の[^、。「」をがはにでとも]{1,10}?(?:で|において)(?:(?:も|は)[、,]?|[、,])"
)
LATER = ("来", "翌", "次")  # 来年, 翌月, 次回: a time still to come is what was agreed to do then


def past_leading_date(doc: Doc, span: tuple[int, int], frames: Frames) -> int:
    """Where the content starts once a past date opening it (with DATE_TAIL) is set aside, else ``span[0]``."""
    text = _text(doc)
    first = next((t for t in doc if t.idx >= span[0]), None)
    if first is None or first.text.startswith(LATER):
        return span[0]
    date = next((k for k in sorted(frames.setting) if first.i <= k <= first.i + 8), None)
    if date is None or not re.search(r"[年月日]$", doc[date].text):
        return span[0]
    if not all(
        t.like_num or re.fullmatch(r"[年月日]|令和|平成|昭和|昨年|今年|先月|本年|同年", t.text)
        for t in doc[first.i : date + 1]
    ):
        return span[0]
    end = doc[date].idx + len(doc[date].text)
    tail = DATE_TAIL.match(text, end)
    return tail.end() if tail and tail.end() < span[1] else span[0]


# Who tells it, opening the content (関係者によりますと、…ことも確認された): the statement's source, not what was agreed
SOURCE_OPENING = re.compile(r"[^、。「」]{1,30}?(?:によると|によりますと|によれば)[、,]")


def past_source(text: str, span: tuple[int, int]) -> int:
    """Where the content starts once a source opening it is set aside, else ``span[0]``."""
    m = SOURCE_OPENING.match(text, span[0])
    return m.end() if m and m.end() < span[1] else span[0]
