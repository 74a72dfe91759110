"""The rule files and the dictionary of known bodies: ``Org``, ``Alias``, settings, names, country prefixes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ... import rulebook

RULE_FILE = "organizations"
DICTIONARY_FILE = "institutions"
DICT, COORD, FORCE, HQ, PARENT, ABBR, SHORT, GINZA = (
    "org.dictionary",
    "org.coordinated_services",
    "org.country_qualified_force",
    "org.hq_merge",
    "org.parent_subunit",
    "org.abbrev_defined",
    "org.short_form",
    "org.ginza_signal",
)
SUFFIX_RULES = (
    "org.suffix_ministry",
    "org.suffix_court",
    "org.suffix_police",
    "org.suffix_bureau",
    "org.suffix_committee",
    "org.suffix_media",
    "org.suffix_unit",
    "org.company_suffix",
)
HQ_TAILS = ("総司令部", "司令部")


@dataclass(frozen=True)
class Org:
    """What a candidate names: the same ``key`` means the same institution in one article."""

    key: str
    name: str  # preferred canonical name (dictionary name, or the name as the text writes it)
    kind: str
    country: str
    abbreviation: str = ""  # the dictionary's main abbreviation
    dictionary: bool = False
    needs_support: bool = False


@dataclass(frozen=True)
class Alias:
    text: str
    org: Org
    form: str
    regex: re.Pattern
    not_before: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()
    context_country: bool = False


# ================================================================== rule files and dictionary


@lru_cache(maxsize=1)
def _rules() -> rulebook.RuleFile:
    return rulebook.load(RULE_FILE)


def _rule(rule_id: str) -> rulebook.Rule:
    return _rules().by_id(rule_id)


def _setting(name: str, default: Any = None) -> Any:
    return _rules().settings.get(name, default)


def fold(text: str) -> str:
    """Fullwidth ASCII → ASCII and ideographic space → space, one character for one (offsets stay valid)."""
    return text.translate(_FOLD)


_FOLD: dict[int, int | str] = {0x3000: " ", **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}}


def norm(text: str) -> str:
    """Comparison key: NFKC, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def display(text: str) -> str:
    """A name as shown: layout spaces between Japanese characters dropped (防 衛 省), Latin spacing kept."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text.strip())


def _alias_regex(alias: str) -> re.Pattern:
    """The alias as a regex; one layout space is tolerated between two Japanese characters (防 衛 省)."""
    parts = [re.escape(alias[0])]
    for prev, ch in zip(alias, alias[1:]):
        parts.append((r"[ ]?" if not prev.isascii() and not ch.isascii() else "") + re.escape(ch))
    return re.compile("".join(parts))


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _entry_org(entry: dict) -> Org:
    abbrs = _as_list(entry.get("abbreviation"))
    return Org(
        f"dict:{entry['name']}",
        str(entry["name"]),
        str(entry.get("kind", "other")),
        str(entry.get("country") or ""),
        abbrs[0] if abbrs else "",
        True,
        bool(entry.get("needs_support")),
    )


def _entry_aliases(entry: dict) -> Iterator[Alias]:
    org = _entry_org(entry)
    forms = [(str(entry["name"]), "name")] + [(a, "abbr") for a in _as_list(entry.get("abbreviation"))]
    forms += [(a, "alias") for a in _as_list(entry.get("aliases"))]
    not_before = tuple(_as_list(entry.get("not_before")))
    not_after = tuple(_as_list(entry.get("not_after")))
    context_country = bool(entry.get("context_country"))
    buildings = set(_as_list(entry.get("building")))
    place_use = tuple(_as_list(_rule(DICT).get("place_use")))
    for text, form in forms:
        building = text in buildings  # ホワイトハウスで会見した: the building, not the body
        text = fold(text)
        yield Alias(
            text,
            org,
            form,
            _alias_regex(text),
            not_before=not_before + (place_use if building else ()),
            not_after=not_after,
            context_country=context_country,
        )


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, list[Alias]], dict[str, Alias]]:
    """(first character → aliases, longest first; normalised alias → alias)."""
    by_first: dict[str, list[Alias]] = {}
    exact: dict[str, Alias] = {}
    for entry in rulebook.load(DICTIONARY_FILE).entries:
        for alias in _entry_aliases(entry):
            by_first.setdefault(alias.text[0], []).append(alias)
            exact.setdefault(norm(alias.text), alias)
    for aliases in by_first.values():
        aliases.sort(key=lambda a: -len(a.text))
    return by_first, exact


def lookup(text: str) -> Alias | None:
    """The dictionary alias written exactly as ``text`` (spaces and width ignored)."""
    return _dictionary()[1].get(norm(text))


# ================================================================== country prefixes


def country_of(text: str, default: str = "") -> str:
    """The country a name starts with (中国海警局 → CN), else ``default``."""
    prefix = _country_prefix(text)
    return str(_setting("country_prefixes", {})[prefix] or "") if prefix else default


@lru_cache(maxsize=1)
def _prefixes_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_setting("country_prefixes", {}), key=len, reverse=True))


def _country_prefix(text: str) -> str:
    """The longest country prefix of ``text`` (インド太平洋 is a region, not インド)."""
    return next(
        (p for p in _prefixes_longest_first() if text.startswith(p) and not text.startswith("インド太平洋")), ""
    )


def in_order(short: str, long: str) -> bool:
    """Every character of ``short`` appears in ``long``, in the same order."""
    rest = iter(long)
    return all(ch in rest for ch in short)
