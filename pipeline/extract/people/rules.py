"""The sentence rules of ``rules/people.yaml`` (one function per rule id) and how their hits overlap."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from ... import rulebook
from .dictionaries import KANJI_RE, KIND_RANK, LATIN_RE, SEP_RE, Office, lexicon, macro_re, people_rules, rule_regex
from .names import (
    dotted_name_before,
    kana_name_ok,
    kanji_token_ok,
    latin_name_ok,
    name_after,
    name_before,
    office_country,
    part_spans,
)
from .sentence import (
    Hit,
    Sent,
    glued_blocker,
    is_person_tag,
    is_person_tag_ginza,
    is_place,
    is_unidic_person,
    is_unknown,
    kanji_fragment,
    make_hit,
    other_entity,
    script_of,
    signature_office,
    tag_has,
)

# ------------------------------------------------------------------ sentence rules


COUNTRY_PAIR = re.compile(r"[日米豪英韓比印仏独加伊中露朝台越泰]{2,3}")


def title_suffix(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for m in rule_regex(rule).finditer(s.text):
        office = lexicon().offices[m.group("office")]
        if not office.glued or m.end() not in s.ends:
            continue
        if signature_office(s, m.start("office")):
            continue
        glued = _glued_office(s, rule.id, m, office)
        if glued is not None:
            hits.append(glued)
            continue
        # 久米防衛相: a "prefix" that starts inside a token belongs to the name.
        cuts = [c for c in dict.fromkeys([m.start(), m.start("office")]) if c == m.start("office") or c in s.starts]
        for cut in cuts:
            name_end = cut - 1 if s.text[cut - 1 : cut] == "・" else cut
            start = name_before(s, cut, office) if name_end == cut else _dotted_before(s, name_end, office)
            if start is not None and COUNTRY_PAIR.fullmatch(s.text, start, name_end):
                start = None  # 日豪防衛相: the two countries' ministers, no one's name
            if start is not None:
                qualified = cut == m.start()
                prefix = (m.group("prefix") or "") if qualified else ""
                former = m.group("former0") or m.group("former") or ""
                title = (former if qualified else "") + office.text
                hits.append(_office_hit(s, rule.id, (start, name_end, m.end()), office, prefix, title))
                break
        else:
            hit = _unit_title(s, rule.id, m, office)
            hits += [hit] if hit is not None else []
    return hits


def _dotted_before(s: Sent, name_end: int, office: Office) -> int | None:
    """A name set off from its title by ・: 中谷元・防衛相, or a katakana name before its country and office in
    the foreign ministry's style (グエン・バン・ミン・ベトナム外務大臣)."""
    start = dotted_name_before(s, name_end)
    if start is None and re.match(r"[ァ-ヺー]", s.text[name_end - 1 : name_end]):
        start = name_before(s, name_end, office)
    return start


UNIT_WORDS = 3  # common nouns heading an unlisted title at most (総合|外交|政策|局長, 国土|安全保障|長官)
READING_RE = re.compile(r"[（(][ぁ-ゖァ-ヺー・･\s]{2,20}[）)]$")


def _unit_title(s: Sent, rule: str, m: re.Match, office: Office) -> Hit | None:
    """A name before an unlisted title that ends in a listed office: a ministry or unit word before it
    (ブラウン商務長官, 金明哲党副部長), or the name's reading in parentheses (山田花子（やまだ・はなこ）外務副大臣)."""
    cut, taken = m.start(), 0
    if s.containing(cut) is not None:  # 党|副部長: the office starts inside a token, its head is part of the title
        if office.kind == "honorific":
            return None  # 両氏, 各氏: a count of people, not a title
        cut = s.containing(cut).idx
    while True:
        reading = READING_RE.search(s.text[max(0, cut - 22) : cut])
        name_end = cut - len(reading.group(0)) if reading else cut
        start = name_before(s, name_end, Office(office.text, office.country, office.kind, alone=False))
        if start is not None and (cut < m.start() or reading):
            title = s.text[cut : m.start()] + (m.group("former0") or m.group("former") or "") + office.text
            return _office_hit(s, rule, (start, name_end, m.end()), office, m.group("prefix") or "", title)
        if cut < m.start() and office.kind != "honorific":
            hit = _dotted_country_title(s, rule, cut, m, office)
            if hit is not None:
                return hit
        unit = s.before(cut, 1)
        if taken == UNIT_WORDS or office.kind == "honorific" or not unit or not _unit_word(s, unit[0], cut):
            return None
        cut, taken = unit[0].idx, taken + 1


