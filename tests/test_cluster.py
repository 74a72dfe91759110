"""The cluster engine (Dask): the same tables byte for byte as the local engine, faults said or survived."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from pipeline.bench.corpora import seed_paragraphs, synth_corpus
from pipeline.engine.runner import run_with_stats

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
SYNTH_ARTICLES = 24
QUICK = {"progress": False, "xlsx": False, "report": False}


def outputs(out: Path) -> dict[str, bytes]:
    """Every CSV and clean text a run wrote, by path under ``out``."""
    files = [*out.glob("*.csv"), *(out / "clean").glob("*.txt")]
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(files)}


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A never-repeating synthetic corpus and its tables from the local engine (2 worker processes)."""
    base = tmp_path_factory.mktemp("synthetic")
    synth_corpus(base / "corpus", SYNTH_ARTICLES, seed_paragraphs(ROOT / "corpus"))
    run_with_stats(base / "corpus", base / "local", jobs=2, cache_dir=base / "cache-local", **QUICK)
    return base / "corpus", outputs(base / "local")


def test_seeds_identical_on_the_cluster(seed_run, client, tmp_path):
    out, _, _, _, corpus = seed_run
    _, stats = run_with_stats(corpus, tmp_path / "out", cache_dir=tmp_path / "cache", progress=False, scheduler=client)
    assert stats.parsed_chars > 0  # the workers parsed: nothing came from the seed run's cache
    assert outputs(tmp_path / "out") == outputs(out)


def test_synthetic_identical_on_a_local_cluster_and_cached_there(synthetic, tmp_path):
    corpus, expected = synthetic
    _, stats = run_with_stats(corpus, tmp_path / "out", cache_dir=tmp_path / "cache", scheduler="local:2", **QUICK)
    assert stats.parsed_chars > 0 and stats.extracted == SYNTH_ARTICLES
    assert outputs(tmp_path / "out") == expected
    assert list((tmp_path / "cache" / "parse").rglob("*.spacy"))  # the workers wrote the shared parse cache
    _, again = run_with_stats(corpus, tmp_path / "again", cache_dir=tmp_path / "cache", scheduler="local:2", **QUICK)
    assert (again.parsed_chars, again.extracted) == (0, 0)
    assert outputs(tmp_path / "again") == expected


@pytest.mark.parametrize("inputs", ["shared", "data", "auto"])
def test_workers_read_a_corpus_they_see_else_get_its_text(inputs, synthetic, client, tmp_path, monkeypatch):
    """Workers that read the corpus at the client's paths (a LocalCluster shares this machine's disk) read,
    clean and de-duplicate it themselves (``shared``, and ``auto`` finds they can): the client prepares
    nothing. With ``data`` the client prepares and sends the text. The tables are the same either way."""
    from pipeline.engine.cluster import pool

    corpus, expected = synthetic
    monkeypatch.setenv(pool.INPUTS_ENV, inputs)
    if inputs != "data":

        def refuse(*_args, **_kwargs):
            raise AssertionError("the client prepared a file the workers read")

        monkeypatch.setattr(pool, "prepare", refuse)
    _, stats = run_with_stats(corpus, tmp_path / "out", cache_dir=tmp_path / "cache", scheduler=client, **QUICK)
    assert stats.inputs == ("data" if inputs == "data" else "shared")
    assert outputs(tmp_path / "out") == expected


def test_inputs_mode_names_the_workers_that_do_not_see_the_corpus(tmp_path, monkeypatch):
    """``auto`` falls back to task data when a worker does not read the files at the client's paths;
    ``shared`` then fails the run naming it; anything else is refused."""
    from pipeline.engine.cluster import ClusterError, pool
    from pipeline.prepare import reading

    synth_corpus(tmp_path / "corpus", 3, seed_paragraphs(ROOT / "corpus"))
    files = reading.discover(tmp_path / "corpus")

    class Cluster:  # what ``client.run`` answers: one worker sees the files, the other does not
        def run(self, check, paths, sizes):
            return {"tcp://10.0.0.1:1": check(paths, sizes), "tcp://10.0.0.2:1": check(paths, [n + 1 for n in sizes])}

    assert pool.inputs_mode(Cluster(), files, "auto") == "data"
    with pytest.raises(ClusterError, match=r"do not read the corpus at .*: tcp://10\.0\.0\.2:1$"):
        pool.inputs_mode(Cluster(), files, "shared")
    monkeypatch.setenv(pool.INPUTS_ENV, "nfs")
    with pytest.raises(ClusterError, match="expected auto, shared or data"):
        pool.inputs_wanted()


