"""Organisations rule family: ORG mentions and one Entity per institution of an article.

Rules live in ``rules/organizations.yaml`` (patterns) and ``rules/institutions.yaml``
(the dictionary of known bodies). Every rule proposes *candidates* (a span of a
sentence naming an ``Org``); overlapping candidates are resolved longest-first,
then abbreviations the text defines are learnt, GiNZA's entities fill what is
left, and the candidates of one ``Org`` become one ``Entity``.

Offsets: a candidate is found on one sentence (``parsed.docs[i]``) and stored in
clean-text offsets (``sentence.start + token.idx``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

from .. import rulebook
from ..records import Entity, Mention, ParsedArticle
from .families import Family

LABEL = "ORG"
RULE_FILE = "organizations"
DICTIONARY_FILE = "institutions"
DICT, COORD, FORCE, HQ, PARENT, ABBR, GINZA = (
    "org.dictionary", "org.coordinated_services", "org.country_qualified_force", "org.hq_merge",
    "org.parent_subunit", "org.abbrev_defined", "org.ginza_signal")
SUFFIX_RULES = ("org.suffix_ministry", "org.suffix_bureau", "org.suffix_committee", "org.suffix_media",
                "org.suffix_unit", "org.company_suffix")
HQ_TAILS = ("総司令部", "司令部")
ENGLISH_RE = re.compile(r"^[A-Z][A-Za-z]+(?:[ \-](?:[A-Z][A-Za-z]+|of|and|for|the|on|in))+$")
ENGLISH_SMALL = {"of", "and", "for", "the", "on", "in"}


# ================================================================== records


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


@dataclass
class Cand:
    """A proposed ORG mention: [start, end) in clean-text offsets."""

    start: int
    end: int
    sent: int
    org: Org
    rule: str
    form: str  # name | alias | abbr | english | compound
    priority: int
    riders: list["Cand"] = field(default_factory=list)  # mentions kept with this one (a parent inside a compound)

    def overlaps(self, other: "Cand") -> bool:
        return self.start < other.end and other.start < self.end


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


_FOLD = {0x3000: " ", **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}}


def norm(text: str) -> str:
    """Comparison key: NFKC, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def display(text: str) -> str:
    """A name as shown: layout spaces between Japanese characters dropped (防 衛 省), Latin spacing kept."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text.strip())


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


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
    return Org(f"dict:{entry['name']}", str(entry["name"]), str(entry.get("kind", "other")),
               str(entry.get("country") or ""), abbrs[0] if abbrs else "", True, bool(entry.get("needs_support")))


def _entry_aliases(entry: dict) -> Iterator[Alias]:
    org = _entry_org(entry)
    forms = [(str(entry["name"]), "name")] + [(a, "abbr") for a in _as_list(entry.get("abbreviation"))]
    forms += [(a, "alias") for a in _as_list(entry.get("aliases"))]
    extra = {"not_before": tuple(_as_list(entry.get("not_before"))),
             "not_after": tuple(_as_list(entry.get("not_after"))),
             "context_country": bool(entry.get("context_country"))}
    for text, form in forms:
        text = fold(text)
        yield Alias(text, org, form, _alias_regex(text), **extra)


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


# ================================================================== sentence context


@dataclass
class Sent:
    """One sentence as the rules see it: folded text, token edges, the Doc."""

    index: int
    offset: int  # clean-text offset of the sentence
    text: str  # folded
    doc: Any
    starts: frozenset[int]
    ends: frozenset[int]

    @classmethod
    def build(cls, index: int, offset: int, text: str, doc: Any) -> "Sent":
        starts = frozenset(t.idx for t in doc)
        ends = frozenset(t.idx + len(t.text) for t in doc)
        return cls(index, offset, fold(text), doc, starts, ends)

    def cand(self, s: int, e: int, org: Org, rule: str, form: str, priority: int) -> Cand:
        return Cand(self.offset + s, self.offset + e, self.index, org, rule, form, priority)

    def edges_ok(self, s: int, e: int, strict: bool = False) -> bool:
        """Both ends on a token edge (a Latin end: not touching letters/digits); one is enough for 4+ chars."""
        left = self._side_ok(self.text[s], self.text[s - 1] if s else "", s in self.starts)
        right = self._side_ok(self.text[e - 1], self.text[e] if e < len(self.text) else "", e in self.ends)
        if strict:
            return left and right
        return (left and right) or ((left or right) and e - s >= 4)

    @staticmethod
    def _side_ok(inner: str, outer: str, on_edge: bool) -> bool:
        if _is_ascii_alnum(inner):
            return not _is_ascii_alnum(outer)
        return on_edge or outer == ""


# ================================================================== org.dictionary


def _context_country(sent: Sent, s: int, surface: str, default: str) -> str:
    """A name two countries use: a 米 prefix or the nearest 米側/日本側 before it decides."""
    before = sent.text[:s]
    if surface.startswith(("米", "アメリカ")) or before.endswith(("米", "米国", "アメリカ")):
        return "US"
    sides = list(re.finditer(r"(日本|米国|米|日)\s?側", before))
    if sides:
        return "JP" if sides[-1].group(1) in ("日本", "日") else "US"
    return default


def _with_country(org: Org, country: str) -> Org:
    if country == org.country:
        return org
    return Org(f"{org.key}@{country}", org.name, org.kind, country, org.abbreviation, True, org.needs_support)


def _excluded(text: str, s: int, e: int, alias: Alias) -> bool:
    """The words around the match make it something else (日経平均, 日豪「2+2」)."""
    return text.startswith(alias.not_before, e) or text[:s].rstrip("「『 ").endswith(alias.not_after)


def dictionary_cands(sent: Sent) -> list[Cand]:
    by_first, _ = _dictionary()
    out = []
    for s, ch in enumerate(sent.text):
        for alias in by_first.get(ch, ()):
            m = alias.regex.match(sent.text, s)
            if not m or not sent.edges_ok(s, m.end()) or _excluded(sent.text, s, m.end(), alias):
                continue
            org = alias.org
            if alias.context_country:
                org = _with_country(org, _context_country(sent, s, alias.text, org.country))
            out.append(sent.cand(s, m.end(), org, DICT, alias.form, _rule(DICT).get("priority", 0)))
    return out


# ================================================================== org.coordinated_services


def coordinated_cands(sent: Sent) -> list[Cand]:
    rule = _rule(COORD)
    collective = rule.get("collective_of", {})
    out = []
    for m in rule.regex.finditer(sent.text):
        if not sent.edges_ok(m.start(), m.end(), strict=True):
            continue
        target = collective.get(m.group("tail"))
        alias = lookup(target) if target else None
        if alias:
            org, form = alias.org, "collective"
        else:
            name = norm(m.group())
            org, form = Org(f"pat:{name}", name, "military", "JP"), "name"
        out.append(sent.cand(m.start(), m.end(), org, COORD, form, rule.get("priority", 1)))
    return out


# ================================================================== org.country_qualified_force


def country_of(text: str, default: str = "") -> str:
    """The country a name starts with (中国海警局 → CN), else ``default``."""
    prefix = _country_prefix(text)
    return str(_setting("country_prefixes", {})[prefix] or "") if prefix else default


def force_cands(sent: Sent) -> list[Cand]:
    rule = _rule(FORCE)
    forms = _setting("prefix_forms", {})
    out = []
    for m in rule.regex.finditer(sent.text):
        if not sent.edges_ok(m.start(), m.end(), strict=True):
            continue
        name = forms.get(m.group("country"), m.group("country")) + m.group("force")
        alias = lookup(name) or lookup(m.group())
        org = alias.org if alias else Org(f"pat:{name}", name, "military", country_of(name))
        out.append(sent.cand(m.start(), m.end(), org, FORCE, "alias", rule.get("priority", 3)))
    return out


# ================================================================== suffix rules (token patterns)


@lru_cache(maxsize=64)
def _matcher(vocab: Any, rule_ids: tuple[str, ...]) -> Any:
    """One spaCy Matcher per vocabulary and set of suffix rules, with their token patterns (key = rule id)."""
    from spacy.matcher import Matcher

    matcher = Matcher(vocab)
    for rule_id in rule_ids:
        pattern = _rule(rule_id).pattern
        matcher.add(rule_id, pattern if isinstance(pattern[0], list) else [pattern])
    return matcher


def _text_tests(node: dict) -> list[Callable[[str], bool]]:
    """What a pattern node requires of a token's text (ORTH/TEXT as a value, an IN list or a REGEX)."""
    tests: list[Callable[[str], bool]] = []
    for key in ("ORTH", "TEXT"):
        value = node.get(key)
        if isinstance(value, str):
            tests.append(value.__eq__)
        elif isinstance(value, dict) and "REGEX" in value:
            tests.append(re.compile(value["REGEX"]).search)
        elif isinstance(value, dict) and isinstance(value.get("IN"), list):
            tests.append(frozenset(map(str, value["IN"])).__contains__)
    return tests


