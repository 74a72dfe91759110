"""Loading and validating the rule files under ``pipeline/rules/``.

A rule file is YAML::

    family: dates
    description: ...
    rules:
      - id: date.era_ymd            # unique across all files; family prefix
        description: 和暦の年月日
        pattern: '...'              # regex string, or a list of spaCy token patterns
        ...                         # family-specific keys (value, kind, label, ...)
        examples:                   # must match, with the expected output
          - text: 令和7年3月30日に会談した
            expect: {text: 令和7年3月30日, value: 2025-03-30}
        counterexamples:            # must not match (no output from this rule)
          - text: 9時50分から

Dictionary files (``kind: dictionary``) hold ``entries`` instead of ``rules``.
A file may define ``macros``: ``{NAME}`` in a pattern stands for the macro's regex.
A malformed file fails at load time with the file, the rule id and the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from . import rulesafety

# libyaml's C loader when the wheel has it (it parses the rule files ~10x faster), else the pure-Python one.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML 1.2's booleans: only true/false. YAML 1.1 also reads yes/no/on/off as booleans, so
    ``country: NO`` (Norway) became False."""


SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# PIPELINE_RULES points the whole run at another copy of the rule files (a team's own, or the benchmark's).
RULES_DIR = Path(os.environ.get("PIPELINE_RULES") or Path(__file__).parent / "rules")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
MACRO_RE = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


class RuleError(ValueError):
    """A rule file that cannot be used: names the file, the rule and the reason."""

    def __init__(self, path: Path | str, rule_id: str, reason: str) -> None:
        self.path, self.rule_id, self.reason = str(path), rule_id, reason
        where = f"{Path(path).name}: rule {rule_id}" if rule_id else Path(path).name
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Rule:
    """One rule: its id, description, pattern and examples, plus family-specific fields."""

    id: str
    family: str
    description: str
    pattern: Any
    examples: tuple[dict, ...]
    counterexamples: tuple[dict, ...]
    fields: dict = field(default_factory=dict, hash=False, compare=False)
    source: str = ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    @property
    def regex(self) -> re.Pattern:
        """The compiled pattern, for rules whose pattern is a regex string."""
        return _compile(self.pattern)


@dataclass(frozen=True)
class RuleFile:
    family: str
    path: Path
    rules: tuple[Rule, ...]
    entries: tuple[dict, ...]
    settings: dict = field(default_factory=dict, hash=False, compare=False)
    raw: bytes = field(default=b"", repr=False, hash=False, compare=False)  # the file's bytes as parsed

    @cached_property
    def _by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def by_id(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]


@cache
def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def expand(pattern: str, macros: dict[str, str], _depth: int = 0) -> str:
    """Replace every ``{NAME}`` by its macro, recursively; an unknown name is a KeyError, not a literal."""
    if _depth > 10:
        raise ValueError("macro recursion too deep")

    def sub(m: re.Match) -> str:
        if m.group(1) not in macros:
            raise KeyError(f"unknown macro {{{m.group(1)}}}")
        return expand(macros[m.group(1)], macros, _depth + 1)

    return MACRO_RE.sub(sub, pattern)


