"""De-duplication: repeated blocks inside an article, near-duplicate articles across the corpus."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.prepare.dedup import ArticleIndex, dedup_blocks
from pipeline.records import AlignedText, Removal

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
A004 = "004_02232067b5b04c88"
LEDE_NHK = "アメリカを訪れている浜田防衛大臣は、オースティン国防長官と会談し、"
LEDE_MOD = "浜田防衛大臣は、オースティン国防長官と会談し、"


def raw_of(name: str) -> str:
    return next(CORPUS.glob(f"{name}*.txt")).read_text(encoding="utf-8")


def run(raw: str, article_id: str = "a") -> tuple[str, list[Removal]]:
    kept, removals = dedup_blocks(article_id, AlignedText.identity(raw))
    assert list(kept.origin) == [i for i, _ in enumerate(raw) if not any(r.start <= i < r.end for r in removals)]
    return kept.text, removals


def cut(raw: str, removals: list[Removal]) -> str:
    out, pos = [], 0
    for r in sorted(removals, key=lambda r: r.start):
        out.append(raw[pos : r.start])
        pos = r.end
    return "".join(out) + raw[pos:]


def key(line: str) -> str:
    return re.sub(r"\s+", "", line)


def check_invariants(raw: str, kept: str, removals: list[Removal]) -> None:
    spans = sorted((r.start, r.end) for r in removals)
    assert all(0 <= s < e <= len(raw) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "removals overlap"
    assert sum(r.chars for r in removals) == len(raw) - len(kept)
    assert kept == cut(raw, removals)
    for r in removals:
        assert r.kind in ("exact_block", "near_block")
        of = int(r.duplicate_of.split(":")[1])
        assert of < r.start and not any(q.start <= of < q.end for q in removals), "kept copy must survive"


# ---------------------------------------------------------------- 004


@pytest.fixture(scope="module")
def a004():
    raw = raw_of(A004)
    kept, removals = run(raw, A004)
    return raw, kept, removals


def test_004_no_long_line_twice(a004):
    _, kept, _ = a004
    long_keys = [key(line) for line in kept.splitlines() if len(key(line)) >= 30]
    assert len(long_keys) == len(set(long_keys))


def test_004_one_copy_of_story_and_summary(a004):
    raw, kept, _ = a004
    for marker in (
        "2023年1月13日のNHKニュースより転載",
        "令和5年1月12日16時",
        "浜田防衛相 “反撃能力を行使する目標",
        "[日米防衛相会談] 1月12日",
        "https://www3.nhk.or.jp/news/html/20230113/k10013948441000.html",
        "(了)」",
        "参考リンク",
    ):
        assert raw.count(marker) >= 2 and kept.count(marker) == 1, marker
    assert kept.endswith("\nこの記事へのコメント")


def test_004_first_copies_kept(a004):
    raw, kept, removals = a004
    title = raw.splitlines(keepends=True)[0]
    lede_start = raw.index("\n" + LEDE_MOD) + 1
    lede_end = raw.index("\n", lede_start) + 1
    links = raw.index("参考リンク\n") + len("参考リンク\n")  # the first 参考リンク repeats the summary's header + URL
    comments = raw.index("この記事へのコメント")
    assert raw.startswith(title * 2)
    assert kept == title + raw[2 * len(title) : lede_start] + raw[lede_end:links] + raw[comments:]
    for r in removals:
        assert r.duplicate_of.startswith(f"{A004}:")


def test_004_near_duplicate_lede(a004):
    raw, kept, removals = a004
    near = [r for r in removals if r.kind == "near_block"]
    assert len(near) == 1
    assert raw[near[0].start : near[0].end].startswith(LEDE_MOD) and raw[near[0].start - 1] == "\n"
    assert int(near[0].duplicate_of.split(":")[1]) == raw.index(LEDE_NHK)
    assert LEDE_NHK in kept and f"\n{LEDE_MOD}" not in kept


def test_004_repeated_block_is_one_removal(a004):
    raw, _, removals = a004
    exact = [r for r in removals if r.kind == "exact_block"]
    second_story = raw.index("浜田防衛相 米国防長官と会談", raw.index("浜田防衛相 米国防長官と会談") + 1)
    big = [r for r in exact if r.start == second_story]
    assert len(big) == 1 and big[0].end == raw.index("この記事へのコメント")
    assert big[0].duplicate_of == f"{A004}:{raw.index('浜田防衛相 米国防長官と会談')}"
    assert any(raw[r.start : r.end] == raw.splitlines(keepends=True)[1] for r in exact)  # title line


def test_004_every_distinct_sentence_kept(a004):
    raw, kept, _ = a004

    def sentences(t: str) -> set[str]:
        return {s for line in t.splitlines() for s in re.split(r"(?<=。)", line) if s.strip()}

    lost = sentences(raw) - sentences(kept)
    assert len(lost) == 1 and next(iter(lost)).startswith(LEDE_MOD)  # the near-duplicate lede


def test_004_invariants(a004):
    check_invariants(*a004)


# ---------------------------------------------------------------- other seeds


@pytest.mark.parametrize("name", ["000", "001", "002", "003"])
def test_other_seeds_remove_only_real_repeats(name):
    raw = raw_of(name)
    kept, removals = run(raw, name)
    check_invariants(raw, kept, removals)
    kept_keys = {key(line) for line in kept.splitlines()}
    for r in removals:
        assert r.kind == "exact_block"
        for line in raw[r.start : r.end].splitlines():
            assert not key(line) or key(line) in kept_keys
    if name == "002":
        header = "在日米軍の統合軍司令部へのアップグレードの開始について"
        assert len(removals) == 3 and all(key(raw[r.start : r.end]) == header for r in removals)
        assert kept.count(header) == 1 and "防 衛 省" in kept
    else:
        assert removals == []


# ---------------------------------------------------------------- small cases

STORY = [
    "浜田防衛大臣は記者団に対し日米間の議論について述べた。",
    "記",
    "1",
    "両閣僚は同盟の抑止力を強化することで一致した。",
    "(了)",
]


def test_repasted_story_disappears_whole_and_markers_stay_elsewhere():
    raw = (
        "\n".join(
            ["タイトル行です、ここは一度だけ", *STORY, "1", "別の話題についての段落がここに来る。", *STORY, "おわり"]
        )
        + "\n"
    )
    kept, removals = run(raw)
    check_invariants(raw, kept, removals)
    assert (
        kept
        == "\n".join(["タイトル行です、ここは一度だけ", *STORY, "1", "別の話題についての段落がここに来る。", "おわり"])
        + "\n"
    )
    assert len(removals) == 1 and removals[0].duplicate_of == f"a:{raw.index(STORY[0])}"


def test_marker_after_a_single_repeated_line_stays():
    head = "在日米軍の統合軍司令部について"
    raw = "\n".join([head, "1", "最初の一覧の項目はこちらです。", head, "1", "二つ目の一覧の項目はこちらです。"])
    kept, _ = run(raw)
    assert kept == "\n".join([head, "1", "最初の一覧の項目はこちらです。", "1", "二つ目の一覧の項目はこちらです。"])


def test_short_lines_alone_survive():
    raw = "1\n記\n1\n(了)\n記\n" + "これは長めの行ですけれども重複しない。\n" + "1\n(了)\n"
    kept, removals = run(raw)
    assert kept == raw and removals == []


def test_short_tail_of_a_run_at_end_goes_with_it():
    raw = "\n".join([*STORY, "間に挟まる別の長い行がここにある。", *STORY])
    kept, _ = run(raw)
    assert kept == "\n".join([*STORY, "間に挟まる別の長い行がここにある。"]) + "\n"


def test_blank_lines_do_not_pile_up():
    a, b, c = "第一の段落はここにある文章です。", "第二の段落はここにある文章です。", "第三の段落はまた別の文章です。"
    raw = f"{a}\n\n{b}\n\n{a}\n\n{c}\n"
    kept, removals = run(raw)
    assert kept == f"{a}\n\n{b}\n\n{c}\n"
    assert removals == [Removal(raw.index(a, 1), raw.index(c), "exact_block", "a:0")]


def test_whitespace_only_differences_are_exact():
    raw = "在日米軍の統合軍司令部について\n本文の行です、長さは十分。\n在日米軍の 統合軍 司令部について  \n"
    kept, removals = run(raw)
    assert kept == "在日米軍の統合軍司令部について\n本文の行です、長さは十分。\n"
    assert [r.kind for r in removals] == ["exact_block"]


def test_near_needs_length_and_similarity():
    short_a, short_b = "日米は協議で一致した。", "日米は協議で合意した。"
    long_a = "両閣僚は、同盟の抑止力・対処力にとって技術的優位性の確保が死活的に重要であるとの認識に立った。"
    other = "オースティン国防長官は、日本に対する核を含めた米国の拡大抑止のコミットメントは揺るぎないと述べた。"
    raw = "\n".join([short_a, long_a, other, short_b, "両閣僚は、" + long_a[5:].replace("立った", "立ち、一致した")])
    kept, removals = run(raw)
    check_invariants(raw, kept, removals)
    assert short_b in kept and other in kept
    assert [r.kind for r in removals] == ["near_block"] and removals[0].duplicate_of == f"a:{raw.index(long_a)}"


def test_raw_offsets_follow_the_alignment():
    # a cleaner dropped 5 raw characters (markup) in front of every line
    lines = [
        "最初の行は十分な長さがあります。",
        "二番目の行も十分な長さがあります。",
        "最初の行は十分な長さがあります。",
    ]
    text, origin, raw_pos = "", [], 0
    for line in lines:
        raw_pos += 5
        for ch in line + "\n":
            text += ch
            origin.append(raw_pos)
            raw_pos += 1
    kept, removals = dedup_blocks("x", AlignedText(text, origin))
    assert kept.text == "".join(line + "\n" for line in lines[:2])
    assert list(kept.origin) == origin[: len(kept.text)]
    third = origin[len(kept.text)]
    assert removals == [Removal(third, third + len(lines[2]) + 1, "exact_block", "x:5")]


def test_empty_and_blank_texts():
    for raw in ("", "\n", "\n\n  \n", "x", "同じ行です同じ行です", "\x00" * 40 + "\n" + "\x00" * 39 + "a"):
        kept, removals = run(raw)
        assert kept == raw and removals == []


def test_large_article_is_handled():
    rng = random.Random(7)
    words = [raw_of(n) for n in ("000", "001", "003")]
    pool = [s for t in words for s in re.split(r"(?<=。)|\n", t) if len(s) > 12]
    lines: list[str] = []
    size = 0
    while size < 1_000_000:
        r = rng.random()
        if r < 0.2 and lines:
            lines.append(rng.choice(lines))
        elif r < 0.3:
            lines.append(rng.choice(["1", "記", "(了)", ""]))
        else:
            lines.append(f"{len(lines)}: {rng.choice(pool)}{rng.choice(pool)}")
        size += len(lines[-1]) + 1
    raw = "\n".join(lines)
    kept, removals = dedup_blocks("big", AlignedText.identity(raw))  # speed is measured by `make bench`
    assert len(kept) + sum(r.chars for r in removals) == len(raw)


# ---------------------------------------------------------------- property

line_st = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def texts(draw) -> str:
    pool = draw(st.lists(line_st, min_size=1, max_size=8))
    picks = draw(st.lists(st.sampled_from(pool), max_size=30))
    sep = draw(st.sampled_from(["\n", "\n\n", "\r\n"]))
    return sep.join(picks) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts(), st.text()))
def test_property_any_text(raw):
    kept, removals = dedup_blocks("p", AlignedText.identity(raw))
    check_invariants(raw, kept.text, removals)
    assert all(0 <= r.start < len(raw) for r in removals)
    # nothing long and repeated survives twice
    long_keys = [key(line) for line in kept.text.split("\n") if len(key(line)) >= 8]
    assert len(long_keys) == len(set(long_keys))


# ---------------------------------------------------------------- articles


def edited(text: str) -> str:
    sentences = text.split("。")
    for i in (3, 9, 15):
        sentences[i] = "この文は編集で差し替えられた新しい内容である"
    return "【転載】読者の皆様へ\n" + "。".join(sentences)


def test_article_index_detects_edited_repost():
    idx = ArticleIndex()
    for name in ("000", "001", "002", "003"):
        assert idx.check_and_add(name, raw_of(name)) == ""
    assert idx.check_and_add("003b", edited(raw_of("003"))) == "003"
    assert idx.check_and_add("004", raw_of("004")) == ""
    assert idx.check_and_add("004b", "  " + raw_of("004").replace("\n", "\n\n")) == "004"


def test_article_index_order_matters():
    idx = ArticleIndex()
    assert idx.check_and_add("late", edited(raw_of("001"))) == ""
    assert idx.check_and_add("early", raw_of("001")) == "late"
    assert idx.check_and_add("again", raw_of("001")) == "late"  # duplicates are not indexed: the first stays


def test_article_index_short_and_empty_texts():
    idx = ArticleIndex()
    assert idx.check_and_add("e", "") == ""
    assert idx.check_and_add("e2", " \n ") == ""
    assert idx.check_and_add("s", "日米") == ""
    assert idx.check_and_add("s2", "日米") == "s"
    assert idx.check_and_add("s3", "米日") == ""
    assert idx.check_and_add("s", "日米") == ""  # its own id is not its duplicate


def test_article_index_is_deterministic():
    a, b = ArticleIndex(), ArticleIndex()
    text = raw_of("002")
    assert list(a.signature(text)) == list(b.signature(text))


def test_lsh_bands_are_datasketchs_optimum_and_agree_with_its_index():
    """The banding here is datasketch's MinHashLSH with its own parameters: same verdict on every article."""
    from datasketch import MinHash, MinHashLSH
    from datasketch.lsh import _optimal_param

    from pipeline.prepare import dedup

    assert _optimal_param(dedup.THRESHOLD, dedup.NUM_PERM, 0.1, 0.9) == (dedup.BANDS, dedup.ROWS)
    texts = {name: raw_of(name) for name in ("000", "001", "002", "003", "004")}
    texts |= {"003b": edited(raw_of("003")), "004b": "  " + raw_of("004").replace("\n", "\n\n")}
    sigs = {name: dedup.signature(text) for name, text in texts.items()}
    ours, theirs = ArticleIndex(), MinHashLSH(threshold=dedup.THRESHOLD, num_perm=dedup.NUM_PERM, weights=(0.1, 0.9))
    verdicts = []
    for name, sig in sigs.items():
        mh = MinHash(num_perm=dedup.NUM_PERM, hashvalues=sig, scheme="affine32")
        near = [
            c for c in theirs.query(mh) if MinHash(hashvalues=sigs[c], scheme="affine32").jaccard(mh) >= dedup.THRESHOLD
        ]
        if not near:
            theirs.insert(name, mh)
        verdicts.append((ours.check_and_add(name, texts[name], sig) != "", bool(near)))
    assert all(a == b for a, b in verdicts) and sum(a for a, _ in verdicts) == 2, verdicts


