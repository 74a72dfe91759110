"""Clean stage: markup, character normalisation, PDF repair, sentences and sections."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rulebook
from pipeline.prepare import cleaning, sections
from pipeline.records import SECTIONS

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def corpus_file(prefix: str) -> str:
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def cleaned(raw: str, html: bool = False) -> str:
    return cleaning.clean(raw, html=html)[0].text


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in cleaning.segment(text)]


# ------------------------------------------------------------------ invariants


def check_alignment(raw: str, html: bool = False) -> None:
    aligned, removals = cleaning.clean(raw, html=html)
    assert len(aligned.origin) == len(aligned.text)
    assert all(0 <= o < len(raw) for o in aligned.origin)
    assert all(a <= b for a, b in zip(aligned.origin, aligned.origin[1:]))
    for r in removals:
        assert r.kind == "markup" and 0 <= r.start < r.end <= len(raw)
    assert all(a.end < b.start for a, b in zip(removals, removals[1:])), "removals must be merged and ordered"


def check_sentences(text: str) -> None:
    sents = cleaning.segment(text)
    end = 0
    for i, s in enumerate(sents):
        assert s.index == i and end <= s.start < s.end <= len(text)
        piece = text[s.start : s.end]
        assert piece and piece == piece.strip()
        assert s.section in SECTIONS
        end = s.end
    assert [s.paragraph for s in sents] == sorted(s.paragraph for s in sents)


MESSY = st.sampled_from(
    list(
        "あをのにはガｶﾞﾟ゙漢字令和年月日 \n\t\r\f\u3000０１23ABＣ<>/=\"'&;#!-。、「」『』“”"
        "?！（）()～〜①・…\u200b\ufeffé\u0301"
    )
    + [
        "<br>",
        "<a href='x'>",
        "</a>",
        "<p>",
        "<!--",
        "-->",
        "&amp;",
        "&#x3042;",
        "<script>",
        "</script>",
        "https://x.jp/a.jpg",
        '<img src="https://i.jp/x.png"',
        "関連記事:",
        "この記事へのコメント",
        "https://a.jp",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(MESSY, max_size=60).map("".join)), st.booleans())
def test_clean_never_raises_and_stays_aligned(raw, html):
    check_alignment(raw, html)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(MESSY, max_size=60).map("".join)))
def test_segment_invariants_on_any_text(text):
    check_sentences(text)
    check_sentences(cleaned(text))


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_corpus_alignment_and_sentences(prefix):
    raw = corpus_file(prefix)
    check_alignment(raw)
    check_sentences(cleaned(raw))


def test_copied_characters_point_at_their_raw_source():
    raw = "日米は　２０２４年に<b>合意</b>した。\n\n\n次の段落 です。"
    aligned, _ = cleaning.clean(raw)
    for ch, o in zip(aligned.text, aligned.origin):
        if ch != "\n":
            assert unicodedata.normalize("NFKC", raw[o]) == ch or ch == raw[o]


# ------------------------------------------------------------------ markup


def test_picture_block_in_plain_text_is_removed_as_markup():
    raw = corpus_file("001")
    aligned, removals = cleaning.clean(raw)
    assert not re.search(r"</?[A-Za-z][^>]*>", aligned.text)
    assert "http" not in aligned.text
    assert aligned.text.endswith("日経記事2024.07.27より引用")
    (picture,) = removals
    assert raw[picture.start : picture.end].startswith("<picture")
    assert raw[picture.start : picture.end].endswith("</picture>")


def test_plain_text_fragments_and_ordinary_angle_brackets():
    raw = 'a < b と <注> と <関連記事> 本文<br>次行<a href="https://x.jp/a">リンク</a>です。<img src="https://i.jp/p.png">'
    aligned, removals = cleaning.clean(raw)
    text = aligned.text
    assert "a < b" in text and "<注>" in text and "<関連記事>" in text
    assert "本文\n次行リンクです。" in text
    assert "https" not in text
    assert [raw[r.start : r.end] for r in removals] == [
        "<br>",
        '<a href="https://x.jp/a">',
        "</a>",
        '<img src="https://i.jp/p.png">',
    ]


def test_unknown_tag_names_stay_in_plain_text():
    assert cleaned("x<y>z と <foo bar> は本文") == "x<y>z と <foo bar> は本文"


def test_cut_off_image_tag_and_bare_image_url_are_removed():
    assert cleaned('本文。\n<img src="https://i.jp/a.jpg" alt="x\n\n次の段落。') == "本文。\n\n次の段落。"
    aligned, removals = cleaning.clean("写真 https://cdn.example.com/p/photo.JPG?w=300 の説明")
    assert "example" not in aligned.text and len(removals) == 1


def test_link_icon_labels_saved_with_a_page_are_removed_as_markup():
    """A link icon's alt text (別ウィンドウで開く) with the file type beside it is image markup, not text; the words
    alone in a sentence are not a label."""
    raw = "会合後、共同声明(仮訳(PDF)別ウィンドウで開く英語(PDF形式:120KB)新しいウィンドウで開きます)が発出された。"
    aligned, removals = cleaning.clean(raw)
    assert aligned.text == "会合後、共同声明(仮訳英語)が発出された。"
    assert [(r.kind, raw[r.start : r.end]) for r in removals] == [
        ("markup", "(PDF)別ウィンドウで開く"),
        ("markup", "(PDF形式:120KB)新しいウィンドウで開きます"),
    ]
    check_alignment(raw)
    assert cleaned("別のウィンドウを開いて確認した。") == "別のウィンドウを開いて確認した。"


def test_html_page():
    page = (
        "<!DOCTYPE html><html><head><title>題</title><style>p{}</style>"
        '<script>var s = "<p>x</p>"; if (a < b) {}</script></head><body><!-- c --><nav><a href="/">ホーム</a></nav>'
        "<h1>日米&nbsp;会談</h1><p>浜田大臣は長官と\n会談した。<br>両氏は&quot;抑止&quot;で一致した。</p>"
        "<p>漢字<ruby>抑止<rp>(</rp><rt>よくし</rt><rp>)</rp></ruby>力 &amp; 対処力</p></body></html>"
    )
    assert cleaned(page, html=True) == (
        '日米 会談\n\n浜田大臣は長官と会談した。\n両氏は"抑止"で一致した。\n\n漢字抑止力 & 対処力'
    )
    check_alignment(page, html=True)


def test_html_page_chrome_outside_its_article_is_dropped():
    """A page with an <article>: the site's header (logo, breadcrumb), related links and footer around it are
    not the article's text; a header inside the article (its title and byline) is."""
    page = (
        '<html><body><header><div class="logo">東西新報デジタル</div><div class="crumb">トップ &gt; 国際</div>'
        "</header><main><article><header><h1>日豪、港湾協力で一致</h1><p>2031年5月3日 9時00分</p></header>"
        "<p>日豪両政府は3日、港湾の共同利用で一致した。</p></article><aside><h2>関連記事</h2><ul><li>"
        '<a href="/x">日豪外相が会談</a></li></ul></aside></main><footer><ul><li>会社概要</li></ul>'
        "<p>&copy; 2031 東西新報社</p></footer></body></html>"
    )
    assert (
        cleaned(page, html=True)
        == "日豪、港湾協力で一致\n\n2031年5月3日 9時00分\n\n日豪両政府は3日、港湾の共同利用で一致した。"
    )
    check_alignment(page, html=True)
    # without an <article> or <main>, nothing is taken for chrome
    assert "会社概要" in cleaned("<html><body><p>本文。</p><footer>会社概要</footer></body></html>", html=True)


