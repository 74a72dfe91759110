"""People rule family: named individuals, with the title and country the text gives them.

Rules live in ``rules/people.yaml``, titles and offices in ``rules/offices.yaml``. Signals:

- an office right after a name (浜田防衛大臣, ヘグセス米国防長官) or before it in a byline
  (防衛事務官 八川 桃子, Cpl. Tyler Andrews) — the strongest;
- GiNZA's Person entities, split from the titles GiNZA glues onto them;
- Sudachi 人名 tags (GiNZA ``tag_`` 名詞-固有名詞-人名-姓/名/一般), katakana ・-names, Latin names;
- names already found, repeated bare elsewhere in the article.

fugashi with UniDic-lite is a second, independent tokeniser and dictionary. Its jobs:
(1) a second opinion on 人名 where GiNZA's tag stands alone (Sudachi tags 英豪 人名-名; UniDic does not);
(2) telling katakana words UniDic does not know — foreign names (ヘグセス, ボンドラン) — from known
common nouns and places (ソード, オフィス, アメリカ); (3) readings and English glosses of name parts
(ケリー → Kelly, 浜田 → ハマダ), to pair a name with its romanised form (ケリー・ボンドラン = VORNDRAN KELLY).

Nothing heavy is loaded at import: the rule files, spaCy's Matcher and fugashi load on first use.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from .. import rulebook
from ..records import Entity, Mention, ParsedArticle
from .families import Family

LABEL = "PERSON"
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
    not_names: frozenset[str]
    latin_not_names: frozenset[str]
    known: dict[str, str]  # known figure → country
    macros: dict[str, str]


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation, longest first so that 防衛大臣政務官 wins over 防衛大臣."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _office(entry: dict, key: str) -> Office:
    return Office(str(entry[key]), str(entry.get("country") or ""), str(entry.get("kind", "office")),
                  bool(entry.get("glued", True)), bool(entry.get("alone", True)))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Offices, prefixes and word lists from the rule files (loaded once)."""
    offices_file, people_file = rulebook.load("offices"), rulebook.load("people")
    entries = offices_file.entries
    offices = {str(e["office"]): _office(e, "office") for e in entries if "office" in e}
    latin = {str(e["latin"]): _office(e, "latin") for e in entries if "latin" in e}
    prefixes = {str(e["prefix"]): str(e.get("country") or "") for e in entries if "prefix" in e}
    settings = people_file.settings
    known = {str(k["name"]): str(k.get("country", "")) for k in settings.get("known_people", [])}
    macros = {k: str(v) for k, v in (settings.get("macros") or {}).items()}
    macros |= {"OFFICE": _alternation(offices), "PREFIX": _alternation(prefixes),
               "LATIN_TITLE": _alternation(latin), "KNOWN": _alternation(known) or "(?!)"}
    return Lexicon(offices, prefixes, latin, frozenset(settings.get("not_names", [])),
                   frozenset(w.lower() for w in settings.get("latin_not_names", [])), known, macros)


@lru_cache(maxsize=256)  # bounded: name_repeat compiles one pattern per article
def _compiled(pattern: str, extra: tuple[tuple[str, str], ...] = ()) -> re.Pattern:
    return re.compile(rulebook.expand(pattern, lexicon().macros | dict(extra)))


def macro_re(template: str) -> re.Pattern:
    """A regex over the macros (``{OFFICE}``, ``{PREFIX}``, …), compiled once per template."""
    return _compiled(template)


def rule_regex(rule: rulebook.Rule, **extra: str) -> re.Pattern:
    return _compiled(rule.pattern, tuple(sorted(extra.items())))


@lru_cache(maxsize=1)
def _rules() -> dict[str, rulebook.Rule]:
    return {r.id: r for r in rulebook.load("people").rules}


# ------------------------------------------------------------------ second opinion: fugashi


class Word(NamedTuple):
    """One fugashi (UniDic-lite) word with sentence-relative offsets."""

    start: int
    end: int
    pos2: str  # 固有名詞, 普通名詞, …
    pos3: str  # 人名, 地名, …
    lemma: str | None  # None for words UniDic does not know
    kana: str


@lru_cache(maxsize=1)
def _tagger():
    import fugashi  # imported on first use: the module must import fast

    return fugashi.Tagger()


def fugashi_words(text: str) -> list[Word]:
    out, pos = [], 0
    for w in _tagger()(text):
        start = text.find(w.surface, pos)
        if start < 0:
            continue
        pos = start + len(w.surface)
        f = w.feature
        lemma = None if getattr(f, "lemma", None) in (None, "*") or f.pos1 == "記号" else f.lemma
        kana = getattr(f, "kana", None) or ""
        out.append(Word(start, pos, f.pos2 or "", f.pos3 or "", lemma, "" if kana == "*" else kana))
    return out


@lru_cache(maxsize=4096)
def reading(text: str) -> str:
    """Katakana reading of a name part (UniDic), or the part itself when it is katakana."""
    if not KANJI_RE.search(text):
        return text
    return "".join(w.kana or text[w.start:w.end] for w in fugashi_words(text))


# ------------------------------------------------------------------ sentence context


