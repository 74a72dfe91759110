"""Decisions on candidates: which the ``exclude`` rules drop, and which ``status`` each kept one gets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from ... import rulebook
from ...records import Sentence
from .rulefile import config
from .spans import HEADLINE_GAP
from .syntax import _chain_end, _is_headline, _is_renyo, _is_sentence_final, _scope, _stative, _tail, _te_iru, _text

if TYPE_CHECKING:
    from spacy.tokens import Token

    from .candidates import Cand


# ------------------------------------------------------------------ exclusions


def _apply_pattern_excludes(cands: list[Cand], found: dict[str, list[dict]]) -> None:
    """Mark candidates whose predicate (or the verb it is coordinated with) an exclude pattern hit."""
    if not cands:
        return
    heads = [{c.pred.i, c.anchor.i, _chain_end(c.anchor).i} for c in cands]  # once, not once per rule
    for rule in config().excludes:
        hits = {m["pred"].i: m for m in found.get(rule.id, []) if "pred" in m}
        for c, tokens in zip(cands, heads):
            if c.excluded_by:
                continue
            for tok in tokens:
                m = hits.get(tok)
                if m and _exclude_applies(rule, c, m):
                    c.excluded_by = rule.id


def _exclude_applies(rule: rulebook.Rule, c: Cand, m: dict) -> bool:
    if rule.get("absorb"):  # a coordinated action before ことで一致 belongs to that content
        koto = m.get("koto")
        return m["pred"].i == c.pred.i and koto is not None and c.pred.i < koto.i and not _stative(c.pred)
    if rule.get("appositive") and m["noun"].lemma_ in rule.get("appositive") and _says(m["pred"]):
        return False  # …で合意したという点だ: the clause is what the noun says
    if rule.get("asserted") and m["noun"].lemma_ in rule.get("asserted") and _with_copula(m["noun"]):
        return False  # …署名されたものです: the noun and its copula assert the clause
    if rule.get("attributive"):  # only a predicate that can modify a noun: …合意しており、 never does
        # nor one ending a headline's phrase (…資本業務提携を締結、子会社化へ)
        # nor one closed by a conjunction (…で合意したが、…はこれからだ: the parser hung it on a noun all the same)
        closing = (*config().s["concessive"], *CAUSAL)
        joined = any(t.dep_ == "mark" and t.text in closing for t in c.anchor.children if t.i > c.anchor.i)
        return not (_is_renyo(c.anchor) or joined or _is_headline(c.pred.doc) and _is_sentence_final(c.pred))
    if rule.get("spare_headlines") and c.mode == "headline":  # …で合意か: a headline's hedge, not a question
        return False
    return True


CAUSAL = ("けど", "から", "ので")  # besides the concessive conjunctions, others that close a clause


def _with_copula(noun: Token) -> bool:
    """The noun and its copula end the sentence (…ものだ, …ものでございます), not a clause going on (…もので、)."""
    final = noun.dep_ == "ROOT" or noun.head.dep_ == "ROOT" and noun.head.lemma_ in ("ござる", "ある")
    return final and any(t.dep_ == "cop" for t in noun.children)


def _says(pred: Token) -> bool:
    """The predicate is followed by という (…合意したという点)."""
    return any(t.text == "と" and any(f.lemma_ in ("いう", "言う") for f in t.children) for t in pred.children)


def _absorb(cands: list[Cand]) -> None:
    """Give each absorbed predicate's clause to the agreement it was coordinated into."""
    for c in cands:
        if c.excluded_by and config().by_id(c.excluded_by).get("absorb"):
            host = next((h for h in cands if h.pred.i == c.pred.head.i and not h.excluded_by), None)
            if host is not None:
                host.absorbed.append(c.pred)


def _exclude_inside_content(cands: list[Cand], rule_id: str) -> None:
    """A predicate standing inside another agreement's content is part of that agreement, unless it
    is a statement of its own coordinated before it (…ことで合意し、…ことを確認した): then the host's
    content starts after it."""
    coordinate = set(config().s["coordinate_classes"])
    for c in cands:
        if c.excluded_by:
            continue
        host = _complement_host(c, cands)
        if host is not None:  # 合弁会社を設立することで基本合意書を締結した: what the signing says
            c.excluded_by, c.inside_of = rule_id, host
            continue
        for other in cands:
            if other is c or other.excluded_by or not other.span or c.pred.i not in other.ids:
                continue
            # …を改定して、…を強化することで一致した: a て-clause hung inside the host's clause is what was agreed
            inside = _chain_end(c.pred).i in other.ids and c.pred.doc[c.pred.i + 1 :].text.startswith(("して", "て"))
            # …共同声明を発表し、…を確認した: issuing a joint document is a statement of its own too
            issued = c.node is not None and c.node.lemma_ in config().s["joint_documents"]
            if (
                (c.cls in coordinate or _stative(c.pred) or issued)
                and c.span
                and _is_renyo(c.pred)
                and c.pred.i < other.pred.i
                and not inside
            ):
                # its content may have lost a topic the parse hung on its predicate: it starts where the host's did
                c.span = (min(c.span[0], other.span[0]), c.span[1])
                other.span = (_clause_end(c.pred), other.span[1])
                c.host = other.anchor
                continue
            c.excluded_by, c.inside_of = rule_id, other
            break


