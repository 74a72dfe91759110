"""De-duplication: repeated blocks inside one article, near-duplicate articles across the corpus.

Inside an article (``dedup_blocks``) a *block* is a non-empty line. Re-pasted
stories, repeated title lines and page headers are dropped, keeping the first
copy:

- ``exact_block``: the line's text, with all whitespace removed (Japanese
  layout spaces such as ``防 衛 省`` carry no meaning), equals an earlier
  line's and is at least ``MIN_BLOCK`` characters long. Shorter lines
  (``1``, ``記``, ``(了)``) are list markers and sign-offs that legitimately
  recur; they go only when they sit inside a repeated run and match the
  kept copy at the same position, so a re-pasted story vanishes as a whole.
- ``near_block``: both lines are at least ``MIN_NEAR`` characters and the
  Jaccard similarity of their word bigrams is at least ``NEAR_JACCARD`` (a
  lede re-used with ``確認しました`` → ``確認した``).

fugashi's job in the pipeline is here: it splits blocks into words (MeCab
with UniDic from unidic-lite), so that block similarity is measured on word
shingles. Candidate pairs come from prefix filtering over the bigram sets
(rarest bigrams first), which for a Jaccard threshold misses no similar pair
(up to MAX_CANDIDATES checks per line) and keeps the work near-linear in the
number of lines: a 1 MB article takes well under a second.

Across articles (``ArticleIndex``) near-duplicates are found with MinHash
signatures over character shingles, computed by datasketch, and LSH banding
over them (``BANDS`` x ``ROWS``: datasketch's own optimum for the threshold
and weights below, checked by a test). The banding is done here on the
signatures' numpy arrays because importing any part of datasketch imports its
LSH module, which imports scipy: half a second on every run, cached or not.
Only an article whose signature is not cached yet needs datasketch.

Line breaks are ``\\n`` (the cleaner normalises them); a removed block takes
its line break and any blank lines after it, so no empty gaps pile up.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..records import AlignedText, Article, Removal

MIN_BLOCK = 8  # shorter lines are markers (1, 記, (了)), not blocks
MIN_NEAR = 30  # below this a few shared words already look "similar"
NEAR_JACCARD = 0.7  # the 004 lede pair scores 0.88; distinct lines in the seeds stay below 0.45
WORD_SHINGLE = 2  # word bigrams: word order matters, one changed word costs only two shingles
MAX_CANDIDATES = 32  # verifications per block: bounds adversarial inputs, far above real needs

_WS = re.compile(r"\s+")
_LINE = re.compile(r"[^\n]*\n?")

KEEP, EXACT, NEAR = "", "exact_block", "near_block"


@dataclass
class _Line:
    start: int  # clean offset of the line
    end: int  # clean offset of the next non-empty line (or the end): the span a removal takes
    key: str  # the text without whitespace


@lru_cache(maxsize=1)
def _tagger():
    import fugashi  # imported lazily: workers that never see a near-duplicate candidate skip MeCab start-up

    return fugashi.Tagger("-Owakati")


# ---------------------------------------------------------------- blocks


def _lines(text: str) -> list[_Line]:
    """Non-empty lines; each one's span runs to the next non-empty line so trailing blank lines go with it."""
    lines: list[_Line] = []
    for m in _LINE.finditer(text):
        if m.start() == m.end():
            break
        key = _WS.sub("", m.group())
        if key:
            lines.append(_Line(m.start(), len(text), key))
            if len(lines) > 1:
                lines[-2].end = m.start()
    return lines


def _exact(lines: list[_Line]) -> tuple[list[str], list[int]]:
    """Mark long lines equal to an earlier line; target = index of its first occurrence."""
    kinds, targets = [KEEP] * len(lines), list(range(len(lines)))
    first: dict[str, int] = {}
    for i, line in enumerate(lines):
        if len(line.key) < MIN_BLOCK:
            continue
        j = first.setdefault(line.key, i)
        if j != i:
            kinds[i], targets[i] = EXACT, j
    return kinds, targets


def _words(text: str) -> list[str]:
    # MeCab reads C strings: a NUL would silently end the line
    return _tagger().parse(_WS.sub(" ", text.replace("\x00", " ")).strip()).split()


