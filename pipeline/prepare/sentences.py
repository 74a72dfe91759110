"""Sentence split of clean text: at terminators outside quotes and at line ends, each sentence with its section."""

from __future__ import annotations

import re

from ..records import Sentence
from .sections import line_sections

_TERMINATORS = "。!?！？"
_QUOTE_PAIRS = {"「": "」", "『": "』", "“": "”"}
_TRAILING = "」』)）】〕”’]"
MAX_QUOTE_CHARS = 500  # a quote that does not close this soon (or on its line) is ignored
_SPECIAL_CHARS = re.compile(
    "[" + re.escape(_TERMINATORS + "".join(_QUOTE_PAIRS) + "".join(_QUOTE_PAIRS.values())) + "]"
)


def _quoted_spans(line: str) -> list[tuple[int, int]]:
    """Outermost closed quotes of one line, shorter than the cap."""
    closers = {v: k for k, v in _QUOTE_PAIRS.items()}
    stack: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    for m in _SPECIAL_CHARS.finditer(line):
        ch, at = m.group(0), m.start()
        if ch in _QUOTE_PAIRS:
            stack.append((ch, at))
        elif ch in closers:
            depth = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == closers[ch]), None)
            if depth is None:
                continue
            start = stack[depth][1]
            del stack[depth:]
            if not stack and at + 1 - start <= MAX_QUOTE_CHARS:
                spans.append((start, at + 1))
    return spans


# A bracket opening a line before its text: a wire credit or label (【ワシントン=共同】, 【速報】, ＜独自＞, ［速報］).
_LEADING_LABEL = re.compile(r"^(?:【[^】]{1,24}】|[\[［][^\]］]{1,24}[\]］]|[<＜〈《][^>＞〉》]{1,24}[>＞〉》])(?=\S)")


_INLINE_ITEM = re.compile(r"(?<=\S)▽")


def _sentence_ends(line: str) -> list[int]:
    """Offsets (within the line) where a sentence ends: after a terminator outside quotes, and after a
    leading label, which is no part of the sentence after it (the parser would take 共同 into it)."""
    spans = _quoted_spans(line)
    label = _LEADING_LABEL.match(line)
    ends: list[int] = [label.end()] if label else []
    # an inline list item (成果は次の通り。▽…で合意▽…を確認): each ▽ opens a sentence of its own
    ends += [m.start() for m in _INLINE_ITEM.finditer(line) if not any(a < m.start() < b for a, b in spans)]
    k = 0
    for m in re.finditer(f"[{_TERMINATORS}]+", line):
        while k < len(spans) and spans[k][1] <= m.start():
            k += 1
        if k < len(spans) and spans[k][0] < m.start():
            continue  # inside a quote
        end = m.end()
        while end < len(line) and line[end] in _TRAILING:
            end += 1
        ends.append(end)
    return sorted(set(ends))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())


def segment(text: str) -> list[Sentence]:
    """Split clean text into sentences (records.Sentence: index, start, end, section, paragraph)."""
    lines = [_strip_span(text, m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    lines = [(a, b) for a, b in lines if a < b]
    sections = line_sections([text[a:b] for a, b in lines])
    out: list[Sentence] = []
    for paragraph, ((a, b), section) in enumerate(zip(lines, sections, strict=True)):
        pos = a
        for end in [*(a + e for e in _sentence_ends(text[a:b])), b]:
            s, e = _strip_span(text, pos, end)
            if s < e:
                out.append(Sentence(len(out), s, e, section, paragraph))
            pos = end
    return out