@lru_cache(maxsize=1)
def _required_texts() -> dict[str, list[list[list[Callable[[str], bool]]]]]:
    """Per suffix rule, per alternative: the text tests of each node the pattern cannot skip."""
    out = {}
    for rule_id in SUFFIX_RULES:
        pattern = _rule(rule_id).pattern
        out[rule_id] = [[_text_tests(node) for node in alt if node.get("OP") in (None, "+")]
                        for alt in (pattern if isinstance(pattern[0], list) else [pattern])]
    return out


def _possible_rules(doc: Any) -> tuple[str, ...]:
    """The suffix rules the sentence can match: each token a pattern requires has a candidate here.

    The Matcher tries every pattern from every token, and most sentences hold no 省, 局 or 司令部:
    only the rules that could match are run (the same matches, a fraction of the work)."""
    texts = {t.text for t in doc}  # each distinct text tested once; a node's single test runs in C (map)
    return tuple(rule_id for rule_id, alts in _required_texts().items()
                 if any(all(_some_text(node, texts) for node in alt) for alt in alts))


def _some_text(tests: list[Callable[[str], bool]], texts: set[str]) -> bool:
    """Whether one of the texts passes every test."""
    if len(tests) == 1:
        return any(map(tests[0], texts))
    return any(all(test(x) for test in tests) for x in texts)


