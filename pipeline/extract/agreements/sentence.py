"""One sentence: its candidates matched, excluded, given content, parties, event, date and status."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...records import ParsedArticle
from .antecedent import _antecedent, _talks_topic, _words_before
from .candidates import Cand, _headline_phrase_matches, _predicate_candidates
from .context import Context
from .dating import _announced, _fill_event_date, _told_by_report
from .decisions import _absorb, _apply_pattern_excludes, _exclude_inside_content, _section_rule, _status
from .events import SentInfo, _token_at
from .matching import _matches
from .parties import PartySpan, _marker, _subject, coordinated, pair_of
from .rulefile import config
from .setting import BULLETS, Frames
from .spans import _content_span
from .syntax import _chain_end, _is_headline, _leftmost, _own_clause, _scope, _text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def _sentence_cands(parsed: ParsedArticle, i: int, ctx: Context) -> tuple[list[Cand], list[PartySpan]]:
    s, info = parsed.sentences[i], ctx.article.info[i]
    doc = info.doc
    found = _matches(doc, i, ctx.article.memo) | _headline_phrase_matches(doc)
    frames = set(config().s["time_frames"])  # a date mention's last word or a time frame is never what was agreed
    when = frozenset([t.i for _d, t in info.dates] + [t.i for t in doc if t.lemma_ in frames or t.text in frames])
    # what sets a statement (its dates, time frames, meetings, where it is written or said), once a sentence
    setting = when | {e[4].i for e in info.events} | _document_settings(doc)
    cands = _predicate_candidates(i, doc, found, when)
    section = _section_rule(s, info.text)
    for c in cands:
        c.excluded_by = section
    _apply_pattern_excludes(cands, found)
    _absorb(cands)
    for c in cands:
        c.span = _content_span(c, _frames(info, cands, c, setting))
    _exclude_inside_content(cands, config().s["inside_content_rule"])
    for c in cands:
        _fill(c, cands, parsed, ctx, found)
    _outside_unilateral_hosts(cands, info, ctx)
    whole = (0, len(info.text))
    subject = [] if section else _subject(info.parties, info.text, whole, len(info.text), None)
    return cands, subject


def _outside_unilateral_hosts(cands: list[Cand], info: SentInfo, ctx: Context) -> None:
    """A statement found inside one side's announcement (球団は、…投手と契約を結んだと発表した) is no part of a
    row: it stands on its own, if it is joint."""
    inside, unilateral = config().s["inside_content_rule"], config().s["unilateral_rule"]
    for c in cands:
        host = c.inside_of
        if c.excluded_by == inside and host is not None and host.excluded_by == unilateral:
            c.excluded_by = "" if _joint_enough(c, info, ctx) else unilateral


def _frames(info: SentInfo, cands: list[Cand], c: Cand, setting: frozenset[int]) -> Frames:
    parties = {t.i for t in info.doc for p in info.parties if p.start <= t.idx < p.end}
    preds = {o.pred.i for o in cands if o is not c and o.pred.i not in {a.i for a in c.absorbed}}
    return Frames(frozenset(parties), setting, frozenset(preds))


def _fill(c: Cand, cands: list[Cand], parsed: ParsedArticle, ctx: Context, found: dict) -> None:
    """Content text, parties, event, date, instrument and status of one candidate."""
    info = ctx.article.info[c.index]
    c.content = info.text[c.span[0] : c.span[1]] if c.span else ""
    if not c.content.strip() and c.mode != "headline":
        c.content = _antecedent(parsed, c.index) or _talks_topic(c) or _words_before(c)
    if CATAPHORA.fullmatch(c.content.strip()):
        c.content = _items_after(parsed, c.index) or c.content  # 以下の点で一致した。1. … 2. …: the items
    if c.mode == "headline" and not c.content.strip() and _after_manner_word(c):
        c.excluded_by = c.excluded_by or config().s["document_title_rule"]
    _fill_parties(c, info, ctx)
    _take_matter_topic(c, info)
    _take_leading_subject(c, info, ctx)
    _take_leading_partner(c, info, ctx)
    _take_action_partner(c, info, ctx)
    _take_dependent_partner(c, info, ctx)
    _take_quote_partner(c, cands, info)
    if c.excluded_by and c.joint and config().by_id(c.excluded_by).get("unless_joint"):
        c.excluded_by = ""  # 両首長は…を住民に約束した: made together, a joint pledge
    if not c.excluded_by and not _joint_enough(c, info, ctx):
        c.excluded_by = config().s["unilateral_rule"]
    own = _own_clause(c, cands)
    _fill_event_date(c, info, ctx, own, cands)
    c.instrument = _instrument(c.content)
    after = parsed.sentences[c.index + 1] if c.index + 1 < len(parsed.sentences) else None
    next_text = parsed.text[after.start : after.end] if after is not None else ""
    c.status, c.status_rule = _status(c, found, parsed.published, next_text)


def _take_quote_partner(c: Cand, cands: list[Cand], info: SentInfo) -> None:
    """A statement with no party of its own after another in the same quote (「…長官とは…で一致しました。…を確認
    しました」) is the same speakers'."""
    if c.parties and c.inherited is None:
        return
    scope = _scope(c.pred)
    if scope == (0, len(info.text)):
        return
    before = [o for o in cands if o.pred.i < c.pred.i and o.parties and o.inherited is None and _scope(o.pred) == scope]
    if before:
        # told in one breath after an agreement kept (一致 takes two), the statement is as joint as it
        last = before[-1]
        c.parties, c.joint, c.explicit, c.inherited = last.parties, last.joint or not last.excluded_by, True, None