def test_html_entity_removal_points_at_the_entity():
    raw = "<p>A&amp;B</p>"
    aligned, removals = cleaning.clean(raw, html=True)
    assert aligned.text == "A&B"
    assert aligned.origin[1] == raw.index("&amp;")
    assert (raw.index("&amp;"), raw.index("B")) in [(r.start, r.end) for r in removals]


# ------------------------------------------------------------------ characters


@pytest.mark.parametrize(
    "raw,want",
    [
        ("ＡＢＣ１２３（注）", "ABC123(注)"),
        ("日本　米国", "日本 米国"),
        ("ｶﾞｲﾄﾞﾗｲﾝ", "ガイドライン"),
        ("10～20日", "10〜20日"),
        ("10〜20日", "10〜20日"),
        ("①平時②有事", "①平時②有事"),
        ("陸・海・空「統合」、『司令部』。…", "陸・海・空「統合」、『司令部』。…"),
        ("ｱﾒﾘｶ｢米軍｣､", "アメリカ「米軍」、"),
        ("か\u3099", "が"),
        ("防衛\u200b省\ufeff", "防衛省"),
        ("a\r\nb\rc\fd", "a\nb\nc\nd"),
    ],
)
def test_character_normalisation(raw, want):
    assert cleaned(raw) == want


