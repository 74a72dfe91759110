"""Every rule over an article's sentences: overlaps resolved, abbreviations learnt, GiNZA's entities added."""

from __future__ import annotations

from ...records import ParsedArticle
from .abbreviations import learn_abbreviations, learnt_mentions, short_forms, short_mentions
from .clubs import club_cands
from .companies import company_cands
from .credits import credit_cands
from .ginza_signal import ginza_cands
from .known import coordinated_cands, dictionary_cands, force_cands
from .lexicon import PARENT, lookup
from .merging import _drop_unsupported
from .sentence import Cand, Sent
from .suffixes import suffix_cands

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
    return known + suffix_cands(sent, known) + company_cands(sent) + credit_cands(sent) + club_cands(sent)


def _mark_listed_compound(sent: Sent, cand: Cand, known: list[Cand]) -> None:
    """A dictionary name that is itself parent + sub-unit (外務省北米局, 米海軍第7艦隊) also lists the parent."""
    for parent in known:
        if parent.start != cand.start or parent.end >= cand.end or parent.org.key == cand.org.key:
            continue
        rest = lookup(sent.text[parent.end - sent.offset : cand.end - sent.offset])
        if parent.org.kind in ("government", "military") and rest and rest.org.key == cand.org.key.split("@")[0]:
            cand.rule, cand.form, cand.riders = PARENT, "compound", [parent]


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


# ================================================================== candidates of an article


def _sents(parsed: ParsedArticle) -> list[Sent]:
    return [
        Sent.build(s.index, s.start, parsed.text[s.start : s.end], doc)
        for s, doc in zip(parsed.sentences, parsed.docs or [])
    ]


def candidates(parsed: ParsedArticle) -> list[Cand]:
    """Every rule over the article: resolved, abbreviation-linked, GiNZA-completed candidates (riders included)."""
    sents = _sents(parsed)
    chosen = resolve([c for s in sents for c in sentence_cands(s)])
    defined, learnt = learn_abbreviations(sents, chosen)
    chosen = _merge_in(chosen, defined, replace_inside=True)
    chosen = _merge_in(chosen, learnt_mentions(sents, learnt), replace_inside=False)
    chosen = _merge_in(chosen, short_mentions(sents, short_forms(chosen)), replace_inside=False)
    chosen = _merge_in(chosen, ginza_cands(sents), replace_inside=False)
    chosen = _drop_unsupported(chosen, learnt)
    riders = [r for c in chosen for r in c.riders]
    return sorted(chosen + riders, key=lambda c: (c.start, c.end))
