"""Sections: each line of clean text is ``body``, ``comments`` or ``meta``, by the rules in ``rules/sections.yaml``."""

from __future__ import annotations

from functools import lru_cache

from .. import rulebook

MAX_RULE_LINE = 1000  # longer lines are running text, never a credit or link line


@lru_cache(maxsize=1)
def _section_rules() -> tuple[rulebook.Rule, ...]:
    return rulebook.load("sections").rules


def rule_examples(rule: rulebook.Rule, example_text: str) -> bool:
    """Whether a section rule matches a line (as segment() applies it)."""
    line = example_text.strip()
    return len(line) <= MAX_RULE_LINE and rule.regex.search(line) is not None


def example(rule_id: str, text: str, nlp: object, published: str | None) -> list[dict]:
    """The section rule's effect when it matches the line (``rulebook.RuleSet.example``)."""
    rule = rulebook.load("sections").by_id(rule_id)
    match = rule.regex.search(text.strip()) if rule_examples(rule, text) else None
    return [{"effect": rule.get("effect"), "text": match.group(0)}] if match else []


def _line_effect(line: str) -> str | None:
    effects = {rule.get("effect") for rule in _section_rules() if rule_examples(rule, line)}
    for effect in ("comments_start", "meta_block", "meta_line"):
        if effect in effects:
            return effect
    return None


def _is_link_label(line: str) -> bool:
    """A line of a link list: a headline, no sentence end, short."""
    return len(line) <= 80 and not line.rstrip().endswith("。")


def line_sections(lines: list[str]) -> list[str]:
    """The section of each non-empty line: meta lines, a comments region after its marker, body."""
    effects = [_line_effect(line) for line in lines]
    comments_from = _comments_start(effects)
    sections: list[str] = []
    in_block = False
    for i, (line, effect) in enumerate(zip(lines, effects, strict=True)):
        in_block = effect == "meta_block" or (in_block and (effect is not None or _is_link_label(line)))
        if effect is not None or in_block:
            sections.append("meta")
        else:
            sections.append("comments" if comments_from is not None and i > comments_from else "body")
    return sections


def _comments_start(effects: list[str | None]) -> int | None:
    """The first comments marker that has body lines before it and content after it."""
    for i, effect in enumerate(effects):
        if effect != "comments_start":
            continue
        if any(e is None for e in effects[:i]) and any(e is None for e in effects[i + 1 :]):
            return i
    return None


SECTION_RULES = rulebook.RuleSet(name="sections", module="prepare.sections", rule_files=("sections",), example=example)
