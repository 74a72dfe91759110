"""The check every run makes of the rule files before it starts, remembered per file between runs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import rulebook
from .atomic import write_atomic
from .cache import cache_key, fingerprint


def check_all(stamps: Path) -> None:
    """Every rule file validated, ids unique across files: a malformed one raises ``RuleError`` naming
    file, rule and reason.

    A file that passed once, unchanged since and checked by the same code, is not parsed again for
    it: its stamp in ``stamps``, named by its fingerprint, keeps its rule ids for the check across
    files. After an edit only the edited file is parsed.
    """
    ids: dict[str, list[str]] = {}
    for name in rulebook.rule_names():
        # By the file's bytes, not its meaning: an example or a comment can make a file invalid too.
        raw = (rulebook.RULES_DIR / f"{name}.yaml").read_bytes()
        stamp = stamps / cache_key(fingerprint(("rulebook", "rulesafety")), hashlib.sha256(raw).hexdigest())
        try:
            ids[name] = json.loads(stamp.read_bytes())
        except (OSError, ValueError):
            rule_file = rulebook.load(name)
            rulebook.check_backtracking(rule_file)  # the slow check: once per edit of the file
            ids[name] = [rule.id for rule in rule_file.rules]
            write_atomic(stamp, json.dumps(ids[name]).encode(), durable=False)
    rulebook.check_unique_ids(ids)