def _complement_host(c: Cand, cands: list[Cand]) -> Cand | None:
    """The statement whose こと/旨 clause the predicate is (…設立することで…を締結した), if any."""
    koto = c.pred.head
    if c.pred.dep_ != "acl" or koto.lemma_ not in config().s["complements"]:
        return None
    return next((o for o in cands if o is not c and koto.head.i in (o.pred.i, o.anchor.i)), None)


def _clause_end(pred: Token) -> int:
    """Character just after a 連用形 predicate and its し/、 (where the next clause starts)."""
    end = pred.i + 1
    while end < len(pred.doc) and (
        pred.doc[end].dep_ in ("aux", "mark", "punct")
        or pred.doc[end].head.i == pred.i
        and pred.doc[end].pos_ in ("AUX", "PUNCT", "SCONJ")
    ):
        end += 1
    at = pred.doc[end].idx if end < len(pred.doc) else len(_text(pred.doc))
    joint = re.match(r"(?:と(?:とも|共)に)?[、,，\s]*", _text(pred.doc)[at:])  # …するとともに、 (matches empty too)
    return at + (joint.end() if joint else 0)


def _section_rule(sentence: Sentence, text: str) -> str:
    for rule in config().excludes:
        if rule.get("sections") and (
            sentence.section in rule.get("sections") or (isinstance(rule.pattern, str) and rule.regex.search(text))
        ):
            return rule.id
    return ""


# ------------------------------------------------------------------ status


ONLY_SO_FAR = ("とどまる", "留まる", "止まる")


def _tense(tok: Token) -> str:
    """past | state | nominal | nonpast, for the verb at the end of the predicate's chain."""
    if _is_headline(tok.doc) and (tok.whitespace_ or tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].text == "、"):
        return "nominal"  # a headline's phrase ending at a space or a comma (…同盟強化を確認 ワシントンで会談)
    # 署名しており、…となる: the clause states its own result
    if _te_iru({t.lemma_ for t in _tail(tok)}):
        return "state"
    end = _chain_end(tok)
    if end.head.lemma_ in ONLY_SO_FAR and any(t.text == "に" for t in end.children):
        end = end.head  # …を確認するにとどまった: the tense is the verb's that limits it
    tail = [t for t in end.children if t.i > end.i] + [g for t in end.children if t.i > end.i for g in t.children]
    lemmas = {t.lemma_ for t in tail}
    if "た" in lemmas or any("助動詞-タ" in "".join(t.morph.get("Inflection", [])) for t in tail):
        return "past"  # 結んだ, 読んだ: the past た voiced after 撥音便 has the lemma だ
    if "いる" in lemmas or "おる" in lemmas:
        return "state"
    if end.pos_ in ("NOUN", "PROPN") or (
        end.dep_ == "acl" and end.head.dep_ == "ROOT" and end.head.lemma_ == "こと" and _is_sentence_final(end.head)
    ):  # a list item …取り組むこと
        return "nominal"
    if end.i != tok.i and _next_step_to_come(tok, end):
        return "past"  # …の設置で合意し、来月初会合を開く: the agreeing is done, the next step is to come
    return "nonpast"


# Days still to come whatever the article's date: a statement told as done is not dated by them, even in an
# article with no dateline to compare with (来年1月に…を開催することも確認した: what is to be held).
TO_COME = re.compile(r"来(?:年|月|週|春|夏|秋|冬|年度)|明日|明後日|あす|あした|あさって")
# …and, in a clause coordinated after the statement's, a next step ahead (…し、来月…を開く, …し、今後…)
NEXT_STEP = re.compile(TO_COME.pattern + r"|今後|近く|近日中")


def _next_step_to_come(tok: Token, end: Token) -> bool:
    """The clause after the statement's, not the statement's own, names a time to come."""
    own = {t.i for t in tok.subtree}
    later = "".join(t.text for t in tok.doc[tok.i + 1 : end.i + 1] if t.i not in own)
    mine = "".join(t.text for t in tok.subtree)
    return bool(NEXT_STEP.search(later)) and not NEXT_STEP.search(mine)


def _governors(tok: Token) -> Iterator[Token]:
    """Ancestors of the token inside its quote, then the few words right after it — within its phrase, in a
    headline (…で一致　懸案解決へ協議継続: the へ is the next phrase's)."""
    lo, hi = _scope(tok)
    head = tok
    while head.head.i != head.i:
        head = head.head
        if not lo <= head.idx < hi or _phrase_gap(tok, head):
            break
        yield head
    for t in tok.doc[tok.i + 1 : tok.i + 1 + int(config().s["status_window"])]:
        if t.text in "。」』、" or not lo <= t.idx < hi or _phrase_gap(tok, t):
            break
        yield t


