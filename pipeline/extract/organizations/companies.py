"""Companies and schools named by a legal form, an ending word or their context; parties by 党.

org.company_legal_form (株式会社サンプル, サンプル株式会社), org.company_word (北都電鉄, 青葉大学)
org.company_context (半導体大手のサンプルテック) and org.party_suffix (保守党, 青空党)."""

from __future__ import annotations

import re
from typing import Any

from .lexicon import Org, _country_prefix, _rule, _setting, country_of, display, lookup, norm
from .sentence import Cand, Sent

LEGAL, WORD, CONTEXT, PARTY = "org.company_legal_form", "org.company_word", "org.company_context", "org.party_suffix"


def _nounish(tok: Any) -> bool:
    return tok.tag_.startswith(("名詞", "接尾辞-名詞的", "接頭辞")) or tok.text in ("・", "&")


def _org_for(name: str, kind: str) -> Org:
    """The dictionary's body when it knows the name (三菱重工業), else a new one named as written — without a
    one-letter country before a foreign name (米マサチューセッツ工科大学: マサチューセッツ工科大学, US)."""
    alias = lookup(name)
    if alias:
        return alias.org
    country = country_of(name, "")
    prefix = _country_prefix(name)
    if len(prefix) == 1 and re.match(r"[ァ-ヺA-Za-z]", name[1:2]):
        name = name[1:]
    return Org(f"pat:{norm(name)}", display(name), kind, country)


def _name_ok(name: str, country_ok: bool = False) -> bool:
    """Long enough, not a generic word, not a country alone (but 日本 + 航空 is a name)."""
    stops = _rule(WORD).get("stop_modifiers", [])
    is_country = name in _setting("country_prefixes", {})
    return len(name) >= 2 and name not in stops and (country_ok or not is_country)


# ================================================================== org.company_legal_form


def _name_after(doc: Any, i: int, roles: list[str]) -> int:
    """The token after the last one of the name that starts at token ``i`` (a role word ends it)."""
    j = i
    while j < len(doc) and _nounish(doc[j]) and doc[j].text not in roles and not doc[j].like_num:
        j += 1
        if doc[j - 1].whitespace_:
            break
    return j


def _name_before(doc: Any, i: int) -> int:
    """The first token of the noun run that ends before token ``i``, without leading non-name words."""
    stops = set(_setting("stop_prefixes", [])) | set(_rule(WORD).get("stop_modifiers", []))
    j = i
    while j > 0 and _nounish(doc[j - 1]) and not doc[j - 1].whitespace_ and not doc[j - 1].like_num:
        j -= 1
    while j < i - 1 and (doc[j].text in stops or doc[j].text in {"年", "月", "日"}):
        j += 1
    return j


def legal_form_cands(sent: Sent) -> list[Cand]:
    rule = _rule(LEGAL)
    forms, roles = set(rule.get("legal_forms", [])), rule.get("role_words", [])
    doc, out = sent.doc, []
    for i, tok in enumerate(doc):
        if tok.text not in forms:
            continue
        end = _name_after(doc, i + 1, roles) if not tok.whitespace_ else i + 1
        if end > i + 1:  # 株式会社サンプル
            s, e, name = tok.idx, doc[end - 1].idx + len(doc[end - 1].text), doc[i + 1 : end].text
        else:  # サンプル株式会社
            start = _name_before(doc, i)
            if start == i:
                continue
            s, e, name = doc[start].idx, tok.idx + len(tok.text), doc[start:i].text
        if _name_ok(name) and name not in forms:
            out.append(sent.cand(s, e, _org_for(name, "company"), LEGAL, "name", rule.get("priority", 4)))
    return out


# ================================================================== org.company_word


def _has_name_evidence(toks: list[Any]) -> bool:
    """A proper noun, or a katakana / Latin word, that is not a generic loanword (ネット, デジタル)."""
    stops = set(_rule(WORD).get("stop_modifiers", []))
    return any(
        t.text not in stops
        and (t.pos_ == "PROPN" or "固有名詞" in t.tag_ or re.fullmatch(r"[ァ-ヺー・A-Za-z&]+", t.text))
        for t in toks
    )