# ---------------------------------------------------------------- updated re-posts keep their new blocks

STORY_LINES = [
    "日英外相会談、港湾協力で一致",
    "山田外相は3日、来日したスミス英外相と外務省で会談し、港湾の共同利用を進めることで一致した。",
    "両外相は、インド太平洋地域での共同訓練を拡大することも確認した。",
    "会談の冒頭、山田氏は「英国は重要なパートナーだ」と述べた。",
]
ADDENDUM = "【追記】両外相は同日夕、重要鉱物の供給網を強化するための新たな作業部会を設置することで合意した。"


def _article(article_id: str, text: str):
    from pipeline.records import Article

    article = Article(article_id, f"{article_id}.txt", "", raw=text, clean=AlignedText.identity(text))
    return article


def test_an_update_keeps_only_its_new_blocks():
    from pipeline.prepare.reposts import new_blocks

    earlier = _article("a", "\n".join(STORY_LINES) + "\n")
    # the lede re-worded (a near copy), the rest verbatim, one new paragraph
    later_lines = [*STORY_LINES[:1], STORY_LINES[1].replace("一致した", "一致しました"), *STORY_LINES[2:], ADDENDUM]
    later = _article("b", "\n".join(later_lines) + "\n")
    kept, removals = new_blocks(later, earlier)
    assert kept.text == ADDENDUM + "\n"
    assert [(r.kind, r.duplicate_of) for r in removals] == [("exact_block", "a:0")]
    assert later.raw[removals[0].start : removals[0].end].startswith(STORY_LINES[0])


