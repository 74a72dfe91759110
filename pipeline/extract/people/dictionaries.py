"""The rule-file dictionaries: ``rules/offices.yaml`` (offices, titles, country prefixes) and the settings of
``rules/people.yaml`` (word lists, known figures, regex macros), loaded on first use, not at import."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ... import rulebook

KANA_RE = re.compile(r"^[ァ-ヺー・･＝=A-Z.]+$")
KANJI_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]")
LATIN_RE = re.compile(r"[A-Za-z]")
SEP_RE = re.compile(r"[・･＝=]")
KIND_RANK = {"office": 3, "rank": 2, "role": 1, "honorific": 0, "": -1}


# ------------------------------------------------------------------ dictionaries


@dataclass(frozen=True)
class Office:
    text: str
    country: str = ""
    kind: str = "office"
    glued: bool = True  # False: written right after a name it names a programme (マンスフィールドフェロー)
    alone: bool = True  # False: too generic to follow a common katakana word without a 人名 tag


@dataclass(frozen=True)
class Lexicon:
    offices: dict[str, Office]
    prefixes: dict[str, str]  # country word → ISO code
    latin: dict[str, Office]
    credits: dict[str, Office]  # byline credits, only before a name (文・山田花子, 写真・佐藤太郎)
    not_names: frozenset[str]
    latin_not_names: frozenset[str]
    known: dict[str, str]  # known figure → country
    macros: dict[str, str]


def alternation(words: Iterable[str]) -> str:
    """Regex alternation, longest first so that 防衛大臣政務官 wins over 防衛大臣."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _office(entry: dict, key: str) -> Office:
    return Office(
        str(entry[key]),
        str(entry.get("country") or ""),
        str(entry.get("kind", "office")),
        bool(entry.get("glued", True)),
        bool(entry.get("alone", True)),
    )


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Offices, prefixes and word lists from the rule files (loaded once)."""
    offices_file, people_file = rulebook.load("offices"), rulebook.load("people")
    entries = offices_file.entries
    offices = {str(e["office"]): _office(e, "office") for e in entries if "office" in e}
    latin = {str(e["latin"]): _office(e, "latin") for e in entries if "latin" in e}
    credits = {str(e["credit"]): _office(e, "credit") for e in entries if "credit" in e}
    prefixes = {str(e["prefix"]): str(e.get("country") or "") for e in entries if "prefix" in e}
    settings = people_file.settings
    known = {str(k["name"]): str(k.get("country", "")) for k in settings.get("known_people", [])}
    macros = {k: str(v) for k, v in (settings.get("macros") or {}).items()}
    macros |= {
        "OFFICE": alternation(offices),
        "PREFIX": alternation(prefixes),
        "LATIN_TITLE": alternation(latin),
        "CREDIT": alternation(credits) or "(?!)",
        "KNOWN": alternation(known) or "(?!)",
    }
    return Lexicon(
        offices,
        prefixes,
        latin,
        credits,
        frozenset(settings.get("not_names", [])),
        frozenset(w.lower() for w in settings.get("latin_not_names", [])),
        known,
        macros,
    )


@lru_cache(maxsize=256)  # bounded: name_repeat compiles one pattern per article
def _compiled(pattern: str, extra: tuple[tuple[str, str], ...] = ()) -> re.Pattern:
    return re.compile(rulebook.expand(pattern, lexicon().macros | dict(extra)))


def macro_re(template: str) -> re.Pattern:
    """A regex over the macros (``{OFFICE}``, ``{PREFIX}``, …), compiled once per template."""
    return _compiled(template)


def rule_regex(rule: rulebook.Rule, **extra: str) -> re.Pattern:
    return _compiled(rule.pattern, tuple(sorted(extra.items())))


@lru_cache(maxsize=1)
def people_rules() -> dict[str, rulebook.Rule]:
    return {r.id: r for r in rulebook.load("people").rules}