def word_cands(sent: Sent) -> list[Cand]:
    """Names ending in a company word, with a name of their own before it; a name of common kanji (北洋海運)
    also when written in brackets (「北洋海運」) or listed with one that has its own (光陽電子と北洋海運)."""
    found, weak = _word_spans(sent)
    strong = {(s, e) for s, e, _ in found}
    for s, e, name in weak:
        if _quoted(sent.text, s, e) or any(_listed_with(sent.text, (s, e), other) for other in strong):
            found.append((s, e, name))
    rule = _rule(WORD)
    out = []
    for s, e, name in sorted(found):
        kind = "other" if re.search(rule.get("other_if", "$^"), name) else "company"
        if any(
            ent.start_char == s and ent.end_char == e and ent.label_ == "International_Organization"
            for ent in sent.doc.ents
        ):
            kind = "international"  # アジア開発銀行: GiNZA knows it is a multilateral body
        out.append(sent.cand(s, e, _org_for(name, kind), WORD, "name", rule.get("priority", 5)))
    return out


def _quoted(text: str, s: int, e: int) -> bool:
    return s > 0 and text[s - 1] == "「" and text[e : e + 1] == "」"


def _listed_with(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two names side by side in a list (XとY, X、Y, X・Y, X及びY)."""
    first, second = sorted((a, b))
    return text[first[1] : second[0]] in ("と", "、", "・", "及び", "や", ",")


def _word_spans(sent: Sent) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """(start, end, name) of the compounds ending in a company word: with a name of their own before the
    word, and those of common kanji only (東邦樹脂) that need more evidence."""
    rule = _rule(WORD)
    heads = re.compile(rule.get("heads", "$^"))
    proper = re.compile(rule.get("proper_heads", "$^"))
    doc = sent.doc
    found: list[tuple[int, int, str]] = []
    weak: list[tuple[int, int, str]] = []
    for i, tok in enumerate(doc):
        if tok.tag_.startswith("接頭辞"):
            continue
        if not heads.search(tok.text) and not (proper.search(tok.text) and _proper_name(doc, i)):
            continue
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        if nxt is not None and not tok.whitespace_ and _nounish(nxt):
            continue  # the compound goes on (南西航空方面隊): not its end
        start = _name_before(doc, i)
        head = heads.search(tok.text) or proper.search(tok.text)
        glued = tok.text[: head.start()] if head else ""
        if start == i and not glued:
            continue
        modifier = doc[start:i].text + glued
        if not _name_ok(modifier, country_ok=True):
            continue
        span = (doc[start].idx, tok.idx + len(tok.text), doc[start : i + 1].text)
        if _has_name_evidence(list(doc[start:i])) or _glued_evidence(tok, glued):
            found.append(span)
        elif heads.search(tok.text) and _common_kanji_name(doc[start:i], glued):
            weak.append(span)
    return found, weak


def _common_kanji_name(toks: Any, glued: str) -> bool:
    """Two to four kanji before the company word, none of them a generic qualifier (国内, 大手)."""
    stops = set(_rule(WORD).get("stop_modifiers", [])) | set(_setting("stop_prefixes", []))
    modifier = "".join(t.text for t in toks) + glued
    return bool(re.fullmatch(r"[一-龥]{2,4}", modifier)) and not any(t.text in stops for t in toks)


def _proper_name(doc: Any, i: int) -> bool:
    """A weaker head (グループ, 取引所, 空輸) names a company only when the dictionary knows the name as a
    proper noun — one token (ソニーグループ, 東京証券取引所) or right before the head — not a katakana word
    (ハッカーグループ)."""
    if "固有名詞-一般" in doc[i].tag_:
        return True
    return i > 0 and not doc[i - 1].whitespace_ and "固有名詞" in doc[i - 1].tag_ and "地名" not in doc[i - 1].tag_


def _glued_evidence(tok: Any, glued: str) -> bool:
    """A head glued to its name in one token (サンプル電鉄, 東急電鉄): a proper noun, or a katakana/Latin name."""
    if glued in _rule(WORD).get("stop_modifiers", []) or len(glued) < 2:
        return False
    return "固有名詞" in tok.tag_ or bool(re.fullmatch(r"[ァ-ヺー・A-Za-z&]{2,}", glued))


# ================================================================== org.company_context


def context_cands(sent: Sent) -> list[Cand]:
    rule = _rule(CONTEXT)
    stops = set(_rule(WORD).get("stop_modifiers", []))
    # 鉄鋼大手、東洋製鉄: a name ending in a company word needs no proper noun of its own after an industry word
    company_word = re.compile(_rule(WORD).get("heads", "$^") + "|" + _rule(WORD).get("proper_heads", "$^"))
    out = []
    for m in rule.regex.finditer(sent.text):
        group = "quoted" if m.group("quoted") else "name"  # 化学メーカー「…」: the brackets hold the whole name
        name, (s, e) = m.group(group), m.span(group)
        if not sent.edges_ok(s, e, strict=True) or name in stops:
            continue
        toks = [t for t in sent.doc if s <= t.idx < e]
        evidence = group == "quoted" or _has_name_evidence(toks[:1]) or len(toks) >= 2 and company_word.search(name)
        if not toks or not evidence or not _name_ok(name):
            continue
        out.append(sent.cand(s, e, _org_for(name, "company"), CONTEXT, "name", rule.get("priority", 7)))
    return out + _prefixed_cands(sent, rule)


def _prefixed_cands(sent: Sent, rule: Any) -> list[Cand]:
    """米ブルーテック: a katakana name right after a country's letter, not a place's or a person's name."""
    stops = set(rule.get("stop_words", []))
    out = []
    for m in re.finditer(rule.get("prefixed", "$^"), sent.text):
        s, e = m.span("name")
        toks = [t for t in sent.doc if s <= t.idx < e]
        if not toks or m.group("name") in stops or not sent.edges_ok(s, e, strict=True):
            continue
        if any("地名" in t.tag_ or "人名" in t.tag_ for t in toks):
            continue  # 米フロリダ, 米ブラウン
        out.append(sent.cand(s, e, _org_for(m.group("name"), "company"), CONTEXT, "name", rule.get("priority", 7)))
    return out


# ================================================================== org.party_suffix


def _party_span(doc: Any, i: int, generic: set[str]) -> tuple[int, str] | None:
    """(first token, name) of the party whose name ends with token ``i``, or None when it is generic."""
    tok = doc[i]
    if tok.text != "党" and not (tok.text.endswith("党") and "固有名詞" in tok.tag_ and len(tok.text) >= 3):
        return None
    start = i
    if tok.text == "党":
        start = _name_before(doc, i)
        while start < i and doc[start].text in generic:
            start += 1
    elif i > 0 and not doc[i - 1].whitespace_ and doc[i - 1].text in _setting("country_prefixes", {}):
        start = i - 1  # 英|保守党
    else:
        stops = set(_setting("stop_prefixes", []))
        while (
            start > i - 2
            and start > 0
            and doc[start - 1].pos_ in ("NOUN", "PROPN")
            and not doc[start - 1].whitespace_
            and re.fullmatch(r"[一-龥々]{2,4}", doc[start - 1].text)
            and doc[start - 1].text not in generic
            and doc[start - 1].text not in stops
        ):
            start -= 1  # 改革|民主党: a word compounded before a party's name is part of it
    name = doc[start : i + 1].text
    modifier = name[: -len("党")]
    if len(modifier) < 2 or name in generic or modifier in generic or modifier in _setting("country_prefixes", {}):
        return None
    return start, name


def party_cands(sent: Sent) -> list[Cand]:
    rule = _rule(PARTY)
    generic = set(rule.get("generic", []))
    doc, out = sent.doc, []
    for i, tok in enumerate(doc):
        found = _party_span(doc, i, generic)
        if found is None:
            continue
        start, name = found
        lead = len(name) - len(name.lstrip("・･"))  # 与党|・民政党: the list's dot is no part of the name
        s, e, name = doc[start].idx + lead, tok.idx + len(tok.text), name[lead:]
        out.append(sent.cand(s, e, _org_for(name, "other"), PARTY, "name", rule.get("priority", 5)))
    return out


def company_cands(sent: Sent) -> list[Cand]:
    """Every company, school and party rule on one sentence."""
    return legal_form_cands(sent) + word_cands(sent) + context_cands(sent) + party_cands(sent)
