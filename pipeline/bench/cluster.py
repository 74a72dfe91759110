"""``make bench-dask``: the local engine against a Dask ``LocalCluster`` of 1 and 2 workers, cold runs side by side.

The corpus is ``make bench``'s never-repeating synthetic one (``synth_corpus``), each run a whole
``python -m pipeline run`` from files to every output with empty caches (start-up and cluster start included).
Also measured: the overhead per article of going through Dask (its time minus the local engine's with as many
processes, per article), each engine's peak memory per worker process, the batch sizes asked for (``--batches``),
and the whole-corpus steps that stay on the client (reading and cleaning, cross-article de-duplication, the
tables and their files), from runs whose parse and extraction all come from the caches, per 1,000 articles.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ..engine.cluster.pool import INPUTS_ENV
from ..output import manifest
from . import ROOT, WORK
from .corpora import seed_paragraphs, synth_corpus
from .memory import RssSampler

LOCAL = "local"  # the local engine with its default processes (one per core)


def run(corpus: Path, out: Path, cache: Path, extra: list[str], env: dict) -> dict:
    """One whole run: wall seconds and peak RSS (MB) of the largest process other than the client."""
    cmd = [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(out), "--cache", str(cache)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd + extra, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with RssSampler(proc.pid) as rss:
        _, stderr = proc.communicate()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd + extra)} failed ({proc.returncode}): {stderr[-2000:]}")
    seconds = time.perf_counter() - t0
    # The machine's load as it ended: well over the 2-3 processes a run keeps busy means something else ran.
    load = os.getloadavg()[0]
    return {"seconds": seconds, "worker_mb": rss.peak_worker / 1024, "client_mb": rss.peak_parent / 1024, "load": load}


def cold(name: str, corpus: Path, extra: list[str], env: dict) -> dict:
    """A run of ``name`` with empty output and cache folders."""
    out, cache = WORK / f"out-dask-{name}", WORK / f"cache-dask-{name}"
    for d in (out, cache):
        shutil.rmtree(d, ignore_errors=True)
    return {**run(corpus, out, cache, extra, env), "out": str(out), "cache": str(cache)}


def same_tables(a: str, b: str) -> bool:
    """Every CSV of two runs byte for byte equal."""
    names = sorted(p.name for p in Path(a).glob("*.csv"))
    return bool(names) and all((Path(a) / n).read_bytes() == (Path(b) / n).read_bytes() for n in names)


def client_side(corpus: Path, local: dict, env: dict, n: int) -> dict:
    """Seconds per 1,000 articles of a run whose parse and extraction come from the caches: with the cleaned
    articles cached too, and with them read and cleaned again (start-up included: an upper bound)."""
    out, cache = Path(local["out"]), Path(local["cache"])
    (out / manifest.NAME).unlink()
    cached = run(corpus, out, cache, [], env)["seconds"]
    (out / manifest.NAME).unlink()
    shutil.rmtree(cache / "prepare")
    recleaned = run(corpus, out, cache, [], env)["seconds"]
    return {"cached_per_1000": cached * 1000 / n, "with_cleaning_per_1000": recleaned * 1000 / n}


def measure(n: int, batches: list[int]) -> dict:
    corpus = WORK / f"corpus-dask-{n}"
    shutil.rmtree(corpus, ignore_errors=True)
    chars = synth_corpus(corpus, n, seed_paragraphs(ROOT / "corpus"))
    env = {k: v for k, v in os.environ.items() if k != "PIPELINE_SCHEDULER"}
    # Interleaved (local, 2 workers, one process, 1 worker, then the other batch sizes, then local again), so
    # that a change in the machine's load shows as a difference between the two local runs, not as Dask's cost.
    # The default inputs: the workers read the corpus themselves (it is on this machine's disk, ``auto`` → shared);
    # one run has the client prepare it and send the text, as for a corpus only the client can read.
    auto, data = {INPUTS_ENV: "auto"}, {INPUTS_ENV: "data"}
    plan: list[tuple[str, list[str], int, int, dict[str, str]]] = [
        (LOCAL, [], 0, 0, {}),
        ("local --jobs 1", ["--jobs", "1"], 0, 0, {}),
    ]
    plan[1:1] = [(_name(2, batches[0], batches), ["--scheduler", "local:2"], 2, batches[0], auto)]
    plan.append((_name(1, batches[0], batches), ["--scheduler", "local:1"], 1, batches[0], auto))
    plan.append((_name(2, batches[0], batches) + ", text as data", ["--scheduler", "local:2"], 2, batches[0], data))
    plan += [(_name(2, b, batches), ["--scheduler", "local:2"], 2, b, auto) for b in batches[1:]]
    plan.append(("local, again", [], 0, 0, {}))
    runs = {}
    for name, extra, workers, batch, inputs in plan:
        benv = {**env, "PIPELINE_CLUSTER_BATCH": str(batch), **inputs} if workers else env
        runs[name] = cold(name.replace(" ", "-").replace(",", ""), corpus, extra, benv)
        if workers:
            runs[name].update(workers=workers, batch=batch)
    for r in runs.values():
        r["chars_per_s"] = chars / r["seconds"]
        r["of_local"] = runs[LOCAL]["seconds"] / r["seconds"]
        r["identical"] = same_tables(r["out"], runs[LOCAL]["out"])
        if "workers" in r:  # against the local engine with as many processes
            base = runs[LOCAL] if r["workers"] > 1 else runs["local --jobs 1"]
            r["overhead_ms_per_article"] = (r["seconds"] - base["seconds"]) * 1000 / n
    return {"articles": n, "chars": chars, "runs": runs, "client_side": client_side(corpus, runs[LOCAL], env, n)}


def _name(workers: int, batch: int, batches: list[int]) -> str:
    return f"dask {workers} worker{'s' * (workers > 1)}" + (f" batch {batch}" if len(batches) > 1 else "")


def targets(result: dict) -> list[tuple[bool, str]]:
    """The issue's targets: 2 workers ≥ 90 % of the local engine's throughput, 1 worker ≥ 45 %."""
    out = []
    for workers, floor in ((2, 0.90), (1, 0.45)):
        for name, r in result["runs"].items():
            if r.get("workers") == workers and r["batch"] == result["batch"] and not name.endswith("as data"):
                out.append((r["of_local"] >= floor, f"{name} ≥ {floor:.0%} of the local engine: {r['of_local']:.0%}"))
    out.append((all(r["identical"] for r in result["runs"].values()), "every CSV identical to the local engine's"))
    return out


def report(result: dict) -> str:
    lines = [
        f"{result['articles']} articles, {result['chars']} chars, cold runs (empty caches, start-up included):",
        f"{'engine':<30} {'seconds':>8} {'chars/s':>8} {'of local':>9} {'overhead ms/article':>20} {'worker MB':>10} "
        f"{'client MB':>10} {'load':>5}",
    ]
    for name, r in result["runs"].items():
        over = f"{r['overhead_ms_per_article']:+.1f}" if "overhead_ms_per_article" in r else ""
        lines.append(
            f"{name:<30} {r['seconds']:>8.1f} {r['chars_per_s']:>8.0f} {r['of_local']:>9.0%} {over:>20} "
            f"{r['worker_mb']:>10.0f} {r['client_mb']:>10.0f} {r['load']:>5.1f}"
        )
    c = result["client_side"]
    lines.append(
        f"whole-corpus steps on the client (parse and extraction cached), per 1,000 articles: "
        f"{c['cached_per_1000']:.1f} s; {c['with_cleaning_per_1000']:.1f} s with reading and cleaning again"
    )
    lines += ["", "targets:"] + [f"  {'met' if met else 'NOT met':<8} {what}" for met, what in targets(result)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.bench.cluster", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "outputs")
    ap.add_argument("--size", type=int, default=200, help="articles in the synthetic corpus")
    ap.add_argument("--batches", default="", help="articles per Dask task to compare (default: the engine's)")
    args = ap.parse_args(argv)
    from ..engine.cluster.pool import BATCH

    batches = [int(b) for b in args.batches.split(",") if b] or [BATCH]
    batches.sort(key=lambda b: b != BATCH)  # the engine's own batch size first: the targets are judged on it
    WORK.mkdir(exist_ok=True)
    result = {**measure(args.size, batches), "batch": batches[0]}
    result["targets"] = [{"met": met, "target": what} for met, what in targets(result)]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench-dask.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
