"""Which articles a rule-file edit can change: the rest keep their results (``watch``).

An edit of ``agreements.yaml`` changes the agreement family's key, so every article's agreements are
extracted again — seconds at a few hundred articles, most of them spent finding that nothing
changed. But a rule acts only where it matches, and a dictionary entry only where one of its words
is written. So for an edit that changes rules or entries and nothing else of the file, an article
where neither the old nor the new version of any changed rule can match, and where no word of a
changed entry occurs, gets exactly the results it had: they are carried over to the new key
instead of recomputed.

Each family says how to tell that, in its ``Family`` declaration:

- ``anchored``: the rule files whose entries act only where one of their strings occurs in the
  article's text (spaces, width, case and punctuation aside) — dictionaries of names and titles;
- ``touches(rule_ids, article)``: whether any of these rules (as loaded now) may match in the article;
  it may answer True whenever it cannot tell. Without it, an edited rule touches every article.

A screen only ever says "cannot change": when in doubt it says "may", and the article is re-run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import rulebook
from .extraction import Carry, family_fingerprint
from .families import Family, families

_NOT_WORD = re.compile(r"[\W_]+")


def flat(text: str) -> str:
    """The comparison form of a text or a dictionary word: NFKC, case-folded, only letters and digits."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class ScreenArticle:
    """What a screen looks at: the article's clean text and, when known, the lemmas of its parse, the memos
    the families kept of it (``memo_of``: family name → memo, loaded when a screen asks) and its docs."""

    article_id: str
    text: str
    lemmas: frozenset[str] | None = None
    memo_of: Callable[[str], Any] | None = None
    docs: list | None = None

    @cached_property
    def flat(self) -> str:
        return flat(self.text)

    @cached_property
    def _memos(self) -> dict[str, Any]:
        return {}

    def memo(self, family: str) -> Any:
        """The family's memo of the article's parse, or None."""
        if self.memo_of is None:
            return None
        if family not in self._memos:
            self._memos[family] = self.memo_of(family)
        return self._memos[family]


@dataclass(frozen=True)
class Edit:
    """What changed in one rule file: the ids of changed rules (old and new versions), the changed entries,
    and whether anything else changed (then no article can be ruled out)."""

    name: str
    old_ids: frozenset[str]
    new_ids: frozenset[str]
    entries: tuple[dict, ...]
    other: bool

    @classmethod
    def between(cls, old: rulebook.RuleFile, new: rulebook.RuleFile) -> Edit:
        before, after = {r.id: _meaning(r) for r in old.rules}, {r.id: _meaning(r) for r in new.rules}
        changed = {i for i in before.keys() | after.keys() if before.get(i) != after.get(i)}
        key = rulebook.canonical
        old_entries, new_entries = {key(e): e for e in old.entries}, {key(e): e for e in new.entries}
        entries = [old_entries[k] for k in old_entries.keys() - new_entries.keys()]
        entries += [new_entries[k] for k in new_entries.keys() - old_entries.keys()]
        return cls(
            new.path.stem,
            frozenset(changed & before.keys()),
            frozenset(changed & after.keys()),
            tuple(entries),
            rulebook.canonical(old.settings) != rulebook.canonical(new.settings),
        )

    @cached_property
    def words(self) -> tuple[str, ...]:
        """Every string in the changed entries, flattened (a kind or a country code too: more words, never
        fewer); made once per edit, not once per article."""
        return tuple({w for entry in self.entries for w in map(flat, _strings(entry)) if w})


def _meaning(rule: rulebook.Rule) -> str:
    """What a rule does (its description and examples aside), comparable across loads."""
    return rulebook.canonical([rule.pattern, rule.fields])


def owner(name: str) -> Family | None:
    """The family that declares rule file ``name`` (None: a rule set outside the families)."""
    return next((f for f in families() if name in f.rule_files), None)


def users(name: str) -> list[Family]:
    """The families whose results depend on rule file ``name``: its owner and those that use the owner."""
    out = [f for f in families() if name in f.rule_files]
    return out + [f for f in families() if any(o.name in f.uses for o in out)]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def entries_touch(edit: Edit, article: ScreenArticle) -> bool:
    """Whether a changed entry may act in the article: always, unless the file is declared anchored."""
    if not edit.entries:
        return False
    family = owner(edit.name)
    if family is None or edit.name not in family.anchored:
        return True
    return any(w in article.flat for w in edit.words)


def rules_touch(edit: Edit, ids: frozenset[str], article: ScreenArticle) -> bool:
    """Whether one of the changed rules, as loaded now, may match in the article."""
    if not ids:
        return False
    family = owner(edit.name)
    return family is None or family.touches is None or family.touches(ids, article)


class Screening:
    """The articles an edit of some rule files cannot change, found in two steps: made while the old rules
    are still loaded (each changed rule's old version), finished once the new ones are (its new version)."""

    def __init__(self, names: list[str], articles: list[ScreenArticle]) -> None:
        self.articles = articles
        self.old = {f.name: family_fingerprint(f) for name in names for f in users(name)}
        self.edits = [Edit.between(rulebook.load(name), rulebook.parse_rule_file(_path(name))) for name in names]
        self.touched = {a.article_id for a in articles if any(self._touched(e, e.old_ids, a) for e in self.edits)}

    def carry(self) -> Carry:
        """With the new rules loaded: what the refresh may carry over."""
        for a in self.articles:
            if a.article_id not in self.touched and any(self._touched(e, e.new_ids, a) for e in self.edits):
                self.touched.add(a.article_id)
        return Carry(self.old, frozenset(a.article_id for a in self.articles) - self.touched)

    @staticmethod
    def _touched(edit: Edit, ids: frozenset[str], article: ScreenArticle) -> bool:
        return edit.other or entries_touch(edit, article) or rules_touch(edit, ids, article)


def _path(name: str) -> Path:
    return rulebook.RULES_DIR / f"{name}.yaml"
