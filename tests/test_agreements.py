"""Agreements family: the seeds against gold (with the scorer's matching), articles written for
these tests (other meetings and phrasings), and the invariants of every row."""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import GOLD, ROOT

from pipeline.extract import agreements, dates, extraction, organizations, people
from pipeline.extract.agreements import matching
from pipeline.records import Agreement

CLASSES = {"一致", "合意", "確認", "署名", "締結", "申し合わせ", "表明", "発表", "歓迎", "設置", "決定", "コミット"}
STATUSES = {"concluded", "planned", "reported", "expected"}


def _scorer():
    spec = importlib.util.spec_from_file_location("score", ROOT / "tests" / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORE = _scorer()


def _rows(found: list[Agreement]) -> list[dict]:
    return [{"predicate": a.predicate, "content": a.content, "status": a.status, "date": a.date} for a in found]


def _score(results: dict[str, list[Agreement]]):
    tally = SCORE.Tally()
    for aid, found in results.items():
        gold = json.loads((GOLD / f"{aid}.json").read_text(encoding="utf-8"))["agreements"]
        SCORE.score_agreements(tally, aid, _rows(found), gold)
    return tally


@pytest.fixture(scope="module")
def seed_agreements(parsed_seeds) -> dict[str, list[Agreement]]:
    """The agreements the full extraction (people, organisations, dates, then agreements) finds."""
    return {aid: extraction.extract(p).agreements for aid, p in parsed_seeds.items()}


# ---------------------------------------------------------------- seeds against gold


def test_seeds_match_gold(seed_agreements):
    tally = _score(seed_agreements)
    p, r, f = tally.prf()
    assert f >= 0.9, (p, r, tally.misses)
    assert tally.extra["status_ok"] / tally.tp >= 0.9, tally.misses
    assert tally.extra["date_ok"] / tally.tp >= 0.9, tally.misses


@pytest.mark.parametrize(
    "aid",
    [
        "000_094383c81a5b748b",
        "001_fa10f9598499b948",
        "002_2df9f73afa102803",
        "003_51addea5501824ae",
        "004_02232067b5b04c88",
    ],
)
def test_each_seed_finds_its_gold(seed_agreements, aid):
    tally = _score({aid: seed_agreements[aid]})
    assert tally.fn <= 1 and tally.fp <= 1, tally.misses


def test_full_run_scores_like_the_parse(seed_run):
    """Through the runner the docs come from the parse cache with a blank Vocab (no LOWER, no
    is_punct): the rules must read only what a DocBin keeps."""
    tables = seed_run[2]
    tally = SCORE.Tally()
    for aid, rows in tables.agreements.groupby("article_id"):
        gold = json.loads((GOLD / f"{aid}.json").read_text(encoding="utf-8"))["agreements"]
        SCORE.score_agreements(tally, aid, rows.to_dict("records"), gold)
    assert tally.prf()[2] >= 0.9, tally.misses


def test_rows_do_not_depend_on_people_or_organisations(parsed_seeds):
    """Without the NER families (両閣僚 unresolved) the rows are still found."""
    results = {}
    for aid, p in parsed_seeds.items():
        found = dates.extract_dates(p.text, p.sentences, p.published)
        results[aid] = agreements.extract(p, [], [], found)
    _, _, f = _score(results).prf()
    assert f >= 0.8


def test_seed_decisions_from_notes(seed_agreements):
    """The judgment calls in gold/NOTES.md."""
    rows = seed_agreements
    assert not [a for a in rows["000_094383c81a5b748b"] if a.predicate == "締結"]  # 1960年に締結した相互防衛条約
    assert not [a for a in rows["004_02232067b5b04c88"] if "支持" in a.content]  # 強い支持を表明
    setups = [a for a in rows["003_51addea5501824ae"] if a.predicate == "設置"]
    assert sorted(a.date for a in setups) == ["2015", "2015", "2024-09"]  # 作業部会を設置し…で一致 is the 一致 row
    nhk = [a for a in rows["004_02232067b5b04c88"] if "見直す" in a.content]
    assert nhk and nhk[0].date == "2023-01-13" and nhk[0].predicate == "確認"
    quoted = [a for a in rows["000_094383c81a5b748b"] if a.status == "reported"]
    assert len(quoted) == 1 and quoted[0].date == "XXXX-04-10"


# ---------------------------------------------------------------- invariants


def test_every_row_is_well_formed(parsed_seeds, seed_agreements):
    for aid, found in seed_agreements.items():
        parsed = parsed_seeds[aid]
        for a in found:
            s = parsed.sentences[a.sentence_index]
            assert a.predicate in CLASSES and a.status in STATUSES, a
            assert a.sentence == parsed.text[s.start : s.end]
            assert s.start <= a.start < s.end and s.section == "body", a
            assert a.content and (a.content in a.sentence or a.rule == "agreement.elided_object"), a
            assert a.content in parsed.text


def test_rule_ids_and_parties_are_recorded(seed_agreements):
    ids = {r.id for r in agreements.config().predicates}
    for found in seed_agreements.values():
        assert all(a.rule in ids for a in found)
    mod = [a for a in seed_agreements["004_02232067b5b04c88"] if "装備・技術協力を加速" in a.content]
    assert mod and len(mod[0].parties) == 2


# ---------------------------------------------------------------- articles written for these tests


def _extract(parse_text, text: str, published: str | None = None) -> list[Agreement]:
    parsed = parse_text(text, published)
    found = dates.extract_dates(parsed.text, parsed.sentences, published)
    return agreements.extract(parsed, people.extract(parsed)[1], [], found)


def _one(found: list[Agreement], predicate: str, word: str) -> Agreement:
    hits = [a for a in found if a.predicate == predicate and word in a.content]
    assert len(hits) == 1, [(a.predicate, a.content) for a in found]
    return hits[0]


AUSTRALIA = """日豪防衛相会談 共同訓練の拡大で一致
木原防衛大臣は5日、来日したオーストラリアのマールズ国防大臣と防衛省で会談した。
両大臣は、日豪の円滑化協定に基づく共同訓練を拡大していくことで一致した。
また、両大臣は、防衛装備品の共同開発に関する取決めに署名した。
木原大臣は、「地域の平和と安定に貢献する」と述べた。
両大臣は、来年の日豪2+2で具体策を発表する見通しだ。
"""


def test_defence_ministers_meeting_in_another_pair(parse_text):
    found = _extract(parse_text, AUSTRALIA, "2024-09-06")
    assert len(found) == 4
    headline = _one(found, "一致", "共同訓練の拡大")
    assert headline.date == "2024-09-05" and headline.status == "concluded"
    icchi = _one(found, "一致", "円滑化協定")
    assert icchi.event == "日豪防衛相会談" and icchi.date == "2024-09-05"
    sign = _one(found, "署名", "取決め")
    assert sign.instrument == "取決め" and sign.status == "concluded"
    announce = _one(found, "発表", "具体策")
    assert announce.status == "expected" and announce.event == "日豪2+2"


PREVIEW = (
    "日米両政府は、来月開く外務・防衛担当閣僚協議(2プラス2)で、在日米軍の指揮統制の見直しを確認する方向で調整している。\n"
    "関係者によると、両政府は共同声明に新たな協力分野を盛り込むことで合意する見込みだ。\n"
    "政府関係者によると、両政府は次期戦闘機の共同開発に合意する。\n"
    "日本政府は、米国の新たな国防戦略を歓迎する。\n"
)


def test_hedged_and_sourced_preview_of_a_2plus2(parse_text):
    found = _extract(parse_text, PREVIEW, "2024-06-01")
    assert {a.predicate for a in found} == {"確認", "合意"}  # 日本政府 welcoming alone is no agreement
    check = _one(found, "確認", "指揮統制の見直し")
    assert check.status == "expected" and check.event == "日米安全保障協議委員会(2+2)"
    assert check.parties == ("日本", "米国")
    assert _one(found, "合意", "盛り込む").status == "expected"  # a hedge beats the source
    assert _one(found, "合意", "次期戦闘機").status == "reported"


SUMMIT = """岸田首相とバイデン大統領は10日、ホワイトハウスで日米首脳会談を行った。
両首脳は、自衛隊と米軍の指揮統制の枠組みを向上させることで一致した。
両首脳は、防衛装備品の共同開発・生産を進めることを申し合わせた。
また、両首脳は、日米豪比の協力の進展を歓迎した。
会談後、両首脳は共同声明を発表した。
両首脳は地域情勢についても意見交換を行った。
"""


def test_summit_rows_share_the_meeting_date(parse_text):
    found = _extract(parse_text, SUMMIT, "2024-04-11")
    assert [a.predicate for a in found] == ["一致", "申し合わせ", "歓迎", "発表"]
    assert {a.date for a in found} == {"2024-04-10"}
    assert {a.event for a in found} == {"日米首脳会談"}
    assert _one(found, "発表", "共同声明").instrument == "共同声明"
    assert all(a.status == "concluded" for a in found)


def test_2plus2_held_and_coordinated_statements(parse_text):
    text = (
        "日米両政府は28日、東京都内で外務・防衛担当閣僚協議(2プラス2)を開き、在日米軍を統合軍司令部に改編することで合意した。\n"
        "両閣僚は、同盟の抑止力を強化する取組を実行することで合意し、取組の実施に向けて協議を継続することを確認した。\n"
    )
    found = _extract(parse_text, text, "2024-07-29")
    first = _one(found, "合意", "統合軍司令部に改編")
    assert first.content == "在日米軍を統合軍司令部に改編する" and first.date == "2024-07-28"
    assert _one(found, "合意", "取組を実行").status == "concluded"
    assert _one(found, "確認", "協議を継続").content == "取組の実施に向けて協議を継続する"


def test_the_date_the_predicate_governs_beats_one_inside_another_phrase(parse_text):
    text = (
        "甲国の山田外相は3日、乙国の外相と会談した。両外相が会うのは5月の会合以来で、同年2月には共同声明を発表している。\n"
        "両国は10日、2035年までに排出を半減させることで合意した。\n"
    )
    found = _extract(parse_text, text, "2031-06-12")
    assert _one(found, "発表", "共同声明").date == "2031-02"
    assert _one(found, "合意", "排出を半減").date == "2031-06-10"  # not the 2035 inside what was agreed


def test_a_statement_takes_the_date_of_the_meeting_it_names_among_several(parse_text):
    text = (
        "両国は3日に外相会談を、5日に防衛相会談を開いた。"
        "外相会談では海洋協力の強化で一致し、防衛相会談では共同訓練の拡大を確認した。\n"
    )
    found = _extract(parse_text, text, "2034-01-18")
    assert _one(found, "一致", "海洋協力").date == "2034-01-03"
    assert _one(found, "確認", "共同訓練").date == "2034-01-05"  # the 防衛相会談's day, not the first 会談's


@pytest.mark.parametrize(
    "text",
    [
        "日米が2015年に合意したガイドラインに基づき、協力が進められている。",
        "防衛省は、新たに宇宙作戦群を設置した。",
        "両国は具体的な合意には至らなかった。",
        "日米両政府は、年内に共同計画を策定することとしている。",
        "両閣僚は、地域情勢について率直な意見交換を行った。",
        "両閣僚は、一層厳しい安全保障環境に関する認識を共有した。",
        "日米は次期練習機を共同開発する方向で調整を進めている。",
        "米国防長官は、日本の防衛費増額への強い支持を表明した。",
        "日米が共同開発で合意すれば、生産は2030年に始まる。",
        "同盟調整メカニズムの設置",
    ],
)
def test_no_agreement(parse_text, text):
    assert _extract(parse_text, text) == []


def test_comments_are_not_agreements(parse_text):
    text = (
        "日米両政府は、次期練習機の共同開発で合意した。\n"
        "この記事へのコメント\n"
        "日米は指揮統制の見直しで一致したらしいね。\n"
    )
    found = _extract(parse_text, text)
    assert [a.predicate for a in found] == ["合意"]


def test_example_reports_what_a_rule_did(nlp):
    rows = agreements.example(
        "agreement.koto_de_icchi", "両閣僚は、装備・技術協力を加速させることで一致した。", nlp, None
    )
    assert rows and rows[0]["predicate"] == "一致" and rows[0]["content"] == "装備・技術協力を加速させる"
    assert set(rows[0]) >= {"predicate", "status", "content", "date", "parties", "instrument", "event"}
    dropped = agreements.example(
        "agreement.exclude_relative_clause", "日米は、両国が通商協定に署名した経緯を説明した。", nlp, None
    )
    assert [r["predicate"] for r in dropped] == ["署名"]


# ---------------------------------------------------------------- the pattern memo


def _with_memo(parsed, memo: agreements.Memo) -> list[Agreement]:
    found = dates.extract_dates(parsed.text, parsed.sentences, parsed.published)
    return agreements.extract(parsed, people.extract(parsed)[1], organizations.extract(parsed)[1], found, memo)


def test_the_next_run_takes_every_match_from_the_memo(parsed_seeds, seed_agreements, monkeypatch):
    """A memo filled by one run gives the next one the same rows without a DependencyMatcher."""
    memos = {}
    for aid, parsed in parsed_seeds.items():
        memos[aid] = agreements.Memo()
        assert _with_memo(parsed, memos[aid]) == seed_agreements[aid] and memos[aid].changed

    def no_matching(*_):
        raise AssertionError("matched again")

    monkeypatch.setattr(matching, "_matcher", no_matching)
    for aid, parsed in parsed_seeds.items():
        memo = agreements.Memo(memos[aid])  # as the next run loads it
        assert _with_memo(parsed, memo) == seed_agreements[aid] and not memo.changed


def test_after_an_edit_only_new_patterns_are_matched_and_removed_ones_forgotten(parsed_seeds, monkeypatch):
    parsed = parsed_seeds["004_02232067b5b04c88"]
    matching._screen_ids(parsed.docs[0].vocab)  # built once per vocabulary, with every pattern
    memo = agreements.Memo()
    expected = _with_memo(parsed, memo)
    # As if the pattern with the most matches had just been written, and another one deleted.
    new = max(memo, key=lambda digest: sum(map(len, memo[digest].values())))
    memo = agreements.Memo({d: m for d, m in memo.items() if d != new} | {"a deleted pattern": {0: [(0, 1)]}})
    matched: set[str] = set()
    real = matching._matcher
    monkeypatch.setattr(matching, "_matcher", lambda vocab, keys: matched.update(keys) or real(vocab, keys))
    assert _with_memo(parsed, memo) == expected
    assert matched == {p.key for p in matching._pattern_table() if p.digest == new}
    assert new in memo and "a deleted pattern" not in memo and memo.changed


def test_no_model_load_at_import():
    import subprocess
    import sys

    code = "import sys, pipeline.extract.agreements; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