def _take_leading_subject(c: Cand, info: SentInfo, ctx: Context) -> None:
    """A が-marked party opening the content is the statement's subject, not part of what was agreed: with
    no subject of its own, the statement's parties (日米両政府が新協定を結ぶことで合意したことが分かった); with
    one, a joint name restating it (会談では、両首脳が、…連携していくことで一致した) — another party's が
    (…北朝鮮が…を放棄することを求める) stays in the content. Told by a reporting verb (首相は、両国が…で一致
    したと述べた), the が-subject is the statement's parties, and the topic only who tells it."""
    if not c.span or c.cls not in config().s["coordinate_classes"]:
        return
    lead = next((p for p in info.parties if p.start == c.span[0] and _marker(info.text, p) in ("が", "で")), None)
    mark = _marker(info.text, lead) if lead is not None else ""
    told = lead is not None and (_told_by_report(c, info) or _announced(c, info))
    # 日米で…ことを確認した, 外相は「日韓で…ことで一致した」と述べた: the pair acting together (で is only ever a
    # pair's, a group's or a joint name's, never a place: _marker) names both sides, where one speaker stood
    by_pair = mark == "で" and not c.joint
    if lead is None or c.parties and not told and not by_pair and lead.kind not in ("joint", "joint_countries"):
        return
    if not c.parties or told or by_pair:
        c.parties, c.joint = ctx.resolve([lead])
        c.explicit = True
    between = re.match(r"の間で(?:は|も)?", info.text[lead.end :])
    start = lead.end + between.end() if between else info.text.index(mark, lead.end) + 1
    while start < c.span[1] and info.text[start] in "、, 　":
        start += 1
    # …両政府が先週、…: a date set off after the subject is the statement's (its setting), not what was agreed
    offset = ctx.article.parsed.sentences[c.index].start
    date = next((d for d, _t in info.dates if d.start - offset == start), None)
    if date is not None and info.text[date.end - offset : date.end - offset + 1] in ("、", ","):
        start = date.end - offset + 1
    c.span = (start, c.span[1])
    c.content = info.text[start : c.span[1]]


