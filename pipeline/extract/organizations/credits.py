"""org.media_credit: a credit names the source organisation (【ワシントン共同】, （時事）, Copyright …)."""

from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import Org, _rule, display, lookup, norm
from .sentence import Cand, Sent

CREDIT = "org.media_credit"


@lru_cache(maxsize=1)
def _credit_regexes() -> tuple[re.Pattern, re.Pattern]:
    """(a bracketed credit with its dateline place, one credit inside it), from the rule's credit forms."""
    forms = sorted(_rule(CREDIT).get("credits", {}), key=len, reverse=True)
    one = "|".join(map(re.escape, forms))
    bracket = re.compile(rf"[(【]\s*(?:[^\s()【】、。=]{{1,12}}?\s?=?\s?)?(?:{one})(?:[=・]?(?:{one}))*\s*[)】]")
    return bracket, re.compile(one)


def _at_edge(sent: Sent, s: int, e: int) -> bool:
    """A credit stands at the start of a sentence (【…共同】 dateline) or ends it (…した。（時事）)."""
    return not sent.text[:s].strip() or not sent.text[e:].strip(" 。\n")


def _credit_org(surface: str) -> Org | None:
    name = _rule(CREDIT).get("credits", {}).get(surface, surface)
    alias = lookup(name)
    return alias.org if alias else None


def _footer_org(name: str) -> Org | None:
    """The holder of a copyright footer: a known body, else a publisher named by a media ending."""
    alias = lookup(name)
    if alias:
        return alias.org
    if re.search(_rule(CREDIT).get("media_ending", "$^"), name):
        return Org(f"pat:{norm(name)}", display(name), "media", "")
    return None


def credit_cands(sent: Sent) -> list[Cand]:
    rule = _rule(CREDIT)
    priority = rule.get("priority", 1)
    bracket, one = _credit_regexes()
    out = []
    for m in bracket.finditer(sent.text):
        if not _at_edge(sent, m.start(), m.end()):
            continue
        inner_start = m.start() + 1
        credits = list(one.finditer(sent.text, inner_start, m.end() - 1))
        for c in credits[-2:]:  # （AFP時事）: two agencies; a longer run is not a credit line
            org = _credit_org(c.group())
            if org is not None and c.start() > inner_start - 1 and _clean_edges(sent.text, c.start(), c.end()):
                out.append(sent.cand(c.start(), c.end(), org, CREDIT, "credit", priority))
    for m in re.finditer(rule.get("footer", "$^"), sent.text):
        org = _footer_org(m.group("name").strip())
        if org is not None:
            out.append(
                sent.cand(
                    m.start("name"), m.start("name") + len(m.group("name").strip()), org, CREDIT, "credit", priority
                )
            )
    return out


def _clean_edges(text: str, s: int, e: int) -> bool:
    """The credit is the end of the bracket's words (not ロイター inside ロイターズ…): Latin must not touch letters."""
    return not (text[e : e + 1].isascii() and text[e : e + 1].isalnum()) and not (
        s > 0 and text[s - 1].isascii() and text[s - 1].isalpha() and text[s].isascii()
    )
