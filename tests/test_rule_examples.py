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
from pipeline.extract import examples, families

CASES = []
for rule_file in rulebook.all_rule_files():
    owner = families.owner_of(rule_file.path.stem)
    for rule in rule_file.rules:
        for i, ex in enumerate(rule.examples):
            CASES.append(pytest.param(owner, rule, ex, True, id=f"{rule.id}-example{i}"))
        for i, ex in enumerate(rule.counterexamples):
            CASES.append(pytest.param(owner, rule, ex, False, id=f"{rule.id}-counter{i}"))


@pytest.mark.parametrize("owner,rule,example,positive", CASES)
def test_rule_example(owner, rule, example, positive, request):
    nlp = request.getfixturevalue("nlp") if owner.reads_parse else None
    why = examples.example_failure(owner, rule, example, positive, nlp)
    assert not why, f"{rule.id}: {why}"
