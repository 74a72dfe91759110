"""Where a name starts or ends next to an office, whether a run of tokens is a name, and whose country."""

from __future__ import annotations

import re

from .dictionaries import KANJI_RE, LATIN_RE, Office, lexicon, macro_re
from .sentence import (
    Sent,
    glued_blocker,
    in_person_ent,
    is_brand,
    is_person_tag,
    is_place,
    is_unknown,
    tag_has,
)

# ------------------------------------------------------------------ names before / after a position


def part_spans(s: Sent, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"[^・･＝=\s]+", s.text[start:end])]


def kana_name_ok(s: Sent, start: int, end: int, office: Office | None = None) -> bool:
    """A katakana run is a name: no place or institution part; a 人名 tag or unknown, unless the office vouches.

    A place that is no country is a surname too (サントス, マーシャル) after a part tagged as a given name
    (マリア・サントス) or before a minister's office ({MINISTER}: no town has a minister)."""
    parts = [(a, b) for a, b in part_spans(s, start, end) if not re.fullmatch(r"[A-Z]\.?", s.text[a:b])]
    person = [is_person_tag(s, a, b) for a, b in parts]
    tagged = any(person)
    surname_ok = tagged or (office is not None and bool(macro_re("{MINISTER}").search(office.text)))
    unknown = True
    for a, b in parts:
        part = s.text[a:b]
        place = is_place(s, a, b) and not (surname_ok and not _is_country(s, a, b))
        if part in lexicon().not_names or len(part) < 2 or place or _glued_org_word(part):
            return False
        if office is None and is_brand(s, a, b):
            return False
        unknown &= is_unknown(s, a, b)
    return tagged or unknown or (office is not None and office.alone)


def _is_country(s: Sent, start: int, end: int) -> bool:
    """A country by its tag or by the country prefixes of offices.yaml (ジョージア国防相: Georgia's minister)."""
    if macro_re("(?:{PREFIX})").fullmatch(s.text, start, end):
        return True
    return any(tag_has(t, "地名-国") for t in s.tokens(start, end) if t.idx >= start and t.idx + len(t.text) <= end)


def _glued_org_word(part: str) -> bool:
    """A katakana word ending in an organisation word of `not_names` (パナソニックホールディングス, …テクノロジーズ)."""
    return any(len(w) >= 4 and len(part) > len(w) and part.endswith(w) for w in lexicon().not_names)


def kanji_token_ok(s: Sent, tok) -> bool:
    if not re.fullmatch(r"[\u3400-\u9fff\uf900-\ufaff々ヶ]+[ぁ-ゖ]*[\u3400-\u9fff\uf900-\ufaff々]*", tok.text):
        return False
    a, b = tok.idx, tok.idx + len(tok.text)
    if is_person_tag(s, a, b):
        return True
    # GiNZA's Person entity vouches for a place-like proper noun (上川 is 地名 to Sudachi), not for
    # an organisation name it swallowed (グリーン民主党: 民主党 is 固有名詞-一般).
    return tag_has(tok, "固有名詞") and tok.tag_ != "名詞-固有名詞-一般" and in_person_ent(s, a, b)


KANA_GIVEN = re.compile(r"[ぁ-ゖ]{2,4}|[ァ-ヺー]{2,4}")


