"""One sentence as the rules see it (GiNZA tokens, fugashi words, tag tests) and the hits they make."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .dictionaries import KANA_RE, KANJI_RE, LATIN_RE, SEP_RE, lexicon, macro_re
from .unidic import Word, fugashi_words

# ------------------------------------------------------------------ sentence context


@dataclass
class Sent:
    """One sentence: its clean-text offset, text, GiNZA Doc and (lazily) fugashi words."""

    index: int
    offset: int
    text: str
    doc: Any

    @cached_property
    def words(self) -> dict[tuple[int, int], Word]:
        return {(w.start, w.end): w for w in fugashi_words(self.text)}

    @cached_property
    def word_starts(self) -> dict[int, Word]:
        return {w.start: w for w in self.words.values()}

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        return [(t.idx, t.idx + len(t.text)) for t in self.doc]

    @cached_property
    def starts(self) -> dict[int, int]:
        """Token start offset → token index."""
        return {a: i for i, (a, _) in enumerate(self.spans)}

    @cached_property
    def ends(self) -> dict[int, int]:
        """Token end offset → token index."""
        return {b: i for i, (_, b) in enumerate(self.spans)}

    @cached_property
    def _end_list(self) -> list[int]:
        return [b for _, b in self.spans]

    def tokens(self, start: int, end: int) -> list:
        """Tokens overlapping [start, end)."""
        i, out = bisect_right(self._end_list, start), []
        while i < len(self.spans) and self.spans[i][0] < end:
            out.append(self.doc[i])
            i += 1
        return out

    def before(self, end: int, n: int = 4) -> list:
        """The last ``n`` tokens that end at or before ``end``."""
        i = bisect_right(self._end_list, end)
        return list(self.doc[max(0, i - n) : i])

    def containing(self, pos: int):
        """The token with pos strictly inside it (not at its start), if any."""
        toks = self.tokens(pos, pos + 1)
        return toks[0] if toks and toks[0].idx < pos else None

    def word_at(self, start: int, end: int) -> Word | None:
        return self.words.get((start, end))


def tag_has(tok, label: str) -> bool:
    return label in tok.tag_


def is_person_tag(s: Sent, start: int, end: int) -> bool:
    """GiNZA (Sudachi) or fugashi (UniDic) tags the span 人名."""
    if is_person_tag_ginza(s, start, end):
        return True
    word = s.word_at(start, end)
    return word is not None and word.pos3 == "人名"


def is_unidic_person(s: Sent, start: int, end: int) -> bool:
    """fugashi reads the span as 人名: one word, or names that tile it exactly (坂本龍馬 is one Sudachi
    word, 人名-一般; UniDic reads 坂本|龍馬)."""
    word = s.word_at(start, end)
    if word is not None:
        return word.pos3 == "人名"
    pos = start
    while pos < end:
        word = s.word_starts.get(pos)
        if word is None or word.pos3 != "人名" or word.end > end:
            return False
        pos = word.end
    return pos == end


def is_place(s: Sent, start: int, end: int) -> bool:
    if any(tag_has(t, "地名") for t in s.tokens(start, end) if t.idx >= start and t.idx + len(t.text) <= end):
        return True
    word = s.word_at(start, end)
    return word is not None and word.pos3 == "地名"


def is_unknown(s: Sent, start: int, end: int) -> bool:
    """fugashi has no dictionary word for the span: a foreign name rather than a loanword."""
    word = s.word_at(start, end)
    return word is None or word.lemma is None


def is_brand(s: Sent, start: int, end: int) -> bool:
    """UniDic knows the word as a non-person proper noun (ロッキード, グラマン, ボーイング) and GiNZA agrees."""
    word = s.word_at(start, end)
    if word is None or (word.pos2, word.pos3) != ("固有名詞", "一般"):
        return False
    return not is_person_tag_ginza(s, start, end)


def is_person_tag_ginza(s: Sent, start: int, end: int) -> bool:
    toks = s.tokens(start, end)
    return bool(toks) and all(tag_has(t, "人名") for t in toks)


def other_entity(s: Sent, start: int, end: int) -> bool:
    """GiNZA labels exactly this span as something other than a person (a company, a product)."""
    return any(e.label_ != "Person" and (e.start_char, e.end_char) == (start, end) for e in s.doc.ents)


def in_person_ent(s: Sent, start: int, end: int) -> bool:
    return any(e.label_ == "Person" and e.start_char <= start and e.end_char >= end for e in s.doc.ents)


# ------------------------------------------------------------------ hits


@dataclass
class Hit:
    """A person mention found by one rule, before merging."""

    sent: int
    start: int  # clean-text offsets of the mention (name + attached title)
    end: int
    text: str
    name: str  # the name as written, without spaces
    parts: tuple[str, ...]
    script: str  # kanji | kana | latin
    rule: str
    title: str = ""
    kind: str = ""
    country: str = ""
    link: str = ""  # the same person's name in another script (name pairing)


def script_of(name: str) -> str:
    if LATIN_RE.search(name) and not KANJI_RE.search(name) and not re.search("[ァ-ヺ]", name):
        return "latin"
    return "kana" if KANA_RE.match(name) else "kanji"


def make_hit(s: Sent, rule: str, start: int, end: int, name_start: int, name_end: int, **kw: Any) -> Hit:
    """A hit over sentence-relative [start, end) whose name is [name_start, name_end)."""
    raw = s.text[name_start:name_end]
    script = script_of(raw)
    if script == "latin":
        parts = tuple(raw.split())
        name = " ".join(parts)
    else:
        name = "".join(raw.split())
        parts = tuple(_kana_parts(name)) if script == "kana" else _token_parts(s, name_start, name_end)
    return Hit(s.index, s.offset + start, s.offset + end, s.text[start:end], name, parts, script, rule, **kw)


def _token_parts(s: Sent, start: int, end: int) -> tuple[str, ...]:
    parts = (s.text[max(t.idx, start) : min(t.idx + len(t.text), end)].strip() for t in s.tokens(start, end))
    return tuple(p for p in parts if p)


def glued_blocker(s: Sent, end: int) -> bool:
    """The name is glued to a government/programme word (グリーン政権) or a programme title (…フェロー), or it is
    the town of a signature (鶴見沢市長　大沢健太郎)."""
    if macro_re("(?:{NOT_AFTER_NAME})").match(s.text, end) or signature_office(s, end):
        return True
    m = macro_re("(?:{OFFICE})").match(s.text, end)
    return m is not None and not lexicon().offices[m.group(0)].glued


def signature_office(s: Sent, at: int) -> bool:
    """A signature line's office at ``at`` (`{SIGNATURE}`: 鶴見沢市長　大沢健太郎): the words before it are the town,
    not a name."""
    return macro_re("(?:{SIGNATURE})").match(s.text, at) is not None


def kanji_fragment(s: Sent, start: int, end: int) -> bool:
    """One kanji glued to the kanji after it (鶴|見沢市): a piece of a word, no name written alone."""
    return end - start == 1 and bool(KANJI_RE.fullmatch(s.text[start:end])) and bool(KANJI_RE.match(s.text, end))


def _kana_parts(text: str) -> list[str]:
    return [p for p in SEP_RE.split(text) if p]
