"""Reading GiNZA's parse: subtrees, roots, 連用形 chains, background clauses, and the quotes a token is in."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .rulefile import CLOSE_QUOTES, OPEN_QUOTES, config

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .candidates import Cand


def _leftmost(tok: Token) -> int:
    return min(t.i for t in tok.subtree)


def _root(tok: Token) -> Token:
    while tok.head.i != tok.i:
        tok = tok.head
    return tok


def _is_sentence_final(tok: Token) -> bool:
    """Nothing but punctuation or a trailing へ/。 (a headline's か) after the token (a headline or 体言止め), nor a
    bracketed date closing a title line (…署名へ(2026年1月11日))."""
    tail = _text(tok.doc)[tok.idx + len(tok.text) :]
    tail = TRAILING_BRACKET.sub("", tail)
    headline = _is_headline(tok.doc)
    if headline and tok.whitespace_:
        return True  # 日米首脳、同盟強化を確認 ワシントンで会談: a space ends a headline's phrase
    if (
        headline
        and tok.i + 1 < len(tok.doc)
        and (tok.doc[tok.i + 1].text in ("、", ",") or joins_phrases(tok.doc[tok.i + 1]))
    ):
        return True  # …資本業務提携を締結、子会社化へ / …増産で合意＝柔軟性維持を確認: so does a comma or a ＝
    rest = []
    for t in tok.doc[tok.i + 1 :]:
        if t.text.isspace() and "\u3000" in t.text or t.is_sent_start:
            break  # 日英、…で合意　外相会談: a headline's next phrase, set off by a full-width space
        if t.pos_ not in ("PUNCT", "SYM") and t.idx < tok.idx + len(tok.text) + len(tail):
            rest.append(t)
        if headline and t.whitespace_:
            break  # …で合意へ 外相会談
    # …で合意か: a headline's hedge (the body's question is excluded elsewhere); …で一致も　…では平行線: agreed, but
    return all(t.text in ("へ", "に", "だ") or headline and t.text in ("か", "も") for t in rest) and len(rest) <= 1


def joins_phrases(tok: Token) -> bool:
    """A wire headline's ＝ joining two phrases (…増産で合意＝柔軟性維持を確認)."""
    return tok.text in ("=", "＝")


# A bracketed date or source at the end of a title line: (2026年1月11日), 【5月3日】, (共同)
TRAILING_BRACKET = re.compile(r"[(（【\[][^()（）【】\[\]]{1,24}[)）】\]]\s*$")


def _chain_end(tok: Token) -> Token:
    """Follow 連用形 coordination (…し、…した) up to the verb that carries the tense; a 連用形 with its comma that
    the parser hung on a noun (…に署名し、協力は…枠組みへと格上げされた: acl) is coordinated all the same."""
    seen = 0
    while (
        _is_renyo(tok)
        and (tok.dep_ in ("advcl", "conj") or tok.dep_ == "acl" and _comma_closes(tok))
        and tok.head.i != tok.i
        and seen < 8
    ):
        tok, seen = tok.head, seen + 1
    return tok


def _comma_closes(tok: Token) -> bool:
    """The predicate's own words end with a comma (…し、)."""
    last = max([tok.i] + [t.i for t in tok.children if t.i > tok.i and t.dep_ in ("aux", "mark", "punct")])
    doc = tok.doc
    return doc[last].text in ("、", ",") or last + 1 < len(doc) and doc[last + 1].text in ("、", ",")


def _tail(tok: Token) -> list[Token]:
    """The words a predicate carries after it (its auxiliaries and their own: …し|て|おり, …し|て|い|た), no
    punctuation."""
    return [g for t in tok.children if t.i > tok.i for g in (t, *t.children) if g.dep_ != "punct"]


def _te_iru(lemmas: set[str]) -> bool:
    """…ている / …ておる (結んでおり: the て voiced after 撥音便 is で) among a predicate's tail lemmas."""
    return bool(lemmas & {"いる", "おる"} and lemmas & {"て", "で"})


def _pluperfect(doc: Doc) -> bool:
    """The sentence's main verb is told in the past perfect (…を申し合わせていた, …難航していました): background
    to the story, not its event."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return False
    lemmas = {t.lemma_ for t in _tail(root)}
    return _te_iru(lemmas) and "た" in lemmas


def _stative(tok: Token) -> bool:
    """The clause tells a state reached before (…を設置しており、 / …を結んでいて): its own fact, not part of
    the statement it is chained to."""
    marks = [t for t in tok.children if t.i > tok.i and t.dep_ == "mark" and t.lemma_ in ("て", "で")]
    return any(f.dep_ == "fixed" and f.lemma_ in ("おる", "いる") for m in marks for f in m.children)


def _is_renyo(tok: Token) -> bool:
    """The predicate continues into the next clause (…し、 / …して / …するとともに、)."""
    if any(
        t.i > tok.i and t.lemma_ == "と" and any(f.lemma_ in ("とも", "共") for f in t.children) for t in tok.children
    ):
        return True  # …を再確認するとともに、…で一致した: two statements
    after = [t for t in tok.children if t.i > tok.i and t.dep_ in ("aux", "mark")]
    if any(t.lemma_ in ("た", "の", "ば") for t in after):
        return False
    if any(t.dep_ == "mark" and t.text in config().s["concessive"] for t in after):
        return False  # …で合意しているが、運用は始まっていない: the clause ends, conceding; the next is not its own
    if any(t.dep_ == "mark" and t.lemma_ in ("て", "つつ", "ながら") for t in after):
        return True
    last = [t for t in after if t.dep_ == "aux"]
    form = (last[-1] if last else tok).morph.get("Inflection", [])
    return bool(form) and "連用形" in form[0]


def _verb_head(tok: Token) -> Token:
    head = tok
    while head.head.i != head.i:
        head = head.head
        if head.pos_ in ("VERB", "ADJ"):
            return head
    return head


def _background(tok: Token) -> frozenset[int]:
    """Tokens of …を踏まえ / …を受けて clauses under the token: context, not this agreement's own."""
    return _background_at(tok.doc, tok.i, tuple(config().s["background_verbs"]))


@lru_cache(maxsize=256)
def _background_at(doc: Doc, i: int, verbs: tuple[str, ...]) -> frozenset[int]:
    """``_background`` of token ``i``, once per token (asked for each candidate and meeting; the cache holds the
    doc, as ``_text``'s does)."""
    tok, out = doc[i], set()
    for t in tok.subtree:
        if t.i != tok.i and t.dep_ in ("advcl", "acl") and t.lemma_ in verbs:
            out |= {u.i for u in t.subtree}
    return frozenset(out)


# ------------------------------------------------------------------ quotes


def _scope(tok: Token) -> tuple[int, int]:
    """Characters of the innermost quote holding the token, or the whole sentence."""
    text = _text(tok.doc)
    return _quote_of(_quotes(text), tok.idx) or (0, len(text))


@lru_cache(maxsize=64)
def _text(doc: Doc) -> str:
    """``doc.text``, which spaCy joins anew on every call (the cache holds the doc: no id is reused)."""
    return doc.text


def _is_headline(doc: Doc) -> bool:
    """A line without a full stop: a headline, whose phrases a space ends."""
    return "。" not in _text(doc)


@lru_cache(maxsize=256)
def _quotes(text: str) -> tuple[tuple[int, int], ...]:
    """Every quoted span of the sentence (cached: asked once per token the rules look at)."""
    out, stack = [], []
    for i, ch in enumerate(text):
        if ch in OPEN_QUOTES:
            stack.append(i)
        elif ch in CLOSE_QUOTES and stack:
            out.append((stack.pop(), i + 1))
    return tuple(out)


def _quote_of(quotes: tuple[tuple[int, int], ...], char: int) -> tuple[int, int] | None:
    inside = [q for q in quotes if q[0] <= char < q[1]]
    return min(inside, key=lambda q: q[1] - q[0]) if inside else None


RELATIVE_REACH = 6  # tokens after a date in which the verb of a clause it opens stands


def _opens_relative_clause(tok: Token) -> bool:
    """A date (or meeting) right before a clause that modifies a noun, with no comma between
    (2015年に両政府が合意した指針): it dates that clause, whatever the parser hung it on."""
    for t in tok.doc[tok.i + 1 : tok.i + 1 + RELATIVE_REACH]:
        if t.text in ("、", ",", "。"):
            return False
        if t.dep_ == "acl" and t.pos_ == "VERB" and not _compounded(t):
            return True
    return False


def _compounded(tok: Token) -> bool:
    """A verbal noun the parser made a clause, though it is part of the noun it precedes, uninflected
    (昨年7月に円滑化協定を締結し: 円滑化 is a word of 円滑化協定, not a clause dated 昨年7月)."""
    return tok.tag_.startswith("名詞") and tok.head.i == tok.i + 1 and not any(t.dep_ == "aux" for t in tok.children)


def _past_weekday(doc: Doc, i: int) -> int:
    """Past a day of the week in brackets at token i (５月７日（木）), else i."""
    if i + 2 < len(doc) and doc[i].text in "(（" and doc[i + 2].text in ")）" and len(doc[i + 1].text) == 1:
        return i + 3
    return i


def _after_subject(t: Token) -> bool:
    """The date's words follow a subject's は/が/も (and its comma) and a comma follows them, perhaps after the
    day of the week (両政府は5日、 / 汐見市は、５月７日（木）、)."""
    doc, first = t.doc, _leftmost(t)
    if first > 1 and doc[first - 1].text in "、," and doc[first - 2].text in ("は", "が", "も"):
        first -= 1
    after = _past_weekday(doc, t.i + 1)
    return first > 0 and doc[first - 1].text in ("は", "が", "も") and after < len(doc) and doc[after].text in "、,"


def _own_clause(c: Cand, cands: list[Cand]) -> set[int]:
    """The predicate's clause without its content, other predicates' clauses and background."""
    ids = {t.i for t in c.anchor.subtree} | {t.i for t in c.pred.subtree} | _plan_words(c.anchor)
    ids -= c.ids | _background(c.anchor) | _background(c.pred)
    for o in cands:
        if o is not c and o.pred.i in ids and o.pred.i != c.anchor.i:
            ids -= {t.i for t in o.pred.subtree}
    return ids


def _plan_words(anchor: Token) -> set[int]:
    """The words, no verb among them, of the plan noun a predicate modifies (…署名を行う予定でございます) and of its
    copula's verb: where the parser hangs the plan's date (来週8日、…署名を行う予定でございます)."""
    plan = anchor.head
    if anchor.dep_ != "acl" or plan.lemma_ not in config().s["plan_heads"]:
        return set()
    heads = [plan] + ([plan.head] if plan.head.lemma_ in ("ござる", "ある", "だ", "です") else [])
    # not past another verb before the clause (来週にも…協議する予定で、月内に…合意する見通し: 来週 is the 協議's)
    last_verb = max(
        (t.i for t in anchor.doc[: anchor.left_edge.i] if t.pos_ == "VERB" and t.dep_ != "fixed"), default=-1
    )
    return {
        t.i
        for h in heads
        for child in h.children
        if child.i < anchor.i and child.pos_ not in ("VERB", "AUX", "SCONJ") and child.dep_ not in ("advcl", "acl")
        for t in child.subtree
        if t.i > last_verb
    }
