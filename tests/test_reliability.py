"""Bad input, crashes, concurrent runs, Ctrl-C and spreadsheet safety (README: Reliability)."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import bench
from pipeline.output.export import safe_file_name
from pipeline.output.locking import OutputLock
from pipeline.prepare import cleaning, dedup, reading
from pipeline.prepare.stage import prepare

ROOT = Path(__file__).resolve().parent.parent
CP932_TEXT = "①髙～の件で、防衛省は2024年7月28日に在日米軍の再編を発表した。"


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def cli(corpus: Path, out: Path, cache: Path, *extra: str, **kw) -> subprocess.CompletedProcess:
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
        str(cache),
        "--quiet",
        *extra,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kw)


def bad_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    (corpus / "sub folder").mkdir(parents=True)
    files = {
        "empty.txt": b"",
        "blank.txt": " \n\u3000\n\t".encode(),
        "nul.txt": b"abc\x00def" * 10,
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01" + bytes(range(256)),
        "report.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n\x00\x9c\xff\x01",
        "truncated.txt": "防衛省は2024年7月28日に発表した。".encode()[:-2],
        "mixed.txt": "防衛省は発表した。".encode() + "在日米軍の再編について。".encode("cp932"),
        "sjis.txt": CP932_TEXT.encode("cp932"),
        "eucjp.txt": "外務省は2023年2月3日に協議した。".encode("euc_jp"),
        "utf16.txt": "国務省は2023年4月5日に声明を出した。".encode("utf-16"),
        "bom.txt": "統合幕僚監部は2023年6月7日に訓練を始めた。".encode("utf-8-sig"),
        "long.txt": ("日米両政府は2024年7月28日、防衛協力の強化で一致した。\n" * 40000).encode(),
        "nested.html": ("<div>" * 5000 + "<p>在韓米軍は2023年1月12日に演習を終えた。</p>" + "</div>" * 5000).encode(),
        "malformed.html": b"<html><body><p>\xe9\x98\xb2\xe8\xa1\x9b\xe7\x9c\x81<b><i>2024\xe5\xb9\xb4</p><script>x=1",
        "名前 に 空白.txt": "岸田首相は2024年4月10日に会談した。".encode(),
        "sub folder/nested.md": "2024年4月10日、日米は合意した。".encode(),
        "twin.txt": "防衛装備庁は2022年10月1日に発足した。".encode(),
        "twin.html": "<p>在日米軍は2025年3月に改編を始めた。</p>".encode(),
        "meta.txt": "防衛省は13日に会談した。".encode(),
        "meta.meta.json": b"{broken",
    }
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    os.symlink(root / "nowhere.txt", corpus / "dangling.txt")
    return corpus


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    corpus = bad_corpus(root)
    res = cli(corpus, root / "out", root / "cache")
    rows = {r["path"]: r for r in read_csv(root / "out" / "articles.csv")}
    return res, rows, root


EXPECTED_ERRORS = {
    "empty.txt": "empty file",
    "blank.txt": "no text (whitespace only)",
    "nul.txt": "binary content (10 NUL bytes of 70)",
    "image.txt": "a PNG image, not text",
    "report.txt": "broken PDF",
    "mixed.txt": "mixed encodings",
    "dangling.txt": "broken symbolic link",
}


def test_bad_files_get_an_error_row_and_the_run_goes_on(bad_run):
    res, rows, _ = bad_run
    assert res.returncode == 1, res.stderr
    for path, reason in EXPECTED_ERRORS.items():
        assert rows[path]["status"] == "error" and rows[path]["error"].startswith(reason), rows[path]
    ok = {p for p, r in rows.items() if r["status"] == "ok"}
    assert ok == set(rows) - set(EXPECTED_ERRORS) - {"meta.txt"}
    assert all("\n" not in r["error"] for r in rows.values())


def test_japanese_encodings_decode_correctly(bad_run):
    _, rows, root = bad_run
    assert {rows[p]["encoding"] for p in ("sjis.txt", "eucjp.txt", "utf16.txt", "bom.txt")} == {
        "cp932",
        "euc-jp",
        "utf-16",
        "utf-8-sig",
    }
    clean = (root / "out" / "clean" / "sjis.txt").read_text(encoding="utf-8")
    assert "①髙〜" in clean and "2024年7月28日" in clean


def test_odd_names_and_folders_are_processed(bad_run):
    _, rows, root = bad_run
    assert rows["名前 に 空白.txt"]["status"] == "ok"
    assert rows["sub folder/nested.md"]["article_id"] == "sub folder__nested"
    assert rows["twin.txt"]["article_id"] != rows["twin.html"]["article_id"]
    written = [p.resolve() for p in (root / "out").rglob("*")]
    assert all(str(p).startswith(str((root / "out").resolve())) for p in written)


def test_long_and_nested_inputs_survive(bad_run):
    _, rows, root = bad_run
    assert rows["long.txt"]["status"] == "ok" and int(rows["long.txt"]["chars_raw"]) > 1_000_000 // 3
    assert int(rows["long.txt"]["chars_removed"]) > int(rows["long.txt"]["chars_raw"]) * 0.99
    assert rows["nested.html"]["status"] == "ok"
    dates = {(r["article_id"], r["value"]) for r in read_csv(root / "out" / "dates.csv")}
    assert ("nested", "2023-01-12") in dates and ("twin_html", "2025-03") in dates


def test_malformed_sidecar_is_reported_and_text_still_processed(bad_run):
    _, rows, root = bad_run
    row = rows["meta.txt"]
    assert row["status"] == "error" and row["error"].startswith("malformed sidecar meta.meta.json")
    assert row["error"].endswith("(text processed without it)") and row["published_from"] == "none"
    assert any(r["article_id"] == "meta" for r in read_csv(root / "out" / "dates.csv"))


def test_single_100k_character_line_is_cut_for_sudachi(tmp_path):
    from pipeline.parse.ginza import pieces

    (tmp_path / "line.txt").write_text("日米の防衛協力について議論が続いている" * 5300, encoding="utf-8")
    article = prepare(reading.discover(tmp_path)[0])
    assert article.ok and len(article.text) >= 100_000
    for s in article.sentences:
        assert all(len(article.text[a:b].encode()) < 49149 for a, b in pieces(article.text, s.start, s.end))


# ---------------------------------------------------------------- property tests


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_give_a_reason(data):
    try:
        text, encoding = reading.decode(data)
    except reading.ReadError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(text, str) and encoding


LINES = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                "<p>防衛省</p>",
                "令和 7 年 3 月 3 0 日",
                "D I C A S",
                "ｶﾞｲﾄﾞﾗｲﾝ",
                "浜田防衛相は会談した。",
                "",
                "https://example.com/a.jpg",
                "「引用。",
                "※アイキャッチ画像の出典:x",
            ]
        ),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES, st.booleans())
def test_clean_and_dedup_keep_offsets_honest(lines, html):
    raw = "\n".join(lines + lines[: len(lines) // 2])
    text, markup = cleaning.clean(raw, html=html)
    kept, repeats = dedup.dedup_blocks("p", text)
    for r in markup + repeats:
        assert 0 <= r.start <= r.end <= len(raw)
    assert len(kept.origin) == len(kept.text)
    assert all(0 <= o < len(raw) for o in kept.origin)
    for s in cleaning.segment(kept.text):
        assert 0 <= s.start < s.end <= len(kept.text)
        assert kept.text[s.start : s.end].strip() == kept.text[s.start : s.end]


# ---------------------------------------------------------------- crashes and concurrency


def synthetic(corpus: Path, n: int, first: int = 0) -> None:
    bench.synth_corpus(corpus, n, bench.seed_paragraphs(ROOT / "corpus"), first=first)


def wait_for(predicate, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out waiting for the run to start parsing"
        time.sleep(0.05)


def start_run(corpus: Path, out: Path, cache: Path) -> subprocess.Popen:
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
        str(cache),
        "--quiet",
        "--jobs",
        "1",
    ]
    return subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def leftovers(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.name.startswith(".") and p.name != ".lock"]


def test_sigkill_mid_parse_keeps_previous_outputs_and_next_run_reuses_cache(tmp_path):
    corpus, out, cache = tmp_path / "corpus", tmp_path / "out", tmp_path / "cache"
    synthetic(corpus, 2)
    assert cli(corpus, out, cache).returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    synthetic(corpus, 8, first=2)
    proc = start_run(corpus, out, cache)
    entries = lambda: len(list((cache / "parse").rglob("*.spacy")))
    wait_for(lambda: entries() >= 3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before
    assert not [p for p in out.glob("*.csv.*")]
    cached = entries()
    res = cli(corpus, out, cache, "--jobs", "1")
    assert res.returncode == 0, res.stderr
    assert len(read_csv(out / "articles.csv")) == 10
    assert entries() == 10 and cached < 10


def test_ctrl_c_exits_130_and_leaves_no_temporary_files(tmp_path):
    corpus, out, cache = tmp_path / "corpus", tmp_path / "out", tmp_path / "cache"
    synthetic(corpus, 12)
    proc = start_run(corpus, out, cache)
    wait_for(lambda: len(list((cache / "parse").rglob("*.spacy"))) >= 2)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stderr.strip().splitlines()[-1].startswith("interrupted")
    assert leftovers(out, cache) == []


def test_second_run_on_the_same_output_folder_refuses(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    synthetic(corpus, 1)
    lock = OutputLock(out)
    lock.acquire()
    try:
        res = cli(corpus, out, tmp_path / "cache")
    finally:
        lock.release()
    assert res.returncode == 2
    assert "is in use by another run" in res.stderr
    assert not (out / "articles.csv").exists()


# ---------------------------------------------------------------- spreadsheet safety


def test_formula_cells_are_neutralised_in_every_table(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "=evil.txt").write_text(
        '=HYPERLINK("http://x","y")\n@SUM(A1) 2024年7月28日に防衛省で会談した。\n'
        "+浜田防衛相と-オースティン国防長官は覚書に署名した。\n",
        encoding="utf-8",
    )
    assert cli(corpus, out, tmp_path / "cache").returncode == 0
    seen = 0
    for path in out.glob("*.csv"):
        for row in read_csv(path):
            for col, value in row.items():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, col, value)
                seen += value.startswith("'")
    assert seen >= 3  # the title, the sentence cells and the article id were all guarded


def test_a_megabyte_line_without_punctuation_is_handled_in_linear_time(tmp_path):
    """Cutting and scanning a 1 MB unpunctuated line: the parser pieces stay under Sudachi's byte limit,
    and the rules' look-ups do not go quadratic (a 1 MB line once did not finish in 300 s)."""
    code = (
        "from pipeline.parse.ginza import pieces\n"
        "from pipeline.extract.agreements.events import _event_spans\n"
        "text = '日米防衛協力会談共同訓練' * 28000\n"  # 336,000 characters, about 1 MB of UTF-8
        "cuts = pieces(text, 0, len(text))\n"
        "assert all(len(text[a:b].encode()) < 49149 for a, b in cuts) and cuts[-1][1] == len(text)\n"
        "assert len(_event_spans(text)) == 28000\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr[-1500:]


# ---------------------------------------------------------------- the output folder


def _small_corpus(root: Path, names: tuple[str, ...] = ("a", "b")) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in names:
        (corpus / f"{name}.txt").write_text(f"防衛省は2024年7月{len(name) + 1}日に発表した。\n", encoding="utf-8")
    return corpus


def test_an_output_folder_that_cannot_be_written_is_refused_before_any_work(tmp_path):
    corpus = _small_corpus(tmp_path)
    (tmp_path / "afile").write_text("x")
    for out, said in ((tmp_path / "afile", "is a file, not a folder"), (tmp_path / "afile" / "out", "is a file")):
        res = cli(corpus, out, tmp_path / "cache")
        assert res.returncode == 2, res.stderr
        assert res.stderr.startswith("error: output folder") and said in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert not (tmp_path / "cache").exists()  # nothing was read or parsed


def test_an_empty_corpus_does_not_wipe_the_tables(tmp_path):
    corpus, out = _small_corpus(tmp_path), tmp_path / "out"
    assert cli(corpus, out, tmp_path / "cache").returncode == 0
    before = (out / "articles.csv").read_bytes()
    for f in corpus.iterdir():  # the network drive is not mounted: the folder is there, empty
        f.unlink()
    res = cli(corpus, out, tmp_path / "cache")
    assert res.returncode == 2 and "--allow-empty" in res.stderr
    assert (out / "articles.csv").read_bytes() == before
    assert cli(corpus, out, tmp_path / "cache", "--allow-empty").returncode == 0
    assert len(read_csv(out / "articles.csv")) == 0


def test_files_follow_the_umask_and_stale_texts_go(tmp_path):
    corpus = _small_corpus(tmp_path)
    for mask, file_mode, dir_mode in ((0o022, 0o644, 0o755), (0o027, 0o640, 0o750)):
        out = tmp_path / f"out-{mask:o}"
        res = cli(corpus, out, tmp_path / f"cache-{mask:o}", preexec_fn=lambda m=mask: os.umask(m))
        assert res.returncode == 0, res.stderr
        for path in (out / "articles.csv", out / "dates.csv", out / "clean" / "a.txt"):
            assert path.stat().st_mode & 0o777 == file_mode, (mask, path)
        assert (out / "clean").stat().st_mode & 0o777 == dir_mode
    (corpus / "b.txt").unlink()
    assert cli(corpus, out, tmp_path / "cache-27").returncode == 0
    assert sorted(p.name for p in (out / "clean").iterdir()) == ["a.txt"]


# ---------------------------------------------------------------- no orphans


def _descendants(pid: int) -> set[int]:
    from pipeline.bench.memory import _tree  # the benchmark's walk of the process tree

    return set(_tree(pid)) - {pid}


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_no_process_outlives_a_killed_run(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    cmd = [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(tmp_path / "out")]
    cmd += ["--cache", str(tmp_path / "cache"), "--jobs", "2", "--quiet"]
    run = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    kids: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(kids) < 3:  # the server and its workers are up
            time.sleep(0.2)
            kids |= _descendants(run.pid)
        assert len(kids) >= 2, "the run started no parser processes"
        run.kill()  # kill -9: no handler of the run gets to clean up
        run.wait()
        time.sleep(2)
        left = [pid for pid in kids if _alive(pid)]
        assert not left, f"left behind: {left}"
    finally:
        for pid in kids | {run.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- names and ids


def test_long_names_and_formula_names_give_safe_stable_ids(tmp_path):
    corpus = tmp_path / "corpus"
    long_name = "日米防衛協力の指針に関する長い題名" * 5  # 85 characters, 255 bytes: at the file-name limit
    files = {
        f"{long_name[:80]}.txt": "防衛省は2024年7月28日に発表した。",
        f"{'長いフォルダ名' * 11}/{'長いファイル名' * 11}.txt": "外務省は2024年7月29日に発表した。",
        "-rf.txt": "統合幕僚監部は2024年7月30日に発表した。",
        "=cmd.txt": "在日米軍は2024年7月31日に発表した。",
    }
    for rel, text in files.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "out"
    res = cli(corpus, out, tmp_path / "cache")
    assert res.returncode == 0, res.stderr
    rows = read_csv(out / "articles.csv")
    ids = [r["article_id"] for r in rows]
    assert len(set(ids)) == 4 and all(len(i.encode()) <= 120 for i in ids)
    assert {"_-rf", "_=cmd"} <= set(ids)  # written as they are: the formula guard has nothing to change
    for aid in ids:
        assert (out / "clean" / f"{safe_file_name(aid)}.txt").is_file()
    assert cli(corpus, tmp_path / "out2", tmp_path / "cache").returncode == 0
    assert [r["article_id"] for r in read_csv(tmp_path / "out2" / "articles.csv")] == ids  # stable


def test_a_read_only_output_folder_is_refused(tmp_path, monkeypatch):
    """chmod does not stop root (who runs CI): the kernel's answer for a read-only folder is simulated."""
    from pipeline.output import locking

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(locking.os, "access", lambda path, mode: Path(path) != out)
    with pytest.raises(locking.OutputUnusable, match=r"is not writable \(.*out is read-only\)"):
        locking.check_writable(out)
    monkeypatch.setattr(locking.os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(locking.OutputUnusable, match="is not writable"):
        locking.check_writable(tmp_path / "new" / "out")