def _as_examples(path: Path, rule_id: str, raw: Any, key: str) -> tuple[dict, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleError(path, rule_id, f"'{key}' must be a non-empty list")
    out = []
    for i, ex in enumerate(raw):
        if isinstance(ex, str):
            ex = {"text": ex}
        if not isinstance(ex, dict) or not isinstance(ex.get("text"), str) or not ex["text"]:
            raise RuleError(path, rule_id, f"{key}[{i}] needs a non-empty 'text'")
        out.append(ex)
    return tuple(out)


def _check_pattern(path: Path, rule_id: str, pattern: Any, macros: dict[str, str]) -> None:
    if isinstance(pattern, str):
        try:
            re.compile(expand(pattern, macros))
        except (KeyError, ValueError) as exc:
            raise RuleError(path, rule_id, f"bad pattern: {exc.args[0]}") from None
        except re.error as exc:
            raise RuleError(path, rule_id, f"bad regex: {exc}") from None
    elif isinstance(pattern, list):
        if not pattern or not all(isinstance(p, (dict, list)) for p in pattern):
            raise RuleError(path, rule_id, "a token pattern must be a non-empty list of token dicts")
    elif pattern is not None:
        raise RuleError(
            path, rule_id, f"pattern must be a regex string or a token-pattern list, not {type(pattern).__name__}"
        )


def _parse_rule(path: Path, family: str, raw: Any, index: int, macros: dict[str, str]) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(path, f"#{index}", "a rule must be a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not ID_RE.match(rule_id):
        raise RuleError(path, f"#{index}", f"missing or malformed id {rule_id!r} (want 'family.name')")
    for key in ("description", "examples", "counterexamples"):
        if key not in raw:
            raise RuleError(path, rule_id, f"missing '{key}'")
    _check_pattern(path, rule_id, raw.get("pattern"), macros)
    known = {"id", "description", "pattern", "examples", "counterexamples"}
    return Rule(
        id=rule_id,
        family=family,
        description=str(raw["description"]),
        pattern=raw.get("pattern"),
        examples=_as_examples(path, rule_id, raw["examples"], "examples"),
        counterexamples=_as_examples(path, rule_id, raw["counterexamples"], "counterexamples"),
        fields={k: v for k, v in raw.items() if k not in known},
        source=path.name,
    )


def parse_rule_file(path: Path) -> RuleFile:
    """Parse and validate one rule or dictionary file."""
    try:
        raw = path.read_bytes()  # once: what is parsed and what ``files_fingerprint`` hashes are the same bytes
        text = raw.decode("utf-8")
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise RuleError(path, "", f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(path, "", f"cannot read: {exc}") from None
    if not isinstance(data, dict) or "family" not in data:
        raise RuleError(path, "", "top level must be a mapping with 'family'")
    if rulesafety.expanded_size(data) > rulesafety.MAX_EXPANDED:
        raise RuleError(path, "", f"YAML aliases expand to over {rulesafety.MAX_EXPANDED:,} values (an alias bomb?)")
    family = str(data["family"])
    unknown = rulesafety.check_keys(path, family, data.get("rules") or [], text)
    if unknown:
        raise RuleError(path, "", unknown)
    # `macros` are {NAME}s the file defines; `external_macros` are filled in by its module at run time
    # (from dictionaries), so a stand-in is enough to check that every pattern compiles.
    macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
    macros |= {str(name): "(?:x)" for name in data.get("external_macros") or []}
    rules = tuple(_parse_rule(path, family, r, i, macros) for i, r in enumerate(data.get("rules") or []))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(path, rule.id, "duplicate id")
        seen.add(rule.id)
    entries = data.get("entries") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RuleError(path, "", "'entries' must be a list of mappings")
    settings = {k: v for k, v in data.items() if k not in {"family", "rules", "entries"}}
    return RuleFile(family, path, rules, tuple(entries), settings, raw)


def file_macros(rule_file: RuleFile) -> dict[str, str]:
    """The file's ``{NAME}`` macros, with a stand-in for each one its module fills in at run time."""
    macros = {str(k): str(v) for k, v in (rule_file.settings.get("macros") or {}).items()}
    return macros | {str(name): "(?:x)" for name in rule_file.settings.get("external_macros") or []}


def check_backtracking(rule_file: RuleFile) -> None:
    """No regex of the file backtracks catastrophically (``rulesafety.slow_probe``)."""
    macros = file_macros(rule_file)
    for rule in rule_file.rules:
        if isinstance(rule.pattern, str):
            probe = rulesafety.slow_probe(re.compile(expand(rule.pattern, macros)))
            if probe is not None:
                raise RuleError(
                    rule_file.path,
                    rule.id,
                    f"pattern backtracks catastrophically: over {rulesafety.BUDGET} s on {probe[:12]!r}… "
                    "(nested repeats such as (a+)+ ; make the inner part match one way only)",
                )


_LOADED: dict[tuple[str, Path], RuleFile] = {}


def load(name: str, rules_dir: Path = RULES_DIR) -> RuleFile:
    """Load ``rules/<name>.yaml`` (cached per process until ``forget``)."""
    key = (name, rules_dir)
    found = _LOADED.get(key)
    if found is None:
        found = _LOADED[key] = parse_rule_file(rules_dir / f"{name}.yaml")
    return found


def loaded(name: str, rules_dir: Path = RULES_DIR) -> bool:
    """Whether ``name`` is loaded in this process (its version from before an edit, for a screen)."""
    return (name, rules_dir) in _LOADED


def forget(names: list[str] | None = None) -> None:
    """Read these rule files (all: None) again at their next use — a long-lived process after an edit."""
    for key in [k for k in _LOADED if names is None or k[0] in names]:
        del _LOADED[key]


def rule_names(rules_dir: Path | None = None) -> list[str]:
    """The names of every rule file (``dates`` for ``dates.yaml``), sorted."""
    return sorted(p.stem for p in (rules_dir or RULES_DIR).glob("*.yaml"))


def all_rule_files(rules_dir: Path = RULES_DIR) -> list[RuleFile]:
    """Every rule file, validated, with ids unique across files."""
    files = [load(name, rules_dir) for name in rule_names(rules_dir)]
    check_unique_ids({rf.path.stem: [rule.id for rule in rf.rules] for rf in files}, rules_dir)
    return files


def check_unique_ids(ids: dict[str, list[str]], rules_dir: Path | None = None) -> None:
    """No rule id in two files (``ids``: file name → its rule ids, in file order)."""
    seen: dict[str, str] = {}
    for name, file_ids in ids.items():
        for rule_id in file_ids:
            if rule_id in seen:
                raise RuleError((rules_dir or RULES_DIR) / f"{name}.yaml", rule_id, f"id also used in {seen[rule_id]}")
            seen[rule_id] = f"{name}.yaml"


def files_fingerprint(names: tuple[str, ...]) -> str:
    """Hash of what the named rule files (``dates`` → ``dates.yaml``) tell the code to do: what a cached
    result was computed with. Comments, layout, descriptions, examples and counterexamples are left out —
    they change no output — so a rule author adding an example or a note re-runs nothing.

    A file this process has loaded is hashed as loaded, not as the disk has it now: a long-lived process
    (``watch``) asks for the fingerprint its results were made with after the file was edited."""
    digest = hashlib.sha256()
    for name in sorted(names):
        path = RULES_DIR / f"{name}.yaml"
        kept = _LOADED.get((name, RULES_DIR))
        raw = kept.raw if kept is not None and kept.raw else path.read_bytes() if path.is_file() else None
        digest.update(path.name.encode() + b"\0" + (_meaning(raw) if raw is not None else b"<missing>"))
    return digest.hexdigest()


NOT_MEANING = frozenset({"description", "examples", "counterexamples"})  # keys no rule family reads at run time


@lru_cache(maxsize=64)
def _meaning(raw: bytes) -> bytes:
    """Digest of a rule file's data without the keys in ``NOT_MEANING`` (canonical JSON); of its bytes when
    it does not parse or its aliases expand too far (its load then fails with the reason anyway). By bytes:
    a long-lived process parses a file again only when it changed."""
    try:
        data = yaml.load(raw, Loader=SafeLoader)
    except yaml.YAMLError:
        data = None
    if data is None or rulesafety.expanded_size(data) > rulesafety.MAX_EXPANDED:
        return hashlib.sha256(raw).digest()
    return hashlib.sha256(canonical(data).encode()).digest()


def canonical(value: Any) -> str:
    """Rule data as canonical JSON, without the keys in ``NOT_MEANING``: equal for data that does the same."""
    return json.dumps(_strip(value), sort_keys=True, ensure_ascii=False, default=str)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in NOT_MEANING}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


class Example(Protocol):
    """How every rule set runs one rule on an example text: the items it produced, as dicts."""

    def __call__(self, rule_id: str, text: str, nlp: Any | None, published: str | None) -> list[dict]: ...


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    """Rule files and how to run their examples: the part of the rule-family contract every user of
    rule files declares (the extraction families in ``extract.families``, and the section and source
    rules that the prepare stage and the article facts read).

    ``module`` is the dotted module (or package) under ``pipeline`` whose code the rules run in: with
    ``rule_files`` it is what a cached result of these rules is keyed by.
    """

    name: str
    module: str
    rule_files: tuple[str, ...]
    example: Example
    reads_parse: bool = False  # examples are parsed with GiNZA first (``nlp`` is given)