def _dotted_country_title(s: Sent, rule: str, cut: int, m: re.Match, office: Office) -> Hit | None:
    """A katakana name, ・, its country and an unlisted title (グエン・ヴァン・ハイ・ベトナム科学技術大臣)."""
    prefix = macro_re("(?:{PREFIX})$").search(s.text, 0, cut)
    if prefix is None or prefix.start() == 0 or s.text[prefix.start() - 1] not in ("・", "･"):
        return None
    name_end = prefix.start() - 1
    start = _dotted_before(s, name_end, office)
    if start is None:
        return None
    title = s.text[cut : m.start()] + office.text
    return _office_hit(s, rule, (start, name_end, m.end()), office, prefix.group(), title)


def _glued_office(s: Sent, rule: str, m: re.Match, office: Office) -> Hit | None:
    """A given name the taggers glued to the office's first character (西園寺|宏市|長 for 西園寺宏 市長): the name
    ends before it, when its surname and given name are tagged 人名."""
    cut = m.start("office")
    given = s.containing(cut)
    if given is None or given.idx + len(given.text) != cut + 1 or not tag_has(given, "人名"):
        return None
    surname = s.before(given.idx, 1)
    if not surname or not tag_has(surname[0], "人名-姓") or surname[0].idx + len(surname[0].text) != given.idx:
        return None
    return _office_hit(s, rule, (surname[0].idx, cut, m.end()), office, "", office.text)


def _unit_word(s: Sent, tok, end: int) -> bool:
    """A common kanji noun that can head a title (商務, 党, 国土安全保障), or a place naming a bureau
    (北米|局参事官), ending exactly at ``end``."""
    bureau = tok.tag_.startswith("名詞-固有名詞-地名") and re.match(r"(?:局|部|課|室|支局|本部)", s.text[end : end + 2])
    return (
        tok.idx + len(tok.text) == end
        and not tok.whitespace_
        and bool(re.fullmatch(r"[\u3400-\u9fff々]{1,6}", tok.text))
        and (tok.tag_.startswith("名詞-普通名詞") or tok.tag_.startswith("接尾辞") or bool(bureau))
    )


def _office_hit(s: Sent, rule: str, span: tuple[int, int, int], office: Office, prefix: str, title: str) -> Hit:
    """``span``: name start, name end, mention end (after the office)."""
    start, name_end, end = span
    country = office_country(office, prefix, s, start, script_of(s.text[start:name_end]))
    return make_hit(s, rule, start, end, start, name_end, title=title, kind=office.kind, country=country)