def test_merged_halfwidth_voiced_kana_points_at_its_first_character():
    aligned, _ = cleaning.clean("xｶﾞy")
    assert aligned.text == "xガy" and list(aligned.origin) == [0, 1, 3]


# ------------------------------------------------------------------ PDF spacing


@pytest.mark.parametrize(
    "raw,want",
    [
        ("令和 7 年 3 月 3 0 日", "令和7年3月30日"),
        (
            "令和 7 年 3 月 3 0 日 9 時 5 0 分から約 8 5 分間、会談した。",
            "令和7年3月30日9時50分から約85分間、会談した。",
        ),
        ("防 衛 省", "防衛省"),
        ("別紙 1 及び別紙 2 のとおり", "別紙1及び別紙2のとおり"),
        ("協議（D I C A S）の枠組み", "協議(DICAS)の枠組み"),
        ("次回協議に向けてA M R A A M等のミサイル", "次回協議に向けてAMRAAM等のミサイル"),
        (
            "在日米軍の統合軍司令部への アップグレードの開始について",
            "在日米軍の統合軍司令部へのアップグレードの開始について",
        ),
        ("「 令和5年1月12日", "「令和5年1月12日"),
        ("同盟調整メカニズム (ACM) の構成", "同盟調整メカニズム(ACM)の構成"),
        ("指針(ガイドライン) に基づき", "指針(ガイドライン)に基づき"),
        ("米 側 在日米軍副司令官", "米側 在日米軍副司令官"),
        # Real word separators stay.
        (
            "ケリー・ボンドラン 防衛政策局 フェロー VORNDRAN KELLY",
            "ケリー・ボンドラン 防衛政策局 フェロー VORNDRAN KELLY",
        ),
        ("Financial Timesは25日", "Financial Timesは25日"),
        ("出典:U.S. Marine Corps photo by Cpl. Tyler Andrews", "出典:U.S. Marine Corps photo by Cpl. Tyler Andrews"),
        (
            "浜田防衛相 米国防長官と会談 「反撃能力」運用の集中議論確認",
            "浜田防衛相 米国防長官と会談 「反撃能力」運用の集中議論確認",
        ),
        ("「大将の寿司 台湾事変編」ですか。", "「大将の寿司 台湾事変編」ですか。"),
        ("1 総論", "1 総論"),
        ("- (1) 日米の指揮・統制", "- (1) 日米の指揮・統制"),
        ("1. 概要", "1. 概要"),
        ("図表 II -2-3-1", "図表 II -2-3-1"),
        (
            "US and Japan plan biggest upgrade in more than 60 years",
            "US and Japan plan biggest upgrade in more than 60 years",
        ),
    ],
)
def test_pdf_spacing(raw, want):
    assert cleaned(raw) == want


def test_wrapped_pdf_paragraph_loses_its_wrap_spaces():
    raw = (
        "2015年、日米両政府は、日米防衛協力のための指針(ガ イドライン) に基づき、わが国の平和および安全に影響を "
        "与える状況や、そのほかの同盟としての対応を必要とする "
        "可能性があるあらゆる状況に切れ目のない形で実効的に対処する。"
    )
    assert cleaned(raw) == (
        "2015年、日米両政府は、日米防衛協力のための指針(ガイドライン)に基づき、わが国の平和および安全に"
        "影響を与える状況や、そのほかの同盟としての対応を必要とする可能性があるあらゆる状況に切れ目のない形で"
        "実効的に対処する。"
    )


# ------------------------------------------------------------------ lines


