"""Agreements rule family: one row per agreement statement, read off GiNZA's dependency parse.

Rules live in ``rules/agreements.yaml`` and come in three kinds, run in this order:

- ``predicate`` rules (DependencyMatcher patterns) find a predicate token (``pred``), the token
  whose clause is the agreed content (``content``) and, for ``コミットメント``, the verb that
  carries tense (``anchor``). The first rule that claims a predicate token wins.
- ``exclude`` rules drop candidates: relative clauses, negation, conditionals, ``…こととしている``,
  predicates inside another agreement's content, unilateral setups, comments and link lists.
- ``status`` rules decide ``status``; the first that fires wins (hedge > source > intent > tense).

Parties, event and date come from the article context (``_Context``): the subject of the
predicate (or of the last sentence that had one), the people of the meeting for ``両閣僚``, the
meeting named in the predicate's own clause, and the dated meeting line the report is about.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, NamedTuple

from .. import rulebook
from ..records import Agreement, DateMention, Entity, ParsedArticle, Sentence
from .families import Family

if TYPE_CHECKING:  # spaCy is imported only when a sentence is matched
    from spacy.language import Language
    from spacy.tokens import Doc, Token
    from spacy.vocab import Vocab

RULES = "agreements"
OPEN_QUOTES, CLOSE_QUOTES = "「『“", "」』”"


# ================================================================== configuration

@dataclass(frozen=True)
class Config:
    """The rule file, split by kind, plus the dictionaries the rules refer to."""

    predicates: tuple[rulebook.Rule, ...]
    excludes: tuple[rulebook.Rule, ...]
    statuses: tuple[rulebook.Rule, ...]
    s: dict  # settings: classes, complements, parties, events, instruments, ...

    def by_id(self, rule_id: str) -> rulebook.Rule:
        return rulebook.load(RULES).by_id(rule_id)


KINDS = ("predicate", "exclude", "status")


@lru_cache(maxsize=1)
def config() -> Config:
    rf = rulebook.load(RULES)
    for rule in rf.rules:
        if rule.get("kind") not in KINDS:
            raise rulebook.RuleError(rf.path, rule.id, f"'kind' must be one of {', '.join(KINDS)}")
        if rule.get("kind") == "status" and rule.get("status") not in ("concluded", "planned", "reported", "expected"):
            raise rulebook.RuleError(rf.path, rule.id, "a status rule needs 'status'")
    kinds = {k: tuple(r for r in rf.rules if r.get("kind") == k) for k in KINDS}
    return Config(kinds["predicate"], kinds["exclude"], kinds["status"], rf.settings)


def _patterns(rule: rulebook.Rule) -> list[list[dict]]:
    """A rule's pattern as a list of alternative DependencyMatcher patterns."""
    pat = rule.pattern
    if not isinstance(pat, list):
        return []
    return [pat] if isinstance(pat[0], dict) else pat


class _Pattern(NamedTuple):
    key: str  # the DependencyMatcher key: rule id # alternative
    rule_id: str
    pattern: list[dict]
    needs: tuple[tuple[str, frozenset[str]], ...]  # (token attribute, values one of which a node needs)
    predicate: bool
    nodes: tuple[str, ...]  # node names, in the order the matcher gives their tokens
    digest: str  # the pattern itself: what its matches are remembered by (``Memo``)


# Node attributes whose required values tell, before matching, that a sentence cannot hold a match
# (TEXT is read as ORTH, which is what it compares).
_SCREEN_ATTRS = ("LEMMA", "ORTH", "POS", "DEP")


@lru_cache(maxsize=1)
def _pattern_table() -> tuple[_Pattern, ...]:
    """Every token pattern of every rule, with what its nodes need the sentence to contain."""
    cfg = config()
    return tuple(_Pattern(f"{rule.id}#{k}", rule.id, pattern, _needs(pattern), rule in cfg.predicates,
                          tuple(node["RIGHT_ID"] for node in pattern), _digest(pattern))
                 for rule in cfg.predicates + cfg.excludes + cfg.statuses
                 for k, pattern in enumerate(_patterns(rule)))


