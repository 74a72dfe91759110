"""Pattern matching: every rule's DependencyMatcher patterns, the screen that tells which can match
a sentence at all, and the per-parse ``Memo`` of their matches."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ... import rulebook
from .candidates import _headline_phrase_matches, headline_phrase_rules
from .rulefile import config

if TYPE_CHECKING:  # spaCy is imported only when a sentence is matched
    from spacy.tokens import Doc, Token
    from spacy.vocab import Vocab


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
    return tuple(
        _Pattern(
            f"{rule.id}#{k}",
            rule.id,
            pattern,
            _needs(pattern),
            rule in cfg.predicates,
            tuple(node["RIGHT_ID"] for node in pattern),
            _digest(pattern),
        )
        for rule in cfg.predicates + cfg.excludes + cfg.statuses
        for k, pattern in enumerate(_patterns(rule))
    )


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
    screens = [
        tuple((a, frozenset(vocab.strings[v] for v in values)) for a, values in p.needs) for p in _pattern_table()
    ]
    return ids, screens


@lru_cache(maxsize=4)
def _screen_index(vocab: Vocab) -> tuple[dict[int, tuple[int, ...]], tuple[int, ...]]:
    """Each pattern under the ids of its first required LEMMA or ORTH values (a sentence without one of them
    cannot match it), and the patterns with no such requirement."""
    keyed: dict[int, list[int]] = {}
    unkeyed: list[int] = []
    for k, needs in enumerate(_screen_ids(vocab)[1]):
        key = next((ids for a, ids in needs if a in ("LEMMA", "ORTH")), None)
        if key is None:
            unkeyed.append(k)
        for v in key or ():
            keyed.setdefault(v, []).append(k)
    return {v: tuple(ks) for v, ks in keyed.items()}, tuple(unkeyed)


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
    keyed, unkeyed = _screen_index(doc.vocab)
    # only the patterns one of whose key words the sentence holds, in file order
    maybe = set(unkeyed).union(*(keyed.get(v, ()) for v in present["LEMMA"] | present["ORTH"]))
    table = _pattern_table()
    usable = [table[k] for k in sorted(maybe) if all(not ids.isdisjoint(present[a]) for a, ids in screens[k])]
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


def touches(rule_ids: frozenset[str], article: Any) -> bool:
    """Whether one of these rules' token patterns may match in the article (``screens``): each of a pattern's
    required words must be written in the text (ORTH) or be a lemma of its parse (LEMMA, when known), and
    the article's matches, where known, must hold one. A rule found by its shape (``shape: headline_phrase``)
    may act where its shape is found in the docs the caller holds. Any other rule may do anything."""
    shaped = rule_ids & {r.id for r in headline_phrase_rules()}
    if shaped:
        if article.docs is None or any(shaped & _headline_phrase_matches(doc).keys() for doc in article.docs):
            return True
        rule_ids -= shaped
        if not rule_ids:
            return False
    table = [p for p in _pattern_table() if p.rule_id in rule_ids]
    if rule_ids - {p.rule_id for p in table}:
        return True
    return any(_may_match(p.needs, article.text, article.lemmas) and not _matches_none(p, article) for p in table)


def _matches_none(p: _Pattern, article: Any) -> bool:
    """Whether the pattern is known to match nowhere in the article: by the memo of its parse (a pattern there
    was tried on every sentence it could match in, or, for an exclude or status pattern, every sentence with
    a predicate), else by matching it on the article's docs when the caller holds them."""
    memo = article.memo("agreements")
    if memo is not None and p.digest in memo:
        return not any(memo[p.digest].values())
    if article.docs is None:
        return False
    return not any(_matched(p, doc) for doc in article.docs)


def _matched(p: _Pattern, doc: Doc) -> bool:
    """Whether the pattern matches in the sentence (its screen first: most sentences lack its words)."""
    present = {attr: {getattr(t, attr.lower() + "_") if attr != "ORTH" else t.text for t in doc} for attr, _ in p.needs}
    if any(values.isdisjoint(present[attr]) for attr, values in p.needs):
        return False
    return bool(_matcher(doc.vocab, (p.key,))(doc))


def _may_match(needs: tuple[tuple[str, frozenset[str]], ...], text: str, lemmas: frozenset[str] | None) -> bool:
    for attr, values in needs:
        if attr == "ORTH" and not any(v in text for v in values):
            return False
        if attr == "LEMMA" and lemmas is not None and lemmas.isdisjoint(values):
            return False
    return True