def _longest_per_end(matches: Iterable[tuple[int, int, int]], vocab: Any) -> dict[tuple[str, int], int]:
    """(rule id, end token) → the earliest start token: the whole noun run before the head."""
    best: dict[tuple[str, int], int] = {}
    for match_id, start, end in matches:
        key = (vocab.strings[match_id], end)
        best[key] = min(start, best.get(key, start))
    return best


def _trim_start(doc: Any, start: int, end: int) -> int:
    """First token of the name: after the last space, without leading non-name words and dates."""
    stops = set(_setting("stop_prefixes", []))
    for i in range(start, end - 1):
        if doc[i].whitespace_:
            start = i + 1
    while start < end - 1:
        tok, prev = doc[start], doc[start - 1].text if start else ""
        is_date = (tok.like_num and prev != "第") or (tok.text in {"年", "月", "日", "年度", "時", "分"} and
                                                       start > 0 and doc[start - 1].like_num)
        if tok.text not in stops and not is_date:
            break
        start += 1
    return start


def suffix_cands(sent: Sent, dict_cands: list[Cand]) -> list[Cand]:
    doc = sent.doc
    rules = _possible_rules(doc)
    spans = _longest_per_end(_matcher(doc.vocab, rules)(doc), doc.vocab) if rules else {}
    out = []
    for (rule_id, end), start in spans.items():
        start = _trim_start(doc, start, end)
        s, e = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
        e -= len(re.search(r"(長官|長|)$", doc[end - 1].text).group()) if rule_id != "org.company_suffix" else 0
        cand = _suffix_cand(sent, rule_id, s, e, dict_cands)
        if cand:
            out.append(cand)
    return out


def _suffix_cand(sent: Sent, rule_id: str, s: int, e: int, known: list[Cand]) -> Cand | None:
    text = sent.text[s:e]
    prefix = _known_prefix(sent, s, e, known)
    if prefix is not None:
        return _compound(sent, rule_id, s, e, prefix)
    if _known_tail(sent, s, e, known):
        return None
    alias = lookup(text)
    if alias:  # the dictionary already names it (same span, the dictionary candidate wins)
        return None
    org = _pattern_org(rule_id, text)
    if org is None:
        return None
    if rule_id == "org.suffix_unit" and text.endswith(HQ_TAILS) and org.key != f"pat:{text}":
        return sent.cand(s, e, org, HQ, "hq", _rule(HQ).get("priority", 2))
    return sent.cand(s, e, org, rule_id, "name", _rule(rule_id).get("priority", 4))


