"""Organisations: the seeds against gold (scorer's matching), and focused sentences of our own.

The seeds check F1 under tests/eval/score.py's matching; the sentences below use
institutions and layouts the seeds do not have, so that the rules are judged on
what they generalise to, not on the seeds' answers.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from pipeline import rulebook
from pipeline.extract import organizations

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
SEP = " | "


def _scorer():
    spec = importlib.util.spec_from_file_location("score", ROOT / "tests" / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(entities) -> list[dict]:
    """Entities as organizations.csv rows (the columns the scorer reads)."""
    return [
        {"organization": e.name, "abbreviation": e.abbreviation, "surfaces": SEP.join(e.surfaces)} for e in entities
    ]


def _score(parsed_seeds, aid: str):
    score = _scorer()
    tally = score.Tally()
    gold = json.loads((GOLD / f"{aid}.json").read_text(encoding="utf-8"))["organizations"]
    _, entities = organizations.extract(parsed_seeds[aid])
    score.score_entities(tally, aid, _rows(entities), gold, "organization", ("abbreviation",))
    return tally


@pytest.fixture(scope="module")
def seed_orgs(parsed_seeds):
    return {aid: organizations.extract(p) for aid, p in parsed_seeds.items()}


@pytest.fixture(scope="module")
def parse_one(parse_text):
    def _orgs(text: str) -> dict[str, object]:
        _, entities = organizations.extract(parse_text(text))
        return {e.name: e for e in entities}

    return _orgs


# ------------------------------------------------------------------ seeds vs gold


def test_seed_f1_at_least_090(parsed_seeds):
    score = _scorer()
    total = score.Tally()
    for path in sorted(GOLD.glob("*.json")):
        tally = _score(parsed_seeds, path.stem)
        total.tp, total.fp, total.fn = total.tp + tally.tp, total.fp + tally.fp, total.fn + tally.fn
        total.misses += tally.misses
    p, r, f = total.prf()
    assert f >= 0.9, f"P={p:.3f} R={r:.3f} F1={f:.3f}\n" + "\n".join(total.misses)


@pytest.mark.parametrize("aid", [p.stem for p in sorted(GOLD.glob("*.json"))])
def test_each_seed_f1_at_least_085(parsed_seeds, aid):
    tally = _score(parsed_seeds, aid)
    assert tally.prf()[2] >= 0.85, "\n".join(tally.misses)


def test_mentions_are_clean_text_spans(parsed_seeds, seed_orgs):
    for aid, (mentions, entities) in seed_orgs.items():
        text = parsed_seeds[aid].text
        for m in mentions:
            assert m.label == "ORG" and m.rule.startswith("org.")
            assert text[m.start : m.end] == m.text, (aid, m)
        names = {e.name for e in entities}
        assert all(m.canonical in names for m in mentions)


def test_seed_decided_cases(seed_orgs):
    """NOTES.md: short forms stay canonical, HQ merged, parent + sub-unit both listed, no governments."""
    orgs = {aid[:3]: {e.name: e for e in ents} for aid, (_, ents) in seed_orgs.items()}
    assert orgs["001"]["日経"].abbreviation == "日本経済新聞"
    assert orgs["003"]["統幕"].kind == "military"
    assert "在日米軍司令部" in orgs["001"]["在日米軍"].surfaces
    assert {"防衛省", "北関東防衛局"} <= set(orgs["002"])
    assert "防衛省北関東防衛局" in orgs["002"]["北関東防衛局"].surfaces
    assert {"外務省", "外務省北米局"} <= set(orgs["003"])
    assert orgs["003"]["国家安全保障会議"].country == "US"
    assert orgs["003"]["国家安全保障局"].country == "JP"
    for ents in orgs.values():
        assert not {"日本政府", "バイデン政権", "日米両政府", "米国政府", "日本", "米国", "議会", "作業部会"} & set(
            ents
        )


# ------------------------------------------------------------------ our own sentences


def test_new_institutions_with_kind_and_country(parse_one):
    orgs = parse_one(
        "防衛装備庁は12日、三菱電機と契約した。在韓米軍と第3海兵遠征軍、沖縄防衛局の幹部が出席した。\n"
        "参議院外交防衛委員会で朝日新聞の報道が取り上げられた。中国海警局の船が領海に侵入した。"
    )
    want = {
        "防衛装備庁": ("government", "JP"),
        "三菱電機": ("company", "JP"),
        "在韓米軍": ("military", "US"),
        "第3海兵遠征軍": ("military", "US"),
        "沖縄防衛局": ("government", "JP"),
        "参議院外交防衛委員会": ("legislature", "JP"),
        "朝日新聞": ("media", "JP"),
        "中国海警局": ("government", "CN"),
    }
    for name, (kind, country) in want.items():
        assert name in orgs, (name, list(orgs))
        assert (orgs[name].kind, orgs[name].country) == (kind, country), name
    assert "参議院" not in orgs  # the chamber is part of the committee's name


def test_unseen_names_found_by_patterns(parse_one):
    orgs = parse_one(
        "ロシア連邦保安庁とウクライナ国防省、韓国海軍、ノースロップ社の担当者、陸上自衛隊の第8師団が参加した。"
    )
    assert {"ロシア連邦保安庁", "ウクライナ国防省", "韓国海軍", "ノースロップ", "陸上自衛隊", "第8師団"} <= set(orgs)
    assert orgs["ロシア連邦保安庁"].country == "RU"
    assert orgs["韓国海軍"].country == "KR"


def test_abbreviation_learnt_from_text_and_english_name(parse_one):
    orgs = parse_one(
        "日米は日米サイバー防衛調整センター(JCDC) Joint Cyber Defense Center"
        "を設けた。JCDCは横須賀に置かれ、Joint Cyber Defense Centerと呼ばれる。"
    )
    org = orgs["日米サイバー防衛調整センター"]
    assert org.abbreviation == "JCDC" and org.kind == "mechanism" and org.country == "JP-US"
    assert len(org.mentions) == 5  # name, (JCDC), English; then JCDC and the English name again
    assert len(orgs) == 1


def test_abbreviation_of_known_body_links_bare_uses(parse_one):
    orgs = parse_one("防衛装備庁(ATLA)は入札を公示した。ATLAによると、応札は3社だった。")
    assert list(orgs) == ["防衛装備庁"] and len(orgs["防衛装備庁"].mentions) == 3


def test_headquarters_and_surface_forms_merge(parse_one):
    orgs = parse_one(
        "在日アメリカ軍と在日米軍司令部、アメリカ軍と米軍、インド太平洋軍司令部とインド太平洋軍。"
        "国防総省と米国防省、ペンタゴン。"
    )
    assert set(orgs) == {"在日米軍", "米軍", "インド太平洋軍", "国防総省"}
    assert orgs["在日米軍"].surfaces == ["在日アメリカ軍", "在日米軍司令部"]


def test_company_short_name_merges_into_its_full_name(parse_one):
    orgs = parse_one(
        "トヨタ自動車とパナソニックホールディングスは5日、電池事業で提携した。"
        "トヨタの山田社長は会見で述べた。パナソニックの幹部も同席した。"
    )
    assert {"トヨタ自動車", "パナソニックホールディングス"} <= set(orgs)
    assert "トヨタ" not in orgs and "パナソニック" not in orgs
    assert "トヨタ" in orgs["トヨタ自動車"].surfaces


def test_parent_and_subunit_both_listed(parse_one):
    orgs = parse_one("防衛省沖縄防衛局と外務省アジア大洋州局長、防衛政策局戦略企画課が調整した。")
    assert {"防衛省", "沖縄防衛局", "外務省", "外務省アジア大洋州局", "防衛政策局"} <= set(orgs)
    assert "防衛省沖縄防衛局" in orgs["沖縄防衛局"].surfaces
    assert any(name.endswith("戦略企画課") for name in orgs)


def test_role_titles_still_name_their_org(parse_one):
    orgs = parse_one("在韓米軍司令官とインド太平洋軍司令官、統合幕僚長が会談した。")
    assert {"在韓米軍", "インド太平洋軍"} <= set(orgs)
    assert "統合幕僚監部" not in orgs


def test_short_form_alone_stays_canonical(parse_one):
    orgs = parse_one("川重と海自は協議した。産経によると、統幕も加わる。")
    assert orgs["川重"].abbreviation == "川崎重工業"
    assert orgs["海自"].abbreviation == "海上自衛隊"
    assert orgs["統幕"].abbreviation == "統合幕僚監部"
    assert orgs["産経"].kind == "media"


def test_non_organisations(parse_one):
    orgs = parse_one(
        "日本政府と米国政府、日米両政府、トランプ政権は日米首脳会談と防衛相会談、2+2の閣僚会合に先立ち、"
        "沖縄の普天間飛行場と嘉手納基地について協議した。議会と空軍、海軍、陸軍、海兵隊、作業部会、"
        "司令部、防衛当局、関係省庁、統合任務部隊、方面軍は一般名詞だ。国家防衛戦略、日米地位協定、"
        "ガイドライン、パトリオット、F35、キーン・ソード25、マンスフィールドプログラムも対象外。"
    )
    assert set(orgs) == {"日米安全保障協議委員会"} or set(orgs) == {"2+2"}, list(orgs)


def test_two_country_names_follow_the_side(parse_one):
    orgs = parse_one("日本側 国家安全保障局、外務省\n米側 国家安全保障会議、国務省")
    assert orgs["国家安全保障局"].country == "JP"
    assert orgs["国家安全保障会議"].country == "US"


def test_ambiguous_short_code_needs_support(parse_one):
    assert "日米合同委員会" not in parse_one("JCの会合に出た。")
    assert "日米合同委員会" in parse_one("日米合同委員会(JC)を開いた。JCは月2回開く。")


def test_other_pairs_2plus2_are_not_the_japan_us_one(parse_one):
    orgs = parse_one("日豪「2+2」と日英2+2、日比外務・防衛担当閣僚協議が相次いで開かれた。")
    assert "日米安全保障協議委員会" not in orgs and not any("2+2" in n for n in orgs), list(orgs)
    assert "日米2プラス2" in parse_one("日米2プラス2は来月に開く。")


def test_country_prefix_merges_only_the_same_country(parse_one):
    orgs = parse_one("中国外務省は外務省に抗議した。米統合軍司令部と統合軍司令部は同じだ。")
    assert {"中国外務省", "外務省", "統合軍司令部"} == set(orgs)
    assert orgs["統合軍司令部"].surfaces == ["米統合軍司令部", "統合軍司令部"]


def test_a_bare_foreign_ministry_is_the_one_named_with_its_country(parse_one):
    orgs = parse_one("ロシア国防省は3日、声明を出した。国防省によると、演習は5日まで続く。")
    assert set(orgs) == {"ロシア国防省"}, list(orgs)
    assert orgs["ロシア国防省"].surfaces == ["ロシア国防省", "国防省"]
    orgs = parse_one("国防省によると、演習は5日まで続く。")  # no country named: the dictionary's own
    assert orgs["国防省"].country == "US", list(orgs)
    orgs = parse_one("英国防省と豪国防省は3日、声明を出した。国防省によると、演習は5日まで続く。")
    assert {"英国防省", "豪国防省", "国防省"} == set(orgs), list(orgs)  # two named: which one is not known


def test_a_short_form_longer_than_the_alias_written_names_the_body(parse_one):
    orgs = parse_one("自民と維新が合意した。自民党と日本維新の会は30日、政策合意書に署名した。")
    assert orgs["自民党"].abbreviation == "自民", list(orgs)


def test_canonical_is_the_name_written_inside_a_longer_form(parse_one):
    orgs = parse_one("米紙ワシントン・ポストによると、米国防総省が承認した。")
    assert {"ワシントン・ポスト", "国防総省"} == set(orgs)


def test_ginza_signal_keeps_org_shaped_names_only(parse_one):
    orgs = parse_one("笹川平和財団と日本国際問題研究所が報告書をまとめた。与党と野党、各社が反応した。")
    assert "日本国際問題研究所" in orgs
    assert not {"与党", "野党", "各社"} & set(orgs)


def test_generic_suffix_compounds_are_not_orgs(parse_one):
    orgs = parse_one(
        "機甲師団と歩兵連隊、前線司令部が展開した。調査委員会と県議会、防衛局の職員、"
        "中央省庁、府省庁、本省、同局、担当課も関与した。"
    )
    assert orgs == {}, list(orgs)


def test_dictionary_entries_are_well_formed():
    kinds = {"government", "military", "legislature", "media", "company", "international", "mechanism", "other"}
    entries = rulebook.load("institutions").entries
    assert len(entries) > 200
    for entry in entries:
        assert entry["kind"] in kinds, entry
        assert isinstance(entry.get("country", ""), str), entry


def test_example_reports_only_the_rule(nlp):
    found = organizations.example("org.hq_merge", "在韓米軍司令部と防衛省が協議した。", nlp, None)
    assert found == [
        {
            "text": "在韓米軍司令部",
            "organization": "在韓米軍",
            "abbreviation": "USFK",
            "kind": "military",
            "country": "US",
        }
    ]


def test_a_building_used_as_a_place_is_not_the_body(parse_one):
    assert parse_one("首相はホワイトハウスで会見し、翌日ペンタゴンを訪れた。") == {}
    acting = parse_one("ホワイトハウスは声明を出し、ペンタゴンも声明で反論した。")
    assert {"ホワイトハウス", "ペンタゴン"} <= set(acting), list(acting)


def test_ginza_organisations_are_kept_unless_a_counter_rule_rejects_them(parse_one):
    orgs = parse_one(
        "トヨタ自動車とソフトバンクは新会社を設立する。米国の国防予算と議会、空軍、作業部会について議論した。"
    )
    assert {"トヨタ自動車", "ソフトバンク"} <= set(orgs), list(orgs)
    assert not {"議会", "空軍", "作業部会", "米国の国防"} & set(orgs), list(orgs)


def test_a_defined_company_code_is_the_company_later(parse_one):
    orgs = parse_one("サンプル半導体製造（SSM）は新工場を建てる。\nSSMの社長が会見した。")
    assert set(orgs) == {"サンプル半導体製造"}, list(orgs)
    assert orgs["サンプル半導体製造"].abbreviation == "SSM"
    assert len(orgs["サンプル半導体製造"].mentions) == 3


def test_a_credit_and_the_agency_in_the_text_are_one_body(parse_one):
    orgs = parse_one("【ワシントン共同】米国務省は5日、声明を出した。共同通信の取材に答えた。")
    assert orgs["共同通信"].kind == "media"
    assert len(orgs["共同通信"].mentions) == 2
