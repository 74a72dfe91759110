"""One sentence as the rules see it (``Sent``), and what a rule proposes on it (``Cand``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .lexicon import Org, fold


@dataclass
class Cand:
    """A proposed ORG mention: [start, end) in clean-text offsets."""

    start: int
    end: int
    sent: int
    org: Org
    rule: str
    form: str  # name | alias | abbr | english | compound
    priority: int
    riders: list[Cand] = field(default_factory=list)  # mentions kept with this one (a parent inside a compound)

    def overlaps(self, other: Cand) -> bool:
        return self.start < other.end and other.start < self.end


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass
class Sent:
    """One sentence as the rules see it: folded text, token edges, the Doc."""

    index: int
    offset: int  # clean-text offset of the sentence
    text: str  # folded
    doc: Any
    starts: frozenset[int]
    ends: frozenset[int]

    @classmethod
    def build(cls, index: int, offset: int, text: str, doc: Any) -> Sent:
        starts = frozenset(t.idx for t in doc)
        ends = frozenset(t.idx + len(t.text) for t in doc)
        return cls(index, offset, fold(text), doc, starts, ends)

    def cand(self, s: int, e: int, org: Org, rule: str, form: str, priority: int) -> Cand:
        return Cand(self.offset + s, self.offset + e, self.index, org, rule, form, priority)

    def edges_ok(self, s: int, e: int, strict: bool = False) -> bool:
        """Both ends on a token edge (a Latin end: not touching letters/digits); one is enough for 4+ chars."""
        left = self._side_ok(self.text[s], self.text[s - 1] if s else "", s in self.starts)
        right = self._side_ok(self.text[e - 1], self.text[e] if e < len(self.text) else "", e in self.ends)
        if strict:
            return left and right
        return (left and right) or ((left or right) and e - s >= 4)

    @staticmethod
    def _side_ok(inner: str, outer: str, on_edge: bool) -> bool:
        if _is_ascii_alnum(inner):
            return not _is_ascii_alnum(outer)
        return on_edge or outer == ""
