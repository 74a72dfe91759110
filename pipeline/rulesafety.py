"""What a rule file must not do to a run: keys nobody reads, aliases that expand without end, regexes
that backtrack for ever. Checked when a file is loaded (keys, aliases) and, once per edit, by
``rulecheck`` (regexes: the slow part).

- **Keys.** Every rule's keys and every example's keys are checked against ``RULE_KEYS``: a misspelt
  ``guard:`` or ``prority:`` used to be ignored without a word, so the guard was silently off. The
  error names the file, the line, the rule and the key, with the nearest known key.
- **Aliases.** YAML anchors and aliases are allowed (``lemmas: &hedges``), but what they expand to is
  counted without expanding it; a "billion laughs" file is refused instead of exhausting memory.
- **Regexes.** Python's ``re`` backtracks: ``(a+)+$`` on thirty ``a`` and a ``!`` runs for hours and
  passes every example. Each pattern is run on probes made of the characters it names, under a timer;
  one that takes longer than ``BUDGET`` on a 30-character probe is refused.
"""

from __future__ import annotations

import difflib
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

COMMON = {"id", "description", "pattern", "examples", "counterexamples"}
# The keys each family's rules may have beyond COMMON (its module reads them).
RULE_KEYS: dict[str, set[str]] = {
    "agreements": {
        "absorb",
        "appositive",
        "asserted",
        "attributive",
        "check",
        "content",
        "content_not_event",
        "joint",
        "kind",
        "lemmas",
        "overlap",
        "predicate",
        "quote_verbs",
        "reach",
        "report_verbs",
        "sections",
        "shape",
        "sources",
        "spare_headlines",
        "unless_joint",
        "status",
        "tenses",
    },
    "amounts": {"guards", "kind"},
    "dates": {"anchor_need", "check", "guards", "offsets", "resolve", "stage", "steps_from_event", "unit"},
    "organizations": {
        "context",
        "acronym_labels",
        "collective_of",
        "company_heads",
        "credits",
        "default_country",
        "event_if",
        "footer",
        "generic",
        "generic_names",
        "glued_heads",
        "heads",
        "jp_if",
        "prefixed",
        "judged_heads",
        "kind",
        "label_kinds",
        "labels",
        "legal_forms",
        "legislature_if",
        "mechanism_if",
        "media_ending",
        "military_if",
        "needs_evidence",
        "needs_ordinal",
        "other_if",
        "place_use",
        "priority",
        "proper_heads",
        "reject",
        "role_words",
        "short_heads",
        "stop_modifiers",
        "stop_words",
        "us_if",
    },
    "sections": {"effect"},
    "events": {"before", "event_kind", "kind", "markers", "reject", "place_words"},
}
EXAMPLE_KEYS = {"text", "expect", "not", "published"}
MAX_EXPANDED = 200_000  # YAML nodes after aliases are expanded: the whole rule set is ~30,000
BUDGET = 0.05  # seconds one probe may take; a sound pattern takes microseconds
PROBE_LENGTH = 30


def check_keys(path: Path, family: str, rules: list[Any], text: str) -> str | None:
    """The first unknown key of a rule or an example, as a message (None when all are known)."""
    allowed = COMMON | RULE_KEYS.get(family, set())
    for raw in rules:
        if not isinstance(raw, dict):
            continue
        rule_id = str(raw.get("id", "?"))
        for key in raw:
            if key not in allowed:
                return _unknown(text, rule_id, str(key), allowed)
        for group in ("examples", "counterexamples"):
            for example in raw.get(group) or []:
                for key in example if isinstance(example, dict) else ():
                    if key not in EXAMPLE_KEYS:
                        return _unknown(text, rule_id, str(key), EXAMPLE_KEYS)
    return None


def _unknown(text: str, rule_id: str, key: str, allowed: set[str]) -> str:
    near = difflib.get_close_matches(key, sorted(allowed), n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else f" (known: {', '.join(sorted(allowed))})"
    return f"line {_line_of(text, rule_id, key)}: rule {rule_id}: unknown key '{key}'{hint}"


def _line_of(text: str, rule_id: str, key: str) -> int:
    """The line of ``key:`` at or after the rule's id line (1-based; 0 if not found)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.search(rf"\bid:\s*{re.escape(rule_id)}\s*$", line)), 0)
    pattern = re.compile(rf"^\s*(?:-\s*)?{re.escape(key)}\s*:")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return 0


def expanded_size(data: Any) -> int:
    """How many values ``data`` holds once every alias is expanded, counted without expanding them
    (an alias is the same object in several places: its size is counted once per place)."""
    sizes: dict[int, int] = {}

    def size(obj: Any, depth: int = 0) -> int:
        if not isinstance(obj, (dict, list)):
            return 1
        if id(obj) in sizes:
            return sizes[id(obj)]
        if depth > 200:
            return MAX_EXPANDED + 1  # nesting this deep is no rule file
        sizes[id(obj)] = MAX_EXPANDED + 1  # a recursive alias counts as too big
        children = list(obj.items()) if isinstance(obj, dict) else obj
        total = 1 + sum(size(c, depth + 1) for pair in children for c in (pair if isinstance(obj, dict) else (pair,)))
        sizes[id(obj)] = min(total, MAX_EXPANDED + 1)
        return sizes[id(obj)]

    return size(data)


# ------------------------------------------------------------------ regexes


def slow_probe(compiled: re.Pattern) -> str | None:
    """A probe on which the pattern takes longer than BUDGET, or None (or when no timer can be set)."""
    if threading.current_thread() is not threading.main_thread():
        return None  # SIGALRM reaches the main thread only
    for probe in _probes(compiled.pattern):
        try:
            with _timer(BUDGET):
                compiled.search(probe)
        except _Expired:
            return probe
    return None


def _probes(pattern: str) -> Iterator[str]:
    """Runs of each character the pattern names (and a few common ones), then one it does not match."""
    chars = dict.fromkeys(ch for ch in pattern if ch.isalnum() or ch in " ・ー")
    for ch in [*list(chars)[:24], "a", "0", " ", "日"]:
        yield ch * PROBE_LENGTH + "\x01"


class _Expired(Exception):
    pass


@contextmanager
def _timer(seconds: float) -> Iterator[None]:
    def expire(*_args: Any) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
