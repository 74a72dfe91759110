"""The check every run makes of the rule files before it starts, remembered per file between runs."""

from __future__ import annotations

import json
from pathlib import Path

from . import rulebook
from .atomic import write_atomic
from .cache import fingerprint


def check_all(stamps: Path) -> None:
    """Every rule file validated, ids unique across files: a malformed one raises ``RuleError`` naming
    file, rule and reason.

    A file that passed once, unchanged since and checked by the same code, is not parsed again for
    it: its stamp in ``stamps``, named by its fingerprint, keeps its rule ids for the check across
    files. After an edit only the edited file is parsed.
    """
    ids: dict[str, list[str]] = {}
    for name in rulebook.rule_names():
        stamp = stamps / fingerprint(("rulebook", "rulesafety"), (name,))
        try:
            ids[name] = json.loads(stamp.read_bytes())
        except (OSError, ValueError):
            rule_file = rulebook.load(name)
            rulebook.check_backtracking(rule_file)  # the slow check: once per edit of the file
            ids[name] = [rule.id for rule in rule_file.rules]
            write_atomic(stamp, json.dumps(ids[name]).encode(), durable=False)
    rulebook.check_unique_ids(ids)
