"""The report in a real browser: headless Chromium (Debian's package) driven by Playwright, pages opened
from disk. Skipped, with the reason, where Chromium or Playwright is missing (`.ci/run` installs both)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.output import report
from pipeline.output.report.check import ARGS, chromium

CHROMIUM = chromium()
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium)")

ENTITIES_JS = """() => Array.from(document.querySelectorAll('#text mark.entity')).map(m => {
    const copy = m.cloneNode(true); copy.querySelectorAll('.label').forEach(l => l.remove());
    return [m.dataset.start, m.dataset.end, copy.textContent, m.className];
})"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=list(ARGS))
        yield b
        b.close()


@pytest.fixture(scope="module")
def seed_report(seed_run):
    out, *_, corpus = seed_run
    report.build(out, corpus)
    return out


class Visit:
    """A page opened from disk, with every request, console error, page error and dialog it caused."""

    def __init__(self, browser, path: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1200, "height": 1400})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.page.close()


def test_the_overview_opens_offline_without_errors_and_draws_every_agreement(browser, seed_report):
    visit = Visit(browser, seed_report / "report" / "index.html")
    try:
        assert visit.requests and all(u.startswith("file://") for u in visit.requests), visit.requests
        assert visit.errors == [] and visit.dialogs == []
        ids = set(visit.page.eval_on_selector_all("[id^='agreement-']", "els => els.map(e => e.id)"))
        agreements = pd.read_csv(seed_report / "agreements.csv", dtype=str, keep_default_na=False)
        for row in agreements[agreements.repeat_of == ""].itertuples():
            assert f"agreement-{row.article_id}-{row.agreement_id}" in ids
        # the charts' Japanese labels are text the browser draws, not glyph outlines
        labels = visit.page.eval_on_selector_all("#people-chart svg text", "els => els.map(e => e.textContent)")
        assert any(any("\u3040" <= ch <= "\u9fff" for ch in t) for t in labels), labels
    finally:
        visit.close()


def test_article_pages_highlight_exactly_the_mentions_of_the_tables(browser, seed_report):
    mentions = pd.read_csv(seed_report / "mentions.csv", dtype=str, keep_default_na=False)
    agreements = pd.read_csv(seed_report / "agreements.csv", dtype=str, keep_default_na=False)
    for path in sorted((seed_report / "report" / "articles").glob("*.html")):
        aid = path.stem
        clean = (seed_report / "clean" / f"{aid}.txt").read_text(encoding="utf-8")
        visit = Visit(browser, path)
        try:
            assert all(u.startswith("file://") for u in visit.requests) and visit.errors == []
            shown: dict[tuple[int, int], str] = {}
            for start, end, text, _classes in visit.page.evaluate(ENTITIES_JS):
                key = (int(start), int(end))
                shown[key] = shown.get(key, "") + text  # a span cut around another comes in pieces
            for (start, end), text in shown.items():
                assert text == clean[start:end], (aid, start, end)
            mine = mentions[mentions.article_id == aid]
            assert {(int(s), int(e)) for s, e in zip(mine.start, mine.end)} == set(shown)
            listed = set(
                visit.page.eval_on_selector_all("tr[data-agreement]", "els => els.map(e => e.dataset.agreement)")
            )
            assert listed == set(agreements[agreements.article_id == aid].agreement_id)
        finally:
            visit.close()


def test_hostile_article_text_runs_nothing(browser, tmp_path):
    from pipeline.engine.runner import run_with_stats

    corpus, out = tmp_path / "corpus", tmp_path / "outputs"
    corpus.mkdir()
    (corpus / "x.txt").write_text(
        "日米両政府は3日、協力の強化で合意した。\n"
        '<script>alert(1)</script> "><img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a> '
        "</textarea><svg onload=alert(4)> ${alert(5)}\n",
        encoding="utf-8",
    )
    run_with_stats(corpus, out, jobs=1, cache_dir=tmp_path / "cache", progress=False)
    report.build(out, corpus)
    for path in (out / "report" / "index.html", out / "report" / "articles" / "x.html"):
        visit = Visit(browser, path)
        try:
            visit.page.mouse.move(10, 10)
            assert visit.dialogs == [] and visit.errors == []
            assert visit.page.eval_on_selector_all("script, img, textarea, iframe, #text svg", "els => els.length") == 0
        finally:
            visit.close()


def test_screenshots_are_readable(browser, seed_report):
    """Saved for a person to look at (make report-check): a full picture of each page, not an empty one."""
    for name, path in (("overview", "index.html"), ("article", "articles/004_02232067b5b04c88.html")):
        visit = Visit(browser, seed_report / "report" / path)
        try:
            shot = seed_report / "report" / f"screenshot-{name}.png"
            visit.page.screenshot(path=str(shot))
            assert shot.stat().st_size > 20_000
        finally:
            visit.close()
