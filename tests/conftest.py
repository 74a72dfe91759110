"""Shared fixtures: GiNZA is loaded once per session, the seeds are run once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="session")
def nlp():
    """The pipeline's GiNZA model (numpy products), loaded once."""
    from pipeline.parsing import load_model

    return load_model(fast=True)


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory):
    """The whole pipeline on the five seeds, once: (out folder, cache folder, tables, stats)."""
    from pipeline.runner import run_with_stats

    base = tmp_path_factory.mktemp("seed_run")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    out, cache = base / "outputs", base / "cache"
    tables, stats = run_with_stats(corpus, out, jobs=1, cache_dir=cache, progress=False)
    return out, cache, tables, stats, corpus
