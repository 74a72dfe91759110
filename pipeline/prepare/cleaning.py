"""Clean stage: markup removal, character normalisation, PDF repair, sentence split.

``clean(raw)`` returns the clean text as an ``AlignedText`` whose ``origin[i]``
is the raw offset of clean character ``i``; every pass (``markup``, ``normalize``,
``pdf``) carries that mapping along, so any offset found later traces back to the
raw input. ``segment(text)`` (``sentences``) splits the clean text into ``Sentence``
records and labels each with a section (``body``, ``comments`` or ``meta``) using
the rules in ``rules/sections.yaml`` (``sections``).
"""

from __future__ import annotations

from array import array

from ..records import AlignedText, Removal
from .markup import strip_markup
from .normalize import normalize
from .pdf import repair
from .sentences import segment

__all__ = ["clean", "segment"]


def clean(raw: str, *, html: bool = False, pdf: bool = False) -> tuple[AlignedText, list[Removal]]:
    """Strip markup, normalise characters, repair PDF artefacts (``pdf``: the text is a PDF's text layer).
    Returns the clean text aligned to `raw` (AlignedText.origin[i] = raw offset of clean char i) and the
    markup removals (kind='markup', raw offsets, contiguous runs merged)."""
    text, origin, removals = strip_markup(raw, html)
    text, origin = normalize(text, origin)
    text, origin = repair(text, origin, pdf=pdf, raw=None if html else raw)  # a page's lines hold its markup
    return AlignedText(text, array("i", origin)), removals