def _digest(pattern: list[dict]) -> str:
    return hashlib.sha256(json.dumps(pattern, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def _needs(pattern: list[dict]) -> tuple[tuple[str, frozenset[str]], ...]:
    """For each node attribute given as a value or an IN list: (token attribute, allowed values)."""
    out = []
    for node in pattern:
        for attr, value in (node.get("RIGHT_ATTRS") or {}).items():
            attr = "ORTH" if attr == "TEXT" else attr
            if attr in _SCREEN_ATTRS and isinstance(value, str):
                out.append((attr, frozenset([value])))
            elif attr in _SCREEN_ATTRS and isinstance(value, dict) and isinstance(value.get("IN"), list):
                out.append((attr, frozenset(map(str, value["IN"]))))
    return tuple(out)


@lru_cache(maxsize=4)
def _screen_ids(vocab: Vocab) -> tuple[tuple[int, ...], list[tuple[tuple[str, frozenset[int]], ...]]]:
    """The screened attributes' spaCy ids, and each pattern's needs as string ids (what ``to_array`` gives).

    Built once per vocabulary, which is also when spaCy checks every pattern, used or not.
    """
    from spacy import attrs

    _matcher(vocab, tuple(p.key for p in _pattern_table()))
    ids = tuple(getattr(attrs, a) for a in _SCREEN_ATTRS)
    screens = [tuple((a, frozenset(vocab.strings[v] for v in values)) for a, values in p.needs)
               for p in _pattern_table()]
    return ids, screens


@lru_cache(maxsize=64)
def _matcher(vocab: Vocab, keys: tuple[str, ...]) -> Any:
    """One DependencyMatcher over the given patterns."""
    from spacy.matcher import DependencyMatcher

    matcher = DependencyMatcher(vocab)
    for p in _pattern_table():
        if p.key not in keys:
            continue
        try:
            matcher.add(p.key, [p.pattern])
        except (ValueError, KeyError, TypeError) as exc:  # spaCy's own validation: name the rule
            source = config().by_id(p.rule_id).source
            raise rulebook.RuleError(rulebook.RULES_DIR / source, p.rule_id, f"bad pattern: {exc}") from None
    return matcher


class Memo(dict):
    """Each pattern's matches in the sentences of one parsed article, kept from run to run.

    pattern digest → sentence index → the matches' token indices. A match depends only on the
    pattern and the parse, not on the rule around it or on the other rules, so after an edit of
    ``agreements.yaml`` only new or changed patterns meet the DependencyMatcher (a third of the
    family's time). ``extraction`` stores it per parse; ``changed`` says it has to be saved.
    """

    FORMAT = 1  # what a Memo holds, as above: change it when that changes (it is part of the memo's key)
    changed = False


def _matches(doc: Doc, index: int, memo: Memo | None) -> dict[str, list[dict[str, Token]]]:
    """rule id → list of {node name: token} for every pattern match in sentence ``index``.

    The DependencyMatcher is most of the family's cost, and each pattern it holds costs it time on
    every sentence. So it is given only the patterns whose nodes' required words, parts of speech
    and relations all occur in the sentence, and the exclude and status patterns only once a
    predicate pattern has matched: without a predicate there is no candidate for them to decide on
    (same matches, less work). Matches the memo holds are not matched again.
    """
    attr_ids, screens = _screen_ids(doc.vocab)
    columns = doc.to_array(list(attr_ids)).T.tolist()  # one C call, not a loop over tokens
    present = {attr: set(column) for attr, column in zip(_SCREEN_ATTRS, columns)}
    usable = [p for p, needs in zip(_pattern_table(), screens) if all(not ids.isdisjoint(present[a]) for a, ids in needs)]
    memo = Memo() if memo is None else memo
    out = _run_matcher(doc, index, [p for p in usable if p.predicate], memo)
    others = [p for p in usable if not p.predicate]
    if out and others:
        out.update(_run_matcher(doc, index, others, memo))
    return out


def _run_matcher(doc: Doc, index: int, patterns: list[_Pattern], memo: Memo) -> dict[str, list[dict[str, Token]]]:
    """The matches of the given patterns in the sentence, by rule id: from the memo, else matched now."""
    missing = tuple(p.key for p in patterns if index not in memo.get(p.digest, {}))
    if missing:
        found: dict[str, list[tuple[int, ...]]] = {key: [] for key in missing}
        for match_id, token_ids in _matcher(doc.vocab, missing)(doc):
            found[doc.vocab.strings[match_id]].append(tuple(token_ids))
        for p in patterns:
            if p.key in found:  # sorted: the order does not depend on which other patterns were matched with it
                memo.setdefault(p.digest, {})[index] = sorted(found[p.key])
        memo.changed = True
    out: dict[str, list[dict[str, Token]]] = {}
    for p in patterns:
        for token_ids in memo[p.digest][index]:
            out.setdefault(p.rule_id, []).append({n: doc[i] for n, i in zip(p.nodes, token_ids)})
    return out


def _forget_other_patterns(memo: Memo) -> None:
    """Drop the matches of patterns no longer in the rule file, so the memo does not grow with every edit."""
    stale = memo.keys() - {p.digest for p in _pattern_table()}
    for digest in stale:
        del memo[digest]
    memo.changed |= bool(stale)


# ================================================================== candidates

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
    host: Token | None = None  # the predicate a coordinated statement shares its tense with (…合意し、…確認した)
    excluded_by: str = ""
    status: str = ""
    status_rule: str = ""
    parties: tuple[str, ...] = ()
    joint: bool = False
    inherited: int | None = None  # sentence the parties were inherited from
    date: str = ""
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


def _predicate_candidates(index: int, doc: Doc, found: dict[str, list[dict]]) -> list[Cand]:
    """The first predicate rule (file order) that matches a token claims it."""
    claimed: dict[int, Cand] = {}
    for rule in config().predicates:
        for m in sorted(found.get(rule.id, []), key=lambda m: -m.get("content", m["pred"]).i):
            pred = m["pred"]
            if pred.i in claimed or not _rule_accepts(rule, m):
                continue
            claimed[pred.i] = Cand(index, pred, m.get("anchor", pred), rule.id, _class_of(rule, pred),
                                   m.get("content"), rule.get("content", "node"))
    return sorted(claimed.values(), key=lambda c: c.pred.i)


def _rule_accepts(rule: rulebook.Rule, m: dict) -> bool:
    """Checks a pattern cannot express: headline position, non-event/non-party content."""
    pred, node = m["pred"], m.get("content")
    if rule.get("content") == "headline" and not (_is_sentence_final(pred) and _is_argument(m["arg"])):
        return False
    if node is not None and rule.get("content_not_event"):
        text = node.doc.text
        if _event_at(text, node) or _party_at(text, node):
            return False
    return True


def _is_argument(tok: Token) -> bool:
    """A headline predicate's argument: 集中議論(確認), 強化で(合意) — not the の of a heading (Xの設置)
    nor an adnominal phrase (…に関する合意)."""
    if any(t.dep_ == "fixed" and "連体形" in "".join(t.morph.get("Inflection")) for c in tok.children for t in c.children):
        return False
    cases = {t.text for t in tok.children if t.dep_ == "case"}
    return tok.dep_ in ("compound", "obj", "obl") and "の" not in cases or bool(cases - {"の"})


def _is_sentence_final(tok: Token) -> bool:
    """Nothing but punctuation or a trailing へ/。 after the token (a headline or 体言止め)."""
    rest = [t for t in tok.doc[tok.i + 1:] if t.pos_ not in ("PUNCT", "SYM")]
    return all(t.text in ("へ", "に", "だ") for t in rest) and len(rest) <= 1


def _event_at(text: str, tok: Token) -> bool:
    return any(a <= tok.idx < b for a, b, *_ in _event_spans(text))


def _party_at(text: str, tok: Token) -> bool:
    return any(p.start <= tok.idx < p.end for p in _dictionary_parties(text))


# ================================================================== content

PARTICLES = {"を", "に", "で", "へ", "が", "は", "と", "も", "から", "など", "の", "について", "として"}


@dataclass(frozen=True)
class Frames:
    """Tokens that frame a statement rather than belong to its content."""

    parties: frozenset[int]  # tokens inside a party mention (両閣僚, 日米両政府, a person)
    setting: frozenset[int]  # meetings and dates
    preds: frozenset[int]  # other predicates

    @property
    def other(self) -> frozenset[int]:
        return self.setting | self.preds


def _leftmost(tok: Token) -> int:
    return min(t.i for t in tok.subtree)


def _content_span(c: Cand, frames: Frames) -> tuple[int, int] | None:
    if c.mode == "headline":
        return _headline_span(c.pred, frames)
    if c.node is None and c.mode == "self":
        return _subtree_span(c, c.pred, frames)
    if c.node is None:
        return None
    if c.node.lemma_ in config().s["complements"]:
        return _clause_span(c, c.node, frames)
    return _subtree_span(c, c.node, frames)


def _clause_span(c: Cand, koto: Token, frames: Frames) -> tuple[int, int]:
    """The clause before こと/旨: its subtree, the predicate's other non-frame dependents before it."""
    doc = koto.doc
    left = _leftmost(koto)
    if left == koto.i:  # a broken parse left こと without dependents
        left = _after_topic(doc, koto.i)
    left = min([left] + [_leftmost(a) for a in c.absorbed])
    left = _skip_setting(doc, _extend(c, doc, left, frames, clause=True), koto.i, frames)
    return _trim(doc, left, koto.i)


def _subtree_span(c: Cand, node: Token, frames: Frames) -> tuple[int, int]:
    doc = node.doc
    ids = [t.i for t in node.subtree]
    end = max(ids) + 1
    while end - 1 > node.i and (doc[end - 1].text in PARTICLES or doc[end - 1].dep_ in ("case", "fixed")
                                or doc[end - 1].pos_ == "PUNCT" and doc[end - 1].text not in CLOSE_QUOTES + ")）"):
        end -= 1
    return _trim(doc, _skip_setting(doc, _extend(c, doc, min(ids), frames, clause=False), end, frames), end)


def _headline_span(pred: Token, frames: Frames) -> tuple[int, int]:
    """A noun-final headline: the words before the predicate back to a space, 、, ] or a date."""
    doc, start = pred.doc, pred.i
    while start > 0:
        prev = doc[start - 1]
        if prev.whitespace_ or prev.text in "、,]】:：|" or prev.i in frames.other:
            break
        start -= 1
    end = pred.i
    while end > start and doc[end - 1].text in PARTICLES:
        end -= 1
    return _trim(doc, start, end)


def _skip_setting(doc: Doc, left: int, end: int, frames: Frames) -> int:
    """Drop a leading topic or setting the parser hung inside the content: the statement's
    parties (両閣僚は、…), its meeting or date (日豪防衛相会談で、…, 2025年3月1日の…会談で、…)."""
    while left < end:
        k = next((i for i in range(left, end) if i in frames.parties or i in frames.setting), None)
        if k is None:
            return left
        while k < doc[k].head.i < end and doc[k].dep_ in ("nmod", "compound") and (
                doc[k].head.i in frames.setting or doc[k].head.i in frames.parties):
            k = doc[k].head.i  # 2025年3月1日の → …会談
        while k + 1 < end and (k + 1 in frames.parties or doc[k + 1].head.i == k and doc[k + 1].dep_ == "compound"):
            k += 1
        if any(not _within(doc[j], k) for j in range(left, k)):
            return left
        markers = ("は", "も", "、") if k in frames.parties and left == 0 else ("は", "も")
        after = _chunk_end(doc, k, end, markers=markers if k in frames.parties else ("で", "に", "は"))
        if after is None:
            return left
        left = after
    return left


def _within(tok: Token, k: int) -> bool:
    """The token hangs (directly or through words before k) on token k."""
    while tok.i < k and tok.head.i != tok.i:
        tok = tok.head
    return tok.i == k


def _chunk_end(doc: Doc, k: int, end: int, markers: tuple[str, ...]) -> int | None:
    """After a setting word: its case particles (で, において, では) and a comma, if it has them."""
    if k + 1 >= end or doc[k + 1].text not in markers:
        return None
    after = k + 1
    while after < end and k <= doc[after].head.i < after and doc[after].pos_ in ("ADP", "VERB", "SCONJ", "PUNCT"):
        after += 1
    return after if after < end else None


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
    for s in sorted(sibs.values(), key=lambda t: -t.i):
        if _is_frame(s, frames) or not (clause or _is_topic_phrase(s)):
            break
        left = min(left, _leftmost(s))
    floor = _topic_end(doc, left, frames)
    root = _root(c.anchor)
    while left - 1 > floor and _root(doc[left - 1]).i != root.i:
        left -= 1
    return max(left, floor + 1)


def _is_frame(tok: Token, frames: Frames) -> bool:
    """Subject, conjunction, meeting, date, another predicate, a background clause (…を踏まえ) or the
    meeting itself (2+2を開き、…)."""
    if tok.dep_ in ("nsubj", "dislocated", "cc", "advmod", "punct", "mark", "aux"):
        return True
    if tok.i in frames.parties or tok.i in frames.other:
        return True
    return tok.lemma_ in config().s["background_verbs"] or tok.lemma_ in config().s["meeting_verbs"]


def _topic_end(doc: Doc, before: int, frames: Frames) -> int:
    """Index of the は/も closing the last party topic before the content (−1 if none)."""
    for t in reversed(doc[:before]):
        if t.dep_ == "case" and t.text in ("は", "も") and t.head.i in frames.parties:
            return t.i
    return -1


def _is_topic_phrase(tok: Token) -> bool:
    tail = "".join(t.text for t in tok.doc[tok.i + 1: tok.i + 4])
    return tail.startswith(tuple(config().s["topic_markers"]))


def _root(tok: Token) -> Token:
    while tok.head.i != tok.i:
        tok = tok.head
    return tok


def _trim(doc: Doc, left: int, end: int) -> tuple[int, int]:
    """Token range → character span, without leading punctuation or list markers."""
    while left < end and (doc[left].pos_ in ("PUNCT", "SYM", "CCONJ") and doc[left].text not in OPEN_QUOTES + "("):
        left += 1
    if left >= end:
        return (doc[end].idx, doc[end].idx) if end < len(doc) else (len(doc.text), len(doc.text))
    return doc[left].idx, doc[end - 1].idx + len(doc[end - 1].text)


def _antecedent(parsed: ParsedArticle, index: int) -> str:
    """Content of an elided object: the news lede (…ことがわかった) or the previous sentence."""
    lede = re.compile(config().s["antecedent_lede"])
    section = parsed.sentences[index].section
    back = [s for s in parsed.sentences[max(0, index - 6):index] if s.section == section]
    for s in reversed(back):
        m = lede.search(parsed.text[s.start:s.end])
        if m:
            return m.group("content").strip("、 ")
    return parsed.text[back[-1].start:back[-1].end].rstrip("。") if back else ""


# ================================================================== exclusions

def _apply_pattern_excludes(cands: list[Cand], found: dict[str, list[dict]]) -> None:
    """Mark candidates whose predicate (or the verb it is coordinated with) an exclude pattern hit."""
    for rule in config().excludes:
        hits = {m["pred"].i: m for m in found.get(rule.id, []) if "pred" in m}
        for c in cands:
            if c.excluded_by:
                continue
            for tok in {c.pred.i, c.anchor.i, _chain_end(c.anchor).i}:
                m = hits.get(tok)
                if m and _exclude_applies(rule, c, m):
                    c.excluded_by = rule.id


def _exclude_applies(rule: rulebook.Rule, c: Cand, m: dict) -> bool:
    if rule.get("absorb"):  # a coordinated action before ことで一致 belongs to that content
        koto = m.get("koto")
        return m["pred"].i == c.pred.i and koto is not None and c.pred.i < koto.i
    return True


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
        for other in cands:
            if other is c or other.excluded_by or not other.span or c.pred.i not in other.ids:
                continue
            if c.cls in coordinate and c.span and _is_renyo(c.pred) and c.span[0] <= other.span[0]:
                other.span = (_clause_end(c.pred), other.span[1])
                c.host = other.anchor
                continue
            c.excluded_by = rule_id
            break


def _clause_end(pred: Token) -> int:
    """Character just after a 連用形 predicate and its し/、 (where the next clause starts)."""
    end = pred.i + 1
    while end < len(pred.doc) and (pred.doc[end].dep_ in ("aux", "mark", "punct") or pred.doc[end].head.i == pred.i
                                   and pred.doc[end].pos_ in ("AUX", "PUNCT", "SCONJ")):
        end += 1
    return pred.doc[end].idx if end < len(pred.doc) else len(pred.doc.text)


def _section_rule(sentence: Sentence, text: str) -> str:
    for rule in config().excludes:
        if rule.get("sections") and (sentence.section in rule.get("sections") or
                                     (isinstance(rule.pattern, str) and rule.regex.search(text))):
            return rule.id
    return ""


# ================================================================== status

def _chain_end(tok: Token) -> Token:
    """Follow 連用形 coordination (…し、…した) up to the verb that carries the tense."""
    seen = 0
    while _is_renyo(tok) and tok.dep_ in ("advcl", "conj") and tok.head.i != tok.i and seen < 8:
        tok, seen = tok.head, seen + 1
    return tok


def _is_renyo(tok: Token) -> bool:
    after = [t for t in tok.children if t.i > tok.i and t.dep_ in ("aux", "mark")]
    if any(t.lemma_ in ("た", "の", "ば") for t in after):
        return False
    if any(t.dep_ == "mark" and t.lemma_ in ("て", "つつ", "ながら") for t in after):
        return True
    last = [t for t in after if t.dep_ == "aux"]
    form = (last[-1] if last else tok).morph.get("Inflection")
    return bool(form) and "連用形" in form[0]


def _tense(tok: Token) -> str:
    """past | state | nominal | nonpast, for the verb at the end of the predicate's chain."""
    end = _chain_end(tok)
    tail = [t for t in end.children if t.i > end.i] + [g for t in end.children if t.i > end.i for g in t.children]
    lemmas = {t.lemma_ for t in tail}
    if "た" in lemmas:
        return "past"
    if "いる" in lemmas or "おる" in lemmas:
        return "state"
    if end.pos_ in ("NOUN", "PROPN") or (end.dep_ == "acl" and end.head.dep_ == "ROOT" and end.head.lemma_ == "こと"
                                         and _is_sentence_final(end.head)):  # a list item …取り組むこと
        return "nominal"
    return "nonpast"


def _scope(tok: Token) -> tuple[int, int]:
    """Characters of the innermost quote holding the token, or the whole sentence."""
    text = _text(tok.doc)
    return _quote_of(_quotes(text), tok.idx) or (0, len(text))


@lru_cache(maxsize=8)
def _text(doc: Doc) -> str:
    """``doc.text``, which spaCy joins anew on every call (the cache holds the doc: no id is reused)."""
    return doc.text


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


def _governors(tok: Token) -> Iterator[Token]:
    """Ancestors of the token inside its quote, then the few words right after it."""
    lo, hi = _scope(tok)
    head = tok
    while head.head.i != head.i:
        head = head.head
        if not lo <= head.idx < hi:
            break
        yield head
    for t in tok.doc[tok.i + 1: tok.i + 1 + int(config().s["status_window"])]:
        if t.text in "。」』、" or not lo <= t.idx < hi:
            break
        yield t


def _status(c: Cand, found: dict[str, list[dict]], published: str | None) -> tuple[str, str]:
    for rule in config().statuses:
        if _status_fires(rule, c, found.get(rule.id, []), published):
            return rule.get("status"), rule.id
    return "concluded", ""


def _status_fires(rule: rulebook.Rule, c: Cand, hits: list[dict], published: str | None) -> bool:
    """``hits``: the rule's pattern matches in the sentence (node ``pred`` = a governed predicate)."""
    check = rule.get("check")
    anchor = c.host or c.anchor
    if check == "governor":  # a hedge/plan governing the predicate within its quote, or right after it
        lo, hi = _scope(anchor)
        if any(m["pred"].i == anchor.i and all(lo <= t.idx < hi for t in m.values()) for m in hits):
            return True
        lemmas = set(rule.get("lemmas"))
        return any(t.lemma_ in lemmas or t.text in lemmas for t in _governors(anchor))
    if check == "source":
        return _reported(rule, c)
    if check == "tense":
        if any(m["pred"].i == _chain_end(anchor).i for m in hits):
            return True
        return _tense(anchor) in rule.get("tenses") or _meeting_before_publication(c, published)
    return True  # the fallback rule


def _reported(rule: rulebook.Rule, c: Cand) -> bool:
    """Inside a quote followed by と + a reporting verb, or a sentence attributed to a source."""
    text = c.pred.doc.text
    lo, hi = _scope(c.anchor)
    if hi < len(text) or lo > 0:
        after = text[hi:hi + 12]
        if re.match(rule.get("quote_verbs"), after):
            return True
    return bool(rule.regex.search(text))


def _meeting_before_publication(c: Cand, published: str | None) -> bool:
    """A non-past about a meeting that had already happened when the article came out."""
    return bool(published and re.fullmatch(r"\d{4}-\d\d-\d\d", c.date or "") and c.date <= published)


# ================================================================== parties

@dataclass(frozen=True)
class PartySpan:
    start: int  # sentence-relative characters
    end: int
    names: tuple[str, ...]
    kind: str  # person | org | pair | country | joint | title


@lru_cache(maxsize=1)
def _party_regexes() -> dict[str, re.Pattern]:
    p = config().s["parties"]
    letters = "".join(p["pair_letters"])
    joint = "|".join(sorted(p["joint_people"], key=len, reverse=True))
    joint_c = "|".join(sorted(p["joint_countries"], key=len, reverse=True))
    countries = "|".join(sorted(p["countries"], key=len, reverse=True))
    suffixes = "|".join(sorted(p["pair_suffixes"], key=len, reverse=True))
    return {
        "joint": re.compile(f"(?:{joint})"),
        "joint_countries": re.compile(f"(?<![一-龥])(?:{joint_c})"),
        "pair": re.compile(f"(?<![一-龥])[{letters}]{{2,4}}(?:{suffixes})?(?=[はがもで、と]|両)"),
        "country": re.compile(f"(?<![一-龥])(?:{countries})(?=[はがもで、と])"),
        "title": re.compile(p["title_regex"]),
    }


@lru_cache(maxsize=1)
def _pair_class() -> str:
    """A regex class of the one-letter country abbreviations (日, 米, 豪 …) of ``parties.pair_letters``."""
    return "[" + "".join(config().s["parties"]["pair_letters"]) + "]"


def pair_of(surface: str, longest: bool = False) -> tuple[str, ...]:
    """The countries a pair prefix names (日米 → 日本 | 米国), or () for fewer than two."""
    letters = config().s["parties"]["pair_letters"]
    m = re.match(_pair_class() + ("+" if longest else "{2,4}"), surface)
    names = tuple(dict.fromkeys(letters[ch] for ch in m.group())) if m else ()
    return names if len(names) >= 2 else ()


def _dictionary_parties(text: str) -> list[PartySpan]:
    p, rx, out = config().s["parties"], _party_regexes(), []
    for kind in ("joint", "joint_countries"):
        for m in rx[kind].finditer(text):
            out.append(PartySpan(m.start(), m.end(), (m.group(),), kind))
    for m in rx["pair"].finditer(text):
        names = pair_of(m.group(), longest=True)
        if names:
            out.append(PartySpan(m.start(), m.end(), names, "pair"))
    for m in rx["country"].finditer(text):
        out.append(PartySpan(m.start(), m.end(), (p["countries"][m.group()],), "country"))
    return out


def _entity_parties(sentence: Sentence, ents: Iterable[Entity], kind: str) -> list[PartySpan]:
    out = []
    for e in ents:
        for m in e.mentions:
            if sentence.start <= m.start and m.end <= sentence.end:
                out.append(PartySpan(m.start - sentence.start, m.end - sentence.start, (e.name,), kind))
    return out


def _all_parties(sentence: Sentence, text: str, people: list[Entity], orgs: list[Entity]) -> list[PartySpan]:
    spans = _entity_parties(sentence, people, "person") + _dictionary_parties(text)
    spans += _entity_parties(sentence, orgs, "org")
    taken = [(s.start, s.end) for s in spans]
    for m in _party_regexes()["title"].finditer(text):
        if not any(a < m.end() and m.start() < b for a, b in taken):
            spans.append(PartySpan(m.start(), m.end(), (m.group("name"),), "title"))
    # Longest first, then drop spans inside a longer one (浜田 inside 浜田防衛大臣 stays the person).
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    out: list[PartySpan] = []
    for s in spans:
        if not any(o.start <= s.start and s.end <= o.end for o in out):
            out.append(s)
    return out


def _marker(text: str, span: PartySpan) -> str:
    """The particle closing a party phrase (a person's title may come between): は, が, も, で, と or ''."""
    after = text[span.end:span.end + 14]
    if span.kind not in ("person", "title", "org") and after[:1] not in ("は", "が", "も", "で", "と", "、"):
        return ""  # 首脳会談で is a meeting, not 首脳 acting
    m = re.match(config().s["parties"]["marker_regex"], after)
    if not m:
        return ""
    mark = m.group("mark") or ""
    if m.group("mark2"):  # 日米、…で合意へ: a headline opening with its parties
        return "は" if not text[:span.start].strip(" 　[]【】「") else ""
    if mark == "で" and span.kind not in ("pair", "joint", "joint_countries"):
        return ""  # 米国で is a place; 日米両政府で is who does it
    return mark


def _subject(spans: list[PartySpan], text: str, scope: tuple[int, int], hi: int,
             avoid: tuple[int, int] | None) -> list[PartySpan]:
    """The subject group nearest before ``hi``: a marked party and the parties coordinated with it.

    Parties quoted inside the scope (someone else's words) are not its subject."""
    lo = scope[0]
    quoted = [q for q in _quotes(text) if q != scope and scope[0] <= q[0] and q[1] <= scope[1]]
    inside = [s for s in spans if lo <= s.start and s.end <= hi
              and not (avoid and avoid[0] <= s.start < avoid[1])
              and not any(a < s.start < b for a, b in quoted)]
    marked = [s for s in inside if _marker(text, s) in ("は", "が", "も", "で")]
    if not marked:
        return []
    topics = [s for s in marked if _marker(text, s) in ("は", "も")]  # a topic beats an embedded が
    group = [(topics or marked)[-1]]
    for s in reversed([s for s in inside if s.end <= group[0].start]):
        if re.fullmatch(config().s["parties"]["coordination_regex"], text[s.end:group[0].start]):
            group.insert(0, s)
        else:
            break
    partners = [s for s in inside if s not in group and _marker(text, s) == "と"
                and re.match(config().s["parties"]["partner_regex"], text[s.end:s.end + 16])]
    return group + partners


# ================================================================== events and dates

@lru_cache(maxsize=1)
def _event_regexes() -> list[tuple[re.Pattern, dict]]:
    return [(re.compile(e["pattern"]), e) for e in config().s["events"]]


@lru_cache(maxsize=256)
def _event_spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, type, surface) of every meeting named in a sentence."""
    out = []
    for rx, e in _event_regexes():
        for m in rx.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b, *_ in out):
                out.append((m.start(), m.end(), e["type"], m.group()))
    return sorted(out)


def _token_at(doc: Doc, char: int) -> Token | None:
    for t in doc:
        if t.idx <= char < t.idx + len(t.text):
            return t
    return None


def _labelled(text: str, start: int) -> bool:
    """A meeting named in a bracketed category label ([日米防衛相会談] …) dates nothing."""
    before = text[:start]
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


def _verb_head(tok: Token) -> Token:
    head = tok
    while head.head.i != head.i:
        head = head.head
        if head.pos_ in ("VERB", "ADJ"):
            return head
    return head


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


@dataclass
class SentInfo:
    """What the context needs from one sentence."""

    text: str
    doc: Doc
    dates: list[tuple[DateMention, Any]]  # (mention, token)
    events: list[tuple[int, int, str, str, Any]]  # (start, end, type, surface, token)
    parties: list[PartySpan]
    meetings: list[tuple[str, str, str]] = field(default_factory=list)  # (type, surface, date)


def _sent_info(parsed: ParsedArticle, i: int, dates: list[DateMention], people: list[Entity],
               orgs: list[Entity]) -> SentInfo:
    s, doc = parsed.sentences[i], parsed.docs[i]
    text = parsed.text[s.start:s.end]
    ds = [(d, _token_at(doc, _last_char(text, d.start - s.start, d.end - s.start)))
          for d in dates if d.sentence_index == i and d.kind != "time"]
    ds = [(d, t) for d, t in ds if t is not None]
    evs = [(a, b, ty, sf, _token_at(doc, _last_char(text, a, b))) for a, b, ty, sf in _event_spans(text)]
    info = SentInfo(text, doc, ds, [e for e in evs if e[4] is not None], _all_parties(s, text, people, orgs))
    quotes = _quotes(text)
    pairs = [(ty, sf, d.value) for a, b, ty, sf, et in info.events for d, dt in ds
             if (_same_clause(dt, et, (a, b)) or _opening(dt) and _main(et))
             and _quote_of(quotes, dt.idx) == _quote_of(quotes, et.idx) and not _labelled(text, a)]
    info.meetings = sorted(pairs, key=lambda m: -_specificity(m[2]))  # 13日 before ことし
    return info


def _quote_of(quotes: tuple[tuple[int, int], ...], char: int) -> tuple[int, int] | None:
    inside = [q for q in quotes if q[0] <= char < q[1]]
    return min(inside, key=lambda q: q[1] - q[0]) if inside else None


def _specificity(value: str) -> int:
    return len(re.sub(r"X", "", value))


def _background(tok: Token) -> set[int]:
    """Tokens of …を踏まえ / …を受けて clauses under the token: context, not this agreement's own."""
    verbs = set(config().s["background_verbs"])
    out: set[int] = set()
    for t in tok.subtree:
        if t.i != tok.i and t.dep_ in ("advcl", "acl") and t.lemma_ in verbs:
            out |= {u.i for u in t.subtree}
    return out


def _own_clause(c: Cand, cands: list[Cand]) -> set[int]:
    """The predicate's clause without its content, other predicates' clauses and background."""
    ids = {t.i for t in c.anchor.subtree} | {t.i for t in c.pred.subtree}
    ids -= c.ids | _background(c.anchor) | _background(c.pred)
    for o in cands:
        if o is not c and o.pred.i in ids and o.pred.i != c.anchor.i:
            ids -= {t.i for t in o.pred.subtree}
    return ids


def _opening(dt: Token) -> bool:
    """A date that opens the statement: before any verb and set off by a comma (…は5日、 / 2015年、)."""
    doc = dt.doc
    if any(t.pos_ == "VERB" for t in doc[:dt.i]):
        return False
    nxt = [t for t in doc[dt.i + 1: dt.i + 3]]
    return any(t.text == "、" for t in nxt) or dt.i <= 2


def _topic_dates(info: SentInfo) -> list[str]:
    """Dates that open the sentence (2015年、日米両政府は… / 木原防衛大臣は5日、…)."""
    return [d.value for d, t in info.dates if _opening(t)]


# ================================================================== article context

class _Context:
    """Running state while reading an article sentence by sentence."""

    def __init__(self, parsed: ParsedArticle, people: list[Entity], orgs: list[Entity],
                 dates: list[DateMention], memo: Memo | None = None) -> None:
        self.parsed, self.people, self.memo = parsed, people, memo
        self.info = [_sent_info(parsed, i, dates, people, orgs) for i in range(len(parsed.sentences))]
        self.topic: tuple[str, str, str] | None = None  # (type, surface, date)
        self.quiet = 0
        self.last_parties: tuple[tuple[str, ...], bool, int] | None = None
        self.meeting_people: tuple[str, ...] = ()
        self.pair = self._first_pair()

    def _first_pair(self) -> tuple[str, ...]:
        """The article's pair of countries: its first 日米-style party or meeting prefix."""
        for info in self.info:
            for p in info.parties:
                if p.kind == "pair":
                    return p.names
            for e in info.events:
                if pair_of(e[3]):
                    return pair_of(e[3])
        return ()

    # ----------------------------------------------------------- parties
    def resolve(self, spans: list[PartySpan]) -> tuple[tuple[str, ...], bool]:
        names: list[str] = []
        joint = False
        for s in spans:
            if s.kind == "joint":
                joint = True
                names += self._meeting_people() or list(s.names)
            elif s.kind == "joint_countries":
                joint = True
                names += list(self.pair or s.names)
            else:
                joint |= s.kind == "pair"
                names += s.names
        names = list(dict.fromkeys(names))
        return tuple(names), joint or len(names) >= 2

    def _meeting_people(self) -> list[str]:
        """The people of the meeting: the last sentence naming two or more, else the first two."""
        if len(self.meeting_people) >= 2:
            return list(self.meeting_people)
        ranked = sorted(self.people, key=lambda e: e.first.start)
        return [e.name for e in ranked[:2]] if len(ranked) >= 2 else []

    # ----------------------------------------------------------- events
    def event_name(self, ty: str, surface: str, at: int) -> str:
        s = config().s["event_names"]
        if ty in s:
            prefix = re.match(_pair_class() + "{2,3}", surface)
            pair = prefix.group() if prefix else self._pair_prefix()
            if pair in ("", "日米"):
                return s[ty]
            return surface if prefix else f"{pair}{surface}"
        if re.fullmatch(config().s["generic_event"], surface):
            return self._specific(ty, at) or surface
        if not re.match(_pair_class() + "{2}", surface) and self._pair_prefix():
            return self._pair_prefix() + surface
        return surface

    def _pair_prefix(self) -> str:
        letters = {v: k for k, v in config().s["parties"]["pair_letters"].items()}
        return "".join(letters.get(n, "") for n in self.pair)

    def _specific(self, ty: str, at: int) -> str:
        order = list(range(at, -1, -1)) + list(range(at + 1, len(self.info)))
        generic = re.compile(config().s["generic_event"])
        for i in order:
            for *_, t, sf, _tok in self.info[i].events:
                if t == ty and not generic.fullmatch(sf):
                    return self.event_name(t, sf, i)
        return ""

    def meeting_date(self, ty: str, at: int) -> str:
        """Date of the latest meeting line of this type at or before sentence ``at``, else of one in the
        next few sentences (a headline, then 木原防衛大臣は5日、…と会談した)."""
        ahead = int(config().s["meeting_lookahead"])
        for i in list(range(at, -1, -1)) + list(range(at + 1, min(at + 1 + ahead, len(self.info)))):
            for t, _sf, value in self.info[i].meetings:
                if t == ty:
                    return value
        return ""

    # ----------------------------------------------------------- moving on
    def advance(self, i: int, rows: list[Cand], subject: list[PartySpan]) -> None:
        s, info = self.parsed.sentences[i], self.info[i]
        persons = [p.names[0] for p in info.parties if p.kind == "person"]
        if len(dict.fromkeys(persons)) >= 2 and s.section == "body":
            self.meeting_people = tuple(dict.fromkeys(persons))
        if subject:
            names, joint = self.resolve(subject)
            self.last_parties = (names, joint, i)
        if s.section != "body":
            self.topic, self.quiet = None, 0
            return
        self._update_topic(i, rows)

    def _update_topic(self, i: int, rows: list[Cand]) -> None:
        info = self.info[i]
        covered = set().union(*[r.ids for r in rows]) if rows else set()
        root = next((t for t in info.doc if t.dep_ == "ROOT"), None)
        background = _background(root) if root is not None and info.events else set()
        main = [e for e in info.events if e[4].i not in covered and e[4].i not in background]
        for _a, _b, ty, sf, tok in main:
            dated = [v for t, s2, v in info.meetings if t == ty and s2 == sf]
            date = dated[0] if dated else (self.topic[2] if self.topic and self.topic[0] == ty else
                                           self.meeting_date(ty, i))
            self.topic = (ty, self.event_name(ty, sf, i), date)
        self.quiet = 0 if (main or rows) else self.quiet + 1
        if self.quiet > int(config().s["topic_span"]):
            self.topic = None


# ================================================================== one sentence

def _sentence_cands(parsed: ParsedArticle, i: int, ctx: _Context) -> tuple[list[Cand], list[PartySpan]]:
    s, info = parsed.sentences[i], ctx.info[i]
    doc = info.doc
    found = _matches(doc, i, ctx.memo)
    cands = _predicate_candidates(i, doc, found)
    section = _section_rule(s, info.text)
    for c in cands:
        c.excluded_by = section
    _apply_pattern_excludes(cands, found)
    _absorb(cands)
    for c in cands:
        c.span = _content_span(c, _frames(info, cands, c))
    _exclude_inside_content(cands, config().s["inside_content_rule"])
    for c in cands:
        _fill(c, cands, parsed, ctx, found)
    whole = (0, len(info.text))
    subject = [] if section else _subject(info.parties, info.text, whole, len(info.text), None)
    return cands, subject


def _frames(info: SentInfo, cands: list[Cand], c: Cand) -> Frames:
    parties = {t.i for t in info.doc for p in info.parties if p.start <= t.idx < p.end}
    setting = {t.i for _d, t in info.dates} | {e[4].i for e in info.events}
    preds = {o.pred.i for o in cands if o is not c and o.pred.i not in {a.i for a in c.absorbed}}
    return Frames(frozenset(parties), frozenset(setting), frozenset(preds))


def _fill(c: Cand, cands: list[Cand], parsed: ParsedArticle, ctx: _Context, found: dict) -> None:
    """Content text, parties, event, date, instrument and status of one candidate."""
    info = ctx.info[c.index]
    c.content = info.text[c.span[0]:c.span[1]] if c.span else ""
    if not c.content.strip() and c.mode != "headline":
        c.content = _antecedent(parsed, c.index)
    _fill_parties(c, info, ctx)
    if not c.excluded_by and not _joint_enough(c, info, ctx):
        c.excluded_by = config().s["unilateral_rule"]
    own = _own_clause(c, cands)
    _fill_event_date(c, info, ctx, own, cands)
    c.instrument = _instrument(c.content)
    c.status, c.status_rule = _status(c, found, parsed.published)


def _fill_parties(c: Cand, info: SentInfo, ctx: _Context) -> None:
    """The subject before the predicate; else the pair of the meeting it names (日米2+2で確認し);
    else whoever the parse says is the subject (防衛省は…); else the last subject in the article."""
    spans = _subject(info.parties, info.text, _scope(c.anchor), c.anchor.idx, c.span)
    if spans:
        c.parties, c.joint = ctx.resolve(spans)
        c.explicit = True
        return
    own = {t.i for t in c.pred.subtree}
    pairs = [pair_of(e[3]) for e in info.events if e[4].i in own and e[4].i not in c.ids]
    if any(pairs):
        c.parties, c.joint = next(p for p in pairs if p), True
        return
    stated = _parsed_subject(c)
    if stated:
        c.parties, c.explicit = (stated,), True
    elif ctx.last_parties:
        c.parties, c.joint, c.inherited = ctx.last_parties


def _parsed_subject(c: Cand) -> str:
    """A は/が-marked subject of the predicate that is no known party (防衛省は, 在日米軍が)."""
    for head in (c.pred, c.anchor, _chain_end(c.anchor)):
        for child in head.children:
            cases = {t.text for t in child.children if t.dep_ == "case"}
            if child.dep_ in ("nsubj", "dislocated") and cases & {"は", "が"} and child.i not in c.ids \
                    and (c.node is None or child.i != c.node.i):  # a passive's subject is its content
                return "".join(t.text_with_ws for t in child.doc[_leftmost(child): child.i + 1]).strip()
    return ""


def _joint_enough(c: Cand, info: SentInfo, ctx: _Context) -> bool:
    """Agreements are joint: two parties, a joint subject, or a meeting they happen at."""
    level = config().s["joint"].get(c.cls, "loose")
    if level == "none" or c.joint:
        return True
    covered = c.ids
    events_here = [e for e in info.events if e[4].i not in covered]
    own = {t.i for t in c.pred.subtree} | {t.i for t in c.anchor.subtree}
    if any(e[4].i in own for e in events_here):
        return True
    # A single stated party (日本政府は…を歓迎する) needs the meeting in its own clause.
    return level == "loose" and not c.explicit and bool(events_here or ctx.topic)


def _fill_event_date(c: Cand, info: SentInfo, ctx: _Context, own: set[int], cands: list[Cand]) -> None:
    """The meeting and date of the predicate's own clause; else of the sentence; else of the context."""
    own_events = [e for e in info.events if e[4].i in own]
    loose = [e for e in info.events if e[4].i not in c.ids and e[4].i not in _background(c.anchor)]
    event = (own_events or loose or [None])[0]
    if event is not None:
        c.event = ctx.event_name(event[2], event[3], c.index)
    elif ctx.topic:
        c.event = ctx.topic[1]
    own_dates = [d.value for d, t in info.dates if t.i in own]
    met = [v for ty, sf, v in info.meetings if own_events and sf == own_events[0][3]]
    c.date = ((own_dates or met or [""])[0] or _sentence_date(c, info, cands) or _inherited_date(c, ctx))
    if not c.date and own_events:  # a meeting named but dated elsewhere: its dated line, else the report's date
        reported_past = _tense(c.host or c.anchor) != "nonpast"
        c.date = ctx.meeting_date(own_events[0][2], c.index) or (reported_past and ctx.parsed.published or "")
    if not c.date and ctx.topic:
        c.date = ctx.topic[2]


def _sentence_date(c: Cand, info: SentInfo, cands: list[Cand]) -> str:
    """A date opening the sentence that no other agreement's clause or content claims."""
    taken = set().union(*[o.ids | {t.i for t in o.pred.subtree} for o in cands if o is not c])
    return next((v for v in _topic_dates(info)
                 if all(t.i not in taken | c.ids for d, t in info.dates if d.value == v)), "")


def _inherited_date(c: Cand, ctx: _Context) -> str:
    if c.inherited is None or c.inherited == c.index or c.index - c.inherited > 6:
        return ""
    dates = _topic_dates(ctx.info[c.inherited])
    return dates[0] if dates else ""


def _instrument(content: str) -> str:
    found: list[tuple[int, int, str]] = []
    for name in sorted(config().s["instruments"], key=len, reverse=True):
        for m in re.finditer(re.escape(name), content):
            if not any(a < m.end() and m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), config().s["instruments"][name]))
    return " | ".join(dict.fromkeys(n for _, _, n in sorted(found)))


