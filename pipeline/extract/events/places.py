"""Where an event was held: the で-phrase (にて, において) of its verb, read off the dependency parse."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ... import rulebook
from ..agreements.syntax import _verb_head

if TYPE_CHECKING:
    from spacy.tokens import Token

PHRASE_DEPS = ("obl", "nmod", "advcl", "nsubj", "compound")  # how a parse hangs 東京で on 会談した


def place_of(tok: Token, rules: tuple[rulebook.Rule, ...]) -> str:
    """The place the first ``place`` rule reads for the event whose last word is ``tok``, else ""."""
    for rule in rules:
        reject, words = re.compile(rule.get("reject")), re.compile(rule.get("place_words"))
        found = _place(tok, tuple(rule.get("markers")), reject, words)
        if found:
            return found
    return ""


def _place(tok: Token, markers: tuple[str, ...], reject: re.Pattern, words: re.Pattern) -> str:
    heads = dict.fromkeys([tok, _verb_head(tok)])
    for head in heads:
        for child in head.children:
            if child.dep_ not in PHRASE_DEPS or child.i == tok.i or not _marked(child, markers):
                continue
            phrase = _phrase(child)
            if phrase and not reject.search(phrase) and not any(ch.isdigit() for ch in phrase):
                if "固有名詞" in child.tag_ or words.search(phrase):
                    return phrase
    return ""


def _marked(child: Token, markers: tuple[str, ...]) -> bool:
    """The phrase ends in one of the markers (で; において, which the tokenizer may split as に/おい/て)."""
    doc = child.doc
    after = doc.text[child.idx + len(child.text) : child.idx + len(child.text) + 5]
    return any(after.startswith(m) for m in markers) and any(t.dep_ == "case" for t in child.children)


def _phrase(child: Token) -> str:
    """The words of the place up to its head word (東京都内のホテル), without the particle: its compounds
    and の-modifiers, not a と-partner the parse hung on it (リー国防相と防衛省で → 防衛省)."""
    left = child.i
    for c in child.lefts:
        cases = {t.text for t in c.children if t.dep_ == "case"}
        if c.dep_ == "compound" or c.dep_ == "nmod" and cases <= {"の"}:
            left = min(left, min(t.i for t in c.subtree))
    return child.doc[left : child.i + 1].text.strip("、, ")