@pytest.mark.parametrize(
    "raw,want",
    [
        (
            "2025年3月末、統合作戦司令部の創設とタイミング\n\t\nを合わせる形で開始した。",
            "2025年3月末、統合作戦司令部の創設とタイミングを合わせる形で開始した。",
        ),
        ("わが国の平和および安全に影響を\n与える状況", "わが国の平和および安全に影響を与える状況"),
        ("日米間で\nは、ACMも活用しながら", "日米間では、ACMも活用しながら"),
        ("新たなアセットの配\n備をする", "新たなアセットの配\n備をする"),  # cannot tell: left alone
        # Separate lines stay separate: comments, headings, list items, titles.
        (
            "米軍の大将の総人数が法的に定められているなかで\n新たに対中国専用に1人欲しいとなると",
            "米軍の大将の総人数が法的に定められているなかで\n新たに対中国専用に1人欲しいとなると",
        ),
        (
            "米国の選挙結果でどうなるかわからないが\nとりあえず日本側としては手を打っておこう",
            "米国の選挙結果でどうなるかわからないが\nとりあえず日本側としては手を打っておこう",
        ),
        ("練習機の共同開発\n在日米軍の再編", "練習機の共同開発\n在日米軍の再編"),
        ("◆ 米側からは、\n\n- 今般の開始は", "◆ 米側からは、\n\n- 今般の開始は"),
        (
            "会談のあと両大臣は日米の防衛当局間で、\n▽迎撃が難しい",
            "会談のあと両大臣は日米の防衛当局間で、\n▽迎撃が難しい",
        ),
        ("4 米軍再編等\n\nなお、詳細は未定", "4 米軍再編等\n\nなお、詳細は未定"),
        ("まぁ\n\n\n\n次の行   \n\n", "まぁ\n\n次の行"),
        ("セルA\t\t\tを含む\t\n次の行", "セルA\nを含む\n次の行"),  # a table cell is never glued to its neighbour
    ],
)
def test_line_joining_and_blank_lines(raw, want):
    assert cleaned(raw) == want


_PDF_TITLE = "日 米 防 衛 相 会 談 の 概 要\n"  # letter-spaced by the extractor: a PDF extraction


@pytest.mark.parametrize(
    "raw,want",
    [
        # Running text broken inside a word is joined in a PDF extraction.
        (
            "両大臣は、防衛態勢の強化が重要であることを確\n認した。また、駐留経費負\n担について協議した。",
            "両大臣は、防衛態勢の強化が重要であることを確認した。また、駐留経費負担について協議した。",
        ),
        ("両国は、訓練を拡大するこ\nとで一致した。", "両国は、訓練を拡大することで一致した。"),
        ("両国は、訓練の拡大を確認\nした。", "両国は、訓練の拡大を確認した。"),
        # Headings, list items, date lines and short title lines stay lines of their own.
        (
            "令和 8 年\n防衛省\n会談の概要\n１　日米同盟について\n両大臣は、協議を継続\n（1）共同訓練",
            "令和8年\n防衛省\n会談の概要\n1 日米同盟について\n両大臣は、協議を継続\n(1)共同訓練",
        ),
        ("両大臣は、次の点を確認した\n・共同訓練の拡大", "両大臣は、次の点を確認した\n・共同訓練の拡大"),
        ("両大臣は、次の点で一致した\n令和8年5月3日", "両大臣は、次の点で一致した\n令和8年5月3日"),
    ],
)
def test_pdf_line_wraps_inside_a_sentence(raw, want):
    assert cleaned(_PDF_TITLE + raw) == "日米防衛相会談の概要\n" + want


def test_fixed_width_release_with_a_right_aligned_letterhead_is_rejoined():
    """A letterhead pushed right with spaces is no wider line of the text; a line whose full-width space the
    repair dropped (浜崎　和代) is still a full line; the letterhead's date stays a line of its own."""
    pad = " " * 46
    raw = (
        f"{pad}令和８年５月２２日\n報道関係者各位\n{pad}北浜町総務課\n\n"
        "　北浜町（町長：浜崎　和代）と米国ワシントン州ポート\nエルダー市（市長：ダニエル・オコナー）は、令和８年\n"
        "５月２０日、北浜町役場において、姉妹都市提携に関する\n協定書に署名しました。\n"
        "　また、両市町は同日、地震や津波などの大規模災害が発生\nした際に物資や人員を相互に支援することを定めた防災協\n"
        "力に関する覚書を締結しました。"
    )
    out = cleaned(raw)
    assert out.startswith("令和8年5月22日\n報道関係者各位\n北浜町総務課\n")
    assert "ポートエルダー市(市長:ダニエル・オコナー)は、令和8年5月20日、北浜町役場において" in out
    assert "防災協力に関する覚書" in out