@dataclass
class Sent:
    """One sentence: its clean-text offset, text, GiNZA Doc and (lazily) fugashi words."""

    index: int
    offset: int
    text: str
    doc: Any

    @cached_property
    def words(self) -> dict[tuple[int, int], Word]:
        return {(w.start, w.end): w for w in fugashi_words(self.text)}

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        return [(t.idx, t.idx + len(t.text)) for t in self.doc]

    @cached_property
    def starts(self) -> dict[int, int]:
        """Token start offset → token index."""
        return {a: i for i, (a, _) in enumerate(self.spans)}

    @cached_property
    def ends(self) -> dict[int, int]:
        """Token end offset → token index."""
        return {b: i for i, (_, b) in enumerate(self.spans)}

    @cached_property
    def _end_list(self) -> list[int]:
        return [b for _, b in self.spans]

    def tokens(self, start: int, end: int) -> list:
        """Tokens overlapping [start, end)."""
        i, out = bisect_right(self._end_list, start), []
        while i < len(self.spans) and self.spans[i][0] < end:
            out.append(self.doc[i])
            i += 1
        return out

    def before(self, end: int, n: int = 4) -> list:
        """The last ``n`` tokens that end at or before ``end``."""
        i = bisect_right(self._end_list, end)
        return list(self.doc[max(0, i - n):i])

    def containing(self, pos: int):
        """The token with pos strictly inside it (not at its start), if any."""
        toks = self.tokens(pos, pos + 1)
        return toks[0] if toks and toks[0].idx < pos else None

    def word_at(self, start: int, end: int) -> Word | None:
        return self.words.get((start, end))


def _tag_has(tok, label: str) -> bool:
    return label in tok.tag_


def is_person_tag(s: Sent, start: int, end: int) -> bool:
    """GiNZA (Sudachi) or fugashi (UniDic) tags the span 人名."""
    if is_person_tag_ginza(s, start, end):
        return True
    word = s.word_at(start, end)
    return word is not None and word.pos3 == "人名"


def is_place(s: Sent, start: int, end: int) -> bool:
    if any(_tag_has(t, "地名") for t in s.tokens(start, end) if t.idx >= start and t.idx + len(t.text) <= end):
        return True
    word = s.word_at(start, end)
    return word is not None and word.pos3 == "地名"


def is_unknown(s: Sent, start: int, end: int) -> bool:
    """fugashi has no dictionary word for the span: a foreign name rather than a loanword."""
    word = s.word_at(start, end)
    return word is None or word.lemma is None


def is_brand(s: Sent, start: int, end: int) -> bool:
    """UniDic knows the word as a non-person proper noun (ロッキード, グラマン, ボーイング) and GiNZA agrees."""
    word = s.word_at(start, end)
    if word is None or (word.pos2, word.pos3) != ("固有名詞", "一般"):
        return False
    return not is_person_tag_ginza(s, start, end)


def is_person_tag_ginza(s: Sent, start: int, end: int) -> bool:
    toks = s.tokens(start, end)
    return bool(toks) and all(_tag_has(t, "人名") for t in toks)


def in_person_ent(s: Sent, start: int, end: int) -> bool:
    return any(e.label_ == "Person" and e.start_char <= start and e.end_char >= end for e in s.doc.ents)


# ------------------------------------------------------------------ hits


@dataclass
class Hit:
    """A person mention found by one rule, before merging."""

    sent: int
    start: int  # clean-text offsets of the mention (name + attached title)
    end: int
    text: str
    name: str  # the name as written, without spaces
    parts: tuple[str, ...]
    script: str  # kanji | kana | latin
    rule: str
    title: str = ""
    kind: str = ""
    country: str = ""
    link: str = ""  # the same person's name in another script (name pairing)


def script_of(name: str) -> str:
    if LATIN_RE.search(name) and not KANJI_RE.search(name) and not re.search("[ァ-ヺ]", name):
        return "latin"
    return "kana" if KANA_RE.match(name) else "kanji"


def make_hit(s: Sent, rule: str, start: int, end: int, name_start: int, name_end: int, **kw: Any) -> Hit:
    """A hit over sentence-relative [start, end) whose name is [name_start, name_end)."""
    raw = s.text[name_start:name_end]
    script = script_of(raw)
    if script == "latin":
        parts = tuple(raw.split())
        name = " ".join(parts)
    else:
        name = "".join(raw.split())
        parts = tuple(_kana_parts(name)) if script == "kana" else _token_parts(s, name_start, name_end)
    return Hit(s.index, s.offset + start, s.offset + end, s.text[start:end], name, parts, script, rule, **kw)


def _token_parts(s: Sent, start: int, end: int) -> tuple[str, ...]:
    parts = (s.text[max(t.idx, start):min(t.idx + len(t.text), end)].strip() for t in s.tokens(start, end))
    return tuple(p for p in parts if p)


def glued_blocker(s: Sent, end: int) -> bool:
    """The name is glued to a government/programme word (バイデン政権) or a programme title (…フェロー)."""
    if macro_re("(?:{NOT_AFTER_NAME})").match(s.text, end):
        return True
    m = macro_re("(?:{OFFICE})").match(s.text, end)
    return bool(m) and not lexicon().offices[m.group(0)].glued


# ------------------------------------------------------------------ names before / after a position


