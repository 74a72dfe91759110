"""Run every rule family over one article, each family cached on its own.

A family's cached result is keyed by the article (its parse key, clean text,
sentences and published date), by the family's own fingerprint (its module,
the rule files it declares in ``RULE_FILES``, the packages in ``PACKAGES``)
and by the *content* of the results it reads. So editing ``dates.yaml``
re-runs the dates rules everywhere, and the agreement rules only in the
articles whose dates actually changed; the parse is loaded only for a family
that has to run and reads it. A family may also keep a memo per parse that
outlives rule edits (agreements: each dependency pattern's matches), so that
an edit re-does only the work it changes.
"""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, replace
from importlib import import_module
from typing import Any, Callable

from . import agreements, dates, organizations, people
from .cache import DiskCache, cache_key, fingerprint
from .records import Extraction, ParsedArticle

# Code every family's result depends on besides its own module.
SHARED = ("records", "rulebook", "extraction")


@dataclass(frozen=True)
class Family:
    name: str  # also its module's name
    needs_parse: bool
    reads: tuple[str, ...] = ()  # families whose results it takes as input (run before it)
    memo: bool = False  # keeps its module's ``Memo`` per parse, whatever its rules (see ``_memo_key``)


FAMILIES = (
    Family("dates", needs_parse=False),
    Family("people", needs_parse=True),
    Family("organizations", needs_parse=True),
    Family("agreements", needs_parse=True, reads=("dates", "people", "organizations"), memo=True),
)

READ = {name for family in FAMILIES for name in family.reads}  # results another family takes as input

RUN: dict[str, Callable[[ParsedArticle, dict[str, Any], Any], Any]] = {  # (article, results read, memo)
    "dates": lambda p, _, __: dates.extract_dates(p.text, p.sentences, p.published),
    "people": lambda p, _, __: people.extract(p),
    "organizations": lambda p, _, __: organizations.extract(p),
    "agreements": lambda p, found, memo: agreements.extract(p, found["people"][1], found["organizations"][1],
                                                            found["dates"], memo),
}


class NeedsParse(Exception):
    """A family that reads the parse has no cached result, and no parse was offered."""

    def __init__(self, article_id: str, ran: list[str]) -> None:
        super().__init__(article_id)
        self.ran = ran  # the families that ran before it (their results are cached)


def family_fingerprint(family: Family) -> str:
    module = import_module(f".{family.name}", __package__)
    return fingerprint(SHARED + (family.name,), getattr(module, "RULE_FILES", ()), getattr(module, "PACKAGES", ()))


def extract(parsed: ParsedArticle) -> Extraction:
    """People, organisations, dates, then agreements (which refer to the other three); no cache."""
    found: dict[str, Any] = {}
    for family in FAMILIES:
        found[family.name] = RUN[family.name](parsed, found, None)
    return _assemble(parsed.article_id, found)


def extract_cached(parsed: ParsedArticle, parse_key: str, store: DiskCache,
                   load_docs: Callable[[], list] | None = None) -> tuple[Extraction, list[str]]:
    """The article's extraction from the family caches, running only the families that miss.

    ``parsed.docs`` may be None: ``load_docs`` is then called once, when a family that reads the
    parse has to run; without it such a miss raises ``NeedsParse``. Returns the extraction and
    the names of the families that ran.
    """
    article_key = cache_key(parse_key, parsed.text, repr(parsed.sentences), parsed.published or "")
    found: dict[str, Any] = {}
    digests: dict[str, str] = {}
    ran: list[str] = []
    for family in FAMILIES:
        key = cache_key(family.name, article_key, family_fingerprint(family), *(digests[n] for n in family.reads))
        entry = _load(store, key)
        if entry is None:
            if family.needs_parse and parsed.docs is None:
                if load_docs is None:
                    raise NeedsParse(parsed.article_id, ran)
                parsed = replace(parsed, docs=load_docs())
            memo = None
            if family.memo:  # what it kept of this parse in earlier runs, whatever the rules were
                memo_key = _memo_key(family, parse_key)
                memo = _memo_type(family)(_load(store, memo_key) or {})
            value = RUN[family.name](parsed, found, memo)
            if memo is not None and memo.changed:
                store.put(memo_key, pickle.dumps(dict(memo), protocol=pickle.HIGHEST_PROTOCOL))
            entry = (_digest(value) if family.name in READ else "", value)
            store.put(key, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
            ran.append(family.name)
        digests[family.name], found[family.name] = entry
    return _assemble(parsed.article_id, found), ran


def _memo_key(family: Family, parse_key: str) -> str:
    """By the parse alone: what a memo holds must not depend on the rules (``Memo.FORMAT``: its layout)."""
    return cache_key(family.name, "memo", str(_memo_type(family).FORMAT), parse_key)


def _memo_type(family: Family) -> Any:
    """The family module's ``Memo`` class."""
    return import_module(f".{family.name}", __package__).Memo


def _digest(value: Any) -> str:
    """What the families reading this result are keyed by; cached with it, so a hit does not recompute it.

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


def _assemble(article_id: str, found: dict[str, Any]) -> Extraction:
    person_mentions, persons = found["people"]
    org_mentions, orgs = found["organizations"]
    return Extraction(article_id, person_mentions + org_mentions, found["dates"], persons, orgs, found["agreements"])