def _take_matter_topic(c: Cand, info: SentInfo) -> None:
    """A topic naming what is agreed about (次回の会談は11月に東京で開くことで一致した: ``not_agents``) opens the
    content of a clause agreed (こと, 旨); it names no party."""
    if not c.span or c.node is None or c.node.lemma_ not in config().s["complements"]:
        return
    for head in (c.pred, c.anchor, _chain_end(c.anchor)):
        for child in head.children:
            if (
                child.dep_ in ("nsubj", "dislocated")
                and child.lemma_ in config().s["not_agents"]
                and any(t.dep_ == "case" and t.text == "は" for t in child.children)
                and child.idx < c.span[0]
            ):
                start = info.doc[_leftmost(child)].idx
                if "。" not in info.text[start : c.span[0]]:
                    c.span = (start, c.span[1])
                    c.content = info.text[start : c.span[1]]
                return


def _take_leading_partner(c: Cand, info: SentInfo, ctx: Context) -> None:
    """A partner the parser hung inside the content (政府は、米国と…を強化することで合意した): a と-marked party
    opening the content of an agreement that has its subject is a party, not part of what was agreed —
    unless another party follows it (米国と中国の対立を…: two parties of the content)."""
    if not (c.span and c.parties and c.explicit) or c.cls not in config().s["coordinate_classes"]:
        return
    lead = next((p for p in info.parties if p.start == c.span[0] and _marker(info.text, p) == "と"), None)
    if lead is None:
        return
    start = info.text.index("と", lead.end) + 1
    start += info.text[start : start + 1] in ("、", ",")
    if any(p.start == start for p in info.parties) or start >= c.span[1]:
        return
    names, _joint = ctx.resolve([lead])
    c.parties, c.joint = tuple(dict.fromkeys(c.parties + names)), True
    c.span = (start, c.span[1])
    c.content = info.text[start : c.span[1]]


def _take_action_partner(c: Cand, info: SentInfo, ctx: Context) -> None:
    """The partner of a joint action told inside the content (…はボルタリス社と電池の開発で提携すると発表した):
    a party, as the one announcing is."""
    if not (c.span and c.parties) or c.joint:
        return
    actions = tuple(config().s["joint_actions"])
    lo, hi = c.span
    for p in info.parties:
        if lo <= p.start and p.end <= hi and _marker(info.text, p) == "と":
            rest = info.text[p.end : hi]
            if any(a in rest for a in actions):
                names, _joint = ctx.resolve([p])
                c.parties, c.joint = tuple(dict.fromkeys(c.parties + names)), True
                return


def _take_dependent_partner(c: Cand, info: SentInfo, ctx: Context) -> None:
    """A と-marked party the predicate itself governs (政府は、…ことを米側と確認した; 日本政府は米国と、…を確認した):
    the other side of the statement."""
    # only for what two do (not an announcement: 球団は…投手と契約を結んだと発表した is the club's alone)
    if not c.parties or c.joint or c.cls not in config().s["coordinate_classes"]:
        return
    heads = {c.pred.i}
    for p in info.parties:
        if _marker(info.text, p) != "と" or c.span and c.span[0] <= p.start < c.span[1]:
            continue
        tok = _token_at(info.doc, p.end - 1)
        while tok is not None and tok.dep_ in ("compound", "nmod", "flat") and tok.head.i != tok.i:
            tok = tok.head
        if tok is not None and tok.dep_ == "obl" and tok.head.i in heads:
            names, _joint = ctx.resolve([p])
            c.parties, c.joint = tuple(dict.fromkeys(c.parties + names)), True
            return


def _own_subject(c: Cand, info: SentInfo) -> list[PartySpan]:
    """A party the parse makes the predicate's own が-subject (…は記者会見で、日米が…で合意したことを明らかにした):
    it beats the topic of the sentence, which is whoever reports the agreement."""
    for head in (c.pred, c.anchor):
        for child in head.children:
            if child.dep_ == "nsubj" and any(t.text == "が" and t.dep_ == "case" for t in child.children):
                spans = [p for p in info.parties if p.start <= child.idx < p.end]
                if spans and (not c.span or spans[0].end <= c.span[0]):
                    return coordinated(info.parties, info.text, spans[0])
    return []