def test_fixed_width_release_with_many_short_list_lines_is_rejoined():
    """A company release: a wrapped paragraph, then an outline of short items (more lines than the paragraph
    has): the paragraph's full width still marks its wraps; the items stay lines of their own."""
    raw = (
        "　当社は、本日開催の取締役会において、株式会社サンプル（本社：東京都港区、代表取締役\n"
        "社長：北川　一郎、以下「サンプル」）との間で、物流分野における業務提携（以下「本業務提\n"
        "携」）に関する契約を締結することを決議し、同日付で業務提携契約を締結いたしましたので、下記\n"
        "のとおりお知らせいたします。\n\n記\n\n"
        + "".join(f"（{k}）項目その{k}の説明として短い一行の文を置く\n" for k in range(1, 9))
    )
    out = cleaned(raw)
    assert "代表取締役社長:北川 一郎" in out and "(以下「本業務提携」)に関する契約" in out
    assert "下記のとおりお知らせいたします。" in out
    assert "(1)項目その1の説明として短い一行の文を置く\n(2)" in out


def test_an_item_number_before_a_date_keeps_its_space():
    """「1　3月18日」: the item's number and the date stay apart (13月 is no month); a number the extractor
    spaced out digit by digit is still one number."""
    assert cleaned("1　3月18日、両国は協定に署名した。") == "1 3月18日、両国は協定に署名した。"
    assert cleaned("２　４月１日に発効した。") == "2 4月1日に発効した。"
    assert cleaned("2 0 2 4 年 3 月 1 5 日に署名") == "2024年3月15日に署名"


def test_wrapped_list_item_is_measured_as_the_file_lays_it_out():
    """A numbered item full-width in the file (３　…（ＯＳＡ）…) whose normalised text is narrower still fills
    its line: the word broken across the wrap (レー／ダー) is joined, its hanging indent dropped."""
    raw = (
        "　令和７年９月２１日、北川防衛大臣は、南国の国防大臣との間で防衛相会談を\n"
        "行ったところ、概要は以下のとおりです。両大臣は、防衛協力の強化で一致し\n"
        "ました。両大臣は、共同訓練を拡充していくことで一致しました。あわせて\n\n"
        "３　北川大臣から、政府安全保障能力強化支援（ＯＳＡ）による沿岸監視レー\n"
        "　ダーの供与について説明し、南国の大臣は謝意を表明しました。"
    )
    out = cleaned(raw)
    assert "3 北川大臣から、政府安全保障能力強化支援(OSA)による沿岸監視レーダーの供与について説明し" in out
    check_alignment(raw)


def test_headline_and_lead_stay_apart_outside_pdf_and_fixed_width_text():
    raw = "日米、防衛装備の共同生産で合意 ミサイル拡大へ\n日米両政府は8日、共同生産を拡大することで合意した。"
    assert cleaned(raw) == raw


def test_fixed_width_text_is_rejoined_and_stays_aligned():
    raw = (
        "日本と米国の両政府は、南西地域における防衛態勢の強化\nが重要であることを確認し、在日米軍の駐留経費負担に\n"
        "ついて協議を継続することで一致した。また、両政府は\n共同訓練の拡大についても意見を交換し、次回の協議を\n"
        "来月に開くことを決めた。\n１　今後の予定\n"
    )
    assert cleaned(raw) == (
        "日本と米国の両政府は、南西地域における防衛態勢の強化が重要であることを確認し、在日米軍の駐留経費負担について"
        "協議を継続することで一致した。また、両政府は共同訓練の拡大についても意見を交換し、次回の協議を来月に開くことを"
        "決めた。\n1 今後の予定"
    )
    check_alignment(raw)


# ------------------------------------------------------------------ corpus


