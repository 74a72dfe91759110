"""Every example and counterexample of every rule file, as one test each.

``pytest -k date.era_ymd`` runs one rule. Every rule file is declared by one
rule set (``extract.families``), which runs an example with
``example(rule_id, text, nlp, published)`` → list of dicts; an example passes when
each expected dict is contained in one of them, a counterexample when the rule
produces nothing. Rule sets that read the parse get GiNZA through ``nlp``.
"""

from __future__ import annotations

import pytest

from pipeline import rulebook
from pipeline.extract import families

CASES = []
for rule_file in rulebook.all_rule_files():
    owner = families.owner_of(rule_file.path.stem)
    for rule in rule_file.rules:
        for i, ex in enumerate(rule.examples):
            CASES.append(pytest.param(owner, rule, ex, True, id=f"{rule.id}-example{i}"))
        for i, ex in enumerate(rule.counterexamples):
            CASES.append(pytest.param(owner, rule, ex, False, id=f"{rule.id}-counter{i}"))


def _contains(found: dict, want: dict) -> bool:
    return all(str(found.get(k)) == str(v) for k, v in want.items())


@pytest.mark.parametrize("owner,rule,example,positive", CASES)
def test_rule_example(owner, rule, example, positive, request):
    unknown = set(example) - {"text", "expect", "not", "published"}
    assert not unknown, f"{rule.id}: unknown example keys {unknown}"
    nlp = request.getfixturevalue("nlp") if owner.reads_parse else None
    published = str(example["published"]) if example.get("published") else None
    found = owner.example(rule.id, example["text"], nlp, published)
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


def test_every_rule_file_is_declared_by_one_rule_set():
    declared = [name for rs in families.rule_sets() for name in rs.rule_files]
    assert sorted(declared) == rulebook.rule_names()


def test_every_rule_has_examples_both_ways():
    for rule_file in rulebook.all_rule_files():
        for rule in rule_file.rules:
            assert rule.examples and rule.counterexamples, rule.id


RULE = "  - id: {id}\n    description: x\n    pattern: '{pattern}'\n    examples: [a]\n    counterexamples: [b]\n"


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "family: dates\nrules:\n" + RULE.format(id="date.broken", pattern="(unclosed"),
            r"bad\.yaml: rule date\.broken: bad regex",
        ),
        (
            "family: dates\nrules:\n  - id: date.noexamples\n    description: x\n    pattern: 'a'\n",
            r"bad\.yaml: rule date\.noexamples: missing 'examples'",
        ),
        (
            "family: dates\nmacros: {DAY: '\\d{1,2}'}\nrules:\n"
            + RULE.format(id="date.typo", pattern="{DAY}日{MONHT}"),
            r"bad\.yaml: rule date\.typo: bad pattern: unknown macro \{MONHT\}",
        ),
    ],
    ids=["bad-regex", "no-examples", "unknown-macro"],
)
def test_malformed_rule_file_names_file_rule_and_reason(tmp_path, text, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(rulebook.RuleError, match=message):
        rulebook.parse_rule_file(bad)


BOMB = "family: dates\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "family: dates\nrules:\n" + RULE.format(id="date.slow", pattern="(a+)+$"),
            r"bad\.yaml: rule date\.slow: pattern backtracks catastrophically",
        ),
        (
            "family: dates\nrules:\n" + RULE.format(id="date.slow_jp", pattern="^(?:[日本]+)+国$"),
            r"rule date\.slow_jp: pattern backtracks catastrophically",
        ),
        (BOMB, r"bad\.yaml: YAML aliases expand to over 200,000 values"),
        (
            "family: dates\nrules:\n" + RULE.format(id="date.typo", pattern="a") + "    guard: [x]\n",
            r"bad\.yaml: line 8: rule date\.typo: unknown key 'guard' \(did you mean 'guards'\?\)",
        ),
        (
            "family: organizations\nrules:\n" + RULE.format(id="org.typo", pattern="a") + "    prority: 3\n",
            r"line 8: rule org\.typo: unknown key 'prority' \(did you mean 'priority'\?\)",
        ),
        (
            "family: dates\nrules:\n  - id: date.typo\n    description: x\n    pattern: 'a'\n    examples: [a]\n"
            "    counterexamples: [b]\n    counterexample: [c]\n",
            r"unknown key 'counterexample' \(did you mean 'counterexamples'\?\)",
        ),
        (
            "family: dates\nrules:\n" + RULE.format(id="date.ex", pattern="a").replace("[a]", "[{text: a, expct: x}]"),
            r"rule date\.ex: unknown key 'expct' \(did you mean 'expect'\?\)",
        ),
    ],
    ids=["backtracking", "backtracking-japanese", "alias-bomb", "guard", "prority", "counterexample", "expct"],
)
def test_unsafe_rule_files_are_refused_with_file_line_rule_and_key(tmp_path, text, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(rulebook.RuleError, match=message):
        rulebook.check_backtracking(rulebook.parse_rule_file(bad))


def test_yaml_11_booleans_stay_what_was_written(tmp_path):
    path = tmp_path / "countries.yaml"
    path.write_text("family: offices\nentries:\n  - {prefix: ノルウェー, country: NO}\n  - {flag: true}\n")
    entries = rulebook.parse_rule_file(path).entries
    assert entries[0]["country"] == "NO" and entries[1]["flag"] is True
