"""``python -m pipeline watch`` driven as a user drives it: a real process, edits to a copy of the rules and
to the corpus, the refreshed tables read back, Ctrl-C."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from pipeline.bench.watching import WatchProcess

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_A = "山田外相は3日、ブラウン国務長官と外務省で会談し、サイバー分野の協力を強化することで一致した。\n"
ARTICLE_B = "日豪両政府は5日、防衛装備品を共同で開発することで合意した。両国はまた、共同訓練の拡大を確認した。\n"
ARTICLE_C = "日英両政府は7日、円滑化協定に署名した。\n"
QUICK = ("--jobs", "1", "--no-xlsx", "--no-report")


@pytest.fixture
def workspace(tmp_path):
    shutil.copytree(ROOT / "pipeline" / "rules", tmp_path / "rules")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (tmp_path / "corpus" / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    return tmp_path


def start(base: Path, options: tuple[str, ...] = QUICK) -> WatchProcess:
    env = {**os.environ, "PIPELINE_RULES": str(base / "rules")}
    return WatchProcess(ROOT, base / "corpus", base / "out", base / "cache", base / "rules", env, options)


def tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


def cold_run(base: Path, into: str, cache: str = "") -> dict[str, bytes]:
    """What `run` writes from nothing (or from the parses in ``cache``), with the same rules and corpus."""
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        "--corpus",
        str(base / "corpus"),
        "--out",
        str(base / into),
        "--rules",
        str(base / "rules"),
        "--cache",
        str(base / (cache or f"{into}-cache")),
        "--quiet",
        *QUICK,
    ]
    subprocess.run(cmd, cwd=ROOT, check=True)
    return tables(base / into)


def drop_rule(rules: Path, rule_id: str) -> None:
    path = rules / "agreements.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"] = [r for r in data["rules"] if r["id"] != rule_id]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_watch_refreshes_after_edits_and_matches_a_cold_run(workspace):
    base = workspace
    w = start(base)
    try:
        # the output folder is held: a run on it refuses with the usual message
        busy = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline",
                "run",
                "--corpus",
                str(base / "corpus"),
                "--out",
                str(base / "out"),
                "--quiet",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert busy.returncode == 2 and "in use by another run" in busy.stderr

        drop_rule(base / "rules", "agreement.koto_de_icchi")  # a rule edit that removes rows
        line = w.wait_for("tables refreshed")
        assert "agreements.yaml changed" in line and "0 chars parsed" in line
        mark = len(w.seen)
        w.wait_for("(rule agreement.koto_de_icchi)")
        assert any(seen.strip().startswith("agreements +") for seen in w.since(mark - 1))

        (base / "rules" / "dates.yaml").write_text("family: dates\nrules: [\n", encoding="utf-8")  # broken
        mark = len(w.seen)
        w.wait_for("the tables stay as they were")
        assert any("dates.yaml" in seen and "not valid YAML" in seen for seen in w.since(mark))
        shutil.copy(ROOT / "pipeline" / "rules" / "dates.yaml", base / "rules" / "dates.yaml")
        w.wait_for("dates.yaml changed")

        (base / "corpus" / "c.txt").write_text(ARTICLE_C, encoding="utf-8")  # a new article
        w.wait_for("c.txt changed")
        (base / "corpus" / "a.txt").unlink()  # a deleted one
        w.wait_for("a.txt changed")
        assert tables(base / "out") == cold_run(base, "cold")
        arts = (base / "out" / "articles.csv").read_text(encoding="utf-8-sig")
        assert "c.txt" in arts and "a.txt" not in arts
    finally:
        mark = len(w.seen)
        code = w.stop()
    refreshes = sum(" refreshed in " in seen or "nothing to do" in seen for seen in w.seen)
    assert code == 0 and w.since(mark)[-1:] == [
        f"watch stopped after {refreshes} refreshes; the tables in {base / 'out'}/ are complete"
    ]
    assert not [p for p in (base / "out").iterdir() if "tmp" in p.name]


def test_a_code_change_is_said_once_and_not_reloaded(workspace):
    w = start(workspace)
    try:
        probe = ROOT / "pipeline" / f"_watch_probe_{os.getpid()}.py"  # a change to the package's code
        try:
            probe.write_text("# probe\n", encoding="utf-8")
            w.wait_for("code is not reloaded", timeout=60)
        finally:
            probe.unlink(missing_ok=True)
        time.sleep(1.0)  # the removal is a change too: let it be handled before Ctrl-C
    finally:
        assert w.stop() == 0


IN_PROCESS = {"progress": False, "xlsx": False, "report": False}


def meetings_corpus(corpus: Path, n: int) -> None:
    """``n`` short articles of our own, distinct enough that no one is a near-duplicate of another."""
    corpus.mkdir()
    who = ["山田外相", "佐藤防衛相", "鈴木首相", "高橋経産相", "田中官房長官"]
    whom = ["ブラウン国務長官", "グリーン国防長官", "ホワイト大統領", "ブラック商務長官", "グレー補佐官"]
    what = ["サイバー分野の協力を強化すること", "共同訓練を拡大すること", "装備品を共同で開発すること"]
    for i in range(n):
        text = f"{who[i % 5]}は{i + 1}日、{whom[(i * 2) % 5]}と会談し、{what[i % 3]}で一致した。\n"
        text += f"両氏はまた、{what[(i + 1) % 3]}を確認した。会談は{i + 10}分間行われた。\n"
        (corpus / f"{i:02d}.txt").write_text(text, encoding="utf-8")


def test_a_refresh_forks_workers_and_writes_what_one_process_writes(tmp_path, monkeypatch):
    """With many articles to re-extract, a watch refresh forks its workers from itself: same tables."""
    from pipeline.engine import runner, session

    corpus = tmp_path / "corpus"
    meetings_corpus(corpus, session.FORK_FROM + 2)
    cache, quick = tmp_path / "cache", IN_PROCESS
    runner.run_with_stats(corpus, tmp_path / "one", 1, cache, **quick)
    shutil.rmtree(cache / "extract")  # every family runs again, on the cached parses
    forks, real = [], session._forked
    monkeypatch.setattr(session, "_forked", lambda s, jobs: forks.append(len(jobs)) or real(s, jobs))
    runner.run_with_stats(corpus, tmp_path / "forked", 1, cache, session=session.Session(cache, jobs=2), **quick)
    assert forks == [session.FORK_FROM + 2]
    assert tables(tmp_path / "forked") == tables(tmp_path / "one") and tables(tmp_path / "one")


def test_a_refresh_extracts_from_the_docs_the_session_holds(tmp_path):
    """Between refreshes the session holds the corpus' parsed docs: a refresh's forked workers extract from
    them (with the parse cache gone, nothing is parsed again) and write a cold run's tables; the docs of an
    article removed are let go."""
    from pipeline.cache import Caches
    from pipeline.engine import runner, session

    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    meetings_corpus(corpus, session.FORK_FROM + 2)
    runner.run_with_stats(corpus, tmp_path / "first", 1, cache, **IN_PROCESS)
    s = session.Session(cache, jobs=2)
    runner.run_with_stats(corpus, tmp_path / "watched", 1, cache, session=s, **IN_PROCESS)
    s.keep_docs()
    assert sorted(s.docs) == sorted(job.parse_key for job in s.seen.values()) and len(s.docs) == len(s.seen) == 10
    shutil.rmtree(Caches(cache).parse)
    shutil.rmtree(Caches(cache).extract.root)
    s.stores.clear()  # every family runs again
    (corpus / "03.txt").unlink()
    s.seen.clear()  # as watch does before each refresh
    _, stats = runner.run_with_stats(corpus, tmp_path / "watched", 1, cache, session=s, **IN_PROCESS)
    assert stats.parsed_chars == 0 and stats.extracted == 9
    runner.run_with_stats(corpus, tmp_path / "cold", 1, tmp_path / "cold-cache", **IN_PROCESS)
    assert tables(tmp_path / "watched") == tables(tmp_path / "cold")
    s.keep_docs()
    assert len(s.docs) == 9


def remove_item(path: Path, key: str, value: str) -> None:
    """Remove the rule (``key`` id) or dictionary entry (``key`` name) whose ``key`` is ``value``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    field = "rules" if "rules" in data and data["rules"] else "entries"
    kept = [item for item in data[field] if item.get(key) != value]
    assert len(kept) == len(data[field]) - 1, value
    data[field] = kept
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_screened_refreshes_write_what_a_full_run_writes(tmp_path):
    """After each edit, the articles the edit cannot change keep their results (fewer articles are extracted)
    and the tables are still those of a run that re-extracts everything with the edited rules."""
    shutil.copytree(ROOT / "pipeline" / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    total = len(list((tmp_path / "corpus").glob("*.txt")))
    edits = [
        ("institutions.yaml", "name", "防衛省"),  # a dictionary entry: where its words are written
        ("agreements.yaml", "id", "agreement.shomei"),  # a token pattern: where its words are
        ("dates.yaml", "id", "date.western_ymd"),  # a mention regex: where it matches
        ("offices.yaml", "office", "内閣総理大臣"),
    ]
    w = start(tmp_path, ("--jobs", "2", *QUICK[2:]))  # the first run parses in worker processes
    extracted = []
    try:
        for i, (name, key, value) in enumerate(edits):
            remove_item(tmp_path / "rules" / name, key, value)
            line = w.wait_for("tables refreshed", fail=("rules not loaded",))
            extracted.append(int(line.split(" chars parsed, ")[1].split(" articles")[0]))
            shutil.rmtree(tmp_path / "cold-cache" / "extract", ignore_errors=True)  # the full run extracts anew
            assert tables(tmp_path / "out") == cold_run(tmp_path, f"cold{i}", cache="cold-cache"), name
    finally:
        assert w.stop() == 0
    assert min(extracted) < total and all(n <= total for n in extracted), extracted
    # the first edit after the first run (which parsed with its own workers) re-extracts only the articles
    # where the entry's name is written: the results from before the edit are found by the rules as loaded
    written = sum("防衛省" in p.read_text(encoding="utf-8") for p in (tmp_path / "corpus").glob("*.txt"))
    assert extracted[0] == written < total, extracted


def test_the_session_store_keeps_the_newest_copy_of_an_entry_rewritten_under_its_key(tmp_path):
    """A memo is not content-addressed: its key stays while its matches grow. The in-memory copy follows a
    rewrite in this process, and ``reload`` takes the copy a forked worker wrote to disk."""
    from pipeline.cache import DiskCache
    from pipeline.engine.session import MemoryStore

    disk = DiskCache(tmp_path / "extract", ".pickle")
    store = MemoryStore(disk)
    store.put("memo", b"one pattern")
    store.put("memo", b"one pattern, then two")
    store.flush()
    assert store.get("memo") == b"one pattern, then two" and disk.get("memo") == b"one pattern, then two"
    disk.put("memo", b"what a worker wrote")  # another process, straight to disk
    assert store.get("memo") == b"one pattern, then two"
    store.reload("memo")
    assert store.get("memo") == b"what a worker wrote"
    assert store.size == len(b"what a worker wrote")


def test_the_session_store_writes_its_entries_behind_the_refresh_not_during_it(tmp_path):
    """Entries put during a refresh are read from memory at once and reach the disk at ``flush`` (after the
    tables are out) or a batch at a time; ``settle`` (before a fork) leaves the queue alone; a forked child
    drops its parent's queue, which the parent writes."""
    from pipeline.cache import DiskCache
    from pipeline.engine.session import MemoryStore

    disk = DiskCache(tmp_path / "extract", ".pickle")
    store = MemoryStore(disk)
    store.put("a", b"alpha")
    store.settle()
    assert store.get("a") == b"alpha" and disk.get("a") is None
    store.flush()
    assert disk.get("a") == b"alpha"
    store.BATCH = 3
    for k in "bcd":
        store.put(k, k.encode())
    store.settle()  # a full batch was handed to the writer: settled, it is on disk
    assert [disk.get(k) for k in "bcd"] == [b"b", b"c", b"d"]
    store.put("e", b"e")
    store.forget_queue()  # as in a forked child
    store.flush()
    assert disk.get("e") is None and store.get("e") == b"e"
