"""org.ginza_signal: GiNZA's entities, where no rule named anything."""

from __future__ import annotations

import re

from .lexicon import GINZA, Org, _rule, country_of, display, fold, lookup, norm
from .sentence import Cand, Sent


def _ginza_kind(text: str) -> str:
    if re.search(r"(?:新聞|日報|新報|通信|タイムズ|Times|Post|Journal)$", text):
        return "media"
    if re.search(
        r"(?:社|工業|重工|電機|製作所|商事|銀行|ホールディングス"
        r"|Inc\.?|Corp\.?|Ltd\.?|Company|Corporation)$",
        text,
    ):
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
