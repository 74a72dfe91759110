"""The HTML report, without a browser: markup, escaping, odd corpora, rebuilding from the tables."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.output import report
from pipeline.output.report import figures
from pipeline.output.report.spans import Span, render

XSS = (
    "日米両政府は3日、防衛協力を強化することで合意した。\n"
    '読者の声: <script>alert(1)</script> と "><img src=x onerror=alert(2)> と '
    '<a href="javascript:alert(3)">リンク</a> と </textarea><b>太字</b>\n'
)
FAR_APART = (
    "日米両政府は1951年9月8日、安全保障条約に署名した。\n日米両政府は2025年3月30日、防衛協力の強化で一致した。\n"
    "日米両政府は2025年4月2日、共同訓練の拡大で合意した。\n日米両政府は2025年5月9日、装備協力の推進を確認した。\n"
    "日米両政府は2025年6月1日、情報共有の強化で一致した。\n"
)


class Collect(HTMLParser):
    """Tags, attributes and text of a page, as the browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> Collect:
    c = Collect()
    c.feed(html)
    return c


def test_spans_nest_cross_and_escape():
    text = "<b>山田太郎</b>は3日に会談した"
    spans = [
        Span(3, 7, "mark", "entity PERSON", "PERSON"),
        Span(0, 12, "span", "agreement", attrs=(("id", "x"),)),
        Span(10, 14, "mark", "entity DATE", "DATE"),  # crosses the agreement's end
    ]
    html = render(text, spans, anchors={0, 12})
    page = parsed(html)
    assert not [t for t, _ in page.tags if t == "b"]  # the text's own tags are text
    assert "".join(page.text).replace("PERSON", "").replace("DATE", "") == text
    pieces = re.findall(r'<mark class="entity DATE" data-start="10" data-end="14">(.*?)</mark>', html)
    assert "".join(unescape(re.sub(r"<[^>]+>", "", p)).replace("DATE", "") for p in pieces) == text[10:14]
    assert html.count('id="x"') == 1 and html.count('id="s12"') == 1


def test_timeline_dates_far_apart_are_listed_not_drawn():
    marks = [
        figures.Mark(figures.parse_when(v), "concluded", v, "#")
        for v in ("1951-09-08", "2025-03", "2025", "FY2024", "2025-06-01")
    ]
    plotted, listed = figures.split_outliers(marks)
    assert [m.label for m in listed] == ["1951-09-08"] and len(plotted) == 4
    assert figures.parse_when("XXXX-04-10") is None and figures.parse_when("2025-02-30") is None


@pytest.fixture(scope="module")
def odd_run(tmp_path_factory):
    """One run over an XSS article, one with dates 74 years apart, one with nothing to find, one binary file."""
    from pipeline.engine.runner import run_with_stats

    base = tmp_path_factory.mktemp("report")
    corpus, out = base / "corpus", base / "outputs"
    corpus.mkdir()
    (corpus / "a_xss.txt").write_text(XSS, encoding="utf-8")
    (corpus / "b_far.txt").write_text(FAR_APART, encoding="utf-8")
    (corpus / "c_plain.txt").write_text("きょうは晴れ。特に何もない一日だった。\n", encoding="utf-8")
    (corpus / "d_image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    run_with_stats(corpus, out, jobs=1, cache_dir=base / "cache", progress=False)
    written = report.build(out, corpus)
    return out, corpus, written


def page(out: Path, name: str) -> str:
    return (out / "report" / name).read_text(encoding="utf-8")


def test_every_page_is_html5_in_japanese_and_offline(odd_run):
    out, _, written = odd_run
    assert {p.name for p in written} == {"index.html", "a_xss.html", "b_far.html", "c_plain.html"}  # no page for d
    for path in written:
        html = path.read_text(encoding="utf-8")
        assert html.startswith('<!DOCTYPE html>\n<html lang="ja">') and '<meta charset="utf-8">' in html
        urls = re.findall(r'(?:src|href)="([^"#][^"]*)"', html) + re.findall(r"url\(([^)]*)\)", html)
        assert all(not re.match(r"[a-z]+:", u) for u in urls), urls  # relative links only: no other host


def test_article_text_is_shown_literally_and_runs_nothing(odd_run):
    out, *_ = odd_run
    html = page(out, "articles/a_xss.html")
    tags = {t for t, _ in parsed(html).tags}
    assert "script" not in tags and "img" not in tags and "textarea" not in tags and "b" not in tags
    assert not re.search(r'href="javascript:', html, re.I) and "onerror=" not in html.replace("onerror=alert", "")
    clean = (out / "clean" / "a_xss.txt").read_text(encoding="utf-8")
    shown = "".join(parsed(html.split('id="text">', 1)[1].split("</div>", 1)[0]).text)
    for label in ("PERSON", "ORG", "DATE"):
        shown = shown.replace(label, "")
    assert shown == clean  # every character of the clean text, as text


def test_errors_far_dates_and_empty_articles_give_correct_pages(odd_run):
    out, *_ = odd_run
    index = page(out, "index.html")
    assert "d_image.txt" in index and "PNG image" in index  # the errors table
    assert "Not drawn, far from the others" in index and "1951-09-08" in index
    assert page(out, "articles/c_plain.html").count("No agreement in this article.") == 1
    assert index.count('<g id="agreement-') == 4  # the four 2025 agreements are drawn


def test_an_unchanged_rebuild_rewrites_nothing_and_a_gone_article_loses_its_page(odd_run, tmp_path):
    out, corpus, written = odd_run
    before = {p: p.stat().st_mtime_ns for p in written}
    again = report.build(out, corpus)
    assert {p: p.stat().st_mtime_ns for p in again} == before
    stale = out / "report" / "articles" / "gone.html"
    stale.write_text("old", encoding="utf-8")
    report.build(out, corpus)
    assert not stale.exists()


def test_an_empty_output_folder_is_a_clear_error(tmp_path):
    with pytest.raises(report.ReportInputError, match="no articles.csv"):
        report.build(tmp_path)


def test_the_seed_report_shows_every_agreement_on_its_article_page(seed_run):
    out, *_, corpus = seed_run
    written = report.build(out, corpus)
    index = page(out, "index.html")
    import pandas as pd

    agreements = pd.read_csv(out / "agreements.csv", dtype=str, keep_default_na=False)
    for row in agreements.itertuples():
        html = page(out, f"articles/{row.article_id}.html")
        assert f'data-agreement="{row.agreement_id}"' in html
        if not row.repeat_of:  # drawn on the timeline, or listed under it when it cannot be placed
            assert f'id="agreement-{row.article_id}-{row.agreement_id}"' in index
    assert sum(p.stat().st_size for p in written) < 2_000_000


def test_a_report_that_fails_leaves_the_tables_and_says_why(tmp_path, monkeypatch):
    from pipeline.engine.runner import run_with_stats

    corpus, out = tmp_path / "corpus", tmp_path / "outputs"
    corpus.mkdir()
    (corpus / "a.txt").write_text("日米両政府は3日、協力の強化で合意した。\n", encoding="utf-8")

    def broken(out: Path, corpus: Path | None = None) -> list[Path]:
        raise OSError("disk full")

    monkeypatch.setattr(report, "build", broken)
    _, stats = run_with_stats(corpus, out, jobs=1, cache_dir=tmp_path / "cache", progress=False, xlsx=False)
    assert stats.export_errors == [f"{out / 'report'} not written: OSError: disk full"]
    assert (out / "agreements.csv").read_text(encoding="utf-8-sig").count("\n") == 2
    assert not (out / ".manifest.json").exists()  # the next run tries again