def kanji_name_before(s: Sent, end: int) -> int | None:
    """Start of the kanji name tokens ending exactly at ``end`` (at most three: 山田|太郎)."""
    toks = s.before(end)
    if not toks or toks[-1].idx + len(toks[-1].text) != end:
        return None
    taken: list = []
    for tok in reversed(toks):
        # a given name in kana after a kanji surname (篠原|あずさ社長): both taggers read it 人名-名
        kana_given = not taken and bool(KANA_GIVEN.fullmatch(tok.text)) and tag_has(tok, "人名-名")
        if len(taken) == 3 or not (kanji_token_ok(s, tok) or kana_given):
            break
        if taken and tok.whitespace_ and not (tag_has(tok, "人名") and tag_has(taken[0], "人名")):
            break  # a space only separates the two halves of a tagged full name (青井 美咲)
        taken.insert(0, tok)
    if taken and KANA_GIVEN.fullmatch(taken[0].text):
        taken = []  # the kana given name alone (あずさ社長): no surname vouches for it
    starts = [taken[0].idx] if taken else []
    starts += [a for a in [fugashi_name_before(s, end)] if a is not None and a in s.starts]
    # 李|承|俊: the surname opens a name whose middle character no tagger reads as one (俊 alone is no name)
    starts += [a for a in [surname_name_before(s, end)] if a is not None]
    return min(starts) if starts else person_ent_before(s, end)


def surname_name_before(s: Sent, end: int) -> int | None:
    """A Korean or Chinese name before a title, opening with a one-kanji surname of `{SURNAME1}` that stands
    as its own token: the surname alone (韓国の朴国防相) or with a two-kanji given name (崔善姫外相: Sudachi
    tags 姫 a common noun; 金明哲党副部長: 明哲 is "sagacity" to both taggers). A tagger's 人名 or GiNZA's
    Person entity must vouch for the name."""
    for size in (3, 1):
        start = end - size
        if start in s.starts and macro_re("[{SURNAME1}]").fullmatch(s.text, start, start + 1):
            if start == 0 or not KANJI_RE.match(s.text[start - 1]):
                return start if _vouched(s, start, end) or _kanji_country_before(s, start, end) else None
    return None


# Countries whose people's names are written in kanji: 中国の王立新外相 — the country before の vouches for a
# surname-led name the taggers cut apart (王立|新), when no place word is inside it
KANJI_COUNTRY_BEFORE = re.compile(r"(?:中国|韓国|北朝鮮|台湾|香港|マカオ)(?:政府)?の$")


def _kanji_country_before(s: Sent, start: int, end: int) -> bool:
    toks = [t for t in s.tokens(start, end) if t.idx >= start]
    return bool(KANJI_COUNTRY_BEFORE.search(s.text[:start])) and not any(tag_has(t, "地名") for t in toks)


def _vouched(s: Sent, start: int, end: int) -> bool:
    toks = [t for t in s.tokens(start, end) if t.idx >= start]
    if any(tag_has(t, "地名") for t in toks):
        return False
    spans = [(t.idx, t.idx + len(t.text)) for t in toks]
    return any(is_person_tag(s, a, b) or in_person_ent(s, a, b) for a, b in spans)


def person_ent_before(s: Sent, end: int) -> int | None:
    """GiNZA's Person entity right before a title, or one that swallowed the title too (竹林長官 as one
    entity), though Sudachi reads the name as a common noun: the entity and the office vouch for each
    other. Two to four kanji, not glued to a kanji before it."""
    for e in s.doc.ents:
        if e.label_ == "Person" and e.start_char < end <= e.end_char and 2 <= end - e.start_char <= 4:
            text, before = s.text[e.start_char : end], s.text[e.start_char - 1 : e.start_char]
            if re.fullmatch(r"[\u3400-\u9fff々]+", text) and not KANJI_RE.match(before or "x"):
                return e.start_char if not is_place(s, e.start_char, end) else None
    return None


def fugashi_name_before(s: Sent, end: int) -> int | None:
    """Start of UniDic 人名 words ending at ``end``: the second opinion where Sudachi cuts a name
    apart (安倍|晋|三 with 三 a numeral; UniDic reads 安倍|晋三)."""
    by_end = {w.end: w for w in s.words.values()}
    start, pos = None, end
    for _ in range(3):
        word = by_end.get(pos)
        if word is None or word.pos3 != "人名" or not KANJI_RE.search(s.text[word.start : word.end]):
            break
        start = pos = word.start
    return start