def _known_prefix(sent: Sent, s: int, e: int, known: list[Cand]) -> Cand | None:
    """The longest dictionary/force candidate that starts the compound and ends inside it."""
    inside = [c for c in known if c.start == sent.offset + s and c.end < sent.offset + e]
    return max(inside, key=lambda c: c.end - c.start, default=None)


def _known_tail(sent: Sent, s: int, e: int, known: list[Cand]) -> bool:
    """A known name ends the compound and what precedes it is not a country (付け読売新聞 vs 中国国防省)."""
    tails = [c for c in known if c.end == sent.offset + e and c.start > sent.offset + s]
    if not tails:
        return False
    before = sent.text[s:min(c.start for c in tails) - sent.offset]
    return not _country_prefix(before)


def _compound(sent: Sent, rule_id: str, s: int, e: int, prefix: Cand) -> Cand | None:
    """Known org + rest: its headquarters (hq_merge), or a sub-unit (parent_subunit), or nothing."""
    rest = sent.text[prefix.end - sent.offset:e].strip()
    if rest in HQ_TAILS:
        return sent.cand(s, e, prefix.org, HQ, "hq", _rule(HQ).get("priority", 2))
    if prefix.org.kind == "legislature":  # 参議院外交防衛委員会: the chamber is part of the committee's name
        org = _pattern_org(rule_id, sent.text[s:e], country=prefix.org.country)
        return sent.cand(s, e, org, rule_id, "name", _rule(rule_id).get("priority", 4)) if org else None
    sub = _subunit_org(rule_id, sent.text[s:e], rest, prefix.org)
    if sub is None:
        return None
    cand = sent.cand(s, e, sub, PARENT, "compound", _rule(PARENT).get("priority", 2))
    cand.riders.append(prefix)
    return cand


def _subunit_org(rule_id: str, compound: str, rest: str, parent: Org) -> Org | None:
    """The sub-unit named by ``rest``: a dictionary body (北関東防衛局), its HQ, or a new unit (name = compound)."""
    if not _rule(PARENT).regex.search(rest):
        return None
    for text in (rest, _strip_hq(rest)):
        alias = lookup(text)
        if alias:
            return alias.org
    unit = _pattern_org(rule_id, rest, country=parent.country)
    if unit is None or len(rest) < 3:
        return None
    name = display(compound[: len(compound) - len(rest)] + unit.name)  # 防衛装備庁装備政策課: a bare 課 needs its parent
    kind = "military" if rule_id == "org.suffix_bureau" and re.search("参謀本部$", rest) else unit.kind
    return Org(f"pat:{norm(name)}", name, kind, unit.country)


def _strip_hq(text: str) -> str:
    for tail in HQ_TAILS:
        if text.endswith(tail) and len(text) > len(tail):
            return text[: -len(tail)]
    return text


def _head_of(text: str, rule_id: str) -> str:
    """The suffix that makes ``text`` a name under this rule ('' when none)."""
    tail = _rule(rule_id).pattern[-1] if rule_id != "org.company_suffix" else None
    if tail is None:
        return "社" if text.endswith("社") else ""
    regex = tail["TEXT"]["REGEX"].replace("(?:長官?)?", "").replace("(?:長)?", "")
    m = re.search(regex, text)
    return m.group() if m else ""


def _pattern_org(rule_id: str, text: str, country: str | None = None) -> Org | None:
    """A new organisation named ``text`` by a suffix rule, or None when the name is generic."""
    if rule_id == "org.company_suffix":
        return _company_org(text)
    if not _name_ok(text, _head_of(text, rule_id)):
        return None
    rule = _rule(rule_id)
    if rule_id == "org.suffix_unit":
        hq = _strip_hq(text)
        if hq != text and _unit_name_ok(hq):  # 第3海兵遠征軍司令部 = 第3海兵遠征軍
            text = hq
        elif not _unit_name_ok(text):
            return None
    return Org(f"pat:{norm(text)}", display(text), _kind_for(rule, text), _country_for(rule, text, country))