# ================================================================== entry points

def analyse(parsed: ParsedArticle, people: list[Entity], orgs: list[Entity],
            dates: list[DateMention], memo: Memo | None = None) -> list[Cand]:
    """Every candidate with its decision (kept rows have an empty ``excluded_by``)."""
    ctx = _Context(parsed, people, orgs, dates, memo)
    out: list[Cand] = []
    for i in range(len(parsed.sentences)):
        cands, subject = _sentence_cands(parsed, i, ctx)
        rows = [c for c in cands if not c.excluded_by]
        ctx.advance(i, rows, subject)
        out += cands
    return out


def extract(parsed: ParsedArticle, people: list[Entity], orgs: list[Entity],
            dates: list[DateMention], memo: Memo | None = None) -> list[Agreement]:
    """One Agreement per agreement statement (predicate occurrence); ``memo``: the article's pattern
    matches from earlier runs, brought up to date."""
    if memo is not None:
        _forget_other_patterns(memo)
    return [_agreement(parsed, c) for c in analyse(parsed, people, orgs, dates, memo) if not c.excluded_by]


def _agreement(parsed: ParsedArticle, c: Cand) -> Agreement:
    s = parsed.sentences[c.index]
    return Agreement(start=s.start + c.pred.idx, sentence_index=c.index, predicate=c.cls, status=c.status,
                     content=c.content, sentence=parsed.text[s.start:s.end], rule=c.rule, date=c.date,
                     event=c.event, parties=c.parties, instrument=c.instrument)


