"""org.abbrev_defined: definitions NAME(ABBR) [English] learnt, and every later use of what was learnt;
org.short_form: the short form of a full name the article uses (東都大学 → 東都大)."""

from __future__ import annotations

import re
from typing import Any

from .lexicon import ABBR, SHORT, Org, _rule, country_of, display, in_order, norm
from .sentence import Cand, Sent

ENGLISH_RE = re.compile(r"^[A-Z][A-Za-z]+(?:[ \-](?:[A-Z][A-Za-z]+|of|and|for|the|on|in))+$")
ENGLISH_SMALL = {"of", "and", "for", "the", "on", "in"}


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
    name = sent.text[span[0] : span[1]]
    if len(name) < 3 or re.search(_rule(ABBR).get("event_if", "$^"), name):
        return None  # 第28回締約国会議(COP28): a meeting, not a body; a known body inside it stays
    if re.search(_rule(ABBR).get("heads", "$^"), name):
        org = _defined_org(name)
    elif _company_name(sent, span, name):
        org = Org(f"pat:{norm(name)}", display(name), "company", country_of(name, ""))
    else:
        return None
    return org, sent.cand(span[0], span[1], org, ABBR, "name", _rule(ABBR).get("priority", 6))


def _company_name(sent: Sent, span: tuple[int, int], name: str) -> bool:
    """サンプル半導体製造(SSM): a company word ends the name and it starts with a proper noun or a katakana name."""
    if not re.search(_rule(ABBR).get("company_heads", "$^"), name):
        return False
    first = next((t for t in sent.doc if t.idx == span[0]), None)
    return first is not None and (
        first.pos_ == "PROPN" or "固有名詞" in first.tag_ or bool(re.fullmatch(r"[ァ-ヺー・A-Za-z&]{2,}", first.text))
    )


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
            kanji = bool(KANJI_FORM.fullmatch(abbr))
            if not kanji and sum(ch.isupper() for ch in abbr) < 2:
                continue
            found = _definition(sent, m, chosen + new)
            if found is None or kanji and not _shortens(abbr, found[0].name):
                continue  # 北海食品（札幌市）: its seat, not its short form
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


KANJI_FORM = re.compile(r"[一-龥]{2,5}")


def _shortens(short: str, name: str) -> bool:
    """The short form's characters stand in the name, in order (経団連 in 日本経済団体連合会)."""
    return len(short) < len(name) and in_order(short, name)


def learnt_mentions(sents: list[Sent], learnt: dict[str, Org]) -> list[Cand]:
    """Every bare use of a learnt abbreviation or English name in the article (a kanji form not inside a longer
    kanji word)."""
    out = []
    for form, org in learnt.items():
        spaced = r"\s?".join(map(re.escape, form)) if form.isupper() else re.escape(form)
        edge = "一-龥" if KANJI_FORM.fullmatch(form) else "A-Za-z0-9"
        regex = re.compile(rf"(?<![{edge}]){spaced}(?![{edge}])")
        for sent in sents:
            for m in regex.finditer(sent.text):
                kind = "abbr" if " " not in form or form.isupper() else "english"
                out.append(sent.cand(m.start(), m.end(), org, ABBR, kind, _rule(ABBR).get("priority", 6)))
    return out


def short_forms(chosen: list[Cand]) -> dict[str, Org]:
    """The short form of each full name of the article (``short_heads``: 大学 → 大), to the same organisation."""
    heads: dict = _rule(SHORT).get("short_heads") or {}
    out: dict[str, Org] = {}
    for c in chosen:
        for full, short in heads.items():
            if c.org.name.endswith(full) and len(c.org.name) - len(full) >= 2:
                out.setdefault(c.org.name[: -len(full)] + short, c.org)
    return out


def short_mentions(sents: list[Sent], forms: dict[str, Org]) -> list[Cand]:
    """Every use of a short form not followed by more of a name (東都大の, not 東都大学 or 東都大学院)."""
    out = []
    for form, org in forms.items():
        regex = re.compile(rf"(?<![一-龥ァ-ヺー]){re.escape(form)}(?![一-龥ァ-ヺー])")
        for sent in sents:
            out += [sent.cand(m.start(), m.end(), org, SHORT, "abbr", 6) for m in regex.finditer(sent.text)]
    return out