def title_prefix(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for m in rule_regex(rule).finditer(s.text):
        office = lexicon().offices.get(m.group("office") or "") or lexicon().credits[m.group("credit")]
        if m.start() not in s.starts or name_before(s, m.start(), office) is not None:
            continue
        end = name_after(s, m.end())
        if end is not None:
            prefix, title = m.group("prefix") or "", (m.group("former") or "") + office.text
            country = office_country(office, prefix, s, m.start(), script_of(s.text[m.end() : end]))
            kw = {"title": title, "kind": office.kind, "country": country}
            hits.append(make_hit(s, rule.id, m.end(), end, m.end(), end, **kw))
    return hits


@lru_cache(maxsize=32)
def _matcher_for(rule_id: str, vocab):
    from spacy.matcher import Matcher  # spaCy is only imported when a document is there

    pattern = people_rules()[rule_id].pattern
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
        if not (kana or kanji_token_ok(s, tok)):
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
    """The span is one part of a katakana ・-joined run (キャンプ・シュワブ): the run decides, not its part.
    In kanji text the ・ lists words (佐藤・鈴木両氏, 作家・山川春樹): each part stands alone."""
    kana = script_of(s.text[start:end]) == "kana"
    before, after = s.text[max(0, start - 2) : start], s.text[end : end + 2]
    joined = lambda sep, other: bool(SEP_RE.fullmatch(sep)) and (kana or not KANJI_RE.match(other or "x"))
    return joined(before[-1:], before[:-1]) or joined(after[:1], after[1:])


LIST_DOT_RE = re.compile(r"(?<=[\u3400-\u9fff々])[・･](?=[\u3400-\u9fff々])")


def list_parts(s: Sent, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut at every ・ that joins two kanji words (佐藤・鈴木 → 佐藤, 鈴木); katakana names keep their ・."""
    cuts = [start + m.start() for m in LIST_DOT_RE.finditer(s.text[start:end])]
    bounds = [start, *cuts, end]
    return [(a + (i > 0), b) for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]


def ginza_person(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for start, end in (part for span in token_spans(s, rule) for part in list_parts(s, *span)):
        if LATIN_RE.search(s.text[start:end]) or inside_dotted(s, start, end):
            continue  # Latin names are person.latin_name's job
        name_end = _leading_name_end(s, start, end)
        rest = _rest_title(s, name_end, end) if name_end is not None else None
        if name_end is None or rest is None or not _names_ok(s, start, name_end):
            continue
        title, prefix, office = rest
        if office is None:
            if not glued_blocker(s, name_end) and not kanji_fragment(s, start, name_end):
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
        if (
            LATIN_RE.search(s.text[start:end])
            or inside_dotted(s, start, end)
            or glued_blocker(s, end)
            or not _tags_agree(s, toks)
        ):
            continue
        if script_of(s.text[start:end]) == "kana" and not kana_name_ok(s, start, end):
            continue
        start = _surname_before(s, toks[0]) if len(toks) == 1 else start
        hits.append(make_hit(s, rule.id, start, end, start, end))
    return hits


LABEL_BEFORE = re.compile(r"(?:^|[：:、,（(　 ])$")


def _surname_before(s: Sent, given: Any) -> int:
    """A given name alone right after one to three kanji the taggers read otherwise (perhaps a space between),
    themselves right after a label (代表取締役社長：東雲 晴美, 社長:東雲晴美): the surname is part of the name."""
    if not given.tag_.endswith("名") or given.i == 0:
        return given.idx
    prev = s.doc[given.i - 1]
    adjacent = prev.idx + len(prev.text) + len(prev.whitespace_) == given.idx
    surname = adjacent and re.fullmatch(r"[\u3400-\u9fff々]{1,3}", prev.text)
    if surname and LABEL_BEFORE.search(s.text[: prev.idx]):
        return prev.idx
    return given.idx


def _tags_agree(s: Sent, toks: list) -> bool:
    """姓 then 名 (Sudachi's own full name), or fugashi also reads every token as 人名."""
    if [t.tag_.rsplit("-", 1)[-1] for t in toks] == ["姓", "名"]:
        return True
    if len("".join(t.text for t in toks)) < 2:
        return False  # a one-character 人名 (了, 元) is a word far more often than a name
    return all(is_unidic_person(s, t.idx, t.idx + len(t.text)) for t in toks)


def katakana_dot_name(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for m in rule_regex(rule).finditer(s.text):
        a, b = m.span()
        if (
            glued_blocker(s, b)
            or not kana_name_ok(s, a, b)
            or not _all_parts_named(s, a, b)
            or not any(is_person_tag(s, x, y) for x, y in part_spans(s, a, b))
            or other_entity(s, a, b)
        ):  # レイセオン・テクノロジーズ
            continue
        hits.append(make_hit(s, rule.id, a, b, a, b))
    return hits


def _all_parts_named(s: Sent, start: int, end: int) -> bool:
    """Every katakana part is a 人名 (either tagger) or a word fugashi does not know — or the name opens
    with a given name both taggers agree on, which vouches for a surname that is also a common noun
    (ジョン・カービー: カービー is "curvy" to UniDic)."""
    spans = [(a, b) for a, b in part_spans(s, start, end) if not re.fullmatch(r"[A-Z]\.?", s.text[a:b])]
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
        hits.append(
            make_hit(
                s,
                rule.id,
                m.start(),
                m.end(),
                m.start("name"),
                m.end("name"),
                title=title.text,
                kind=title.kind,
                country=title.country,
            )
        )
        pos = m.end()
    return hits


def known_figure(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    hits = []
    for m in rule_regex(rule).finditer(s.text):
        a, b = m.span("name")
        if a in s.starts:
            hits.append(make_hit(s, rule.id, a, b, a, b, country=lexicon().known[m.group("name")]))
    return hits


def byline(s: Sent, rule: rulebook.Rule) -> list[Hit]:
    """The reporter's name in a dateline's byline (（ロンドン＝田中一郎））."""
    spans = [m.span("name") for m in rule_regex(rule).finditer(s.text)]
    return [make_hit(s, rule.id, a, b, a, b) for a, b in spans if a in s.starts]


SENTENCE_RULES: dict[str, Callable[[Sent, rulebook.Rule], list[Hit]]] = {
    "person.title_suffix": title_suffix,
    "person.title_prefix": title_prefix,
    "person.latin_name": latin_name,
    "person.katakana_dot_name": katakana_dot_name,
    "person.ginza_person": ginza_person,
    "person.name_tag": name_tag,
    "person.known_figure": known_figure,
    "person.byline": byline,
}
# Rules that run over the whole article, from the names the sentence rules found.
ARTICLE_RULES = ("person.name_pairing", "person.surname_title", "person.name_repeat")
PRIORITY = [*SENTENCE_RULES, *ARTICLE_RULES]


# ------------------------------------------------------------------ overlaps


def resolve(hits: list[Hit]) -> list[Hit]:
    """Leftmost, then longest span wins, then the earlier rule; a kept hit takes a better title from a loser
    with the same name (山田 from ginza_person, 山田防衛大臣 from title_suffix)."""
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
