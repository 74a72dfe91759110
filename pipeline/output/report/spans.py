"""A text with spans marked up as nested HTML elements, every character escaped.

Spans may nest (a date inside an agreement's statement) and may cross (a statement ending inside a
name): a crossing span is closed and reopened around the other, so each element is well formed and
the pieces of one span carry the same ``data-start``/``data-end``, whose text together is the span's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    tag: str  # mark | span
    classes: str
    label: str = ""  # shown after the text, displaCy style (PERSON, ORG, DATE)
    attrs: tuple[tuple[str, str], ...] = field(default=())

    def open(self, first: bool) -> str:
        attrs = [("class", self.classes), ("data-start", str(self.start)), ("data-end", str(self.end))]
        attrs += [(k, v) for k, v in self.attrs if first or k != "id"]  # an id names only the first piece
        return f"<{self.tag} " + " ".join(f'{k}="{escape(v, quote=True)}"' for k, v in attrs) + ">"

    def close(self, last: bool) -> str:
        label = f'<span class="label">{escape(self.label)}</span>' if last and self.label else ""
        return f"{label}</{self.tag}>"


def render(text: str, spans: list[Span], anchors: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    """``text`` with the spans (offsets into it) as elements, and an empty ``<a id="s<offset>">`` at each
    anchor a link may point to; empty or out-of-range spans are left out."""
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    spans.sort(key=lambda s: (s.start, -s.end))
    anchors = {a for a in anchors if 0 <= a <= len(text)}
    cuts = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans} | anchors)
    opening: dict[int, list[Span]] = {}
    for s in spans:
        opening.setdefault(s.start, []).append(s)
    out: list[str] = []
    stack: list[Span] = []
    for a, b in zip(cuts, cuts[1:]):
        _close_ended(stack, a, out)
        if a in anchors:
            out.append(f'<a class="anchor" id="s{a}"></a>')
        for s in opening.get(a, []):
            out.append(s.open(True))
            stack.append(s)
        out.append(escape(text[a:b]))
    _close_ended(stack, len(text), out)
    if len(text) in anchors and len(text) > 0:
        out.append(f'<a class="anchor" id="s{len(text)}"></a>')
    return "".join(out)


def _close_ended(stack: list[Span], at: int, out: list[str]) -> None:
    """Close the spans that end at ``at``; inner spans still open are closed and reopened around them."""
    while any(s.end <= at for s in stack):
        reopen: list[Span] = []
        while stack[-1].end > at:  # an inner span that goes on past an outer one ending here
            inner = stack.pop()
            out.append(inner.close(False))
            reopen.append(inner)
        ended = stack.pop()
        out.append(ended.close(True))
        for s in reversed(reopen):
            out.append(s.open(False))
            stack.append(s)
