"""Dates: every example of rules/dates.yaml, the five seeds against the gold, and the mechanics.

``pytest tests/test_dates.py -k date.era_ymd`` runs one rule's examples.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rulebook
from pipeline.extract import dates
from pipeline.prepare.cleaning import clean, segment

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "gold"
SEEDS = sorted(p.stem for p in CORPUS.glob("*.txt"))

RULES = rulebook.load("dates").rules
# Every rule's examples and counterexamples run in tests/test_rule_examples.py (pytest -k <rule id>).


def test_every_rule_has_examples_both_ways_and_a_resolver():
    compiled, _ = dates.load_rules()
    assert {r.id for r in compiled} == {r.id for r in RULES}
    for r in compiled:
        assert r.rule.examples and r.rule.counterexamples, r.id
        assert r.stage == "published" or r.resolve in dates.RESOLVERS, r.id


# ----------------------------------------------------------------- the seeds


def prepared(article_id: str) -> tuple[str, list]:
    """A seed as the date rules see it in a run: cleaned and split by the prepare stage."""
    text, _ = clean((CORPUS / f"{article_id}.txt").read_text(encoding="utf-8"))
    return text.text, segment(text.text)


def gold(article_id: str) -> dict:
    return json.loads((GOLD / f"{article_id}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("article_id", SEEDS)
def test_seed_dates_match_gold(article_id):
    text, sentences = prepared(article_id)
    want = gold(article_id)
    found = dates.find_published(text, sentences)
    assert (found[0] if found else None) == want["published"], found
    mentions = dates.extract_dates(text, sentences, found[0] if found else None)
    values = {d.value for d in mentions if d.kind != "time"}
    assert values == set(want["dates"]), (sorted(values - set(want["dates"])), sorted(set(want["dates"]) - values))
    for d in mentions:
        assert text[d.start : d.end] == d.text
        assert d.kind == dates.kind_of(d.value)
        assert d.anchor in ("explicit", "published", "context", "unresolved")
    assert [d.start for d in mentions] == sorted(d.start for d in mentions)


@pytest.mark.parametrize(
    "header, want",
    [
        ("2026年5月3日 20時12分 (最終更新 2026年5月4日 8時00分)", ("2026-05-03", "date.published_dateline")),
        ("配信 2026年5月3日 20:12\n更新 2026年5月4日 8:00", ("2026-05-03", "date.published_label")),
        ("最終更新日時:2026/05/04 08:00", ("2026-05-04", "date.published_label")),  # an update is all it says
    ],
)
def test_an_update_date_is_the_articles_only_when_nothing_else_dates_it(header, want):
    """The article was published before it was updated: a date labelled as an update (dates.yaml
    ``update_label``) is taken only when no published rule finds another date."""
    text = f"日加、防衛協力で一致\n{header}\n両政府は3日、防衛協力の強化で合意した。"
    assert dates.find_published(text) == want


def test_seed_published_rule_ids():
    ids = {}
    for a in SEEDS:
        text, sentences = prepared(a)
        found = dates.find_published(text, sentences)
        ids[a[:3]] = found[1] if found else None
    assert ids == {
        "000": None,
        "001": "date.published_reprint",
        "002": "date.published_letterhead",
        "003": None,
        "004": "date.published_reprint",
    }


def test_sentence_index_and_offsets():
    text = "会談は13日に行われた。\n同日、共同声明を発表した。"
    sents = segment(text)
    found = dates.extract_dates(text, sents, "2023-01-13")
    assert [(d.text, d.value, d.sentence_index, d.anchor) for d in found] == [
        ("13日", "2023-01-13", 0, "published"),
        ("同日", "2023-01-13", 1, "context"),
    ]


# ----------------------------------------------------------- a few unseen-style articles

NEW_ARTICLES = [
    (
        "【ワシントン=共同】中谷元・防衛相は10日(日本時間11日)、ヘグセス国防長官と会談した。"
        "両氏は昨年7月の2プラス2で確認した統合軍司令部への改編について、来年3月末までに完了させる方針で一致した。"
        "会談は午前9時から約1時間行われた。",
        "2025-04-11",
        {"2025-04-10", "2025-04-11", "2024-07", "2026-03"},
    ),
    (
        "防衛省は令和6年12月27日、令和7年度予算案を発表した。同月20日には安保3文書の改定方針を決めている。"
        "2027年度までの5年間で総額43兆円を確保する。1990年代以降で最大の伸びとなる。",
        None,
        {"2024-12-27", "FY2025", "2024-12-20", "FY2027"},
    ),
    (
        "二〇二三年十一月十五日、日米両政府は共同声明を出した。翌年四月には首脳会談が開かれ、"
        "同月10日に共同声明が発表された。詳細はhttps://www.mofa.go.jp/files/2024/04/10/a.pdf を参照。",
        None,
        {"2023-11-15", "2024-04", "2024-04-10"},
    ),
    (
        "本日、防衛大臣は記者会見で、先月の日米協議について説明した。今年度中に結論を出す。"
        "1日あたり3回の訓練を19時間にわたり行った。",
        "2024-02-15",
        {"2024-02-15", "2024-01", "FY2023"},
    ),
]


@pytest.mark.parametrize("text,published,want", NEW_ARTICLES, ids=[f"new{i}" for i in range(len(NEW_ARTICLES))])
def test_unseen_style_articles(text, published, want):
    found = dates.extract_dates(text, segment(text), published)
    assert {d.value for d in found if d.kind != "time"} == want, [(d.text, d.value) for d in found]


def test_no_dates_from_urls_figures_footnotes_and_quantities():
    text = (
        "https://www3.nhk.or.jp/news/html/20230113/k10013948441000.html\n"
        "図表 II -2-3-1 に示す構成\n平成28年熊本地震1や令和6年能登半島地震2、\n"
        "5万5千人ほどの米軍、10年以上積み上げてきた議論、19時間も時差がある、約85分間、60 years\n"
        "1 日米防衛協力\n3日米同盟の抑止力"
    )
    found = dates.extract_dates(text, segment(text), None)
    assert [(d.text, d.value) for d in found] == [("平成28年", "2016"), ("令和6年", "2024")]


def test_relative_without_anchor_gives_nothing_or_x():
    text = "現在、いま、当時の状況。昨日付け読売新聞。ことしは転換の年。25日に会談。同日、発表。"
    found = dates.extract_dates(text, segment(text), None)
    assert [(d.text, d.value, d.anchor) for d in found] == [
        ("25日", "XXXX-XX-25", "unresolved"),
        ("同日", "XXXX-XX-25", "context"),
    ]


def test_kanji_numbers():
    assert [dates.to_int(s) for s in ["元", "二〇二四", "十二", "二十五", "三十一", "十", "二千二十四", "７"]] == [
        1,
        2024,
        12,
        25,
        31,
        10,
        2024,
        7,
    ]


ALPHABET = list("0123456789 年月日度末同翌前本今昨来先ことしきょう令和平成元十二〇三時分間、。\n-./〜()年度") + [
    "令和",
    "平成",
    "同年",
    "同月",
    "同日",
    "ことし",
    "昨年",
    "先月",
    "きょう",
    "日米",
    "http://a.jp/2023/01/13",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(ALPHABET), max_size=40),
    st.sampled_from([None, "2023-01-13", "2024-02-29", "2025-12-31", "2024-07"]),
)
def test_never_crashes_and_spans_are_consistent(parts, published):
    text = "".join(parts)
    found = dates.extract_dates(text, segment(text), published)
    ends = -1
    for d in found:
        assert text[d.start : d.end] == d.text and d.start >= ends
        ends = d.end
        assert re.fullmatch(
            r"(?:\d{4}|XXXX)(?:-(?:\d{2}|XX)(?:-\d{2})?)?|\d{4}-W\d{2}|FY\d{4}|T\d{2}:\d{2}", d.value
        ), d
    dates.find_published(text, [])


def test_a_date_in_a_related_articles_list_is_no_anchor():
    text = (
        "日米、防衛装備の共同生産で合意\n日米両政府はミサイルの共同生産で合意した。\n"
        "【関連記事】\n日豪、防衛協力の強化で一致(2025年3月1日)\n両政府は同日、声明を出した。"
    )
    found = dates.extract_dates(text, segment(text), None)
    # The listed date is still a date of the text (the guideline counts every date); 同日 cannot lean on it.
    assert [(d.text, d.value) for d in found] == [("2025年3月1日", "2025-03-01")]
