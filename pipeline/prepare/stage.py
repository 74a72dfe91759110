"""Prepare stage: read, clean, de-duplicate blocks and split sentences, cached per file.

A prepared article (clean text, removals, sentences, MinHash) is reused until the file's bytes,
one of ``PREPARE_CODE``'s modules, ``sections.yaml`` or the tokeniser behind de-duplication change.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable

from ..cache import DiskCache, cache_key, fingerprint
from ..records import Article, Removal
from . import cleaning, dedup, reading

# the whole prepare stage, and what it reads
PREPARE_CODE = ("prepare", "records", "rulebook", "rulesafety", "cache", "atomic")
PREPARE_RULES = ("sections",)
PREPARE_PACKAGES = ("fugashi", "unidic-lite", "datasketch", "pypdf")


def prepare(f: reading.InputFile, cache: DiskCache | None = None, on_miss: Callable[[], None] | None = None) -> Article:
    """Read, clean, de-duplicate blocks and split sentences; errors land on the article.

    With a cache, an unchanged file (same bytes, same code and rules) skips straight to its result;
    otherwise ``on_miss`` is called first (the run starts its parsers: new text is coming).
    """
    article = reading.read(f)
    if article.error:
        return article
    # The id is part of the key: removals name their article ("id:offset"), and two files may share bytes.
    key = cache_key(
        article.article_id,
        article.sha256,
        article.format,
        fingerprint(PREPARE_CODE, PREPARE_RULES, PREPARE_PACKAGES),
    )
    payload = cache.get(key) if cache is not None else None
    if cache is not None and payload is not None:
        try:
            article.clean, article.removals, article.sentences, article.signature = pickle.loads(payload)
            return article
        except Exception:  # noqa: BLE001 - unreadable entry: recompute it
            cache.discard(key)
    if on_miss is not None:
        on_miss()
    try:
        clean_text, markup = cleaning.clean(article.raw, html=article.format == "html", pdf=article.format == "pdf")
        kept, repeats = dedup.dedup_blocks(article.article_id, clean_text)
        article.clean = kept
        article.removals = sorted(markup + without(repeats, markup), key=lambda r: r.start)
        article.sentences = cleaning.segment(kept.text)
        article.signature = dedup.signature(kept.text)
        if not article.sentences:
            article.error = "no text left after cleaning"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        article.error = f"cleaning failed: {type(exc).__name__}: {exc}".splitlines()[0]
    if cache is not None and not article.error:
        cache.put(key, pickle.dumps((article.clean, article.removals, article.sentences, article.signature)))
    return article


def without(removals: list[Removal], taken: list[Removal]) -> list[Removal]:
    """``removals`` minus the raw spans already in ``taken``, so no character is counted twice."""
    out = []
    for r in removals:
        pieces = [(r.start, r.end)]
        for t in taken:
            pieces = [p for a, b in pieces for p in ((a, min(b, t.start)), (max(a, t.end), b)) if p[0] < p[1]]
        out += [Removal(a, b, r.kind, r.duplicate_of) for a, b in pieces]
    return out
