"""What a statement with nothing of its own to state points back to: the news lede or the sentence before
(an elided object), else the talks it came out of, else its own words before the predicate."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...records import ParsedArticle
from .rulefile import config
from .setting import SPEAKER_LABEL
from .spans import _after_topic
from .syntax import _leftmost

if TYPE_CHECKING:
    from .candidates import Cand


def _antecedent(parsed: ParsedArticle, index: int) -> str:
    """Content of an elided object: the news lede (…ことがわかった) or the previous sentence."""
    lede = re.compile(config().s["antecedent_lede"])
    section = parsed.sentences[index].section
    back = [s for s in parsed.sentences[max(0, index - 6) : index] if s.section == section]
    for s in reversed(back):
        m = lede.search(parsed.text[s.start : s.end])
        if m:
            return m.group("content").strip("、 ")
    # else the sentence before, in the same paragraph (a new bullet or paragraph does not point back),
    # passing over a line that only names the source (複数の関係者が明らかにした。)
    source = re.compile(config().s["antecedent_skip"])
    same = [s for s in back if s.paragraph == parsed.sentences[index].paragraph]
    same = [s for s in same if not source.match(parsed.text[s.start : s.end].strip())]
    if not same:
        return ""
    before = parsed.text[same[-1].start : same[-1].end].rstrip("。")
    label = SPEAKER_LABEL.match(before)  # 答:昨日、…: a transcript's speaker is no content
    return before[label.end() :] if label else before


def _talks_topic(c: Cand) -> str:
    """With nothing before it to point back to, the talks the statement came out of when they name their
    subject (両政府は14日、関税協議で合意した → 関税協議): what was agreed on, as far as the text says."""
    talks = config().s["talks_nouns"]
    for t in c.pred.children:
        if t.dep_ == "obl" and t.lemma_ in talks and any(ch.dep_ == "compound" for ch in t.children):
            return t.doc[_leftmost(t) : t.i + 1].text
    return ""


def _words_before(c: Cand) -> str:
    """The sentence's words between the topic and the predicate, when nothing else names what was agreed (a
    parse broken by a typo, …の必要性ににつき一致しました, hangs them on no word the rules read)."""
    doc = c.pred.doc
    start = _after_topic(doc, c.pred.i)
    end = c.pred.i
    while end > start and (doc[end - 1].pos_ in ("ADP", "PUNCT", "AUX", "SCONJ") or doc[end - 1].dep_ == "fixed"):
        end -= 1
    while start < end and doc[start].pos_ == "PUNCT":
        start += 1
    return doc[start:end].text if end > start else ""
