"""Amounts: numeral values, the seeds, no overlap with dates, the amounts table, and the family contract."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract import amounts, extraction, families
from pipeline.output import export
from pipeline.output.tables import COLUMNS, TableBuilder
from pipeline.prepare import reading
from pipeline.prepare import stage as preparing
from pipeline.records import AlignedText, Amount, Article, ArticleFacts, Extraction, ParsedArticle, Sentence

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
KANJI = "〇一二三四五六七八九"


# ------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    "numeral,value",
    [
        ("1兆2000億", "1200000000000"),
        ("3億5000万", "350000000"),
        ("5万5千", "55000"),
        ("2千万", "20000000"),
        ("5,000億", "500000000000"),
        ("1.5兆", "1500000000000"),
        ("十億", "1000000000"),
        ("二十五", "25"),
        ("二〇〇", "200"),
        ("千", "1000"),
        ("一千", "1000"),
        ("5千5百", "5500"),
        ("1億2345万6789", "123456789"),
        ("0.5", "0.5"),
        ("12000万", "120000000"),
        ("数百億", ""),
        ("十数", ""),
        ("百数十", ""),
        ("10数", ""),
    ],
)
def test_numeral_values(numeral, value):
    assert amounts.plain(amounts.to_value(numeral)) == value


@pytest.mark.parametrize("numeral", ["千2000", "1億12000万", "1万2億", "百千", "5五", "万", "十十"])
def test_malformed_numerals_are_rejected(numeral):
    with pytest.raises(ValueError):
        amounts.to_value(numeral)


def _group(g: int, style: str) -> str:
    """One group below 10,000 as a writer might spell it."""
    if style == "comma":
        return f"{g:,}"
    if style == "mixed" and g % 1000 == 0:
        return f"{g // 1000}千"
    if style != "kanji":
        return str(g)
    out = ""
    for unit, size in (("千", 1000), ("百", 100), ("十", 10)):
        digit = g // size % 10
        out += (KANJI[digit] if digit > 1 else "") + unit if digit else ""
    return out + (KANJI[g % 10] if g % 10 else "")


def japanese(n: int, style: str) -> str:
    """``n`` in Japanese notation: 兆 億 万 between groups of four digits (1兆2000億, 一兆二千億, 1兆2,000億)."""
    groups = [(n // 10**12, "兆"), (n // 10**8 % 10**4, "億"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")]
    return "".join(_group(g, style) + unit for g, unit in groups if g) or "0"


@given(st.integers(min_value=0, max_value=10**16 - 1), st.sampled_from(["arabic", "comma", "kanji", "mixed"]))
def test_every_japanese_numeral_reads_back_as_its_number(n, style):
    assert amounts.plain(amounts.to_value(japanese(n, style))) == str(n)


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=9), st.sampled_from("兆億万"))
def test_decimal_values_are_plain_digits(whole, tenth, big):
    value = amounts.plain(amounts.to_value(f"{whole}.{tenth}{big}"))
    assert value == str(Decimal(f"{whole}.{tenth}") * amounts.BIG_UNITS[big]).split(".")[0]
    assert "e" not in value.lower()


def found(text: str) -> list[tuple[str, str, str, str, bool]]:
    return [(a.text, a.value, a.unit, a.kind, a.approx) for a in amounts.extract_amounts(text, [])]


def test_the_analysts_examples():
    text = (
        "総額1兆円、約5万円、100億ドル、3億5000万円、1兆2000億円、5,000億円、約1.5兆円、2千万ドル、数百億円。"
        "約5万人、5万5千人、米兵約2万人、F35戦闘機105機、護衛艦2隻、ミサイル400発、3個大隊。"
    )
    assert found(text) == [
        ("総額1兆円", "1000000000000", "円", "money", False),
        ("約5万円", "50000", "円", "money", True),
        ("100億ドル", "10000000000", "ドル", "money", False),
        ("3億5000万円", "350000000", "円", "money", False),
        ("1兆2000億円", "1200000000000", "円", "money", False),
        ("5,000億円", "500000000000", "円", "money", False),
        ("約1.5兆円", "1500000000000", "円", "money", True),
        ("2千万ドル", "20000000", "ドル", "money", False),
        ("数百億円", "", "円", "money", True),
        ("約5万人", "50000", "人", "count", True),
        ("5万5千人", "55000", "人", "count", False),
        ("約2万人", "20000", "人", "count", True),
        ("105機", "105", "機", "count", False),
        ("2隻", "2", "隻", "count", False),
        ("400発", "400", "発", "count", False),
        ("3個大隊", "3", "大隊", "count", False),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "5月3日",
        "2026年5月3日",
        "9時50分から約85分間",
        "2026年",
        "10年以上",
        "第2次補正予算",
        "一人ひとり",
        "万一の場合",
        "一時的に",
        "電話03-1234-5678",
        "3.1節",
        "図表III-2-3-1",
        "2人目",
        "1人当たり",
        "同一人物",
        "4つ星指揮官",
        "東京から6,200km",
        "2国間",
        "3日間",
        "2プラス2",
        "T-4後継機",
        "MQ-9",
        "令和7年3月30日9時50分",
    ],
)
def test_not_amounts(text):
    assert found(text) == []


# -------------------------------------------------------------------------- seeds


def _prepared(path: Path) -> Article:
    article = preparing.prepare(reading.InputFile(path, path.name, reading.article_id_for(path.name)))
    assert article.ok, article.error
    return article


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    return {p.stem: _prepared(p) for p in sorted(CORPUS.glob("*.txt"))}


def _parsed(article: Article) -> ParsedArticle:
    """The article as the families see it, without GiNZA: amounts and dates read the clean text only."""
    return ParsedArticle(article.article_id, article.text, article.sentences, docs=None)


def test_seed_amounts_are_the_real_ones(seeds):
    rows = {aid: families.by_name("amounts").extract(_parsed(a), {}, None) for aid, a in seeds.items()}
    got = {aid: [(q.text, q.value, q.unit, q.kind, q.approx) for q in qs] for aid, qs in rows.items() if qs}
    assert got == {
        # 「…太平洋艦隊の4つ星指揮官が日本にいるなかで新たに対中国専用に1人欲しいとなると」
        "000_094383c81a5b748b": [("1人", "1", "人", "count", False)],
        # 「日本には陸海空軍と海兵隊を合わせて5万5千人ほどの米軍がいるものの」
        "001_fa10f9598499b948": [("5万5千人ほど", "55000", "人", "count", True)],
    }
    for aid, qs in rows.items():
        text, sentences = seeds[aid].text, seeds[aid].sentences
        for q in qs:
            assert text[q.start : q.end] == q.text
            s = sentences[q.sentence_index]
            assert s.start <= q.start and q.end <= s.end


def test_no_amount_overlaps_a_date(seeds):
    for article in seeds.values():
        parsed = _parsed(article)
        dates = families.by_name("dates").extract(parsed, {}, None)
        quantities = families.by_name("amounts").extract(parsed, {}, None)
        assert dates
        assert not [(d.text, q.text) for d in dates for q in quantities if d.start < q.end and q.start < d.end]


# -------------------------------------------------------------------------- table


def _table(text: str):
    art = Article(
        "a1",
        "a1.txt",
        "0" * 64,
        "utf-8",
        raw=text,
        clean=AlignedText.identity(text),
        sentences=[Sentence(0, 0, len(text), "body")],
    )
    ex = Extraction("a1", amounts=amounts.extract_amounts(text, art.sentences))
    builder = TableBuilder()
    builder.add_article(art, ArticleFacts())
    builder.add_extraction(art, ex)
    return builder.build().amounts


def test_amounts_table_rows_and_csv():
    df = _table("予算は1兆2000億円、隊員は約5万人。")
    assert list(df.columns) == COLUMNS["amounts"]
    assert df.to_dict("records") == [
        {
            "article_id": "a1",
            "amount_id": "q0001",
            "text": "1兆2000億円",
            "value": "1200000000000",
            "unit": "円",
            "kind": "money",
            "approx": "false",
            "sentence_index": 0,
            "start": 3,
            "end": 11,
            "sentence": "予算は1兆2000億円、隊員は約5万人。",
            "rule": "amount.money",
        },
        {
            "article_id": "a1",
            "amount_id": "q0002",
            "text": "約5万人",
            "value": "50000",
            "unit": "人",
            "kind": "count",
            "approx": "true",
            "sentence_index": 0,
            "start": 15,
            "end": 19,
            "sentence": "予算は1兆2000億円、隊員は約5万人。",
            "rule": "amount.people",
        },
    ]
    csv = export.csv_bytes(df).decode("utf-8-sig")
    assert ",1200000000000,円,money,false," in csv and "e+" not in csv.lower()


def test_amounts_table_is_empty_but_has_its_columns():
    assert list(_table("何もない。").columns) == COLUMNS["amounts"]


# ----------------------------------------------------------------------- contract


def test_amounts_is_a_family_that_reads_the_clean_text_only():
    family = families.by_name("amounts")
    assert family is amounts.FAMILY and families.owner_of("amounts") is family
    assert not family.reads_parse and family.reads == ()


def test_the_runner_passes_amounts_on():
    q = Amount(0, 2, "2隻", "2", "隻", "count", False, 0, "amount.equipment")
    found = {"people": ([], []), "organizations": ([], []), "dates": [], "agreements": [], "amounts": [q], "events": []}
    assert extraction._assemble("a1", found).amounts == [q]


@pytest.mark.parametrize("edited,changes_amounts", [("amounts", True), ("dates", False), ("offices", False)])
def test_only_an_edit_of_amounts_yaml_changes_the_amounts_key(tmp_path, monkeypatch, edited, changes_amounts):
    from pipeline import cache, rulebook

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "pipeline" / "rules", rules)
    monkeypatch.setattr(rulebook, "RULES_DIR", rules)

    def keys() -> dict[str, str]:
        cache.fingerprint.cache_clear()
        return {f.name: extraction.family_fingerprint(f) for f in families.families()}

    before = keys()
    path = rules / f"{edited}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    (data["rules"] if data.get("rules") else data["entries"]).pop()  # a real edit (a comment changes no key)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    after = keys()
    cache.fingerprint.cache_clear()
    changed = [name for name in before if before[name] != after[name]]
    assert ("amounts" in changed) == changes_amounts
    if edited == "amounts":
        assert changed == ["amounts"]