def mixed_corpus(folder: Path) -> Path:
    """A held-out-style corpus: the seeds in other encodings and as an HTML page, a repost with a paragraph of
    its own, a PDF press release, and a file that is not text."""
    folder.mkdir(parents=True)
    seeds = sorted((ROOT / "corpus").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    (folder / "a_sjis.txt").write_bytes(texts[0].encode("shift_jis", errors="replace"))
    (folder / "b_eucjp.txt").write_bytes(texts[1].encode("euc_jp", errors="replace"))
    paragraphs = "".join(f"<p>{line}</p>\n" for line in texts[2].splitlines() if line.strip())
    (folder / "c_page.html").write_text(f"<html><head><title>日米</title></head><body>{paragraphs}</body></html>")
    (folder / "d_seed.txt").write_text(texts[3], encoding="utf-8")
    (folder / "e_repost.txt").write_text(texts[3] + "\n両国は、協議を続けることで一致した。\n", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "fixtures" / "press_release.pdf", folder / "f_release.pdf")
    (folder / "g_binary.txt").write_bytes(bytes(range(256)) * 8)
    return folder


@pytest.mark.parametrize("inputs", ["shared", "data"])
def test_a_mixed_corpus_identical_on_the_cluster(inputs, client, tmp_path, monkeypatch):
    """Encodings, HTML, a PDF, a repost and a bad file: the cluster writes the local engine's tables and clean
    texts, byte for byte, whichever way the text reaches the workers."""
    from pipeline.engine.cluster import pool

    corpus = mixed_corpus(tmp_path / "corpus")
    run_with_stats(corpus, tmp_path / "local", jobs=2, cache_dir=tmp_path / "cache-local", **QUICK)
    monkeypatch.setenv(pool.INPUTS_ENV, inputs)
    _, stats = run_with_stats(corpus, tmp_path / "out", cache_dir=tmp_path / "cache", scheduler=client, **QUICK)
    assert stats.inputs == inputs and stats.failed == 1 and stats.near_duplicates == 1
    assert outputs(tmp_path / "out") == outputs(tmp_path / "local")


def test_a_worker_killed_mid_run_loses_nothing(synthetic, client, tmp_path, monkeypatch):
    corpus, expected = synthetic
    monkeypatch.setenv("PIPELINE_CLUSTER_BATCH", "1")  # many small tasks: the run is still going at the kill
    killed: list[str] = []

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [addr for addr, tasks in client.processing().items() if tasks]
            if busy:
                os.kill(client.run(os.getpid, workers=[busy[0]])[busy[0]], signal.SIGKILL)
                killed.append(busy[0])
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    killer.start()
    run_with_stats(corpus, tmp_path / "out", cache_dir=tmp_path / "cache", scheduler=client, **QUICK)
    killer.join()
    assert killed, "no worker was busy: nothing was killed"
    assert outputs(tmp_path / "out") == expected


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_local_cluster_workers_are_forked_from_the_parser_server_and_one_killed_loses_nothing(
    synthetic, tmp_path, monkeypatch
):
    from multiprocessing import forkserver

    corpus, expected = synthetic
    monkeypatch.setenv("PIPELINE_CLUSTER_BATCH", "1")
    killed: list[int] = []

    def kill_a_forked_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            server = getattr(forkserver._forkserver, "_forkserver_pid", None)
            workers = _children(server) if server else []
            if len(workers) == 2:  # both workers are up, forked from the server: let them start, then kill one
                time.sleep(2)
                os.kill(workers[0], signal.SIGKILL)
                killed.append(len(list((tmp_path / "cache" / "parse").rglob("*.spacy"))))
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_forked_worker, daemon=True)
    killer.start()
    run_with_stats(corpus, tmp_path / "out", cache_dir=tmp_path / "cache", scheduler="local:2", **QUICK)
    killer.join()
    assert killed, "the LocalCluster's workers were not forked from the parser server"
    assert killed[0] < SYNTH_ARTICLES  # articles parsed when the worker was killed: the run was going
    assert outputs(tmp_path / "out") == expected


def test_a_worker_with_other_rules_fails_the_run_naming_it(tmp_path):
    from distributed import Client, LocalCluster

    from pipeline.engine.cluster import ClusterError

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "pipeline" / "rules", rules)
    data = yaml.safe_load((rules / "dates.yaml").read_text(encoding="utf-8"))
    data["rules"].pop()  # an edit only that worker has (a comment would change no result, and no key)
    (rules / "dates.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    synth_corpus(tmp_path / "corpus", 2, seed_paragraphs(ROOT / "corpus"))
    env = {"PIPELINE_RULES": str(rules)}
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0", env=env) as cluster:
        with Client(cluster) as client, pytest.raises(ClusterError) as failed:
            run_with_stats(tmp_path / "corpus", None, cache_dir=tmp_path / "cache", scheduler=client, **QUICK)
        worker = next(iter(cluster.scheduler_info["workers"]))
    assert f"worker {worker}" in str(failed.value)
    assert "code and rules of the dates family" in str(failed.value)


def test_a_worker_without_ja_ginza_is_told(monkeypatch):
    from importlib.metadata import PackageNotFoundError

    from pipeline.engine.cluster import versions
    from pipeline.parse import ginza

    here = versions.versions()

    def missing() -> str:
        raise PackageNotFoundError("ja_ginza")

    monkeypatch.setattr(ginza, "model_id", missing)
    [what] = versions.differences(here, versions.versions())
    assert what.startswith("GiNZA model and parser packages: missing (PackageNotFoundError: ")
    assert "ja_ginza) on the worker, ja_ginza=" in what


def test_unreachable_scheduler_one_line_exit_2(tmp_path):
    synth_corpus(tmp_path / "corpus", 1, seed_paragraphs(ROOT / "corpus"))
    cmd = [sys.executable, "-m", "pipeline", "run", "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "o")]
    env = {**os.environ, "PIPELINE_SCHEDULER": "tcp://127.0.0.1:9", "PIPELINE_SCHEDULER_TIMEOUT": "2"}
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 2 s (OSError)"
    ]
    assert time.monotonic() - t0 < 15


def test_the_local_engine_never_imports_dask(tmp_path):
    synth_corpus(tmp_path / "corpus", 2, seed_paragraphs(ROOT / "corpus"))
    script = (
        "import sys\n"
        "from pipeline.engine.runner import run_with_stats\n"
        f"run_with_stats({str(tmp_path / 'corpus')!r}, {str(tmp_path / 'out')!r}, jobs=2, "
        f"cache_dir={str(tmp_path / 'cache')!r}, progress=False)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PIPELINE_SCHEDULER"}
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"
