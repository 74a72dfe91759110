"""Every example and counterexample of every rule file, as one test each.

``pytest -k date.era_ymd`` runs one rule. A family module runs an example with
``run_example(rule_id, text, **fields)`` → list of dicts; an example passes when
each expected dict is contained in one of them, a counterexample when the rule
produces nothing. Families whose rules read the parse get GiNZA through ``nlp``.
"""
from __future__ import annotations

import importlib
import inspect

import pytest

from pipeline import rulebook

CASES = []
for rule_file in rulebook.all_rule_files():
    module_name = rule_file.settings.get("runner", rule_file.family)
    for rule in rule_file.rules:
        for i, ex in enumerate(rule.examples):
            CASES.append(pytest.param(module_name, rule, ex, True, id=f"{rule.id}-example{i}"))
        for i, ex in enumerate(rule.counterexamples):
            CASES.append(pytest.param(module_name, rule, ex, False, id=f"{rule.id}-counter{i}"))


def _contains(found: dict, want: dict) -> bool:
    return all(str(found.get(k)) == str(v) for k, v in want.items())


@pytest.mark.parametrize("module_name,rule,example,positive", CASES)
def test_rule_example(module_name, rule, example, positive, request):
    runner = importlib.import_module(f"pipeline.{module_name}").run_example
    kwargs = {k: v for k, v in example.items() if k not in ("text", "expect", "not")}
    if "nlp" in inspect.signature(runner).parameters:
        kwargs["nlp"] = request.getfixturevalue("nlp")
    found = runner(rule.id, example["text"], **kwargs)
    if positive:
        expect = example.get("expect") or []
        expect = [expect] if isinstance(expect, dict) else expect
        assert found, f"{rule.id} did not match {example['text']!r}"
        for want in expect:
            assert any(_contains(f, want) for f in found), f"{rule.id}: want {want} in {found}"
    else:
        unwanted = example.get("not")
        if unwanted:  # a counterexample may forbid one output instead of any output
            unwanted = [unwanted] if isinstance(unwanted, dict) else unwanted
            assert not [f for f in found for u in unwanted if _contains(f, u)], f"{rule.id}: {found}"
        else:
            assert found == [], f"{rule.id} wrongly matched {example['text']!r}: {found}"


def test_every_rule_has_examples_both_ways():
    for rule_file in rulebook.all_rule_files():
        for rule in rule_file.rules:
            assert rule.examples and rule.counterexamples, rule.id


RULE = "  - id: {id}\n    description: x\n    pattern: '{pattern}'\n    examples: [a]\n    counterexamples: [b]\n"


@pytest.mark.parametrize("text,message", [
    ("family: dates\nrules:\n" + RULE.format(id="date.broken", pattern="(unclosed"),
     r"bad\.yaml: rule date\.broken: bad regex"),
    ("family: dates\nrules:\n  - id: date.noexamples\n    description: x\n    pattern: 'a'\n",
     r"bad\.yaml: rule date\.noexamples: missing 'examples'"),
    ("family: dates\nmacros: {DAY: '\\d{1,2}'}\nrules:\n" + RULE.format(id="date.typo", pattern="{DAY}日{MONHT}"),
     r"bad\.yaml: rule date\.typo: bad pattern: unknown macro \{MONHT\}"),
], ids=["bad-regex", "no-examples", "unknown-macro"])
def test_malformed_rule_file_names_file_rule_and_reason(tmp_path, text, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(rulebook.RuleError, match=message):
        rulebook.parse_rule_file(bad)