COUNTED = re.compile(r"[両各同全他]国")
JURISDICTIONS = tuple("都道府県市町村区郡")  # what a local office opens with, after its place (市長, 県知事)


def name_before(s: Sent, end: int, office: Office) -> int | None:
    """Start of the name written directly before sentence-relative ``end`` (no space in between)."""
    window = max(0, end - 40)  # a bounded look-back keeps long sentences linear
    latin = LATIN_BEFORE.search(s.text, window, end)
    if latin:  # Donald Trump大統領: the office vouches for the capitalised words before it
        return latin.start() if latin_name_ok(s, latin.start(), end, titled=True) else None
    kana = re.search(r"(?:[ァ-ヺー]+[・･＝])*[ァ-ヺー]+$", s.text[window:end])
    if kana:
        a = window + kana.start()
        if a > 0 and re.match(r"[A-Za-z0-9]", s.text[a - 1]):
            return None
        mixed = kanji_name_before(s, a) if a > 0 else None  # 玉城デニー知事
        return mixed if mixed is not None else (a if kana_name_ok(s, a, end, office) else None)
    mid = s.containing(end)
    if mid is not None:  # the office starts inside a token: only a 人名 token may carry it (…首相 in one token)
        return mid.idx if tag_has(mid, "人名") and KANJI_RE.search(s.text[mid.idx : end]) else None
    start = kanji_name_before(s, end)
    if start is not None and s.text[end : end + 1] in JURISDICTIONS and is_place(s, start, end):
        return None  # 福島市長, 長野県知事: the place's mayor or governor, though GiNZA calls the place a Person
    if start is not None and COUNTED.fullmatch(s.text[start:end]):
        return None  # 両国外相, 各国首脳: countries counted, no one named
    if start is None and macro_re("{MINISTER}").search(office.text):
        return place_surname_before(s, end)
    return start


def place_surname_before(s: Sent, end: int) -> int | None:
    """A place name of two or three kanji right before a minister's office, standing alone: a surname."""
    toks = s.before(end)
    if not toks or toks[-1].idx + len(toks[-1].text) != end or toks[-1].tag_ != "名詞-固有名詞-地名-一般":
        return None
    start = toks[-1].idx
    alone = start == 0 or not KANJI_RE.match(s.text[start - 1])
    return start if alone and re.fullmatch(r"[\u3400-\u9fff々]{2,3}", s.text[start:end]) else None


def dotted_name_before(s: Sent, end: int) -> int | None:
    """Newspaper style 中谷元・防衛相: the ・ marks where a full name ends, even when the given name
    is not tagged 人名 (元 reads as "former"); the name must open with a 人名-姓 token."""
    toks = s.before(end)
    if not toks or toks[-1].idx + len(toks[-1].text) != end:
        return None
    for tok in reversed(toks[-3:]):
        if tok.whitespace_ or not all(KANJI_RE.match(c) for c in tok.text):
            return None
        if tag_has(tok, "人名-姓"):
            return tok.idx if end - tok.idx <= 6 else None  # a surname and a short given name
    return None


LATIN_WORDS = r"[A-Z][A-Za-z'’\-]+(?:[ \t]+[A-Z][A-Za-z'’\-]+){1,2}"  # two or three capitalised words
LATIN_RUN = re.compile(LATIN_WORDS + r"(?![A-Za-z])")
LATIN_BEFORE = re.compile(r"(?<![A-Za-z.])" + LATIN_WORDS + "$")


