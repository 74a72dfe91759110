"""org.ginza_signal: GiNZA's own organisation entities, kept unless a counter-rule says why not."""

from __future__ import annotations

import re
from typing import Any

from .known import _excluded
from .lexicon import GINZA, Org, _rule, _setting, country_of, display, fold, lookup, norm
from .merging import COMPANY_TAIL
from .sentence import Cand, Sent


def _ginza_kind(text: str, label: str) -> str:
    """The kind a name's ending says (新聞 → media, 社 → company), else the kind of GiNZA's label."""
    if re.search(r"(?:新聞|日報|新報|通信|タイムズ|Times|Post|Journal)$", text):
        return "media"
    if re.search(
        r"(?:社|工業|重工|電機|製作所|商事|銀行|ホールディングス"
        r"|Inc\.?|Corp\.?|Ltd\.?|Company|Corporation)$",
        text,
    ):
        return "company"
    return str(_rule(GINZA).get("label_kinds", {}).get(label, "other"))


# A company's capital-letter acronym (KDDI, TSMC): no digit, unlike a model code (F35); no lower case,
# unlike a person's or a language's name.
ACRONYM = re.compile(r"[A-Z]{3,6}")


def rejection(text: str, label: str, before: Any, after: Any, tokens: Any = ()) -> str:
    """Why a GiNZA organisation is not one ('' when nothing says so): the counter-rules of org.ginza_signal."""
    rule = _rule(GINZA)
    if label not in rule.get("labels", []):
        return "label"
    if re.search(rule.get("reject", "$^"), text):
        return "generic, government, event, document or place"
    if text in rule.get("generic_names", []) or text in _setting("country_prefixes", {}):
        return "bare generic noun or country"
    if re.search(rule.get("judged_heads", "$^"), text) and not lookup(text):
        return "generic by the suffix rules"
    if len(text) < (2 if re.search(r"[ァ-ヺA-Za-z]", text) else 3):
        return "too short"
    countries = "|".join(map(re.escape, _setting("country_prefixes", {})))
    if re.match(rf"(?:{countries})の", text):
        return "fragment"  # 米国の国防: a country and a common noun
    if before is not None and _glued(before, left=True):
        return "fragment"  # 旧|日本軍, 米国の国防|…
    if after is not None and _glued(after, left=False):
        return "fragment"
    if rule.regex.search(text) or lookup(text):
        return ""  # a name ending or the dictionary confirms GiNZA
    if label in rule.get("needs_evidence", []):
        return "label too weak without a name ending"
    if re.search(r"[A-Za-z]", text) and not (label in rule.get("acronym_labels", []) and ACRONYM.fullmatch(text)):
        return "Latin text without a name ending (a person, a language, a model code)"
    return _token_reason(list(tokens))


def _token_reason(tokens: list[Any]) -> str:
    """Common nouns only (サプライチェーン, 防衛相), or a place or country name (大韓民国): not a named body."""
    if not tokens:
        return ""
    if not any(t.pos_ == "PROPN" or "固有名詞" in t.tag_ for t in tokens):
        return "common nouns only"
    kanji_common = all(re.fullmatch(r"[一-龥々]+", t.text) and "固有名詞" not in t.tag_ for t in tokens)
    if kanji_common and not COMPANY_TAIL.search("".join(t.text for t in tokens)):
        return "common nouns only"  # 挑戦者: common kanji words, whatever the parser calls them (北星自動車 stays)
    if "地名" in tokens[-1].tag_:
        return "a place or country"
    return ""


def _glued(tok: Any, left: bool) -> bool:
    """A token that continues the name's noun compound: the entity is part of a longer name."""
    if left and tok.whitespace_:
        return False
    if not left:
        return tok.text in _rule(GINZA).get("glued_heads", [])
    if tok.text in _setting("country_prefixes", {}):  # 米|グーグル: the country qualifies the name
        return False
    return tok.tag_.startswith(("接頭辞", "名詞-固有名詞")) or tok.text in _setting("stop_prefixes", [])


def ginza_cands(sents: list[Sent]) -> list[Cand]:
    rule = _rule(GINZA)
    out = []
    for sent in sents:
        doc = sent.doc
        for ent in doc.ents:
            text = fold(ent.text).strip()
            before = doc[ent.start - 1] if ent.start > 0 else None
            after = doc[ent.end] if ent.end < len(doc) else None
            if rejection(text, ent.label_, before, after, ent):
                continue
            alias = lookup(text)
            if alias and _excluded(sent.text, ent.start_char, ent.end_char, alias):
                continue  # the words around make it something else (ホワイトハウスで: the building)
            org = (
                alias.org
                if alias
                else Org(f"pat:{norm(text)}", display(text), _ginza_kind(text, ent.label_), country_of(text))
            )
            out.append(sent.cand(ent.start_char, ent.end_char, org, GINZA, "name", rule.get("priority", 9)))
    return out