def test_a_repost_with_nothing_new_is_dropped_whole():
    from pipeline.prepare.reposts import keep_new_blocks

    earlier = _article("a", "\n".join(STORY_LINES) + "\n")
    later = _article("b", "\n".join(STORY_LINES) + "\n(了)\n")
    later.duplicate_of = "a"
    assert keep_new_blocks(later, earlier) is False
    assert [(r.kind, r.duplicate_of) for r in later.removals] == [("article", "a:0")]


def test_an_updated_repost_reaches_the_tables(tmp_path):
    from pipeline.engine.runner import run_with_stats

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = raw_of("002")  # a long article: the addendum is a small part of the update
    (corpus / "a.txt").write_text(body, encoding="utf-8")
    (corpus / "b.txt").write_text(body.rstrip("\n") + "\n" + ADDENDUM + "\n", encoding="utf-8")
    tables, stats = run_with_stats(corpus, tmp_path / "out", jobs=1, cache_dir=tmp_path / "cache", progress=False)
    assert stats.near_duplicates == 1
    rows = tables.articles.set_index("article_id")
    assert rows.loc["b", "duplicate_of"] == "a"
    b_rows = tables.duplicates[tables.duplicates["article_id"] == "b"]
    assert set(b_rows["kind"]) <= {"exact_block", "near_block"}  # blocks, not the whole article
    assert b_rows["duplicate_of"].str.startswith("a:").any()  # the earlier article's (and b's own repeats)
    clean = (tmp_path / "out" / "clean" / "b.txt").read_text(encoding="utf-8")
    assert clean.strip() == ADDENDUM
    new = tables.agreements[tables.agreements["article_id"] == "b"]
    assert list(new["predicate"]) == ["合意"] and "作業部会を設置する" in new["content"].iloc[0]