def _fill_parties(c: Cand, info: SentInfo, ctx: Context) -> None:
    """The predicate's own が-subject; the subject before the predicate; else the pair of the meeting it
    names (日米2+2で確認し); else whoever the parse says is the subject (防衛省は…); else the last subject."""
    spans = _own_subject(c, info) or _subject(
        info.parties, info.text, _scope(c.anchor), c.anchor.idx, c.span, True, reported=_told_by_report(c, info)
    )
    lo = _scope(c.pred)[0]
    if spans and lo > 0 and all(_marker(info.text, s) == "と" for s in spans):
        # 篠宮氏は「長官とは、…で一致しました」: the partner named in the quote, and its speaker
        spans = _subject(info.parties, info.text, (0, lo), lo, None) + spans
    if spans and all(_marker(info.text, s) == "と" for s in spans) and ctx.topic and ctx.meeting_people:
        names = tuple(dict.fromkeys(ctx.meeting_people + ctx.resolve(spans)[0]))  # the speaker's side too
        c.parties, c.joint, c.explicit = names, len(names) >= 2, True
        return
    if spans:
        c.parties, c.joint = ctx.resolve(spans)
        c.explicit = True
        c.speaker = all(_marker(info.text, s) == "から" for s in spans)
        return
    own = {t.i for t in c.pred.subtree}
    pairs = [pair_of(e[3]) for e in info.events if e[4].i in own and e[4].i not in c.ids]
    if any(pairs):
        c.parties, c.joint = next(p for p in pairs if p), True
        return
    stated = _parsed_subject(c)
    if stated:
        c.parties, c.joint, c.explicit = stated, len(stated) >= 2, True
    elif ctx.last_parties:
        c.parties, c.joint, c.inherited = ctx.last_parties
    elif ctx.topic and len(ctx.meeting_people) >= 2:  # no agent stated, inside a meeting's report
        c.parties, c.joint = ctx.meeting_people, True
    elif ctx.topic and pair_of(ctx.topic[1]) and (c.mode != "headline" or info.text.startswith(BULLETS)):
        # …日豪防衛相会談の成果は。…で一致しました / ▽…で合意: the meeting's pair (not for a title, which stands alone)
        c.parties, c.joint = pair_of(ctx.topic[1]), True


def _parsed_subject(c: Cand) -> tuple[str, ...]:
    """A は/が-marked subject of the predicate that is no known party (防衛省は, 在日米軍が); with none, that of
    the verb reporting it (東西電鉄と南北バスは…で合意したと発表した: who announced is who agreed)."""
    end = _chain_end(c.anchor)
    heads = [c.pred, c.anchor, end]
    if end.dep_ in ("advcl", "ccomp") and any(t.dep_ == "case" and t.text == "と" for t in end.children):
        heads.append(end.head)
    for head in heads:
        for child in head.children:
            cases = {t.text for t in child.children if t.dep_ == "case"}
            if (
                child.dep_ in ("nsubj", "dislocated")
                and cases & {"は", "が"}
                and child.pos_ in ("NOUN", "PROPN", "PRON")  # not 最終的には, an adverbial the parser made a subject
                and child.i not in c.ids
                and (c.node is None or child.i != c.node.i)
                and child.i not in (c.pred.i, c.anchor.i)  # …で合意が成立した: the statement is no party to itself
                and child.lemma_ not in config().s["not_agents"]
            ):  # a passive's subject is its content
                return _coordinated_names(child.doc[_leftmost(child) : child.i + 1])
    return ()


def _coordinated_names(phrase: Span) -> tuple[str, ...]:
    """The names of a subject phrase, split at a coordinating と (東西電鉄と南北バス: two parties); in a headline
    from its last comma on (衆院選後の連立協議、自民と維新が: the phrase before is no name)."""
    headline = _is_headline(phrase.doc)
    commas = [t.i for t in phrase if headline and t.text in ("、", ",") and t.i < phrase.end - 1]
    names, start = [], (commas[-1] + 1 if commas else phrase.start)
    for t in phrase.doc[start : phrase.end]:
        if t.text == "と" and t.dep_ == "case" and t.i > start:
            names.append(phrase.doc[start : t.i].text.strip())
            start = t.i + 1
    names.append(phrase.doc[start : phrase.end].text.strip())
    return tuple(n for n in names if n)


