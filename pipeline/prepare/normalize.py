"""Character normalisation: NFKC per character (a combining cluster as one), with one raw origin per character.

NFKC would rewrite a whole string without telling where each character came from; applied per
character (or cluster) the mapping to raw offsets survives. A few characters are kept as they
are (``〜``, ``①``), control and zero-width characters are dropped.
"""

from __future__ import annotations

import re
import unicodedata

# NFKC would turn these into plain digits or ASCII: they carry meaning, keep them.
_KEEP_RANGES = ((0x2460, 0x2473), (0x24EA, 0x24FF), (0x2776, 0x2793), (0x3251, 0x325F), (0x3280, 0x32BF))
_KEEP = frozenset("…‥〜・゛゜")
_SPECIAL = {"\uff5e": "〜", "\r": "\n", "\f": "\n", "\v": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
_DELETE_RANGES = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))  # variation selectors


def _map_char(ch: str) -> str:
    """What one character becomes: NFKC, with the exceptions above."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    o = ord(ch)
    if ch in _KEEP or any(a <= o <= b for a, b in _KEEP_RANGES):
        return ch
    if any(a <= o <= b for a, b in _DELETE_RANGES):
        return ""
    cat = unicodedata.category(ch)
    if cat == "Cs":
        return "\ufffd"  # a lone surrogate cannot be written as UTF-8
    if (cat == "Cc" and ch not in "\t\n") or cat == "Cf":
        return ""  # control and zero-width format characters (ZWSP, BOM, soft hyphen)
    norm = unicodedata.normalize("NFKC", ch)
    if len(norm) > 1 and norm[0] == " ":
        return ch  # spacing diacritics (¨, ￣) would become a space plus a combining mark
    return norm


class _CharTable(dict):
    """str.translate table filled on first use of each character."""

    def __missing__(self, o: int) -> str:
        value = self[o] = _map_char(chr(o))
        return value


_TABLE = _CharTable()


def _combining_class() -> str:
    marks, o = [], 0
    while o < 0x10000:
        if unicodedata.combining(chr(o)):
            start = o
            while o < 0x10000 and unicodedata.combining(chr(o)):
                o += 1
            marks.append(f"{re.escape(chr(start))}-{re.escape(chr(o - 1))}")
        o += 1
    return "".join(marks) + "\uff9e\uff9f"  # half-width (semi-)voiced marks merge like combining ones


_MARKS = _combining_class()
_CLUSTER = re.compile(rf".[{_MARKS}]+", re.DOTALL)


def normalize(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Per-character NFKC (clusters with combining marks together), keeping one origin per character."""
    chars = sorted(set(text))
    for ch in chars:
        _TABLE[ord(ch)]  # fills the table
    # Sorted, so articles with the same irregular characters share one compiled pattern (re's cache).
    irregular = "".join(re.escape(c) for c in chars if len(_TABLE[ord(c)]) != 1)
    pattern = _CLUSTER.pattern + (f"|\r\n|[{irregular}]" if irregular else "|\r\n")
    parts: list[str] = []
    out_origin: list[int] = []
    pos = 0
    for m in re.finditer(pattern, text, re.DOTALL):
        parts.append(text[pos : m.start()].translate(_TABLE))
        out_origin.extend(origin[pos : m.start()])
        value = _map_cluster(m.group(0))
        parts.append(value)
        out_origin.extend([origin[m.start()]] * len(value))
        pos = m.end()
    parts.append(text[pos:].translate(_TABLE))
    out_origin.extend(origin[pos:])
    return "".join(parts), out_origin


def _map_cluster(token: str) -> str:
    if token == "\r\n":
        return "\n"
    if len(token) == 1:
        return _TABLE[ord(token)]
    base = _map_char(token[0])
    if base == token[0] and (token[0] in _KEEP or base != unicodedata.normalize("NFKC", base)):
        return token  # a kept symbol keeps its marks untouched
    return unicodedata.normalize("NFKC", base + token[1:])