def name_after(s: Sent, start: int) -> int | None:
    """End of a name starting at ``start`` after an office or a credit: 人名 kanji tokens, a katakana name or
    a Latin name (文:Tyler Brooks — the credit vouches for it as an English title does)."""
    latin = LATIN_RUN.match(s.text, start)
    if latin:
        return latin.end() if latin_name_ok(s, start, latin.end(), titled=True) else None
    kana = re.compile(r"[ァ-ヺー]+(?:[・･＝][ァ-ヺー]+)*").match(s.text, start)
    if kana:
        end = kana.end()
        return end if kana_name_ok(s, start, end) and not glued_blocker(s, end) else None
    taken: list = _spaced_full_name(s, start)
    for tok in s.doc[s.starts[start] :] if start in s.starts and not taken else ():
        if len(taken) == 3 or not tag_has(tok, "人名") or not kanji_token_ok(s, tok):
            break
        if taken and tok.idx != taken[-1].idx + len(taken[-1].text) + len(taken[-1].whitespace_):
            break
        taken.append(tok)
    if not taken or taken[0].idx != start:
        return None
    end = taken[-1].idx + len(taken[-1].text)
    return None if glued_blocker(s, end) else end


def _spaced_full_name(s: Sent, start: int) -> list:
    """A surname the taggers read as a place, a space, then a given name (代表取締役社長：東雲 晴美): the two
    halves of one name, as an office or credit introduces it."""
    if start not in s.starts:
        return []
    i = s.starts[start]
    if i + 1 >= len(s.doc):
        return []
    first, given = s.doc[i], s.doc[i + 1]
    if not (first.whitespace_ and re.fullmatch(r"[\u3400-\u9fff々]{1,3}", first.text)):
        return []
    return [first, given] if tag_has(given, "人名-名") and kanji_token_ok(s, given) else []


def latin_name_ok(s: Sent, start: int, end: int, titled: bool) -> bool:
    """Capitalised words are a name: no organisation word; a 人名 tag on one of them unless a title vouches."""
    full = [w for w in re.findall(r"[A-Za-z'’\-]+", s.text[start:end]) if len(w) > 1]
    if not full or any(w.lower() in lexicon().latin_not_names for w in full):
        return False
    if titled:
        return len(full) <= 3
    if not 2 <= len(full) <= 3:
        return False
    return any(tag_has(t, "人名") for t in s.tokens(start, end) if LATIN_RE.search(t.text))


# ------------------------------------------------------------------ country


def country_before(s: Sent, start: int) -> str:
    """The country of 「<country…>の」 right before the name (ロシアのプーチン大統領, 米インド太平洋軍のパパロ
    司令官, 国務省で韓国の趙外相): the country word opens the phrase or follows kana or punctuation, not a kanji
    (欧米の, 訪米の name no one's country)."""
    # not across a と: トンプソン米大統領とロシアのボルコフ大統領 is Russia's, not the US's
    m = re.search(r"([^\s、。「」『』()（）のと]{1,15})の$", s.text[max(0, start - 16) : start])
    if not m:
        return ""
    phrase = m.group(1)
    for cut in [0, *(i for i in range(1, len(phrase)) if not KANJI_RE.match(phrase[i - 1]))]:
        if re.search(r"[ぁ-ゖ]", phrase[cut:]):
            continue  # インドネシアを訪問中の: a clause, not a country qualifying the name
        found = _country_word(phrase[cut:])
        if found is not None:
            return found
    return ""


def _country_word(phrase: str) -> str | None:
    """The country a phrase opens with; "" for a pair (日米の, 米中の) that names no one's; None for no country."""
    phrase = re.sub(r"^(?:在日|駐日)", "", phrase)  # 在日米軍: where a force is based, not whose it is
    first = macro_re("(?:{PREFIX})").match(phrase)
    if not first:
        return None
    if len(first.group(0)) == 1 and re.match(r"[日米中韓露英豪仏独比台]", phrase[1:2]):
        return ""
    return lexicon().prefixes.get(first.group(0), "")


def office_country(office: Office, prefix: str, s: Sent, start: int, script: str) -> str:
    """Prefix, then 「Xの」 context (韓国の趙外相: the qualifier beats 外相's JP), then the office — a JP office
    only for a kanji name (ラブロフ外相)."""
    own = "" if office.country == "JP" and script != "kanji" else office.country
    return lexicon().prefixes.get(prefix, "") or country_before(s, start) or own