JOINT_LEVELS = ("none", "loose", "together", "strict")


def _joint_enough(c: Cand, info: SentInfo, ctx: Context) -> bool:
    """Agreements are joint: two parties, a joint subject, or a meeting they happen at."""
    relaxed = config().by_id(c.rule).get("joint")
    levels = (config().s["joint"].get(c.cls, "loose"),) + ((relaxed,) if relaxed else ())
    level = min(levels, key=JOINT_LEVELS.index)  # a rule may relax its class's level, never tighten it
    if level == "none" or c.joint:
        return True
    if c.speaker and len(c.parties) == 1:  # 山田大臣から、…を歓迎した: one side speaking, even at a meeting
        return False
    if level in ("together", "strict") and c.explicit and len(c.parties) <= 1:
        # …側は会談で、…を歓迎した: one side's welcome; 党は議員総会を開き、…を決定した: one party's decision —
        # at a meeting or not
        return False
    covered = c.ids
    events_here = [e for e in info.events if e[4].i not in covered]
    own = {t.i for t in c.pred.subtree} | {t.i for t in c.anchor.subtree} | _shared_subject(c.anchor)
    if any(e[4].i in own for e in events_here):
        return True
    # A single stated party (日本政府は…を歓迎する) needs the meeting in its own clause.
    return level in ("loose", "together") and not c.explicit and bool(events_here or ctx.topic)


def _document_settings(doc: Doc) -> set[int]:
    """Joint documents named as where something is written (声明では、 / 共同文書において) and the venues where
    it was said (共同記者会見で、): the setting."""
    documents = set(config().s["joint_documents"])
    venues = set(config().s["statement_venues"])
    text = _text(doc)
    return {
        t.i
        for t in doc
        if t.lemma_ in documents
        and text[t.idx + len(t) :].startswith(("では", "において", "には"))
        or t.lemma_ in venues
        and text[t.idx + len(t) :].startswith(("で", "において"))
    }


CATAPHORA = re.compile(r"(?:以下|次|下記)の(?:\d+|[一二三四五六七八九十]+)?(?:点|事項|内容|項目)")
LIST_ITEM = re.compile(rf"^(?:[{''.join(BULLETS)}]|[(（]?\d{{1,2}}[)）.．、\s]|[①-⑳])")
MAX_ITEMS = 12


def _items_after(parsed: ParsedArticle, index: int) -> str:
    """The list items right after a sentence that points to them (以下の点で一致した), joined with ／."""
    items = []
    for s in parsed.sentences[index + 1 : index + 1 + MAX_ITEMS]:
        line = parsed.text[s.start : s.end]
        if not LIST_ITEM.match(line):
            break
        items.append(LIST_ITEM.sub("", line).strip())
    return "／".join(items)


def _after_manner_word(c: Cand) -> bool:
    """The predicate follows a word of how it was done (共同発表): with nothing before, a document's name."""
    return c.pred.i > 0 and c.pred.doc[c.pred.i - 1].lemma_ in config().s["manner_words"]


def _shared_subject(tok: Token) -> set[int]:
    """The subject a te-form clause shares with the clause it is chained to (会議は…を採択して閉幕した)."""
    if tok.dep_ not in ("advcl", "conj") or any(t.dep_ in ("nsubj", "dislocated") for t in tok.children):
        return set()
    return {t.i for child in tok.head.children if child.dep_ in ("nsubj", "dislocated") for t in child.subtree}


def _instrument(content: str) -> str:
    found: list[tuple[int, int, str]] = []
    for name in sorted(config().s["instruments"], key=len, reverse=True):
        for m in re.finditer(re.escape(name), content):
            if not any(a < m.end() and m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), config().s["instruments"][name]))
    return " | ".join(dict.fromkeys(n for _, _, n in sorted(found)))