def _unit_name_ok(text: str) -> bool:
    """A unit whose head is 軍 needs an ordinal or a country (第5空軍, 中国軍): 方面軍/統合軍 are generic."""
    rule = _rule("org.suffix_unit")
    if re.search(rule.get("needs_ordinal", "$^"), text):
        rest = text[len(_country_prefix(text)):]
        return rest.startswith("第") and _name_ok(text, "軍")
    return _name_ok(text, _head_of(text, "org.suffix_unit"))


@lru_cache(maxsize=1)
def _prefixes_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_setting("country_prefixes", {}), key=len, reverse=True))


def _country_prefix(text: str) -> str:
    """The longest country prefix of ``text`` (インド太平洋 is a region, not インド)."""
    return next((p for p in _prefixes_longest_first() if text.startswith(p) and not text.startswith("インド太平洋")),
                "")


def _name_ok(text: str, head: str) -> bool:
    """Not a generic word: a real head, a 2+ character modifier that is not itself generic."""
    if not head or any(text.endswith(g) for g in _setting("generic_heads", [])):
        return False
    modifier = text[: len(text) - len(head)]
    if len(modifier) < 2 or modifier in _setting("generic_modifiers", []) or modifier in _setting("stop_prefixes", []):
        return False
    return not modifier.startswith(tuple(p for p in _setting("stop_prefixes", []) if len(p) > 1))


def _kind_for(rule: rulebook.Rule, text: str) -> str:
    if rule.get("legislature_if") and re.search(rule.get("legislature_if"), text):
        return "legislature"
    if rule.get("mechanism_if") and re.search(rule.get("mechanism_if"), text):
        return "mechanism"
    if rule.get("military_if") and re.search(rule.get("military_if"), text):
        return "military"
    return str(rule.get("kind", "other"))


def _country_for(rule: rulebook.Rule, text: str, country: str | None) -> str:
    found = country_of(text, "")
    if found or _country_prefix(text):
        return found
    if re.match(r"[ァ-ヺ]", text):  # a katakana country we do not list: foreign, unknown
        return ""
    if rule.get("legislature_if") and re.search(r"(?:上院|下院)", text):
        return "US"
    if rule.get("us_if") and re.search(rule.get("us_if"), text):
        return "US"
    if rule.get("jp_if") and re.search(rule.get("jp_if"), text):
        return "JP"
    return country if country is not None else str(rule.get("default_country") or "")


def _company_org(text: str) -> Org | None:
    stops = _rule("org.company_suffix").get("stop_words", [])
    name = text[:-1] if text.endswith("社") else text
    base = re.sub(r"(?:重工業|重工|電機|製作所|造船|商事)$", "", name)
    if not (text.endswith("社") or base != name) or len(base) < 2 or base in stops or name in stops:
        return None
    alias = lookup(name)
    return alias.org if alias else Org(f"pat:{norm(name)}", display(name), "company", country_of(name, ""))


# ================================================================== resolution


def resolve(cands: list[Cand]) -> list[Cand]:
    """Longest span first, then the rule's priority: one candidate per stretch of text (plus its riders)."""
    chosen: list[Cand] = []
    for cand in sorted(cands, key=lambda c: (-(c.end - c.start), c.priority, c.start)):
        if not any(cand.overlaps(c) for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)


def sentence_cands(sent: Sent) -> list[Cand]:
    known = dictionary_cands(sent) + coordinated_cands(sent) + force_cands(sent)
    for cand in known:
        _mark_listed_compound(sent, cand, known)
    return known + suffix_cands(sent, known)


def _mark_listed_compound(sent: Sent, cand: Cand, known: list[Cand]) -> None:
    """A dictionary name that is itself parent + sub-unit (外務省北米局, 米海軍第7艦隊) also lists the parent."""
    for parent in known:
        if parent.start != cand.start or parent.end >= cand.end or parent.org.key == cand.org.key:
            continue
        rest = lookup(sent.text[parent.end - sent.offset:cand.end - sent.offset])
        if parent.org.kind in ("government", "military") and rest and rest.org.key == cand.org.key.split("@")[0]:
            cand.rule, cand.form, cand.riders = PARENT, "compound", [parent]


