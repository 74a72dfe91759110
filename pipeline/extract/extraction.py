"""Run every rule family over one article, each family cached on its own.

A family's cached result is keyed by the article (its parse key, clean text,
sentences and published date), by the family's own fingerprint (its module,
the rule files and packages it declares in ``families.Family``) and by the
*content* of the results it reads. So editing ``dates.yaml`` re-runs the dates
rules everywhere, and the agreement rules only in the articles whose dates
actually changed; the parse is loaded only for a family that has to run and
reads it. A family may also keep a memo per parse that outlives rule edits
(agreements: each dependency pattern's matches), so that an edit re-does only
the work it changes.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..cache import DiskCache, cache_key, fingerprint
from ..records import Extraction, ParsedArticle
from .families import Family, by_name, families, run_all

# Code every family's result depends on besides its own module.
SHARED = ("records", "rulebook", "rulesafety", "extract.families", "extract.extraction")


class NeedsParse(Exception):
    """A family that reads the parse has no cached result, and no parse was offered."""

    def __init__(self, article_id: str, ran: list[str]) -> None:
        super().__init__(article_id)
        self.ran = ran  # the families that ran before it (their results are cached)


def family_fingerprint(family: Family) -> str:
    used = [f for f in families() if f.name in family.uses]
    modules = SHARED + (family.module,) + tuple(f.module for f in used)
    return fingerprint(modules, family.rule_files + tuple(r for f in used for r in f.rule_files), family.packages)


def extract(parsed: ParsedArticle) -> Extraction:
    """Every family in run order on one parsed article; no cache."""
    return _assemble(parsed.article_id, run_all(parsed))


@dataclass(frozen=True)
class Carry:
    """Results to carry over a rule edit (``screens``): each edited family's key before the edit, and the
    articles the edit cannot change."""

    old: dict[str, str]  # family name → its fingerprint before the edit
    unaffected: frozenset[str]  # article ids


def extract_cached(
    parsed: ParsedArticle,
    parse_key: str,
    store: DiskCache,
    load_docs: Callable[[], list] | None = None,
    carry: Carry | None = None,
    defer: bool = False,
) -> tuple[Extraction, list[str]]:
    """The article's extraction from the family caches, running only the families that miss.

    ``parsed.docs`` may be None: ``load_docs`` is then called once, when a family that reads the
    parse has to run; without it such a miss raises ``NeedsParse``. With ``carry``, a family that
    misses on an article the edit cannot change takes its result from before the edit (same inputs).
    With ``defer``, any miss raises ``NeedsParse``: the caller has workers to run every missing family.
    Returns the extraction and the names of the families that ran.
    """
    article_key = cache_key(parse_key, parsed.text, repr(parsed.sentences), parsed.published or "")
    found: dict[str, Any] = {}
    digests: dict[str, str] = {}
    ran: list[str] = []
    for family in families():
        key = cache_key(family.name, article_key, family_fingerprint(family), *(digests[n] for n in family.reads))
        entry = _load(store, key)
        if entry is None and carry is not None:
            entry = _carried(family, parsed.article_id, article_key, digests, carry, store, key)
        if entry is None:
            if defer:
                raise NeedsParse(parsed.article_id, ran)
            if family.reads_parse and parsed.docs is None:
                if load_docs is None:
                    raise NeedsParse(parsed.article_id, ran)
                parsed = replace(parsed, docs=load_docs())
            value = _run(family, parsed, found, store, parse_key)
            entry = (_digest(value), value)
            store.put(key, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
            ran.append(family.name)
        digests[family.name], found[family.name] = entry
    # By content: an edit that leaves an article's results as they were leaves its extraction's key too.
    return _assemble(parsed.article_id, found, cache_key(article_key, *digests.values())), ran


def _carried(
    family: Family, article_id: str, article_key: str, digests: dict[str, str], carry: Carry, store: DiskCache, key: str
) -> Any:
    """The family's result from before the edit, stored under its new key; None when it must run."""
    if article_id not in carry.unaffected or family.name not in carry.old:
        return None
    old_key = cache_key(family.name, article_key, carry.old[family.name], *(digests[n] for n in family.reads))
    entry = _load(store, old_key)
    if entry is not None:
        store.put(key, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
    return entry


def lemmas_key(parse_key: str) -> str:
    """Where the lemmas of a parse are kept (for ``screens``), in the extract cache."""
    return cache_key("lemmas", parse_key)


def note_lemmas(store: DiskCache, parse_key: str, docs: list) -> None:
    """Keep the parse's lemmas, once: what tells a screen that a pattern's word is not in the article."""
    key = lemmas_key(parse_key)
    if store.get(key) is None:  # read, not only looked for: an entry that is not intact is replaced
        lemmas = sorted({t.lemma_ for doc in docs for t in doc})
        store.put(key, pickle.dumps(lemmas, protocol=pickle.HIGHEST_PROTOCOL))


def lemmas_of(store: DiskCache, parse_key: str) -> frozenset[str] | None:
    found = _load(store, lemmas_key(parse_key))
    return frozenset(found) if found is not None else None


def _run(family: Family, parsed: ParsedArticle, found: dict[str, Any], store: DiskCache, parse_key: str) -> Any:
    """One family on one article, with the memo it kept of this parse in earlier runs, whatever the rules were."""
    if family.memo is None:
        return family.extract(parsed, found, None)
    memo_key = _memo_key(family, parse_key)
    memo = family.memo(_load(store, memo_key) or {})
    value = family.extract(parsed, found, memo)
    if memo.changed:
        store.put(memo_key, pickle.dumps(dict(memo), protocol=pickle.HIGHEST_PROTOCOL))
    return value


def memo_of(store: DiskCache, name: str, parse_key: str) -> Any:
    """The memo family ``name`` keeps of a parse (None: it keeps none, or none yet) — for ``screens``."""
    family = by_name(name)
    return _load(store, _memo_key(family, parse_key)) if family.memo is not None else None


def memo_keys(parse_key: str) -> list[str]:
    """Where the families that keep memos keep this parse's."""
    return [_memo_key(f, parse_key) for f in families() if f.memo is not None]


def _memo_key(family: Family, parse_key: str) -> str:
    """By the parse alone: what a memo holds must not depend on the rules (``Memo.FORMAT``: its layout)."""
    assert family.memo is not None
    return cache_key(family.name, "memo", str(family.memo.FORMAT), parse_key)


def _digest(value: Any) -> str:
    """What the families reading this result are keyed by, and the extraction's key; cached with it, so a hit
    does not recompute it.

    By content, not by pickle bytes: equal results give equal keys downstream however they were built.
    """
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


def _load(store: DiskCache, key: str) -> Any:
    """A cached entry (a family's (digest, result), or a memo), or None when absent or unreadable
    (then it is discarded and recomputed). A layout change changes the key: family entries are keyed
    by this module's code, memos by ``Memo.FORMAT``."""
    payload = store.get(key)
    if payload is None:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a stale or foreign pickle: recompute it
        store.discard(key)
        return None


def _assemble(article_id: str, found: dict[str, Any], key: str = "") -> Extraction:
    person_mentions, persons = found["people"]
    org_mentions, orgs = found["organizations"]
    return Extraction(
        article_id,
        person_mentions + org_mentions,
        found["dates"],
        persons,
        orgs,
        found["agreements"],
        found["amounts"],
        found["events"],
        key,
    )