def test_corpus_pdf_artefacts_are_gone():
    for prefix in ("002", "003"):
        text = cleaned(corpus_file(prefix))
        assert not re.search(r"\d \d", text), prefix
        assert not re.search(r"(?<![A-Za-z])[A-Z] [A-Z] [A-Z](?![A-Za-z])", text), prefix
        assert "\t" not in text and "\f" not in text and "\n\n\n" not in text
        assert not re.search(r" +\n", text)
    t002 = cleaned(corpus_file("002"))
    for want in ("令和7年3月30日9時50分から約85分間", "(DICAS)", "AMRAAM等", "\n防衛省\n", "本年2月7日"):
        assert want in t002
    t003 = cleaned(corpus_file("003"))
    for want in (
        "指針(ガイドライン)に基づき",
        "影響を与える",
        "タイミングを合わせる形で",
        "VORNDRAN KELLY",
        "防衛省と米国政府",
    ):
        assert want in t003


def test_corpus_latin_words_are_intact():
    t000 = cleaned(corpus_file("000"))
    assert t000.startswith("Financial Timesは25日")
    assert "U.S. Marine Corps photo by Cpl. Tyler Andrews" in t000
    assert "Nikkei Asiaは18日" in t000


def test_corpus_000_comments_stay_one_per_line():
    raw_lines = [line for line in corpus_file("000").splitlines() if line.strip()]
    assert cleaned(corpus_file("000")).splitlines() == raw_lines


# ------------------------------------------------------------------ sentences


def test_split_at_terminators_and_line_ends():
    assert sentences("日米は合意した。両氏は会談した!本当か?\n見出し\n次の文。") == [
        "日米は合意した。",
        "両氏は会談した!",
        "本当か?",
        "見出し",
        "次の文。",
    ]


def test_quoted_speech_stays_in_one_sentence():
    text = "長官は「日米同盟にとってことしは転換の年だ。日本の防衛費増額を歓迎する」と述べました。次の文。"
    assert sentences(text) == [
        "長官は「日米同盟にとってことしは転換の年だ。日本の防衛費増額を歓迎する」と述べました。",
        "次の文。",
    ]


def test_unclosed_or_overlong_quote_is_ignored():
    assert sentences("「令和5年の会談は終わった。概要は次のとおり。\n(了)」") == [
        "「令和5年の会談は終わった。",
        "概要は次のとおり。",
        "(了)」",
    ]
    long_quote = "「" + "あ" * 300 + "。" + "い" * 300 + "」と述べた。"
    assert len(sentences(long_quote)) == 2


def test_closing_bracket_after_terminator_belongs_to_the_sentence():
    assert sentences("(注:未定。)次の文。") == ["(注:未定。)", "次の文。"]


def test_paragraph_is_the_index_of_the_non_empty_line():
    sents = cleaning.segment("一つ目。二つ目。\n\n三つ目\n四つ目。")
    assert [s.paragraph for s in sents] == [0, 0, 1, 2]


# ------------------------------------------------------------------ sections


def sections_of(prefix: str) -> list[tuple[str, str]]:
    text = cleaned(corpus_file(prefix))
    return [(s.section, text[s.start : s.end]) for s in cleaning.segment(text)]


def test_blog_post_with_reader_comments():
    sects = sections_of("000")
    credit = next(i for i, (_, t) in enumerate(sects) if t.startswith("※アイキャッチ画像の出典"))
    assert all(sec in ("body", "meta") for sec, _ in sects[:credit])
    assert sects[credit][0] == "meta"
    assert all(sec == "comments" for sec, _ in sects[credit + 1 :])
    meta = [t for sec, t in sects if sec == "meta"]
    assert [t[:5] for t in meta] == ["参考:US", "関連記事:", "関連記事:", "関連記事:", "※アイキャ"]


def test_news_article_meta_lines():
    sects = sections_of("004")
    meta = {t for sec, t in sects if sec == "meta"}
    assert "https://www3.nhk.or.jp/news/html/20230113/k10013948441000.html" in meta
    assert "2023年1月13日のNHKニュースより転載" in meta
    assert "(了)」" in meta and "参考リンク" in meta
    assert sects[-1] == ("meta", "この記事へのコメント")  # a comments marker with nothing after it
    assert not any(sec == "comments" for sec, _ in sects)
    assert sects[0][0] == "body" and sects[2][0] == "body"  # the titles are body


def test_related_links_block_and_source_line():
    sects = sections_of("001")
    assert sects[-2:] == [("meta", "【関連記事】"), ("meta", "日経記事2024.07.27より引用")]
    assert all(sec == "body" for sec, _ in sects[:-2])