def _kana_parts(text: str) -> list[str]:
    return [p for p in SEP_RE.split(text) if p]


def _part_spans(s: Sent, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"[^・･＝=\s]+", s.text[start:end])]


def kana_name_ok(s: Sent, start: int, end: int, office: Office | None = None) -> bool:
    """A katakana run is a name: no place or institution part; a 人名 tag or unknown, unless the office vouches."""
    tagged, unknown = False, True
    for a, b in _part_spans(s, start, end):
        part = s.text[a:b]
        if re.fullmatch(r"[A-Z]\.?", part):
            continue
        if part in lexicon().not_names or len(part) < 2 or is_place(s, a, b):
            return False
        if office is None and is_brand(s, a, b):
            return False
        tagged |= is_person_tag(s, a, b)
        unknown &= is_unknown(s, a, b)
    return tagged or unknown or (office is not None and office.alone)


def _kanji_token_ok(s: Sent, tok) -> bool:
    if not re.fullmatch(r"[\u3400-\u9fff\uf900-\ufaff々ヶ]+[ぁ-ゖ]*[\u3400-\u9fff\uf900-\ufaff々]*", tok.text):
        return False
    a, b = tok.idx, tok.idx + len(tok.text)
    if is_person_tag(s, a, b):
        return True
    # GiNZA's Person entity vouches for a place-like proper noun (上川 is 地名 to Sudachi), not for
    # an organisation name it swallowed (バイデン民主党: 民主党 is 固有名詞-一般).
    return _tag_has(tok, "固有名詞") and tok.tag_ != "名詞-固有名詞-一般" and in_person_ent(s, a, b)


def kanji_name_before(s: Sent, end: int) -> int | None:
    """Start of the kanji name tokens ending exactly at ``end`` (at most three: 浜田|靖一)."""
    toks = s.before(end)
    if not toks or toks[-1].idx + len(toks[-1].text) != end:
        return None
    taken: list = []
    for tok in reversed(toks):
        if len(taken) == 3 or not _kanji_token_ok(s, tok):
            break
        if taken and tok.whitespace_ and not (_tag_has(tok, "人名") and _tag_has(taken[0], "人名")):
            break  # a space only separates the two halves of a tagged full name (八川 桃子)
        taken.insert(0, tok)
    starts = [taken[0].idx] if taken else []
    starts += [a for a in [fugashi_name_before(s, end)] if a is not None and a in s.starts]
    return min(starts, default=None)


def fugashi_name_before(s: Sent, end: int) -> int | None:
    """Start of UniDic 人名 words ending at ``end``: the second opinion where Sudachi cuts a name
    apart (安倍|晋|三 with 三 a numeral; UniDic reads 安倍|晋三)."""
    by_end = {w.end: w for w in s.words.values()}
    start, pos = None, end
    for _ in range(3):
        word = by_end.get(pos)
        if word is None or word.pos3 != "人名" or not KANJI_RE.search(s.text[word.start:word.end]):
            break
        start = pos = word.start
    return start


def name_before(s: Sent, end: int, office: Office) -> int | None:
    """Start of the name written directly before sentence-relative ``end`` (no space in between)."""
    window = max(0, end - 40)  # a bounded look-back keeps long sentences linear
    kana = re.search(r"(?:[ァ-ヺー]+[・･＝])*[ァ-ヺー]+$", s.text[window:end])
    if kana:
        a = window + kana.start()
        if a > 0 and re.match(r"[A-Za-z0-9]", s.text[a - 1]):
            return None
        mixed = kanji_name_before(s, a) if a > 0 else None  # 玉城デニー知事
        return mixed if mixed is not None else (a if kana_name_ok(s, a, end, office) else None)
    mid = s.containing(end)
    if mid is not None:  # the office starts inside a token: only a 人名 token may carry it (…首相 in one token)
        return mid.idx if _tag_has(mid, "人名") and KANJI_RE.search(s.text[mid.idx:end]) else None
    return kanji_name_before(s, end)


def dotted_name_before(s: Sent, end: int) -> int | None:
    """Newspaper style 中谷元・防衛相: the ・ marks where a full name ends, even when the given name
    is not tagged 人名 (元 reads as "former"); the name must open with a 人名-姓 token."""
    toks = s.before(end)
    if not toks or toks[-1].idx + len(toks[-1].text) != end:
        return None
    for tok in reversed(toks[-3:]):
        if tok.whitespace_ or not all(KANJI_RE.match(c) for c in tok.text):
            return None
        if _tag_has(tok, "人名-姓"):
            return tok.idx if end - tok.idx <= 6 else None  # a surname and a short given name
    return None


LATIN_RUN = re.compile(r"[A-Z][A-Za-z'’\-]+(?:[ \t]+[A-Z][A-Za-z'’\-]+){1,2}(?![A-Za-z])")


