"""Span geometry: where a statement's content starts and ends (clause, subtree or headline), trimmed
of the parties, meeting and date that frame it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .rulefile import CLOSE_QUOTES, OPEN_QUOTES, config
from .setting import Frames, _skip_setting, _topic_end, past_leading_date, past_source
from .syntax import (
    _leftmost,
    _root,
    _scope,
    _text,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .candidates import Cand


PARTICLES = {"を", "に", "で", "へ", "が", "は", "と", "も", "から", "など", "の", "について", "として"}


def _content_span(c: Cand, frames: Frames) -> tuple[int, int] | None:
    """The content's characters — within the quote holding the predicate, if any (「…拡大することで一致した」と
    語った: the words before the quote are not what was agreed)."""
    span = _span(c, frames)
    lo, hi = _scope(c.pred)
    text = _text(c.pred.doc)
    if span is not None and c.mode != "headline":
        span = (past_leading_date(c.pred.doc, span, frames), span[1])
        span = (past_source(text, span), span[1])
    if span is None or (lo, hi) == (0, len(text)):
        return span
    # 「…で一致しました。…を確認しました」: a full stop inside the quote ends the sentence before
    stop = text.rfind("。", span[0], c.pred.idx)
    if stop >= 0:
        return (stop + 1, max(stop + 1, span[1]))
    return span if span[0] > lo else (lo + 1, max(lo + 1, span[1]))  # past the opening quote


def _span(c: Cand, frames: Frames) -> tuple[int, int] | None:
    if c.mode == "headline":
        return _headline_span(c.pred, frames)
    if c.node is None and c.mode == "self":
        return _last_phrase(_text(c.pred.doc), _subtree_span(c, c.pred, frames))
    if c.node is None:
        return None
    if c.node.lemma_ in config().s["complements"]:
        return _clause_span(c, c.node, frames)
    return _last_phrase(_text(c.node.doc), _subtree_span(c, c.node, frames))


# a space between Japanese words, or a wire headline's ＝ after a kanji or kana (…で合意＝柔軟性維持を確認; not the
# ＝ inside a katakana name, ノルトライン＝ヴェストファーレン)
HEADLINE_GAP = re.compile(
    r"(?<=[\u3040-\u30ff\u3400-\u9fffA-Za-z0-9])[ \u3000]+(?=[\u3040-\u30ff\u3400-\u9fff「])"
    r"|(?<=[\u3040-\u309f\u3400-\u9fff])[=＝](?=[\u3040-\u30ff\u3400-\u9fff「])"
)


def _last_phrase(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """In a headline (no 。), a space between Japanese words ends a phrase: G7外相会合が閉幕 対ロ制裁継続を確認
    states only 対ロ制裁継続."""
    if "。" in text:
        return span
    gaps = list(HEADLINE_GAP.finditer(text, span[0], span[1]))
    return (gaps[-1].end(), span[1]) if gaps else span


def _clause_span(c: Cand, koto: Token, frames: Frames) -> tuple[int, int]:
    """The clause before こと/旨: its subtree, the predicate's other non-frame dependents before it."""
    doc = koto.doc
    left = _leftmost(koto)
    if left == koto.i:  # a broken parse left こと without dependents
        left = _after_topic(doc, koto.i)
    left = min([left] + [_leftmost(a) for a in c.absorbed] + [_leftmost(t) for t in _coordinated_complements(koto)])
    left = _skip_setting(doc, _extend(c, doc, left, frames, clause=True), koto.i, frames)
    return _trim(doc, _after_concession(doc, _first_conjunct(doc, left, frames), koto.i), koto.i)


def _coordinated_complements(koto: Token) -> list[Token]:
    """Another こと coordinated before it with と (…引き上げることと、…延長することで妥結した): stated too."""
    return [
        t
        for t in koto.head.children
        if t.i < koto.i and t.lemma_ == koto.lemma_ and any(ch.text == "と" and ch.dep_ == "case" for ch in t.children)
    ]


CONJUNCTIONS = ("及び", "および", "並びに", "ならびに")


def _first_conjunct(doc: Doc, left: int, frames: Frames) -> int:
    """Back over a conjunct the parser left out (…訓練の実施及び…活動を具体化すること: both are what is
    stated), to the comma or the party's topic before it."""
    if left == 0 or doc[left - 1].text not in CONJUNCTIONS:
        return left
    floor = _topic_end(doc, left, frames)
    k = left - 1
    while k - 1 > floor and doc[k - 1].text not in ("、", ",") and k - 1 not in frames.other:
        k -= 1
    return k