def _phrase_gap(a: Token, b: Token) -> bool:
    """A headline's space between two phrases (no 。 in the line) lies between the two words."""
    if not _is_headline(a.doc):
        return False
    lo, hi = sorted((a.idx, b.idx))
    return bool(HEADLINE_GAP.search(_text(a.doc), lo, hi + 1))


def _status(c: Cand, found: dict[str, list[dict]], published: str | None, next_text: str = "") -> tuple[str, str]:
    """The first status rule that fires; ``next_text``: the sentence after the statement's, which may name
    its source (…ことが分かった。政府関係者が明らかにした。)."""
    for rule in config().statuses:
        if _status_fires(rule, c, found.get(rule.id, []), published, next_text):
            return rule.get("status"), rule.id
    return "concluded", ""


def _status_fires(rule: rulebook.Rule, c: Cand, hits: list[dict], published: str | None, next_text: str = "") -> bool:
    """``hits``: the rule's pattern matches in the sentence (node ``pred`` = a governed predicate)."""
    check = rule.get("check")
    anchor = c.host or c.anchor
    if check == "governor":  # a hedge/plan governing the predicate within its quote, or right after it
        if _state_reached(anchor):
            return False  # 大筋合意しており、…署名する見通しだ: the hedge is the next clause's
        lo, hi = _scope(anchor)
        if any(
            m["pred"].i == anchor.i and all(lo <= t.idx < hi and not _phrase_gap(anchor, t) for t in m.values())
            for m in hits
        ):
            return True
        lemmas = set(rule.get("lemmas"))
        return any(t.lemma_ in lemmas or t.text in lemmas for t in _governors(anchor))
    if check == "source":
        return _reported(rule, c) or _sourced_scoop(rule, c, next_text)
    if check == "tense":
        if any(m["pred"].i == _chain_end(anchor).i for m in hits):
            return True
        tense = _tense(anchor)
        if tense == "nominal" and _after_publication(c.date, published):
            return False  # 来月にも正式署名: a headline about what is still to come
        return tense in rule.get("tenses") or _meeting_before_publication(c, published)
    return True  # the fallback rule


def _state_reached(tok: Token) -> bool:
    """…しており、 / …していて、: a state already reached, its clause closed by a comma."""
    own = _tail(tok)
    if not _te_iru({t.lemma_ for t in own}):
        return False
    last = max(t.i for t in own)
    return last + 1 < len(tok.doc) and tok.doc[last + 1].text in ("、", ",")


def _reported(rule: rulebook.Rule, c: Cand) -> bool:
    """Inside a quote followed by と + a reporting verb, or a sentence attributed to a source."""
    text = _text(c.pred.doc)
    lo, hi = _scope(c.anchor)
    if hi < len(text) or lo > 0:
        after = text[hi : hi + 12]
        told = re.match(rule.get("quote_verbs"), after)
        # a report's words (…と報じた), or a source's (関係者は「…」と述べた); a participant's own account of the
        # meeting (首相は「…で一致した」と語った) is first-hand
        if told and (re.search(rule.get("report_verbs"), told.group()) or re.search(rule.get("sources"), text[:lo])):
            return True
    end = _chain_end(c.anchor)
    own_end = end.idx + len(end.text)
    # …合意しましたが、具体的な額は調整事項とされています: a source marking the next clause only
    breaks = _clause_break()
    return any(m.start() < own_end or not breaks.search(text, own_end, m.start()) for m in rule.regex.finditer(text))


@lru_cache(maxsize=1)
def _clause_break() -> re.Pattern:
    """A concessive conjunction (the rule file's ``concessive``) or 一方 and its comma: the next clause starts."""
    words = sorted((*config().s["concessive"], "一方", "一方で"), key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, words)) + ")、")


def _sourced_scoop(rule: rulebook.Rule, c: Cand, next_text: str) -> bool:
    """A news lede (…で合意していたことが分かった, or any statement followed by a line that only names its
    source) whose next sentence names sources (関係者が明らかにした, 複数の消息筋が明らかにした) — not an
    official telling it (ホワイトハウスが明らかにした)."""
    if not (next_text and rule.regex.search(next_text)):
        return False
    lede = re.search(config().s["antecedent_lede"], _text(c.pred.doc))
    return bool(lede or re.match(config().s["antecedent_skip"], next_text.strip()))


def _after_publication(date: str, published: str | None) -> bool:
    """The date (a day, month or year) lies wholly after the publication's."""
    if not published or not re.fullmatch(r"\d{4}(?:-\d\d){0,2}", date or ""):
        return False
    return date > published[: len(date)]


def _meeting_before_publication(c: Cand, published: str | None) -> bool:
    """A non-past about a meeting that had already happened when the article came out."""
    return bool(published and re.fullmatch(r"\d{4}-\d\d-\d\d", c.date or "") and c.date < published)
