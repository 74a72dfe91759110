"""Character classes shared by the clean passes (markup whitespace, PDF repair)."""

from __future__ import annotations

import unicodedata


def is_kanji(c: str) -> bool:
    o = ord(c)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3FFFF
        or c in "々〆〇"
    )


def is_hiragana(c: str) -> bool:
    return "\u3041" <= c <= "\u309f"


def is_katakana(c: str) -> bool:
    return ("\u30a1" <= c <= "\u30ff" and c != "・") or "\u31f0" <= c <= "\u31ff"


def is_jp_letter(c: str) -> bool:
    return is_kanji(c) or is_hiragana(c) or is_katakana(c)


def is_jp(c: str) -> bool:
    return is_jp_letter(c) or c in "、。「」『』【】"


def is_cjk_wide(c: str) -> bool:
    return is_jp(c) or unicodedata.east_asian_width(c) in ("W", "F")
