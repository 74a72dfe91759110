"""The rules of dates.yaml, compiled; a bad rule fails with file, id and reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from ... import rulebook
from .guards import CHECKS, GUARDS
from .resolvers import RESOLVERS

RULE_FILE = "dates"


@dataclass(frozen=True)
class DateRule:
    rule: rulebook.Rule
    order: int
    regex: re.Pattern
    resolve: str
    guards: tuple[str, ...]
    priority: int
    stage: str

    @property
    def id(self) -> str:
        return self.rule.id


@cache
def load_rules() -> tuple[tuple[DateRule, ...], dict]:
    """The compiled rules of dates.yaml and its settings; a bad rule fails with file, id and reason."""
    rf = rulebook.load(RULE_FILE)
    macros = {k: str(v) for k, v in (rf.settings.get("macros") or {}).items()}
    out = []
    for i, rule in enumerate(rf.rules):
        stage = rule.get("stage", "mention")
        resolve = rule.get("resolve", "")
        if stage == "mention" and resolve not in RESOLVERS:
            raise rulebook.RuleError(rf.path, rule.id, f"unknown resolver {resolve!r}")
        if stage == "published" and rule.get("check") and rule.get("check") not in CHECKS:
            raise rulebook.RuleError(rf.path, rule.id, f"unknown check {rule.get('check')!r}")
        guards = tuple(rule.get("guards") or ())
        for g in guards:
            if g not in GUARDS:
                raise rulebook.RuleError(rf.path, rule.id, f"unknown guard {g!r}")
        try:
            regex = re.compile(rulebook.expand(str(rule.pattern), macros))
        except (re.error, KeyError, ValueError) as exc:
            raise rulebook.RuleError(rf.path, rule.id, f"bad pattern: {exc}") from None
        out.append(DateRule(rule, i, regex, resolve, guards, int(rule.get("priority", 0)), stage))
    return tuple(out), dict(rf.settings)


NEVER = "(?!)"


def setting_regex(name: str) -> re.Pattern:
    """A regex of dates.yaml's settings (``other_clock``, ``update_label``, ``past_clause`` …), compiled once
    per pattern; one that never matches when the file has none."""
    return _compiled(str(load_rules()[1].get(name) or NEVER))


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


@lru_cache(maxsize=1)
def _eras() -> dict[str, int]:
    return {str(k): int(v) for k, v in (load_rules()[1].get("eras") or {}).items()}
