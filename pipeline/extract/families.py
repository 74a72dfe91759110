"""The rule-family contract, and the registry of every family and rule set.

A **family** is the unit a rule author works in: one module (or package) under
``pipeline/extract`` that declares, in one place, ``FAMILY = Family(...)``:

- ``rule_files``: the files under ``pipeline/rules`` it reads (its cache key covers them);
- ``reads_parse``: whether it reads GiNZA's parse, or the clean text only;
- ``reads``: the families whose results it takes as input (they run before it);
- ``extract(article, inputs, memo)``: its result for one ``ParsedArticle``;
- ``example(rule_id, text, nlp, published)``: what one rule produces on an example text, as dicts
  (the rule files' examples and counterexamples run through it as tests);
- optionally ``anchored`` and ``touches``: how ``screens`` tells the articles a rule edit cannot change.

A new family is one module plus one entry in ``FAMILY_MODULES``. Rule files that are
not read by an extraction family (section markers, publisher names) are declared as a
``rulebook.RuleSet`` next to the code that reads them and listed in ``RULE_SET_MODULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from typing import Any

from ..rulebook import RuleSet

# Run order: a family comes after every family it reads.
FAMILY_MODULES = ("dates", "people", "organizations", "agreements", "events", "amounts")
# Where the other rule sets are declared (module, attribute).
RULE_SET_MODULES = (("prepare.sections", "SECTION_RULES"), ("extract.facts", "SOURCE_RULES"))


@dataclass(frozen=True, kw_only=True)
class Family(RuleSet):
    """An extraction family: a ``RuleSet`` whose rules run on every article."""

    extract: Callable[[Any, Mapping[str, Any], Any], Any]  # (ParsedArticle, results read, memo) → result
    reads: tuple[str, ...] = ()  # families whose results it takes as input
    packages: tuple[str, ...] = ()  # installed packages whose version its results depend on
    uses: tuple[str, ...] = ()  # families whose code and rule files it calls into (its cache key covers them)
    memo: Any = None  # kept per parse across rule edits (a dict subclass with ``FORMAT``, ``changed``)
    # For ``screens``: rule files whose entries act only where one of their words is written, and whether
    # some of the given rules (as loaded now) may match in an article (``screens.ScreenArticle``).
    anchored: tuple[str, ...] = ()
    touches: Callable[[frozenset[str], Any], bool] | None = None


@lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    """Every family, in run order."""
    found = tuple(import_module(f"{__package__}.{name}").FAMILY for name in FAMILY_MODULES)
    seen: set[str] = set()
    for family in found:
        missing = [name for name in family.reads if name not in seen]
        if missing:
            raise ValueError(f"family {family.name} reads {missing}, which do not run before it")
        seen.add(family.name)
    return found


def rule_sets() -> tuple[RuleSet, ...]:
    """Every declared user of rule files: the families, then the other rule sets."""
    root = __package__.rpartition(".")[0]
    others = tuple(getattr(import_module(f"{root}.{module}"), attr) for module, attr in RULE_SET_MODULES)
    return families() + others


def owner_of(rule_file: str) -> RuleSet:
    """The rule set that declares ``rule_file`` (``dates`` for ``dates.yaml``)."""
    owners = [rs for rs in rule_sets() if rule_file in rs.rule_files]
    if len(owners) != 1:
        raise LookupError(f"{rule_file}.yaml is declared by {len(owners)} rule sets, not one")
    return owners[0]


def by_name(name: str) -> Family:
    return next(f for f in families() if f.name == name)


def run_all(parsed: Any, upto: str | None = None) -> dict[str, Any]:
    """Every family's result on one article, no cache; with ``upto``, only the families it reads."""
    wanted = _read_by(upto) if upto else None
    found: dict[str, Any] = {}
    for family in families():
        if wanted is None or family.name in wanted:
            found[family.name] = family.extract(parsed, found, None)
    return found


def _read_by(name: str) -> set[str]:
    """The families ``name`` reads, directly or through another family."""
    out: set[str] = set()
    for read in by_name(name).reads:
        out |= {read} | _read_by(read)
    return out
