"""org.sports_club: a club named by its home town and a katakana name (浦和レッズ, アルビレオ長岡), or after
the league division it plays in (ベルギー1部KVスヘルデン), in a sentence about sport — the taggers read such
names as common words or people, and no company word ends them."""

from __future__ import annotations

import re

from .companies import _org_for
from .lexicon import _rule
from .sentence import Cand, Sent

CLUB = "org.sports_club"


def club_cands(sent: Sent) -> list[Cand]:
    rule = _rule(CLUB)
    if not re.search(rule.get("context", "$^"), sent.text):
        return []
    stops = tuple(rule.get("stop_words", []))
    out = []
    for m in rule.regex.finditer(sent.text):
        group = "name" if m.group("name") else "club"  # by its town, or after its league's division (1部)
        s, e = m.span(group)
        name = m.group(group)
        if name.endswith(stops) or name.startswith(stops) or not sent.edges_ok(s, e, strict=True):
            continue
        if group == "name" and not _named_home(sent, s, e):
            continue
        out.append(sent.cand(s, e, _org_for(name, "other"), CLUB, "name", rule.get("priority", 7)))
    return out


def _named_home(sent: Sent, s: int, e: int) -> bool:
    """The kanji part is a place to the tagger (長岡, 広島), or the whole name is one proper noun it knows."""
    toks = [t for t in sent.doc if s <= t.idx < e]
    if len(toks) == 1:
        return "固有名詞" in toks[0].tag_
    return any("地名" in t.tag_ for t in toks if re.fullmatch(r"[一-龥]+", t.text))
