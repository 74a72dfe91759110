"""The rule file ``agreements.yaml``, split by kind, with the dictionaries its rules refer to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ... import rulebook

RULES = "agreements"
OPEN_QUOTES, CLOSE_QUOTES = "「『“", "」』”"


@dataclass(frozen=True)
class Config:
    """The rule file, split by kind, plus the dictionaries the rules refer to."""

    predicates: tuple[rulebook.Rule, ...]
    excludes: tuple[rulebook.Rule, ...]
    statuses: tuple[rulebook.Rule, ...]
    repeats: tuple[rulebook.Rule, ...]  # how a later statement of the same agreement is recognised
    s: dict  # settings: classes, complements, parties, events, instruments, ...

    def by_id(self, rule_id: str) -> rulebook.Rule:
        return rulebook.load(RULES).by_id(rule_id)


KINDS = ("predicate", "exclude", "status", "repeat")


@lru_cache(maxsize=1)
def config() -> Config:
    rf = rulebook.load(RULES)
    for rule in rf.rules:
        if rule.get("kind") not in KINDS:
            raise rulebook.RuleError(rf.path, rule.id, f"'kind' must be one of {', '.join(KINDS)}")
        if rule.get("kind") == "status" and rule.get("status") not in ("concluded", "planned", "reported", "expected"):
            raise rulebook.RuleError(rf.path, rule.id, "a status rule needs 'status'")
    kinds = {k: tuple(r for r in rf.rules if r.get("kind") == k) for k in KINDS}
    return Config(kinds["predicate"], kinds["exclude"], kinds["status"], kinds["repeat"], rf.settings)
