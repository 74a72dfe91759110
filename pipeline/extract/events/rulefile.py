"""The rule file ``events.yaml``, split by kind."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ... import rulebook

RULES = "events"
KINDS = ("kind", "place")
EVENT_KINDS = ("meeting", "summit", "call", "consultation", "signing", "other")


@dataclass(frozen=True)
class Config:
    kinds: tuple[rulebook.Rule, ...]  # in file order: the first that matches classifies the event
    places: tuple[rulebook.Rule, ...]

    def by_id(self, rule_id: str) -> rulebook.Rule:
        return rulebook.load(RULES).by_id(rule_id)


@lru_cache(maxsize=1)
def config() -> Config:
    rf = rulebook.load(RULES)
    for rule in rf.rules:
        if rule.get("kind") not in KINDS:
            raise rulebook.RuleError(rf.path, rule.id, f"'kind' must be one of {', '.join(KINDS)}")
        if rule.get("kind") == "kind" and rule.get("event_kind") not in EVENT_KINDS:
            raise rulebook.RuleError(rf.path, rule.id, f"'event_kind' must be one of {', '.join(EVENT_KINDS)}")
    by_kind = {k: tuple(r for r in rf.rules if r.get("kind") == k) for k in KINDS}
    return Config(by_kind["kind"], by_kind["place"])
