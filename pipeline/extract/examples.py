"""Rule examples: parsed as the rule families see real articles (sentences split by the cleaner, one Doc
each), and checked — by the tests, and by ``watch`` for the rules an edit changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import rulebook, rulesafety
from ..parse.ginza import parse_article
from ..prepare.cleaning import segment
from ..records import ParsedArticle
from . import families


def parse_example(text: str, nlp: Any, published: str | None = None) -> ParsedArticle:
    """A rule example's text, parsed in this process (no cache)."""
    return parse_article("example", text, segment(text), nlp, published)


# ------------------------------------------------------------------ examples


def example_failure(owner: Any, rule: rulebook.Rule, example: dict, positive: bool, nlp: Any) -> str:
    """Why an example (``positive``) or counterexample of ``rule`` fails, or "" when it holds.

    ``owner`` is the rule set that declares the rule's file; it runs the example (``example(rule_id,
    text, nlp, published)`` → list of dicts). An example holds when each expected dict is contained in
    one of them, a counterexample when the rule produces nothing (or not what it names in ``not``).
    """
    unknown = set(example) - {"text", "expect", "not", "published"}
    if unknown:
        return f"unknown example keys {sorted(unknown)}"
    published = str(example["published"]) if example.get("published") else None
    found = owner.example(rule.id, example["text"], nlp, published)
    if positive:
        expect = example.get("expect") or []
        expect = [expect] if isinstance(expect, dict) else expect
        if not found:
            return f"did not match {example['text']!r}"
        missing = [want for want in expect if not any(_contains(f, want) for f in found)]
        return f"want {missing[0]} in {found}" if missing else ""
    unwanted = example.get("not")
    if unwanted:  # a counterexample may forbid one output instead of any output
        unwanted = [unwanted] if isinstance(unwanted, dict) else unwanted
        hit = [f for f in found for u in unwanted if _contains(f, u)]
        return f"produced what it must not: {hit}" if hit else ""
    return f"wrongly matched {example['text']!r}: {found}" if found else ""


def changed_rule_failures(
    before: dict[str, rulebook.Rule], after: rulebook.RuleFile, nlp: Callable[[], Any]
) -> list[str]:
    """``file:line: rule id: reason`` for each failing example of the rules of ``after`` that are new or
    differ from ``before`` (a rule author's edit: the other rules' examples passed before it); ``nlp``
    gives GiNZA, asked for only when a rule set that reads the parse has an example to run."""
    owner = families.owner_of(after.path.stem)
    text = after.path.read_text(encoding="utf-8")
    out = []
    for rule in after.rules:
        old = before.get(rule.id)
        if old is not None and _same(old, rule):
            continue
        cases = [(ex, True) for ex in rule.examples] + [(ex, False) for ex in rule.counterexamples]
        for ex, positive in cases:
            why = example_failure(owner, rule, ex, positive, nlp() if owner.reads_parse else None)
            if why:
                line = rulesafety._line_of(text, rule.id, "id")
                out.append(f"{after.path}:{line}: rule {rule.id}: {'example' if positive else 'counterexample'} {why}")
                break
    return out


def _same(a: rulebook.Rule, b: rulebook.Rule) -> bool:
    return (a.description, repr(a.pattern), a.examples, a.counterexamples, repr(a.fields)) == (
        b.description,
        repr(b.pattern),
        b.examples,
        b.counterexamples,
        repr(b.fields),
    )


def _contains(found: dict, want: dict) -> bool:
    return all(str(found.get(k)) == str(v) for k, v in want.items())