# ================================================================== org.abbrev_defined


def _initials_match(abbr: str, english: str) -> bool:
    letters = "".join(ch for ch in abbr if ch.isupper())
    initials = "".join(w[0] for w in re.split(r"[ \-]", english) if w and w not in ENGLISH_SMALL)
    return letters == initials.upper()


def _name_token(tok: Any) -> bool:
    """A token that can stand inside a name: by its UniDic tag (GiNZA's POS calls 伊 of 日英伊 a CCONJ)."""
    return tok.text == "・" or tok.tag_.startswith(("名詞", "接尾辞-名詞的", "形状詞", "接頭辞"))


def _name_before(sent: Sent, end: int) -> tuple[int, int] | None:
    """The name written before '(ABBR)': the whole cell/clause if it is all nouns, else its noun compound."""
    while end > 0 and sent.text[end - 1] == " ":
        end -= 1
    seg = max(sent.text.rfind(ch, 0, end) for ch in "、。「」『』():：\t\n ") + 1
    tokens = [t for t in sent.doc if seg <= t.idx < end]
    if not tokens:
        return None
    if all(_name_token(t) or t.text in ("の", "および", "及び") for t in tokens):
        return tokens[0].idx, end
    start = len(tokens)
    while start > 0 and _name_token(tokens[start - 1]):
        start -= 1
    return (tokens[start].idx, end) if start < len(tokens) else None


def _defined_org(name: str) -> Org:
    """An organisation known only from its definition: bilateral when both sides are named in it."""
    both = "日米" in name or (re.search("自衛隊|日本|防衛省", name) and re.search("米", name))
    kind = "mechanism" if both else ("military" if re.search("司令部|隊|軍$", name) else "other")
    country = "JP-US" if both else country_of(name, "")
    return Org(f"pat:{norm(name)}", display(name), kind, country)


def _definition(sent: Sent, m: re.Match, chosen: list[Cand]) -> tuple[Org, Cand | None] | None:
    """The organisation an '(ABBR)' belongs to, and a new name candidate when the name was not known yet."""
    name_end = m.start()
    while name_end > 0 and sent.text[name_end - 1] == " ":
        name_end -= 1
    for c in chosen:
        if c.sent == sent.index and c.end == sent.offset + name_end:
            return c.org, None
    span = _name_before(sent, name_end)
    if span is None:
        return None
    name = sent.text[span[0]:span[1]]
    if len(name) < 3 or not re.search(_rule(ABBR).get("heads", "$^"), name):
        return None
    org = _defined_org(name)
    return org, sent.cand(span[0], span[1], org, ABBR, "name", _rule(ABBR).get("priority", 6))


def _english_after(sents: list[Sent], i: int, m: re.Match, abbr: str) -> tuple[Sent, int, int] | None:
    """The English name after '(ABBR)' on the same line, or alone on the next one, spelling the initials."""
    if m.group("english") and _initials_match(abbr, m.group("english")):
        return sents[i], m.start("english"), m.end("english")
    nxt = sents[i + 1] if i + 1 < len(sents) else None
    if nxt and m.end() >= len(sents[i].text.rstrip()) and ENGLISH_RE.match(nxt.text.strip()):
        if _initials_match(abbr, nxt.text.strip()):
            lead = len(nxt.text) - len(nxt.text.lstrip())
            return nxt, lead, lead + len(nxt.text.strip())
    return None


def learn_abbreviations(sents: list[Sent], chosen: list[Cand]) -> tuple[list[Cand], dict[str, Org]]:
    """Definitions NAME(ABBR) [English]: new candidates, and every learnt form → its organisation."""
    rule, priority = _rule(ABBR), _rule(ABBR).get("priority", 6)
    new: list[Cand] = []
    learnt: dict[str, Org] = {}
    for i, sent in enumerate(sents):
        for m in rule.regex.finditer(sent.text):
            abbr = m.group("abbr").strip()
            if sum(ch.isupper() for ch in abbr) < 2:
                continue
            found = _definition(sent, m, chosen + new)
            if found is None:
                continue
            org, name_cand = found
            if name_cand:
                new.append(name_cand)
            new.append(sent.cand(m.start("abbr"), m.start("abbr") + len(abbr), org, ABBR, "abbr", priority))
            learnt.setdefault(abbr.replace(" ", ""), org)
            english = _english_after(sents, i, m, abbr)
            if english:
                where, s, e = english
                new.append(where.cand(s, e, org, ABBR, "english", priority))
                learnt.setdefault(where.text[s:e], org)
    return new, learnt


