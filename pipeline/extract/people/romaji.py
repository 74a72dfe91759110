"""Romanisation: is a katakana or kanji name the same as a Latin one (ジェームズ・ボーデン = BORDEN JAMES)?"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from .sentence import Hit
from .unidic import fugashi_words, reading

# ------------------------------------------------------------------ romanisation (name pairing)

_KANA = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ",
        "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho "
        "ma mi mu me mo ya yu yo ra ri ru re ro wa o n ga gi gu ge go za ji zu ze zo da ji zu de do "
        "ba bi bu be bo pa pi pu pe po vu".split(),
    )
)
_SMALL = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o", "ャ": "ya", "ュ": "yu", "ョ": "yo"}


def romanize(kana: str) -> str:
    """Rough Hepburn for katakana; small vowels replace the vowel before (ティ → ti, ファ → fa)."""
    out, double = "", False
    for ch in unicodedata.normalize("NFKC", kana):
        ch = chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch
        if ch == "ッ":
            double = True
            continue
        if ch in _SMALL:
            out = (out[:-1] if out and out[-1] in "aeiou" else out) + _SMALL[ch]
            out = re.sub(r"([sc]h|j)y([aueo])$", r"\1\2", out)
        elif ch in _KANA:
            syl = _KANA[ch]
            out += (syl[0] if double and syl[0] not in "aeiou" else "") + syl
        double = False
    return re.sub(r"n(?=[bpm])", "m", out)


def skeleton(roman: str, english: bool) -> str:
    """Consonant skeleton that katakana and English spellings of one name share."""
    s = re.sub(r"[^a-z]", "", roman.lower())
    s = re.sub(r"(.)\1+", r"\1", s)
    if english:
        s = re.sub(r"r(?=[^aeiouy]|$)", "", s)  # silent r: Borden → ボーデン, Harper → ハーパー
        s = re.sub(r"c(?=[eiy])", "s", s.replace("sch", "s"))
    for a, b in (
        ("tch", "Q"),
        ("ch", "Q"),
        ("sh", "s"),
        ("ph", "f"),
        ("th", "s"),
        ("ts", "s"),
        ("ck", "k"),
        ("q", "k"),
        ("c", "k"),
        ("x", "ks"),
        ("v", "b"),
        ("l", "r"),
        ("z", "s"),
        ("j", "g"),
    ):
        s = s.replace(a, b)
    s = re.sub(r"[aeiouyhw]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=8192)
def part_matches(part: str, word: str) -> bool:
    """One name part (katakana or kanji) is the romanisation ``word``."""
    gloss = _gloss(part)
    if gloss and gloss.lower() == word.lower():
        return True
    a, b = skeleton(romanize(reading(part)), False), skeleton(word, True)
    if not a or not b:
        return False
    if min(len(a), len(b)) <= 2:
        return a == b
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


@lru_cache(maxsize=4096)
def _gloss(part: str) -> str:
    """UniDic's English gloss of a katakana name (ミラー-Miller → Miller)."""
    words = fugashi_words(part)
    if len(words) == 1 and words[0].lemma and "-" in words[0].lemma:
        gloss = words[0].lemma.split("-", 1)[1]
        return gloss if gloss.isascii() else ""
    return ""


def scripts_match(jp: Hit, words: list[str], exact: bool = True) -> bool:
    """A Japanese-script name and Latin words are one name: for katakana every part matches a distinct
    word (``exact``: and no word is left over; else either side may be the shorter form, ハーパー =
    Daniel Harper); for kanji the surname reading must match (given-name readings are unreliable)."""
    words = [w for w in words if len(w.rstrip(".")) > 1]
    if jp.script == "kanji":
        kanji = kanji_parts(jp.name)
        return bool(kanji) and 0 < len(words) <= len(kanji) + 1 and any(part_matches(kanji[0], w) for w in words)
    parts = [p for p in jp.parts if not re.fullmatch(r"[A-Z]\.?", p)]
    if exact:
        return len(words) == len(parts) and _matched(parts, words, part_matches)
    if len(parts) <= len(words):
        return _matched(parts, words, part_matches)
    return _matched(words, parts, lambda w, p: part_matches(p, w))


def _matched(small: list[str], big: list[str], match: Callable[[str, str], bool]) -> bool:
    """Every item of ``small`` matches a distinct item of ``big``."""
    free = list(big)
    for item in small:
        found = next((x for x in free if match(item, x)), None)
        if found is None:
            return False
        free.remove(found)
    return bool(small)


@lru_cache(maxsize=1024)
def kanji_parts(name: str) -> tuple[str, ...]:
    return tuple(name[w.start : w.end] for w in fugashi_words(name))


def _hepburn(text: str) -> str:
    """A romanisation folded over long vowels (サトウ satou, Sato, Satoh → sato)."""
    s = re.sub(r"[^a-z]", "", text.lower())
    return re.sub(r"(?<=o)[uoh]|(?<=u)u|(?<=a)a|(?<=e)e|(?<=i)i", "", s)


def kanji_latin_match(kanji: str, words: list[str]) -> bool:
    """A kanji full name and two Latin words are one name across an article (山田花子 = Hanako Yamada =
    YAMADA Hanako): surname and given name both read exactly as the words, in either order. Stricter than
    in-sentence pairing, which only needs the surname (the consonant skeleton would take 佐藤 for Saito)."""
    parts = kanji_parts(kanji)
    if len(parts) != 2 or len(words) != 2:
        return False
    romaji = [_hepburn(romanize(reading(p))) for p in parts]
    folded = [_hepburn(w) for w in words]
    return romaji == folded or romaji == folded[::-1]