def _row(c: Cand) -> dict:
    return {"predicate": c.cls, "status": c.status, "content": c.content, "date": c.date,
            "parties": " | ".join(c.parties), "instrument": c.instrument, "event": c.event,
            "rule": c.rule, "excluded_by": c.excluded_by}


def example(rule_id: str, text: str, nlp: Language, published: str | None) -> list[dict]:
    """What rule ``rule_id`` does to an example text: its rows, its statuses or what it excluded."""
    from .examples import parse_example
    from .families import run_all

    parsed = parse_example(text, nlp, published)
    found = run_all(parsed, upto="agreements")
    cands = analyse(parsed, found["people"][1], found["organizations"][1], found["dates"])
    kind = config().by_id(rule_id).get("kind")
    if kind == "exclude":
        picked = [c for c in cands if c.excluded_by == rule_id]
    elif kind == "status":
        picked = [c for c in cands if not c.excluded_by and c.status_rule == rule_id]
    else:
        picked = [c for c in cands if not c.excluded_by and c.rule == rule_id]
    return [_row(c) for c in picked]



def _extract(parsed: ParsedArticle, inputs: Mapping[str, Any], memo: Memo | None) -> list[Agreement]:
    return extract(parsed, inputs["people"][1], inputs["organizations"][1], inputs["dates"], memo)


FAMILY = Family(name="agreements", module="extract.agreements", rule_files=(RULES,), reads_parse=True,
                reads=("dates", "people", "organizations"), memo=Memo, extract=_extract, example=example)