def learnt_mentions(sents: list[Sent], learnt: dict[str, Org]) -> list[Cand]:
    """Every bare use of a learnt abbreviation or English name in the article."""
    out = []
    for form, org in learnt.items():
        spaced = r"\s?".join(map(re.escape, form)) if form.isupper() else re.escape(form)
        regex = re.compile(rf"(?<![A-Za-z0-9]){spaced}(?![A-Za-z0-9])")
        for sent in sents:
            for m in regex.finditer(sent.text):
                kind = "abbr" if " " not in form or form.isupper() else "english"
                out.append(sent.cand(m.start(), m.end(), org, ABBR, kind, _rule(ABBR).get("priority", 6)))
    return out


def _strictly_inside(inner: Cand, outer: Cand) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and inner.end - inner.start < outer.end - outer.start


def _merge_in(chosen: list[Cand], extra: list[Cand], replace_inside: bool) -> list[Cand]:
    """Add candidates that do not overlap; a longer one may replace the shorter ones it covers."""
    for cand in sorted(extra, key=lambda c: -(c.end - c.start)):
        covered = [c for c in chosen if cand.overlaps(c)]
        if not covered:
            chosen.append(cand)
        elif replace_inside and all(_strictly_inside(c, cand) for c in covered):
            chosen = [c for c in chosen if c not in covered] + [cand]
    return sorted(chosen, key=lambda c: c.start)


# ================================================================== org.ginza_signal


def _ginza_kind(text: str) -> str:
    if re.search(r"(?:新聞|日報|新報|通信|タイムズ|Times|Post|Journal)$", text):
        return "media"
    if re.search(r"(?:社|工業|重工|電機|製作所|商事|銀行|ホールディングス|Inc\.?|Corp\.?|Ltd\.?|Company|Corporation)$", text):
        return "company"
    return "other"


def ginza_cands(sents: list[Sent]) -> list[Cand]:
    rule = _rule(GINZA)
    labels = set(rule.get("labels", []))
    reject = re.compile(rule.get("reject", "$^"))
    out = []
    for sent in sents:
        for ent in sent.doc.ents:
            text = fold(ent.text)
            if ent.label_ not in labels or reject.search(text) or not rule.regex.search(text) or len(text) < 3:
                continue
            alias = lookup(text)
            org = alias.org if alias else Org(f"pat:{norm(text)}", display(text), _ginza_kind(text), country_of(text))
            out.append(sent.cand(ent.start_char, ent.end_char, org, GINZA, "name", rule.get("priority", 9)))
    return out


# ================================================================== entities


def _drop_unsupported(chosen: list[Cand], learnt: dict[str, Org]) -> list[Cand]:
    """A short ambiguous code (JC, FT) counts only with its full name in the article or a definition."""
    supported = {c.org.key for c in chosen if c.form != "abbr"} | {o.key for o in learnt.values()}
    return [c for c in chosen if not (c.org.needs_support and c.org.key not in supported)]


def _merge_keys(cands: list[Cand]) -> dict[str, str]:
    """Org key → the key it is merged into: 米統合軍司令部 = 統合軍司令部 when both stand in the article."""
    by_name = {norm(c.org.name): c.org for c in cands}
    target: dict[str, str] = {}
    for c in cands:
        name = norm(c.org.name)
        base = by_name.get(name[len(_country_prefix(name)):]) if _country_prefix(name) else None
        if base and base.key != c.org.key and base.country == country_of(name):  # 中国外務省 is not 外務省
            target[c.org.key] = base.key
    return target