def name_after(s: Sent, start: int) -> int | None:
    """End of a name starting at ``start``: 人名 kanji tokens, a katakana name or a Latin name."""
    latin = LATIN_RUN.match(s.text, start)
    if latin:
        return latin.end() if latin_name_ok(s, start, latin.end(), titled=False) else None
    kana = re.compile(r"[ァ-ヺー]+(?:[・･＝][ァ-ヺー]+)*").match(s.text, start)
    if kana:
        end = kana.end()
        return end if kana_name_ok(s, start, end) and not glued_blocker(s, end) else None
    taken: list = []
    for tok in s.doc[s.starts[start]:] if start in s.starts else ():
        if len(taken) == 3 or not _tag_has(tok, "人名") or not _kanji_token_ok(s, tok):
            break
        if taken and tok.idx != taken[-1].idx + len(taken[-1].text) + len(taken[-1].whitespace_):
            break
        taken.append(tok)
    if not taken or taken[0].idx != start:
        return None
    end = taken[-1].idx + len(taken[-1].text)
    return None if glued_blocker(s, end) else end


def latin_name_ok(s: Sent, start: int, end: int, titled: bool) -> bool:
    """Capitalised words are a name: no organisation word; a 人名 tag on one of them unless a title vouches."""
    full = [w for w in re.findall(r"[A-Za-z'’\-]+", s.text[start:end]) if len(w) > 1]
    if not full or any(w.lower() in lexicon().latin_not_names for w in full):
        return False
    if titled:
        return len(full) <= 3
    if not 2 <= len(full) <= 3:
        return False
    return any(_tag_has(t, "人名") for t in s.tokens(start, end) if LATIN_RE.search(t.text))


# ------------------------------------------------------------------ country


def country_before(s: Sent, start: int) -> str:
    """The country of 「<country…>の」 right before the name (ロシアのプーチン大統領, 米インド太平洋軍のパパロ司令官)."""
    m = re.search(r"([^\s、。「」『』()（）の]{1,15})の$", s.text[max(0, start - 16):start])
    if not m:
        return ""
    phrase = re.sub(r"^(?:在日|駐日)", "", m.group(1))  # 在日米軍: where a force is based, not whose it is
    first = macro_re("(?:{PREFIX})").match(phrase)
    pair = first and len(first.group(0)) == 1 and re.match(r"[日米中韓露英豪仏独比台]", phrase[1:2])
    if not first or pair:
        return ""  # no country, or a pair (日米の, 米中の) that names no one's country
    return lexicon().prefixes.get(first.group(0), "")


def office_country(office: Office, prefix: str, s: Sent, start: int, script: str) -> str:
    """Prefix, then the office — a JP office only for a kanji name (ラブロフ外相) — then 「Xの」 context."""
    own = "" if office.country == "JP" and script != "kanji" else office.country
    return lexicon().prefixes.get(prefix, "") or own or country_before(s, start)


# ------------------------------------------------------------------ sentence rules


