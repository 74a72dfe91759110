"""fugashi with UniDic-lite: a second, independent tokeniser and dictionary beside GiNZA (loaded on first use)."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from .dictionaries import KANJI_RE

# ------------------------------------------------------------------ second opinion: fugashi


class Word(NamedTuple):
    """One fugashi (UniDic-lite) word with sentence-relative offsets."""

    start: int
    end: int
    pos2: str  # 固有名詞, 普通名詞, …
    pos3: str  # 人名, 地名, …
    lemma: str | None  # None for words UniDic does not know
    kana: str


@lru_cache(maxsize=1)
def _tagger():
    import fugashi  # imported on first use: the module must import fast

    return fugashi.Tagger()


def fugashi_words(text: str) -> list[Word]:
    out, pos = [], 0
    for w in _tagger()(text):
        start = text.find(w.surface, pos)
        if start < 0:
            continue
        pos = start + len(w.surface)
        f = w.feature
        lemma = None if getattr(f, "lemma", None) in (None, "*") or f.pos1 == "記号" else f.lemma
        kana = getattr(f, "kana", None) or ""
        out.append(Word(start, pos, f.pos2 or "", f.pos3 or "", lemma, "" if kana == "*" else kana))
    return out


@lru_cache(maxsize=4096)
def reading(text: str) -> str:
    """Katakana reading of a name part (UniDic), or the part itself when it is katakana."""
    if not KANJI_RE.search(text):
        return text
    return "".join(w.kana or text[w.start : w.end] for w in fugashi_words(text))