def _after_concession(doc: Doc, left: int, end: int) -> int:
    """Past a clause conceding something else (溝は埋まらなかったが、…ことは確認した) or denying it (…については
    合意に至らず、協議を続けることを確認した): what was agreed follows the last such clause and its comma."""
    concessive = config().s["concessive"]
    for i in range(end - 2, left - 1, -1):
        if doc[i + 1].text not in ("、", ","):
            continue
        if doc[i].pos_ == "SCONJ" and doc[i].text in concessive or _denied_outcome(doc[i]):
            return i + 2
    return left


def _denied_outcome(tok: Token) -> bool:
    """…合意に至らず / 折り合わず: an outcome not reached (not …関税を設けず, which may be what was agreed)."""
    verb = tok.head if tok.head.i < tok.i else tok.doc[tok.i - 1]
    return tok.text in ("ず", "ずに", "なく") and verb.lemma_ in config().s["denied_outcomes"]


def _subtree_span(c: Cand, node: Token, frames: Frames) -> tuple[int, int]:
    doc = node.doc
    # a verb the parser took for an adverb (…の共同開発に乗り出すと発表した) had its arguments hung on the
    # predicate: they are taken in as a clause's are
    verb_as_adverb = node.pos_ == "ADV" and node.tag_.startswith("動詞")
    ids = [t.i for t in node.subtree] + _stray_modifier(node)
    end = max(ids) + 1
    while end - 1 > node.i and (
        doc[end - 1].text in PARTICLES
        or doc[end - 1].dep_ in ("case", "fixed")
        or doc[end - 1].pos_ == "PUNCT"
        and doc[end - 1].text not in CLOSE_QUOTES + ")）"
    ):
        end -= 1
    return _trim(doc, _skip_setting(doc, _extend(c, doc, min(ids), frames, clause=verb_as_adverb), end, frames), end)


def _stray_modifier(node: Token) -> list[int]:
    """A clause in the attributive form right before the noun that the parser hung elsewhere (…に向けて協力する
    方針を打ち出した, 協力 hung on an earlier noun): it modifies the noun, so it is part of what is stated."""
    left = _leftmost(node)
    if left == 0:
        return []
    last = node.doc[left - 1]
    verb = last.head if last.pos_ == "AUX" else last
    form = "".join(last.morph.get("Inflection", []))
    if verb.pos_ != "VERB" or verb.head.i == node.i or "連体形" not in form or verb.i >= left:
        return []
    return [t.i for t in verb.subtree if t.i < left]


def _headline_span(pred: Token, frames: Frames) -> tuple[int, int]:
    """A noun-final headline: the words before the predicate back to a space, 、, ] or a date; with none
    (日米、重要鉱物で新協定　来月署名へ), the headline's previous phrase is what is signed."""
    doc = pred.doc
    start, end = _bare(doc, _phrase_before(doc, pred.i, frames), pred.i)
    if end == start:
        k, framing = start - 1, set(frames.other)
        # back over the frame and the words compounded into it (国防相|会談で合意: the whole meeting)
        while k >= 0 and (
            k in framing or doc[k].text.isspace() or (doc[k].dep_ == "compound" and doc[k].head.i in framing)
        ):
            framing.add(k)
            k -= 1
        if 0 <= k < start - 1 and any(t.whitespace_ or t.text.isspace() for t in doc[k:start]):
            start, end = _bare(doc, _phrase_before(doc, k, frames), k + 1)
        elif k >= 1 and doc[k].text in ("、", ","):  # 河川汚染訴訟、和解成立: the phrase before the comma
            start, end = _bare(doc, _phrase_before(doc, k - 1, frames), k)
    return _trim(doc, _past_named_subject(doc, start, end), end)


def _past_named_subject(doc: Doc, start: int, end: int) -> int:
    """Past names coordinated as the headline's subject (自民と維新が政策合意: 政策), not a が inside what was
    agreed (供給網が途絶した際の協力)."""
    ga = next((k for k in range(start, end) if doc[k].text == "が" and doc[k].dep_ == "case"), None)
    if ga is None or ga + 1 >= end:
        return start
    words = doc[start:ga]
    named = all(t.pos_ in ("NOUN", "PROPN") or t.text in ("と", "・", "、") for t in words)
    return ga + 1 if named and any(t.text in ("と", "・") for t in words) else start


def _bare(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """A headline phrase without the particles at its ends, the words saying how far or how it was agreed and
    a predicate ending it (来月にも正式署名: nothing is left after the date; …で大筋合意 → what was agreed)."""
    ends = {*config().s["degree_words"], *config().s["manner_words"], *config().s["classes"]}
    while end > start and (doc[end - 1].text in PARTICLES or doc[end - 1].lemma_ in ends):
        end -= 1
    while start < end and doc[start].text in PARTICLES:
        start += 1
    return start, end


def _phrase_before(doc: Doc, i: int, frames: Frames) -> int:
    """Start of the headline phrase that ends with token ``i``: back to a space, 、, ] or a frame word."""
    start = i
    while start > 0:
        prev = doc[start - 1]
        if prev.whitespace_ or prev.text.isspace() or prev.text in "、,]】:：|":
            break
        if prev.i in frames.other and not _dates_content(doc, prev.i, frames):
            break
        start -= 1
    return start


def _dates_content(doc: Doc, k: int, frames: Frames) -> bool:
    """A date joined by の to a word that is no meeting (2028年4月の合併で合意: when the merger is, part of
    what was agreed — not 3日の会談で合意, the meeting's day)."""
    return (
        k in frames.setting
        and k + 2 < len(doc)
        and doc[k + 1].text == "の"
        and doc[k + 2].i not in frames.setting
        and doc[k + 2].pos_ in ("NOUN", "PROPN")
    )


def _after_topic(doc: Doc, before: int) -> int:
    """Start of the clause after the last は-marked topic before ``before``."""
    for t in reversed(doc[:before]):
        if t.dep_ == "case" and t.text == "は" and t.head.dep_ in ("nsubj", "dislocated"):
            return t.i + 1
    return 0


def _extend(c: Cand, doc: Doc, left: int, frames: Frames, clause: bool) -> int:
    """Take in the predicate's dependents just before the content (…について、…ため、) up to the first
    frame word; then, in a broken parse, orphaned words — never past the statement's topic (両閣僚は)."""
    sibs = {t.i: t for h in [c.pred, c.anchor] + c.absorbed for t in h.children if t.i < left}
    # what is signed is the instrument alone (…を決議し、資本業務提携契約を締結した: the resolution is another act)
    coordinated_ok = c.cls not in config().s["instrument_classes"]
    for s in sorted(sibs.values(), key=lambda t: -t.i):
        # Before an object, a purpose or a coordinated clause (…拡充に向け、強い意欲を / …が連携し、…必要性を)
        # belongs to what is stated; a meeting, date, party or background clause does not (_is_frame).
        if _is_frame(s, frames) or not (clause or _is_topic_phrase(s) or s.dep_ == "advcl" and coordinated_ok):
            break
        left = min(left, _leftmost(s))
    floor = _topic_end(doc, left, frames)
    root = _root(c.anchor)
    # orphans are taken back to the topic, or to a …は、 however the broken parse hung it (a press release's
    # 株式会社A（本社：…）と株式会社B（…）は、…: the parser splits the brackets off)
    while left - 1 > floor and _root(doc[left - 1]).i != root.i and not _topic_comma(doc, left - 2):
        left -= 1
    return max(left, floor + 1)


def _topic_comma(doc: Doc, k: int) -> bool:
    """Token k is a は followed by a comma."""
    return k >= 0 and doc[k].text == "は" and doc[k + 1].text in ("、", ",")


def _is_frame(tok: Token, frames: Frames) -> bool:
    """Subject, conjunction, meeting, date, another predicate, a background clause (…を踏まえ), another
    statement added before (…を確認したほか、) or the meeting itself (2+2を開き、…)."""
    if tok.dep_ in ("nsubj", "dislocated", "cc", "advmod", "punct", "mark", "aux"):
        return True
    if tok.i in frames.parties or tok.i in frames.other:
        return True
    if tok.lemma_ in config().s["addition_words"] and tok.dep_ == "obl":
        return True  # …を確認したほか、: another statement
    return tok.lemma_ in config().s["background_verbs"] or tok.lemma_ in config().s["meeting_verbs"]


def _is_topic_phrase(tok: Token) -> bool:
    tail = "".join(t.text for t in tok.doc[tok.i + 1 : tok.i + 4])
    return tail.startswith(tuple(config().s["topic_markers"]))


def _trim(doc: Doc, left: int, end: int) -> tuple[int, int]:
    """Token range → character span, without leading punctuation or list markers, nor a closing quotative
    (…緊密にしていくということで一致: という is how it was said, not what)."""
    while left < end and (doc[left].pos_ in ("PUNCT", "SYM", "CCONJ") and doc[left].text not in OPEN_QUOTES + "("):
        left += 1
    left = _past_connective(doc, left, end)
    if end - left > 2 and doc[end - 1].lemma_ in ("いう", "言う") and doc[end - 2].text == "と":
        end -= 2
    if left >= end:
        return (doc[end].idx, doc[end].idx) if end < len(doc) else (len(_text(doc)), len(_text(doc)))
    return doc[left].idx, doc[end - 1].idx + len(doc[end - 1].text)


CONNECTIVES = ("あわせて", "併せて", "合わせて", "加えて", "また", "さらに", "更に", "その上で")


def _past_connective(doc: Doc, left: int, end: int) -> int:
    """Past a connective opening the span (あわせて、…取決めに署名: it links to the sentence before)."""
    for comma in range(left + 1, min(left + 4, end)):
        if doc[comma].text in ("、", ","):
            return comma + 1 if doc[left:comma].text in CONNECTIVES else left
    return left