def title_suffix(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for m in rule_regex(rule).finditer(s.text):
        office = lexicon().offices[m.group("office")]
        if not office.glued or m.end() not in s.ends:
            continue
        # 久米防衛相: a "prefix" that starts inside a token belongs to the name.
        cuts = [c for c in dict.fromkeys([m.start(), m.start("office")]) if c == m.start("office") or c in s.starts]
        for cut in cuts:
            name_end = cut - 1 if s.text[cut - 1:cut] == "・" else cut
            start = name_before(s, cut, office) if name_end == cut else dotted_name_before(s, name_end)
            if start is not None:
                qualified = cut == m.start()
                prefix = (m.group("prefix") or "") if qualified else ""
                former = m.group("former0") or m.group("former") or ""
                title = (former if qualified else "") + office.text
                hits.append(_office_hit(s, rule.id, (start, name_end, m.end()), office, prefix, title))
                break
    return hits


def _office_hit(s: Sent, rule: str, span: tuple[int, int, int], office: Office, prefix: str, title: str) -> Hit:
    """``span``: name start, name end, mention end (after the office)."""
    start, name_end, end = span
    country = office_country(office, prefix, s, start, script_of(s.text[start:name_end]))
    return make_hit(s, rule, start, end, start, name_end, title=title, kind=office.kind, country=country)


def title_prefix(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for m in rule_regex(rule).finditer(s.text):
        office = lexicon().offices[m.group("office")]
        if m.start() not in s.starts or name_before(s, m.start(), office) is not None:
            continue
        end = name_after(s, m.end())
        if end is not None:
            prefix = m.group("prefix") or ""
            country = office_country(office, prefix, s, m.start(), script_of(s.text[m.end():end]))
            hits.append(make_hit(s, rule.id, m.end(), end, m.end(), end, title=office.text, kind=office.kind,
                                 country=country))
    return hits


@lru_cache(maxsize=32)
def _matcher_for(rule_id: str, vocab):
    from spacy.matcher import Matcher  # spaCy is only imported when a document is there

    pattern = _rules()[rule_id].pattern
    patterns = pattern if isinstance(pattern[0], list) else [pattern]
    matcher = Matcher(vocab)
    matcher.add(rule_id, patterns, greedy="LONGEST")
    return matcher


def token_spans(s: Sent, rule: rulebook.Rule) -> list[tuple[int, int]]:
    """Token-pattern matches as sentence-relative character spans, in order."""
    spans = [s.doc[a:b] for _, a, b in _matcher_for(rule.id, s.doc.vocab)(s.doc)]
    return sorted((sp.start_char, sp.end_char) for sp in spans)


def _leading_name_end(s: Sent, start: int, end: int) -> int | None:
    """End of the name-like tokens at the start of a span (GiNZA glues titles onto names)."""
    last = None
    for tok in s.tokens(start, end):
        kana = re.fullmatch(r"[ァ-ヺー]+|[・･＝]", tok.text)
        if not (kana or _kanji_token_ok(s, tok)):
            break
        if last is not None and tok.idx > last.idx + len(last.text) + len(last.whitespace_):
            break
        last = tok
    if last is None:
        return None
    name_end = min(last.idx + len(last.text), end)
    return name_end if not SEP_RE.fullmatch(s.text[name_end - 1]) else None


def _rest_title(s: Sent, start: int, end: int) -> tuple[str, str, Office | None] | None:
    """What GiNZA glued after a name: nothing, an office, or a short unit name ending in an office
    (ジョン・カービー戦略広報調整官) — as (title, country prefix, office); None for anything else."""
    rest = "".join(s.text[start:end].split())
    if not rest:
        return "", "", None
    m = macro_re("(?P<prefix>{PREFIX})?(?P<unit>[\u4e00-\u9fff々]{0,10}?)(?P<office>{OFFICE})").fullmatch(rest)
    if not m:
        return None
    office = lexicon().offices[m.group("office")]
    return (m.group("unit") + office.text, m.group("prefix") or "", office) if office.glued else None


def inside_dotted(s: Sent, start: int, end: int) -> bool:
    """The span is one part of a ・-joined run (キャンプ・シュワブ): the run decides, not its part."""
    return bool(SEP_RE.fullmatch(s.text[start - 1:start] or "x") or SEP_RE.fullmatch(s.text[end:end + 1] or "x"))


def ginza_person(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for start, end in token_spans(s, rule):
        if LATIN_RE.search(s.text[start:end]) or inside_dotted(s, start, end):
            continue  # Latin names are person.latin_name's job
        name_end = _leading_name_end(s, start, end)
        rest = _rest_title(s, name_end, end) if name_end is not None else None
        if rest is None or not _names_ok(s, start, name_end):
            continue
        title, prefix, office = rest
        if office is None:
            if not glued_blocker(s, name_end):
                hits.append(make_hit(s, rule.id, start, name_end, start, name_end))
            continue
        country = office_country(office, prefix, s, start, script_of(s.text[start:name_end]))
        hits.append(make_hit(s, rule.id, start, end, start, name_end, title=title, kind=office.kind, country=country))
    return hits


def _names_ok(s: Sent, start: int, end: int) -> bool:
    if script_of(s.text[start:end]) == "kana":
        return kana_name_ok(s, start, end)
    toks = s.tokens(start, end)
    return not is_place(s, start, end) and any(is_person_tag(s, t.idx, t.idx + len(t.text)) for t in toks)


def name_tag(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for start, end in token_spans(s, rule):
        toks = s.tokens(start, end)
        if LATIN_RE.search(s.text[start:end]) or inside_dotted(s, start, end) or glued_blocker(s, end) \
                or not _tags_agree(s, toks):
            continue
        if script_of(s.text[start:end]) == "kana" and not kana_name_ok(s, start, end):
            continue
        hits.append(make_hit(s, rule.id, start, end, start, end))
    return hits


def _tags_agree(s: Sent, toks: list) -> bool:
    """姓 then 名 (Sudachi's own full name), or fugashi also reads every token as 人名."""
    if [t.tag_.rsplit("-", 1)[-1] for t in toks] == ["姓", "名"]:
        return True
    if len("".join(t.text for t in toks)) < 2:
        return False  # a one-character 人名 (了, 元) is a word far more often than a name
    return all((w := s.word_at(t.idx, t.idx + len(t.text))) is not None and w.pos3 == "人名" for t in toks)


def katakana_dot_name(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for m in rule_regex(rule).finditer(s.text):
        a, b = m.span()
        if glued_blocker(s, b) or not kana_name_ok(s, a, b) or not _all_parts_named(s, a, b) \
                or not any(is_person_tag(s, x, y) for x, y in _part_spans(s, a, b)):  # レイセオン・テクノロジーズ
            continue
        hits.append(make_hit(s, rule.id, a, b, a, b))
    return hits


def _all_parts_named(s: Sent, start: int, end: int) -> bool:
    """Every katakana part is a 人名 (either tagger) or a word fugashi does not know — or the name opens
    with a given name both taggers agree on, which vouches for a surname that is also a common noun
    (ジョン・カービー: カービー is "curvy" to UniDic)."""
    spans = [(a, b) for a, b in _part_spans(s, start, end) if not re.fullmatch(r"[A-Z]\.?", s.text[a:b])]
    if all(is_person_tag(s, a, b) or is_unknown(s, a, b) for a, b in spans):
        return True
    a, b = spans[0]
    word = s.word_at(a, b)
    return is_person_tag_ginza(s, a, b) and word is not None and word.pos3 == "人名"


def latin_name(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    regex, hits, pos = rule_regex(rule), [], 0
    for start in (m.start() for m in re.finditer(r"(?<![A-Za-z])[A-Z]", s.text)):
        m = regex.match(s.text, start) if start >= pos else None
        if m is None or not latin_name_ok(s, m.start("name"), m.end("name"), titled=bool(m.group("title"))):
            continue
        title = lexicon().latin.get(m.group("title") or "", Office("", kind=""))
        hits.append(make_hit(s, rule.id, m.start(), m.end(), m.start("name"), m.end("name"), title=title.text,
                             kind=title.kind, country=title.country))
        pos = m.end()
    return hits


def known_figure(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for m in rule_regex(rule).finditer(s.text):
        a, b = m.span("name")
        if a in s.starts:
            hits.append(make_hit(s, rule.id, a, b, a, b, country=lexicon().known[m.group("name")]))
    return hits


SENTENCE_RULES: dict[str, Callable[[Sent, rulebook.Rule], list[Hit]]] = {
    "person.title_suffix": title_suffix,
    "person.title_prefix": title_prefix,
    "person.latin_name": latin_name,
    "person.katakana_dot_name": katakana_dot_name,
    "person.ginza_person": ginza_person,
    "person.name_tag": name_tag,
    "person.known_figure": known_figure,
}
PRIORITY = [*SENTENCE_RULES, "person.name_pairing", "person.name_repeat"]


# ------------------------------------------------------------------ overlaps


def resolve(hits: list[Hit]) -> list[Hit]:
    """Leftmost, then longest span wins, then the earlier rule; a kept hit takes a better title from a loser
    with the same name (浜田 from ginza_person, 浜田防衛大臣 from title_suffix)."""
    order = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), PRIORITY.index(h.rule)))
    kept: list[Hit] = []
    for h in order:
        # kept hits are sorted and disjoint: only the last one can reach into h
        clash = kept[-1] if kept and kept[-1].end > h.start else None
        if clash is None:
            kept.append(replace(h))
        elif KIND_RANK[h.kind] > KIND_RANK[clash.kind] and _same_name_span(clash, h):
            clash.title, clash.kind, clash.country = h.title, h.kind, h.country or clash.country
    return kept


def _same_name_span(a: Hit, b: Hit) -> bool:
    return a.name == b.name and a.start <= b.start and b.end <= a.end


# ------------------------------------------------------------------ romanisation (name pairing)

_KANA = dict(zip(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ",
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho "
    "ma mi mu me mo ya yu yo ra ri ru re ro wa o n ga gi gu ge go za ji zu ze zo da ji zu de do "
    "ba bi bu be bo pa pi pu pe po vu".split()))
_SMALL = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o", "ャ": "ya", "ュ": "yu", "ョ": "yo"}


def romanize(kana: str) -> str:
    """Rough Hepburn for katakana; small vowels replace the vowel before (ティ → ti, ファ → fa)."""
    out, double = "", False
    for ch in unicodedata.normalize("NFKC", kana):
        ch = chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch
        if ch == "ッ":
            double = True
            continue
        if ch in _SMALL:
            out = (out[:-1] if out and out[-1] in "aeiou" else out) + _SMALL[ch]
            out = re.sub(r"([sc]h|j)y([aueo])$", r"\1\2", out)
        elif ch in _KANA:
            syl = _KANA[ch]
            out += (syl[0] if double and syl[0] not in "aeiou" else "") + syl
        double = False
    return re.sub(r"n(?=[bpm])", "m", out)


def skeleton(roman: str, english: bool) -> str:
    """Consonant skeleton that katakana and English spellings of one name share."""
    s = re.sub(r"[^a-z]", "", roman.lower())
    s = re.sub(r"(.)\1+", r"\1", s)
    if english:
        s = re.sub(r"r(?=[^aeiouy]|$)", "", s)  # silent r: Vorndran → ボンドラン, Tyler → タイラー
        s = re.sub(r"c(?=[eiy])", "s", s.replace("sch", "s"))
    for a, b in (("tch", "Q"), ("ch", "Q"), ("sh", "s"), ("ph", "f"), ("th", "s"), ("ts", "s"), ("ck", "k"),
                 ("q", "k"), ("c", "k"), ("x", "ks"), ("v", "b"), ("l", "r"), ("z", "s"), ("j", "g")):
        s = s.replace(a, b)
    s = re.sub(r"[aeiouyhw]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=8192)
def part_matches(part: str, word: str) -> bool:
    """One name part (katakana or kanji) is the romanisation ``word``."""
    gloss = _gloss(part)
    if gloss and gloss.lower() == word.lower():
        return True
    a, b = skeleton(romanize(reading(part)), False), skeleton(word, True)
    if not a or not b:
        return False
    if min(len(a), len(b)) <= 2:
        return a == b
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


@lru_cache(maxsize=4096)
def _gloss(part: str) -> str:
    """UniDic's English gloss of a katakana name (ケリー-Kelly → Kelly)."""
    words = fugashi_words(part)
    if len(words) == 1 and words[0].lemma and "-" in words[0].lemma:
        gloss = words[0].lemma.split("-", 1)[1]
        return gloss if gloss.isascii() else ""
    return ""


def scripts_match(jp: Hit, words: list[str], exact: bool = True) -> bool:
    """A Japanese-script name and Latin words are one name: for katakana every part matches a distinct
    word (``exact``: and no word is left over; else either side may be the shorter form, オースティン =
    Lloyd Austin); for kanji the surname reading must match (given-name readings are unreliable)."""
    words = [w for w in words if len(w.rstrip(".")) > 1]
    if jp.script == "kanji":
        parts = _kanji_parts(jp.name)
        return bool(parts) and 0 < len(words) <= len(parts) + 1 and any(part_matches(parts[0], w) for w in words)
    parts = [p for p in jp.parts if not re.fullmatch(r"[A-Z]\.?", p)]
    if exact:
        return len(words) == len(parts) and _matched(parts, words, part_matches)
    if len(parts) <= len(words):
        return _matched(parts, words, part_matches)
    return _matched(words, parts, lambda w, p: part_matches(p, w))


def _matched(small: list[str], big: list[str], match: Callable[[str, str], bool]) -> bool:
    """Every item of ``small`` matches a distinct item of ``big``."""
    free = list(big)
    for item in small:
        found = next((x for x in free if match(item, x)), None)
        if found is None:
            return False
        free.remove(found)
    return bool(small)


@lru_cache(maxsize=1024)
def _kanji_parts(name: str) -> tuple[str, ...]:
    return tuple(name[w.start:w.end] for w in fugashi_words(name))


def name_pairing(sents: list[Sent], hits: list[Hit], rule: rulebook.Rule) -> list[tuple[Hit, Hit]]:
    """(latin hit, partner): existing Latin hits are linked, unfound runs become new hits."""
    by_sent: dict[int, list[Hit]] = {}
    for h in hits:
        by_sent.setdefault(h.sent, []).append(h)
    pairs = []
    for s in sents:
        jp = [h for h in by_sent.get(s.index, []) if h.script != "latin"]
        for m in rule_regex(rule).finditer(s.text) if jp else ():
            partner = next((h for h in jp if scripts_match(h, m.group(0).split())), None)
            if partner is not None:
                pairs.append((_latin_hit(s, rule, m, by_sent.get(s.index, [])), partner))
    return pairs


def _latin_hit(s: Sent, rule: rulebook.Rule, m: re.Match, hits: list[Hit]) -> Hit:
    a, b = s.offset + m.start(), s.offset + m.end()
    known = next((h for h in hits if h.script == "latin" and h.start <= a and b <= h.end), None)
    return known or make_hit(s, rule.id, m.start(), m.end(), m.start(), m.end())


# ------------------------------------------------------------------ repeats


def name_repeat(sents: list[Sent], hits: list[Hit], rule: rulebook.Rule) -> list[Hit]:
    """Bare re-mentions of found names (and their surnames or katakana parts) not covered yet."""
    names = {n for h in hits if h.script != "latin" for n in _repeat_forms(h)}
    if not names:
        return []
    regex, covered = rule_regex(rule, NAME=_alternation(names)), _coverage(hits)
    out = []
    for s in sents:
        for m in regex.finditer(s.text):
            a, b = m.span("name")
            if a in s.starts and b in s.ends and not covered(s.offset + a, s.offset + b):
                out.append(make_hit(s, rule.id, a, b, a, b))
    return out


def _repeat_forms(h: Hit) -> set[str]:
    if h.script == "kana":
        return {h.name} | {p for p in h.parts if len(p) >= 3}
    return {h.name} | ({h.parts[0]} if len(h.parts) > 1 and len(h.parts[0]) >= 2 else set())


def _covered(hits: list[Hit], start: int, end: int) -> bool:
    return any(h.start < end and start < h.end for h in hits)


def _coverage(hits: list[Hit]) -> Callable[[int, int], bool]:
    """A fast ``_covered`` for many look-ups against the same disjoint, sorted hits."""
    spans = sorted((h.start, h.end) for h in hits)
    starts = [a for a, _ in spans]

    def covered(start: int, end: int) -> bool:
        i = bisect_right(starts, start)
        return any(a < end and start < b for a, b in spans[max(0, i - 1):i + 1])

    return covered


# ------------------------------------------------------------------ merging


@lru_cache(maxsize=8192)
def _key(name: str) -> str:
    return SEP_RE.sub("", "".join(unicodedata.normalize("NFKC", name).split())).casefold()


def same_person(short: Hit, long: Hit, links: dict[str, set[str]]) -> bool:
    """Two hits name one individual: same name, a shorter form of it, or the same name in another script."""
    if _key(short.name) == _key(long.name) or _key(long.name) in links.get(_key(short.name), set()):
        return True
    if short.script != long.script:
        latin, other = (short, long) if short.script == "latin" else (long, short)
        return latin.script == "latin" and other.script == "kana" \
            and scripts_match(other, latin.name.split(), exact=False)
    if short.script == "kanji":
        head = _kanji_parts(long.name)[:1]
        return long.name.startswith(short.name) and (len(short.name) >= 2 or (short.name,) == head)
    fold = lambda h: {_key(p) for p in h.parts if len(p.rstrip(".")) > 1}  # noqa: E731
    return bool(fold(short)) and fold(short) <= fold(long)


def merge(hits: list[Hit], links: dict[str, set[str]]) -> list[list[Hit]]:
    """Group hits per individual, longest names first so that short forms join the fullest one.

    Distinct names are compared, not hits: an article repeats a few names many times."""
    by_name: dict[str, list[Hit]] = {}
    for h in sorted(hits, key=lambda h: h.start):
        by_name.setdefault(_key(h.name), []).append(h)
    groups: list[list[Hit]] = []  # representatives (one hit per distinct name) of each individual
    members: list[list[Hit]] = []
    for same in sorted(by_name.values(), key=lambda hs: (-len(_key(hs[0].name)), hs[0].start)):
        k = next((i for i, g in enumerate(groups) if any(same_person(same[0], o, links) for o in g)), None)
        if k is None:
            groups.append([same[0]])
            members.append(list(same))
        else:
            groups[k].append(same[0])
            members[k].extend(same)
    return sorted(members, key=lambda g: min(h.start for h in g))


def canonical(group: list[Hit]) -> str:
    """The fullest form; a Japanese-script name before its romanisation; ・ kept when written."""
    best = max(group, key=lambda h: (h.script != "latin", len(_key(h.name)), bool(SEP_RE.search(h.name)),
                                     -h.start))
    return best.name


def to_entity(group: list[Hit]) -> Entity:
    """Title: the highest kind (office > rank > role), then the most frequent, then the first."""
    name = canonical(group)
    counts = Counter(h.title for h in group)
    titled = sorted(group, key=lambda h: (-KIND_RANK[h.kind], -counts[h.title], h.start))[0]
    country = titled.country or next((h.country for h in sorted(group, key=lambda h: h.start) if h.country), "")
    country = country or lexicon().known.get(name, "")
    rule = min(group, key=lambda h: PRIORITY.index(h.rule)).rule
    mentions = [Mention(LABEL, h.text, h.start, h.end, h.sent, name, h.rule)
                for h in sorted(group, key=lambda h: h.start)]
    title = titled.title if KIND_RANK[titled.kind] > 0 else ""
    return Entity(LABEL, name, mentions, title=title, country=country, rule=rule)


# ------------------------------------------------------------------ article


def sentences(parsed: ParsedArticle) -> list[Sent]:
    return [Sent(s.index, s.start, parsed.text[s.start:s.end], doc) for s, doc in zip(parsed.sentences, parsed.docs)]


def run_rules(sents: list[Sent], only: str | None = None) -> tuple[list[Hit], list[Hit], list[tuple[Hit, Hit]]]:
    """(raw hits, resolved hits, name pairs). ``only`` runs one sentence rule; name pairing and
    repeats always run every rule, since they work from the names the others found."""
    rules = _rules()
    everything = only in (None, "person.name_pairing", "person.name_repeat")
    raw = [h for rid, fn in SENTENCE_RULES.items() if rid in rules and (everything or rid == only)
           for s in sents for h in fn(s, rules[rid])]
    kept = resolve(raw)
    pairs = name_pairing(sents, kept, rules["person.name_pairing"]) if "person.name_pairing" in rules else []
    for latin, partner in pairs:
        latin.link = partner.name
    new = [latin for latin, _ in pairs if latin.rule == "person.name_pairing"]
    kept += [h for h in new if not _covered(kept, h.start, h.end)]
    repeats = name_repeat(sents, kept, rules["person.name_repeat"]) if "person.name_repeat" in rules else []
    return raw + new + repeats, kept + repeats, pairs


def _links(hits: list[Hit]) -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    for h in hits:
        if h.link:
            links.setdefault(_key(h.name), set()).add(_key(h.link))
            links.setdefault(_key(h.link), set()).add(_key(h.name))
    return links


def extract(parsed: ParsedArticle) -> tuple[list[Mention], list[Entity]]:
    """PERSON mentions and one Entity per individual of the article."""
    _, kept, _ = run_rules(sentences(parsed))
    entities = [to_entity(g) for g in merge(kept, _links(kept))]
    mentions = sorted((m for e in entities for m in e.mentions), key=lambda m: (m.start, m.end))
    return mentions, entities


# ------------------------------------------------------------------ rule examples


def example(rule_id: str, text: str, nlp: Any, published: str | None) -> list[dict]:
    """What rule ``rule_id`` finds in ``text``: [{'text', 'person', 'title', 'country'}]."""
    from .examples import parse_example

    sents = sentences(parse_example(text, nlp, published))
    raw, kept, pairs = run_rules(sents, only=rule_id)
    groups = merge(kept, _links(kept))
    names = {(h.start, h.end): canonical(g) for g in groups for h in g}
    if rule_id == "person.name_pairing":
        return [{"text": lat.text, "person": partner.name, "title": lat.title or partner.title,
                 "country": lat.country or partner.country} for lat, partner in pairs]
    return [{"text": h.text, "person": _entity_name(h, names), "title": h.title, "country": h.country}
            for h in raw if h.rule == rule_id]


def _entity_name(h: Hit, names: dict[tuple[int, int], str]) -> str:
    if (h.start, h.end) in names:
        return names[(h.start, h.end)]
    return next((n for (a, b), n in names.items() if a <= h.start and h.end <= b), h.name)


FAMILY = Family(name="people", module="extract.people", rule_files=("people", "offices"),
                packages=("fugashi", "unidic-lite"),  # the second tagger: UniDic's 人名 tags
                reads_parse=True, extract=lambda parsed, _inputs, _memo: extract(parsed), example=example)
