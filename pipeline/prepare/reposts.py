"""Re-posted and updated articles: the blocks an earlier article already has go, the new ones stay.

An article whose MinHash says it near-duplicates an earlier one (``dedup.ArticleIndex``) used to be
dropped whole, so an update's ``【追記】`` paragraph with a new agreement never reached the tables.
Now its lines are compared with the earlier article's, as ``dedup_blocks`` compares the lines of one
article: a line equal to one of the earlier article's (whitespace aside), or at least ``MIN_NEAR``
characters long with a word-bigram Jaccard of ``NEAR_JACCARD`` with one, is removed and named as
a copy of it (a ``duplicates.csv`` row); what is left is the article's own text and is parsed.
When nothing of it is left but short lines, the article is a repost and is not parsed at all.
"""

from __future__ import annotations

from ..records import AlignedText, Article, Removal
from .dedup import EXACT, MIN_BLOCK, MIN_NEAR, NEAR, NEAR_JACCARD, _bigrams, _Line, _lines, _words, drop_whole
from .sentences import segment
from .stage import without


def new_blocks(article: Article, earlier: Article) -> tuple[AlignedText, list[Removal]] | None:
    """The article without the lines ``earlier`` already has, and a removal per run of them; None when
    nothing of its own is left (a repost)."""
    assert article.clean is not None and earlier.clean is not None
    mine, theirs = _lines(article.text), _lines(earlier.text)
    copies = _copies(article.text, mine, earlier.text, theirs)
    left = [line for i, line in enumerate(mine) if i not in copies]
    if not any(len(line.key) >= MIN_BLOCK for line in left):
        return None
    removals: list[Removal] = []
    parts: list[AlignedText] = []
    pos = 0
    for first, last in _runs(sorted(copies)):
        start, end = mine[first].start, mine[last].end
        kind, j = copies[first]
        raw_start, raw_end = article.clean.raw_span(start, end)
        of = earlier.clean.raw_span(theirs[j].start, theirs[j].end)[0]
        removals.append(Removal(raw_start, raw_end, kind, f"{earlier.article_id}:{of}"))
        parts.append(article.clean.slice(pos, start))
        pos = end
    parts.append(article.clean.slice(pos, len(article.clean)))
    return AlignedText.join(parts), removals


def keep_new_blocks(article: Article, earlier: Article) -> bool:
    """Cut what ``earlier`` already has out of ``article`` (in place), or drop it whole when nothing of
    its own is left (a repost: False)."""
    found = new_blocks(article, earlier)
    if found is None:
        drop_whole(article)
        return False
    article.clean, removals = found
    article.removals = sorted(article.removals + without(removals, article.removals), key=lambda r: r.start)
    article.sentences = segment(article.text)
    return True


def _copies(text: str, mine: list[_Line], other_text: str, theirs: list[_Line]) -> dict[int, tuple[str, int]]:
    """Line index → (kind, index of the earlier article's line it copies)."""
    exact = {line.key: j for j, line in reversed(list(enumerate(theirs)))}
    found = {i: (EXACT, exact[line.key]) for i, line in enumerate(mine) if line.key in exact}
    todo = [i for i, line in enumerate(mine) if i not in found and len(line.key) >= MIN_NEAR]
    if not todo:
        return found
    sets = [_shingles(other_text, line) for line in theirs]
    for i in todo:
        own = _shingles(text, mine[i])
        best = max(range(len(theirs)), key=lambda j: _jaccard(own, sets[j]), default=-1)
        if best >= 0 and _jaccard(own, sets[best]) >= NEAR_JACCARD:
            found[i] = (NEAR, best)
    return found


def _shingles(text: str, line: _Line) -> set[str]:
    if len(line.key) < MIN_NEAR:
        return set()
    return set(_bigrams(_words(text[line.start : line.end])))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Consecutive line indices as [first, last] runs: one removal per run of copied lines."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs
