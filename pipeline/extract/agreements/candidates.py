"""Candidates: the predicate occurrences the ``predicate`` rules claim, each on its way to a row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ... import rulebook
from .events import _event_spans
from .parties import _dictionary_parties
from .rulefile import config
from .syntax import _is_headline, _is_sentence_final, _text, joins_phrases

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


@dataclass
class Cand:
    """A predicate occurrence on its way to becoming an Agreement (or being excluded)."""

    index: int  # sentence index
    pred: Token
    anchor: Token  # carries tense and negation (the verb of a コミットメント)
    rule: str
    cls: str
    node: Token | None = None  # content head (こと/旨 or the object)
    mode: str = "node"  # node | self | headline | antecedent
    span: tuple[int, int] | None = None  # content, sentence-relative characters
    content: str = ""
    absorbed: list[Token] = field(default_factory=list)  # coordinated predicates folded into the content
    explicit: bool = False  # the subject is stated in the sentence (not inherited)
    speaker: bool = False  # the stated subject is marked から: one side's words (山田大臣から、…)
    host: Token | None = None  # the predicate a coordinated statement shares its tense with (…合意し、…確認した)
    excluded_by: str = ""
    inside_of: Cand | None = None  # the statement whose content it was found in (exclude_inside_content)
    status: str = ""
    status_rule: str = ""
    parties: tuple[str, ...] = ()
    joint: bool = False
    inherited: int | None = None  # sentence the parties were inherited from
    date: str = ""
    date_from: str = ""  # sentence | event | published | context: where ``date`` came from
    event: str = ""
    instrument: str = ""

    @property
    def ids(self) -> set[int]:
        """Token indices inside the content span."""
        if not self.span:
            return set()
        a, b = self.span
        return {t.i for t in self.pred.doc if a <= t.idx < b}


def _class_of(rule: rulebook.Rule, tok: Token) -> str:
    return rule.get("predicate") or config().s["classes"].get(tok.lemma_, tok.lemma_)


def _predicate_candidates(
    index: int, doc: Doc, found: dict[str, list[dict]], dated: frozenset[int] = frozenset()
) -> list[Cand]:
    """The first predicate rule (file order) that matches a token claims it. ``dated``: the tokens ending a
    date mention, which are never what was agreed (来月上旬にも…署名する: the match with another content wins)."""
    claimed: dict[int, Cand] = {}
    for rule in config().predicates:
        # a match that binds the content before one that does not, then the content nearest the predicate
        for m in sorted(found.get(rule.id, []), key=lambda m: ("content" not in m, -m.get("content", m["pred"]).i)):
            pred = m["pred"]
            if pred.i in claimed or not _rule_accepts(rule, m) or m.get("content", pred).i in dated:
                continue
            claimed[pred.i] = Cand(
                index,
                pred,
                m.get("anchor", _light_verb(pred)),
                rule.id,
                _class_of(rule, pred),
                m.get("content"),
                rule.get("content", "node"),
            )
    return sorted(claimed.values(), key=lambda c: c.pred.i)


def _light_verb(pred: Token) -> Token:
    """The する a predicate word parsed as its adverb leans on (最終確認|した): it carries the tense."""
    return pred.head if pred.pos_ == "ADV" and pred.head.lemma_ == "する" else pred


def _rule_accepts(rule: rulebook.Rule, m: dict) -> bool:
    """Checks a pattern cannot express: headline position, non-event/non-party content."""
    pred, node = m["pred"], m.get("content")
    # a release's title ends in the notice (…締結のお知らせ): the predicate is final before it
    final = _is_sentence_final(m["notice"] if "notice" in m else pred)
    # a notice's title (…契約の締結に関するお知らせ) and a settlement (…訴訟、和解成立) name their matter however
    # it is joined
    framed = "notice" in m or "settled" in m
    if rule.get("content") == "headline" and not (final and (framed or _is_argument(m["arg"]))):
        return False
    if node is not None and _agent_or_place(node):
        return False  # 両国の外相により署名された, 東京において署名する: who signed or where, never what
    if node is not None and rule.get("content_not_event"):
        text = _text(node.doc)
        if _event_at(text, node) or _party_at(text, node):
            return False
    return True


def _agent_or_place(tok: Token) -> bool:
    """The phrase is marked as an agent (…により, …によって) or a place (…において)."""
    return any(c.text == "に" and any(f.lemma_ in ("よる", "おく", "於く") for f in c.children) for c in tok.children)


def _is_argument(tok: Token) -> bool:
    """A headline predicate's argument: 集中議論(確認), 強化で(合意) — not the の of a heading (Xの設置)
    nor an adnominal phrase (…に関する合意)."""
    if any(
        t.dep_ == "fixed" and "連体形" in "".join(t.morph.get("Inflection", []))
        for c in tok.children
        for t in c.children
    ):
        return False
    if tok.dep_ == "acl" and tok.tag_.startswith("名詞") and tok.head.i == tok.i + 1:
        return True  # a noun the parser read as a verb, glued to the predicate (覚書|署名へ)
    cases = {t.text for t in tok.children if t.dep_ == "case"}
    return tok.dep_ in ("compound", "obj", "obl") and "の" not in cases or bool(cases - {"の"})


def _event_at(text: str, tok: Token) -> bool:
    return any(a <= tok.idx < b for a, b, *_ in _event_spans(text))


def _party_at(text: str, tok: Token) -> bool:
    return any(p.start <= tok.idx < p.end for p in _dictionary_parties(text))


def _headline_phrase_matches(doc: Doc) -> dict[str, list[dict]]:
    """Rules of ``shape: headline_phrase``: in a headline (no 。), a predicate noun of the rule's ``lemmas`` that ends
    a phrase at a space before another phrase, after a particle or a noun — {pred, arg (the noun before)}."""
    if not _is_headline(doc):
        return {}
    out: dict[str, list[dict]] = {}
    for rule in headline_phrase_rules():
        lemmas = set(rule.get("lemmas") or ())
        for tok in doc[1:-1]:
            if tok.lemma_ not in lemmas or not (
                tok.whitespace_ or doc[tok.i + 1].text.isspace() or joins_phrases(doc[tok.i + 1])
            ):
                continue
            arg = doc[tok.i - 1]
            if arg.pos_ == "ADP" and tok.i >= 2:
                arg = doc[tok.i - 2]
            if arg.pos_ in ("NOUN", "PROPN"):
                out.setdefault(rule.id, []).append({"pred": tok, "arg": arg})
    return out


def headline_phrase_rules() -> list[rulebook.Rule]:
    """The predicate rules found by their shape in a headline (``shape: headline_phrase``), not by a pattern."""
    return [rule for rule in config().predicates if rule.get("shape") == "headline_phrase"]