def _bigrams(words: list[str]) -> list[str]:
    n = WORD_SHINGLE
    if len(words) <= n:
        return ["\x1f".join(words)]
    return ["\x1f".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def _prefix_len(size: int) -> int:
    """Leading (rarest) shingles of a set among which any set with Jaccard >= threshold shares one."""
    return size - math.ceil(NEAR_JACCARD * size - 1e-9) + 1


def _shingle_sets(text: str, lines: list[_Line], todo: list[int]) -> tuple[dict[int, set[int]], list[int]]:
    """Word-bigram sets as ints, and each shingle's rank (rarest first, ties by first appearance)."""
    ids: dict[str, int] = {}  # numbered in text order, so ranks do not depend on hash seeds
    sets: dict[int, set[int]] = {}
    for i in todo:
        words = _words(text[lines[i].start : lines[i].end])
        if words:  # a line of nothing MeCab can read has nothing to compare
            sets[i] = {ids.setdefault(b, len(ids)) for b in _bigrams(words)}
    freq = [0] * len(ids)
    for s in sets.values():
        for sh in s:
            freq[sh] += 1
    rank = [0] * len(ids)
    for r, sh in enumerate(sorted(range(len(ids)), key=lambda sh: (freq[sh], sh))):
        rank[sh] = r
    return sets, rank


def _near(text: str, lines: list[_Line], kinds: list[str], targets: list[int]) -> None:
    """Mark long lines whose word-bigram Jaccard with an earlier kept line reaches NEAR_JACCARD."""
    todo = [i for i, line in enumerate(lines) if kinds[i] == KEEP and len(line.key) >= MIN_NEAR]
    if len(todo) < 2:
        return
    sets, rank = _shingle_sets(text, lines, todo)
    index: dict[int, list[int]] = {}
    for i in sets:  # in line order: earlier lines are indexed first
        prefix = sorted(sets[i], key=rank.__getitem__)[: _prefix_len(len(sets[i]))]
        match = _first_match(sets[i], prefix, index, sets)
        if match >= 0:
            kinds[i], targets[i] = NEAR, match
            continue  # only kept lines are indexed: a duplicate points at a copy that survives
        for sh in prefix:
            index.setdefault(sh, []).append(i)


def _first_match(s: set[int], prefix: list[int], index: dict[int, list[int]], sets: dict[int, set[int]]) -> int:
    """First indexed line (by rarest shared shingle, then age) with Jaccard >= threshold, or -1."""
    seen: set[int] = set()
    for sh in prefix:
        for c in index.get(sh, ()):
            if c in seen:
                continue
            seen.add(c)
            other = sets[c]
            if NEAR_JACCARD * len(s) <= len(other) and NEAR_JACCARD * len(other) <= len(s):
                inter = len(s & other)
                if inter >= NEAR_JACCARD * (len(s) + len(other) - inter) - 1e-9:
                    return c
            if len(seen) >= MAX_CANDIDATES:
                return -1
    return -1


def _align_runs(lines: list[_Line], kinds: list[str], targets: list[int]) -> list[int]:
    """Position in the earlier copy each removed line stands for; short lines inside a repeated run join it.

    A run continues while line i+1 equals the line after the one line i stands for.
    Short lines are removed with a run when they match the kept copy at the same
    position and sit between two lines of the run, at the end of the text, or at
    the tail of a run of at least two blocks (a re-pasted story's ``(了)``).
    Leading short lines stay: a marker before a repeat (``記``, ``1``) may as well
    be the tail of the kept text before it.
    """
    align = [targets[i] if kinds[i] else -1 for i in range(len(lines))]
    i = 1
    while i < len(lines):
        prev = align[i - 1]
        if kinds[i - 1] == EXACT:
            if kinds[i] == EXACT and lines[prev + 1].key == lines[i].key:
                align[i] = prev + 1  # prev < i - 1, so prev + 1 is an earlier line
            elif kinds[i] == KEEP and _short(lines[i]):
                i = _absorb_gap(lines, kinds, targets, align, i, prev)
                continue
        i += 1
    for first, last in _groups(kinds, align):
        if kinds[first] == EXACT and sum(not _short(lines[j]) for j in range(first, last + 1)) >= 2:
            _absorb_tail(lines, kinds, targets, align, last)
    return align


def _short(line: _Line) -> bool:
    return len(line.key) < MIN_BLOCK


def _mark(kinds: list[str], targets: list[int], align: list[int], i: int, copy: int) -> None:
    kinds[i], targets[i], align[i] = EXACT, copy, copy


def _absorb_gap(lines: list[_Line], kinds: list[str], targets: list[int], align: list[int], i: int, prev: int) -> int:
    """Remove the short lines from i on if they match the kept copy and the run resumes after them
    (or the text ends)."""
    k = i
    while k < len(lines) and kinds[k] == KEEP and _short(lines[k]):
        k += 1
    width = k - i
    if prev + width >= i or any(lines[prev + 1 + d].key != lines[i + d].key for d in range(width)):
        return k
    nxt = prev + 1 + width
    resumes = k == len(lines) or (kinds[k] == EXACT and nxt < k and lines[nxt].key == lines[k].key)
    if not resumes:
        return k
    for d in range(width):
        _mark(kinds, targets, align, i + d, prev + 1 + d)
    if k < len(lines):
        align[k] = nxt
    return k + 1


def _absorb_tail(lines: list[_Line], kinds: list[str], targets: list[int], align: list[int], last: int) -> None:
    """Remove the short lines after a run while they match the lines after the kept copy."""
    j, copy = last + 1, align[last] + 1
    while j < len(lines) and kinds[j] == KEEP and _short(lines[j]) and copy < j and lines[copy].key == lines[j].key:
        _mark(kinds, targets, align, j, copy)
        j, copy = j + 1, copy + 1


def _kept(i: int, kinds: list[str], targets: list[int]) -> int:
    while kinds[i]:
        i = targets[i]  # targets always point earlier, so this ends on a kept line
    return i


def _groups(kinds: list[str], align: list[int]) -> list[tuple[int, int]]:
    """Runs [first, last] of removed lines: same kind, standing for consecutive lines of the kept copy."""
    groups: list[tuple[int, int]] = []
    for i, kind in enumerate(kinds):
        if not kind:
            continue
        if groups and groups[-1][1] == i - 1 and kinds[i - 1] == kind and align[i] == align[i - 1] + 1:
            groups[-1] = (groups[-1][0], i)
        else:
            groups.append((i, i))
    return groups


def dedup_blocks(article_id: str, text: AlignedText) -> tuple[AlignedText, list[Removal]]:
    """Drop repeated blocks inside one article, keeping the first copy."""
    lines = _lines(text.text)
    kinds, targets = _exact(lines)
    _near(text.text, lines, kinds, targets)
    align = _align_runs(lines, kinds, targets)
    removals: list[Removal] = []
    kept_parts: list[AlignedText] = []
    pos = 0
    for first, last in _groups(kinds, align):
        start, end = lines[first].start, lines[last].end
        kept_line = lines[_kept(align[first], kinds, targets)]
        raw_start, raw_end = text.raw_span(start, end)
        of = text.raw_span(kept_line.start, kept_line.end)[0]
        removals.append(Removal(raw_start, raw_end, kinds[first], f"{article_id}:{of}"))
        kept_parts.append(text.slice(pos, start))
        pos = end
    if not removals:
        return text, []
    kept_parts.append(text.slice(pos, len(text)))
    return AlignedText.join(kept_parts), removals


# ---------------------------------------------------------------- articles


def _char_shingles(text: str, size: int) -> set[str]:
    norm = _WS.sub(" ", text).strip()
    if len(norm) <= size:
        return {norm} if norm else set()
    return {norm[i : i + size] for i in range(len(norm) - size + 1)}


def _hash32(data: bytes) -> int:
    return zlib.crc32(data)  # fixed function (not Python's salted hash): same ids on every run


def _batches(items: Iterable[bytes], size: int = 4096) -> Iterable[list[bytes]]:
    batch: list[bytes] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


NUM_PERM = 128
THRESHOLD = 0.8
# datasketch.lsh._optimal_param(THRESHOLD, NUM_PERM, 0.1, 0.9): recall-heavy bands (a repost at
# Jaccard 0.85 is found ~97% of the time, not ~69%); the extra candidates are checked below.
BANDS, ROWS = 14, 9


def signature(text: str, num_perm: int = NUM_PERM, shingle: int = 5) -> np.ndarray | None:
    """An article's MinHash values (None for a text too short to shingle); a plain array, cheap to cache."""
    from datasketch import MinHash  # see the module docstring: only fresh text pays for the import

    shingles = _char_shingles(text, shingle)
    if not shingles:
        return None
    mh = MinHash(num_perm=num_perm, seed=1, hashfunc=_hash32)
    # batches keep numpy's (num_perm x batch) work array small on megabyte articles
    for batch in _batches(sh.encode("utf-8") for sh in shingles):
        mh.update_batch(batch)
    return mh.hashvalues.copy()


class ArticleIndex:
    """Near-duplicate articles across a corpus: character-shingle MinHash signatures, LSH banding."""

    def __init__(self, threshold: float = THRESHOLD, shingle: int = 5) -> None:
        self.threshold, self.shingle = threshold, shingle
        self._bands: list[dict[bytes, list[str]]] = [{} for _ in range(BANDS)]
        self._order: dict[str, int] = {}  # id -> insertion rank: the earliest candidate wins
        self._hashes: dict[str, np.ndarray] = {}

    def signature(self, text: str) -> np.ndarray | None:
        return signature(text, NUM_PERM, self.shingle)

    def check_and_add(self, article_id: str, text: str, signature: np.ndarray | None = None) -> str:
        """Return the id of an earlier near-duplicate article, or '' (and index this one)."""
        mh = signature if signature is not None else self.signature(text)
        if mh is None:
            return ""  # nothing to compare: an empty text duplicates nothing
        keys = [mh[b * ROWS : (b + 1) * ROWS].tobytes() for b in range(BANDS)]
        found = {c for band, k in zip(self._bands, keys) for c in band.get(k, ())}
        candidates = [c for c in found if c != article_id and _jaccard(self._hashes[c], mh) >= self.threshold]
        if candidates:
            return min(candidates, key=self._order.__getitem__)
        if article_id not in self._order:
            self._order[article_id] = len(self._order)
            self._hashes[article_id] = mh
            for band, k in zip(self._bands, keys):
                band.setdefault(k, []).append(article_id)
        return ""


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal values (as datasketch's)."""
    return float(np.count_nonzero(a == b)) / len(a)


def mark_duplicate(index: ArticleIndex, article: Article) -> None:
    """Name the earlier article this one near-duplicates, if any (``reposts`` settles what of it stays)."""
    article.duplicate_of = index.check_and_add(article.article_id, article.text, article.signature)


def drop_whole(article: Article) -> None:
    """A repost with nothing of its own: it keeps its row but is not parsed."""
    article.removals = [Removal(0, len(article.raw), "article", f"{article.duplicate_of}:0")]