def _canonical(org: Org, cands: list[Cand], text: str) -> tuple[str, str]:
    """(canonical, abbreviation): the full name where the article gives one, else the short form it uses."""
    surfaces = [(display(text[c.start:c.end]), c.form) for c in sorted(cands, key=lambda c: c.start)]
    abbrs = [s for s, f in surfaces if f == "abbr"]
    abbreviation = abbrs[0] if abbrs else org.abbreviation
    if not org.dictionary or any(_names(s, f, org.name) for s, f in surfaces):
        return org.name, (abbreviation if norm(abbreviation) != norm(org.name) else "")
    names = [s for s, f in surfaces if f in ("alias", "name", "compound")]
    if names:
        return max(names, key=len), abbreviation
    english = [s for s, f in surfaces if f == "english"]
    if english:
        return english[0], abbreviation
    if not abbrs:
        return org.name, abbreviation
    return abbrs[0], org.name  # only a short form in the text (日経, 統幕): it stays canonical, the full name is known


def _names(surface: str, form: str, name: str) -> bool:
    """Does this surface write the full name (also inside 米国防総省, a compound or before 司令部)?"""
    if form == "collective":  # 陸・海・空自 names the SDF as a whole
        return True
    return form in ("compound", "hq", "alias", "name") and norm(name) in norm(surface)


def build_entities(cands: list[Cand], parsed: ParsedArticle) -> tuple[list[Mention], list[Entity]]:
    merged = _merge_keys(cands)
    groups: dict[str, list[Cand]] = {}
    for c in cands:
        groups.setdefault(merged.get(c.org.key, c.org.key), []).append(c)
    mentions, entities = [], []
    for group in groups.values():
        org = next((c.org for c in group if c.org.key not in merged), group[0].org)
        name, abbreviation = _canonical(org, group, parsed.text)
        ms = [Mention(LABEL, parsed.text[c.start:c.end], c.start, c.end, c.sent, name, c.rule)
              for c in sorted(group, key=lambda c: c.start)]
        best = min(group, key=lambda c: c.priority).rule
        entities.append(Entity(LABEL, name, ms, abbreviation=abbreviation, kind=org.kind, country=org.country,
                               rule=best))
        mentions += ms
    entities.sort(key=lambda e: e.first.start)
    return sorted(mentions, key=lambda m: (m.start, m.end)), entities


# ================================================================== entry points


def _sents(parsed: ParsedArticle) -> list[Sent]:
    return [Sent.build(s.index, s.start, parsed.text[s.start:s.end], doc)
            for s, doc in zip(parsed.sentences, parsed.docs)]


def candidates(parsed: ParsedArticle) -> list[Cand]:
    """Every rule over the article: resolved, abbreviation-linked, GiNZA-completed candidates (riders included)."""
    sents = _sents(parsed)
    chosen = resolve([c for s in sents for c in sentence_cands(s)])
    defined, learnt = learn_abbreviations(sents, chosen)
    chosen = _merge_in(chosen, defined, replace_inside=True)
    chosen = _merge_in(chosen, learnt_mentions(sents, learnt), replace_inside=False)
    chosen = _merge_in(chosen, ginza_cands(sents), replace_inside=False)
    chosen = _drop_unsupported(chosen, learnt)
    riders = [r for c in chosen for r in c.riders]
    return sorted(chosen + riders, key=lambda c: (c.start, c.end))


def extract(parsed: ParsedArticle) -> tuple[list[Mention], list[Entity]]:
    """ORG mentions (label 'ORG', canonical, rule id) and one Entity per institution of the article."""
    return build_entities(candidates(parsed), parsed)


def example(rule_id: str, text: str, nlp: Any, published: str | None) -> list[dict]:
    """Parse ``text``, run the rules, keep what rule ``rule_id`` produced (one dict per mention)."""
    from .examples import parse_example

    mentions, entities = extract(parse_example(text, nlp, published))
    by_mention = {(m.start, m.end, m.rule): e for e in entities for m in e.mentions}
    return [{"text": m.text, "organization": e.name, "abbreviation": e.abbreviation, "kind": e.kind,
             "country": e.country} for m in mentions if m.rule == rule_id
            for e in [by_mention[(m.start, m.end, m.rule)]]]


FAMILY = Family(name="organizations", module="extract.organizations", rule_files=(RULE_FILE, DICTIONARY_FILE),
                reads_parse=True, extract=lambda parsed, _inputs, _memo: extract(parsed), example=example)
