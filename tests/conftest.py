"""Shared fixtures: GiNZA is loaded once per session, the seeds are run once."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "gold"

# The cache's signing key of the test session (and of the runs it starts): never the user's own.
os.environ.setdefault("PIPELINE_CACHE_KEY_FILE", str(Path(tempfile.mkdtemp(prefix="jpnews-key-")) / "cache.key"))


@pytest.fixture(scope="session")
def nlp():
    """The pipeline's GiNZA model (numpy products), loaded once."""
    from pipeline.parse.ginza import load_model

    return load_model(fast=True)


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory):
    """The whole pipeline on the five seeds, once: (out folder, cache folder, tables, stats)."""
    from pipeline.engine.runner import run_with_stats

    base = tmp_path_factory.mktemp("seed_run")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    out, cache = base / "outputs", base / "cache"
    tables, stats = run_with_stats(corpus, out, jobs=1, cache_dir=cache, progress=False)
    return out, cache, tables, stats, corpus


def parse_article(nlp, path: Path):
    """One corpus file through read → clean → dedup → parse, as the rule families see it."""
    from pipeline import explain
    from pipeline.prepare import reading
    from pipeline.prepare import stage as preparing

    article = preparing.prepare(reading.InputFile(path, path.name, reading.article_id_for(path.name)))
    assert article.ok, article.error
    return explain.parse(article, nlp)


@pytest.fixture(scope="session")
def parsed_seeds(nlp):
    """{article_id: ParsedArticle} for the five seeds, parsed once per session."""
    return {p.stem: parse_article(nlp, p) for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def parse_text(nlp):
    """Parse a small text written for a test into a ParsedArticle (sentences split by the cleaner)."""
    from dataclasses import replace

    from pipeline.extract.examples import parse_example

    def _parse(text: str, published: str | None = None, article_id: str = "test"):
        return replace(parse_example(text, nlp, published), article_id=article_id)

    return _parse
