"""The whole run on the seed corpus: contract, determinism, cache, de-duplication, cleaning."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from pipeline.engine.runner import run_with_stats
from pipeline.output.tables import COLUMNS
from pipeline.parse import ginza as parsing

ROOT = Path(__file__).resolve().parent.parent


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def clean_text(out: Path, prefix: str) -> str:
    return next((out / "clean").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_all_tables_with_contract_columns(seed_run):
    out, *_ = seed_run
    for name, columns in COLUMNS.items():
        raw = (out / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name}.csv has no BOM"
        with (out / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            assert next(csv.reader(f)) == columns


def test_articles_one_row_per_file_all_ok(seed_run):
    out, *_ = seed_run
    rows = read_csv(out / "articles.csv")
    assert [r["path"] for r in rows] == sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))
    assert {r["status"] for r in rows} == {"ok"}
    assert {r["encoding"] for r in rows} == {"utf-8"}
    for r in rows:
        assert int(r["chars_clean"]) <= int(r["chars_raw"])


def test_tables_are_filled(seed_run):
    _, _, tables, *_ = seed_run
    for name in ("people", "organizations", "dates", "mentions", "duplicates"):
        assert len(getattr(tables, name)) > 0, name
    assert (tables.mentions["rule"] != "").all()
    assert tables.dates["value"].str.match(r"^(\d{4}|X{4})(-(\d{2}|XX))?(-(\d{2}|XX))?$|^FY\d{4}$|^T").all()


def test_offsets_point_into_clean_text(seed_run):
    out, _, tables, *_ = seed_run
    for row in tables.mentions.itertuples():
        text = clean_text(out, row.article_id.split("_")[0])
        assert text[row.start : row.end] == row.text


def test_004_repeated_blocks_removed_and_accounted(seed_run):
    out, _, tables, *_ = seed_run
    text = clean_text(out, "004")
    paragraphs = [p.strip() for p in text.splitlines() if len(p.strip()) >= 30]
    assert [p for p, n in Counter(paragraphs).items() if n > 1] == []
    dups = tables.duplicates[tables.duplicates["article_id"].str.startswith("004")]
    assert set(dups["kind"]) >= {"exact_block", "near_block"}
    raw = (ROOT / "corpus" / "004_02232067b5b04c88.txt").read_text(encoding="utf-8")
    removed = sum(dups["chars"])
    assert removed > len(raw) // 3  # the whole NHK story and MOD summary were pasted twice
    row = tables.articles[tables.articles["article_id"].str.startswith("004")].iloc[0]
    assert row.chars_removed == removed


def test_pdf_artefacts_repaired(seed_run):
    out, *_ = seed_run
    for prefix in ("002", "003"):
        text = clean_text(out, prefix)
        assert not re.search(r"\d \d", text), prefix
        assert not re.search(r"\b[A-Z] [A-Z] [A-Z]\b", text), prefix
    assert "DICAS" in clean_text(out, "002")
    assert "令和7年3月30日" in clean_text(out, "002")
    assert "VORNDRAN KELLY" in clean_text(out, "003")


def test_html_removed_from_001(seed_run):
    out, _, tables, *_ = seed_run
    text = clean_text(out, "001")
    assert "<" not in text and "http" not in text and "srcset" not in text
    markup = tables.duplicates[(tables.duplicates["kind"] == "markup")]
    assert markup["article_id"].str.startswith("001").any()


def test_second_run_is_byte_identical_and_does_not_parse(seed_run, monkeypatch):
    out, cache, _, _, corpus = seed_run
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}

    def no_parser(*a, **k):
        raise AssertionError("the parser was called on unchanged text")

    monkeypatch.setattr(parsing, "load_model", no_parser)
    _, stats = run_with_stats(corpus, out, jobs=2, cache_dir=cache, progress=False)
    assert stats.parsed_chars == 0
    after = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert after == before


def test_corpus_never_modified(seed_run):
    *_, corpus = seed_run
    for p in corpus.iterdir():
        assert (
            hashlib.sha256(p.read_bytes()).digest() == hashlib.sha256((ROOT / "corpus" / p.name).read_bytes()).digest()
        )


def test_eval_scores_above_floor(seed_run):
    out, *_ = seed_run
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests/eval/score.py"),
            "--outputs",
            str(out),
            "--gold",
            str(ROOT / "tests/gold"),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    scores = json.loads(res.stdout)
    for table in ("people", "organizations", "dates"):
        assert scores[table]["f1"] > 0.3, (table, scores[table])


def test_repeat_removal_never_double_counts_markup(tmp_path):
    from pipeline.prepare import reading
    from pipeline.prepare.stage import prepare

    block = "日米両政府は<b>作業部会</b>を設置することで一致した。"
    (tmp_path / "a.txt").write_text(f"{block}\n{block}\n", encoding="utf-8")
    article = prepare(reading.discover(tmp_path)[0])
    spans = sorted((r.start, r.end) for r in article.removals)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert article.text.count("作業部会") == 1
    covered = [0] * len(article.raw)
    for r in article.removals:
        for i in range(r.start, r.end):
            covered[i] += 1
    kept = set(article.clean.origin)
    for i, ch in enumerate(article.raw):  # each raw char is kept, removed once, or layout whitespace
        assert (i in kept) + covered[i] == 1 or (covered[i] == 0 and ch.isspace()), (i, ch)


def test_cli_exit_codes_and_failed_rows(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "good.txt").write_text("浜田防衛相は2023年1月12日、オースティン国防長官と会談した。", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        "--corpus",
        str(corpus),
        "--out",
        str(out),
        "--cache",
        str(tmp_path / "cache"),
        "--quiet",
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 1, res.stderr
    rows = {r["article_id"]: r for r in read_csv(out / "articles.csv")}
    assert rows["empty"]["status"] == "error" and rows["empty"]["error"] == "empty file"
    assert rows["good"]["status"] == "ok"
    assert any(r["value"] == "2023-01-12" for r in read_csv(out / "dates.csv"))
    res = subprocess.run(cmd[:4] + ["--corpus", str(tmp_path / "missing")], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2 and "corpus folder not found" in res.stderr
    res = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--jobs", "x"], capture_output=True, text=True, cwd=ROOT
    )
    assert res.returncode == 2


def test_python_api_returns_the_tables_without_writing(tmp_path):
    import pipeline

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("2024年7月28日、日米は共同声明に署名した。", encoding="utf-8")
    tables = pipeline.run(corpus, cache_dir=tmp_path / "cache")
    assert list(tables.dates["value"]) == ["2024-07-28"]
    assert set(dict(tables.items())) == set(COLUMNS)
    assert not (tmp_path / "outputs").exists()


def test_rule_edit_reruns_extraction_without_parsing(tmp_path):
    import os
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "pipeline" / "rules", rules)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("浜田防衛相は2023年1月12日、オースティン国防長官と覚書に署名した。", encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        "--corpus",
        str(corpus),
        "--out",
        str(tmp_path / "out"),
        "--cache",
        str(tmp_path / "cache"),
        "--jobs",
        "1",
    ]
    env = {**os.environ, "PIPELINE_RULES": str(rules)}
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    assert "1 articles extracted" in first.stderr and " 0 chars parsed" not in first.stderr
    same = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    assert "0 chars parsed, 0 articles extracted" in same.stderr
    import yaml

    data = yaml.safe_load((rules / "dates.yaml").read_text(encoding="utf-8"))
    data["rules"].pop()  # a real edit: a comment changes what no rule does, and re-runs nothing
    (rules / "dates.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    edited = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    assert "0 chars parsed, 1 articles extracted" in edited.stderr, edited.stderr


def test_explain_names_the_rule_and_tokens():
    res = subprocess.run(
        [sys.executable, "-m", "pipeline", "explain", "木原防衛相は2024年7月28日、共同声明に署名した。"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert "[person.title_suffix]" in res.stdout and "木原/名詞-固有名詞-人名-姓" in res.stdout
    assert "2024-07-28" in res.stdout and "AGREE   署名" in res.stdout


def test_identical_files_under_two_names_keep_their_own_removal_ids(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    block = "日米両政府は2024年7月28日、作業部会を設置することで一致した。\n"
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_text(block * 2, encoding="utf-8")
    tables, _ = run_with_stats(corpus, None, jobs=1, cache_dir=tmp_path / "cache", progress=False)
    blocks = tables.duplicates[tables.duplicates["kind"] == "exact_block"]
    assert list(blocks["duplicate_of"]) == ["a:0"]
    assert tables.duplicates[tables.duplicates["article_id"] == "b"]["kind"].tolist() == ["article"]


API_SCRIPT = """
from pipeline import run
tables = run({corpus!r}, out={out!r}, jobs=2, cache_dir={cache!r})
print("rows", len(tables.dates))
"""


def test_api_in_a_script_without_a_main_guard(tmp_path):
    """A script calling run() at its top level (no ``if __name__ == "__main__":``), from a file and
    fed on stdin: the worker processes must not run the script again (they broke the pool)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("日米両政府は2025年2月7日、防衛協力を強化することで合意した。\n", encoding="utf-8")
    (corpus / "b.txt").write_text("山田外相は3月3日、ブラウン国務長官と会談した。\n", encoding="utf-8")
    for how in ("file", "stdin"):
        out = tmp_path / f"out-{how}"
        script = API_SCRIPT.format(corpus=str(corpus), out=str(out), cache=str(tmp_path / f"cache-{how}"))
        path = tmp_path / "script.py"
        path.write_text(script, encoding="utf-8")
        args = [sys.executable, str(path)] if how == "file" else [sys.executable, "-"]
        done = subprocess.run(
            args,
            input=script if how == "stdin" else None,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
        assert done.returncode == 0, (how, done.stderr[-2000:])
        assert done.stdout.strip() == "rows 2", (how, done.stdout)
        assert (out / "dates.csv").exists()


def test_a_pdf_article_keeps_its_extracted_text_and_offsets(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "release.pdf").write_bytes((ROOT / "tests" / "fixtures" / "press_release.pdf").read_bytes())
    out = tmp_path / "out"
    tables, _ = run_with_stats(corpus, out, jobs=1, cache_dir=tmp_path / "cache", progress=False)
    row = read_csv(out / "articles.csv")[0]
    assert (row["status"], row["format"], row["pages"], row["published"]) == ("ok", "pdf", "2", "2026-05-03")
    raw = (out / "raw" / "release.txt").read_text(encoding="utf-8")
    clean = (out / "clean" / "release.txt").read_text(encoding="utf-8")
    assert raw.startswith("日英防衛相会談の概要") and "確認しました" in raw
    # the PDF's line wraps are joined: a sentence broken across printed lines is one line again
    assert "次期戦闘機の共同開発を着実に進めていくことを確認しました。" in clean
    for m in tables.mentions.itertuples():
        assert clean[m.start : m.end] == m.text
    assert {"一致", "確認", "合意"} <= set(tables.agreements["predicate"])