def test_figure_references_are_meta():
    meta = [t for sec, t in sections_of("003") if sec == "meta"]
    assert any(t.startswith("● 参照 図表") for t in meta) and "図表 II -2-3-1" in meta


def test_meta_block_ends_at_running_text():
    text = "本文。\n【関連記事】\n日米が新組織\nhttps://x.jp/a\n本文の続きである。\n短い行"
    assert [s.section for s in cleaning.segment(text)] == ["body", "meta", "meta", "meta", "body", "body"]


def test_comments_marker_needs_body_before_it():
    assert {s.section for s in cleaning.segment("コメント一覧\n本文。")} == {"meta", "body"}
    assert [s.section for s in cleaning.segment("本文。\nコメント一覧\nいいね\nhttps://x.jp")] == [
        "body",
        "meta",
        "comments",
        "meta",
    ]


SECTION_RULES = rulebook.load("sections").rules


@pytest.mark.parametrize("rule", SECTION_RULES, ids=[r.id for r in SECTION_RULES])
def test_section_rule_examples(rule):
    assert rule.get("effect") in ("meta_line", "meta_block", "comments_start")
    for ex in rule.examples:
        assert sections.rule_examples(rule, ex["text"]), f"{rule.id} should match {ex['text']!r}"
        assert sections.rule_examples(rule, cleaned(ex["text"])), "rules run on clean text"
    for ex in rule.counterexamples:
        assert not sections.rule_examples(rule, ex["text"]), f"{rule.id} should not match {ex['text']!r}"


# ------------------------------------------------------------------ performance


def test_one_megabyte_article_is_cleaned_and_segmented():
    # How fast is `make bench`'s business; here: it completes and stays consistent.
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    big = (text * (1_000_000 // len(text) + 1))[:1_000_000]
    aligned, _ = cleaning.clean(big)
    sentences = cleaning.segment(aligned.text)
    assert len(aligned.origin) == len(aligned.text) and sentences[-1].end <= len(aligned.text)


@pytest.mark.parametrize(
    "line",
    ["日本は、米国と協議 した。" * 8000, "あ" * 100_000, "令 和 7 年 " * 25_000, "a < b <b " * 12_000, "「" * 100_000],
    ids=["sentences", "no-break", "spaced", "angles", "quotes"],
)
def test_one_long_line_is_handled(line):
    aligned, _ = cleaning.clean(line)
    sentences = cleaning.segment(aligned.text)
    assert len(aligned.origin) == len(aligned.text)
    assert all(aligned.text[s.start : s.end].strip() for s in sentences)


def test_a_wire_credit_opening_a_line_is_its_own_sentence():
    text = "【ロンドン=共同】英国の外相は3日、声明を出した。\n【速報】日英が合意\n【関連記事】"
    assert sentences(text) == [
        "【ロンドン=共同】",
        "英国の外相は3日、声明を出した。",
        "【速報】",
        "日英が合意",
        "【関連記事】",
    ]


def test_a_label_in_other_brackets_opening_a_line_is_its_own_sentence():
    """Sites mark scoops and flashes with ＜独自＞, ［速報］ or 《速報》 as well as 【速報】; a bracket followed by a
    space is a heading's own ([日米防衛相会談] 2023年…), left as it is."""
    text = "＜独自＞日英が協定に署名へ\n［速報］日米が合意\n[日米防衛相会談] 2023年1月12日、確認"
    assert sentences(text) == [
        "＜独自＞",
        "日英が協定に署名へ",
        "［速報］",
        "日米が合意",
        "[日米防衛相会談] 2023年1月12日、確認",
    ]


def test_an_inline_list_item_is_a_sentence_of_its_own():
    """Newspapers list a meeting's results inline (成果は次の通り。▽…で合意▽…を確認): each ▽ opens a sentence;
    a ▽ opening a line, or inside a quote, opens nothing new."""
    text = "成果は次の通り。▽漁業協定の改定で合意▽交流拡大を確認\n▽行頭の項目\n「引用の中の▽記号」と述べた。"
    assert sentences(text) == [
        "成果は次の通り。",
        "▽漁業協定の改定で合意",
        "▽交流拡大を確認",
        "▽行頭の項目",
        "「引用の中の▽記号」と述べた。",
    ]
