"""The most a cold run can reach on this machine: the model's load, then the pipeline's parser on every core.

A cold run's throughput cannot beat its parser's: every sentence goes through GiNZA once, and a worker
parses on one core with one BLAS thread. So ``make bench`` measures that parser alone — the same model
settings (``ginza.load_model``), the same clean sentences (``prepare``), no cache, no extraction, no
start-up — on part of the stock corpus, and the model's load time: ``bound`` is then the ceiling of (b)/(a).
Run as ``python -m pipeline.bench.ceiling`` with the paths as JSON on stdin; prints one JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..engine.server import BLAS_THREAD_VARS

ARTICLES = 50  # enough text for a steady rate (about 86,000 chars, 15 s on one core here)


def parse_rate(paths: list[Path]) -> dict:
    """Characters per second of ``ginza.parse_texts`` over the articles' clean sentences, in this process."""
    from ..parse import ginza
    from ..prepare import reading
    from ..prepare.stage import prepare

    t0 = time.perf_counter()
    nlp = ginza.load_model(fast=True)
    load_s = time.perf_counter() - t0
    files = [reading.InputFile(p.resolve(), p.name, reading.article_id_for(p.name)) for p in paths]
    texts = [t for f in files for t in prepare(f).sentence_texts()]
    ginza.parse_texts(nlp, texts[:20])  # warm: first calls allocate
    t0 = time.perf_counter()
    ginza.parse_texts(nlp, texts)
    seconds = time.perf_counter() - t0
    chars = sum(map(len, texts))
    return {"chars": chars, "seconds": seconds, "chars_per_s": chars / seconds, "load_s": load_s}


def measure(paths: list[Path], cwd: Path) -> dict:
    """``parse_rate`` in a fresh process with one BLAS thread, as a worker parses; and the machine's ceiling."""
    env = {**os.environ, **dict.fromkeys(BLAS_THREAD_VARS, "1")}
    res = subprocess.run(
        [sys.executable, "-m", "pipeline.bench.ceiling"],
        input=json.dumps([str(p) for p in paths[:ARTICLES]]),
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=env,
    )
    found = json.loads(res.stdout.strip().splitlines()[-1])
    return {**found, "cores": os.cpu_count() or 1}


def bound(ceiling: dict, chars: int) -> float:
    """The fewest seconds a cold run of ``chars`` can take here: the model loaded, then every core parsing
    (nothing read, extracted or written; no interpreter start-up)."""
    return ceiling["load_s"] + chars / (ceiling["chars_per_s"] * ceiling["cores"])


if __name__ == "__main__":
    print(json.dumps(parse_rate([Path(p) for p in json.loads(sys.stdin.read())])))
