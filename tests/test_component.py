"""The rules as a spaCy component: its records are the rows a run writes for the same article."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.extract.families import families
from pipeline.prepare import reading

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "corpus").glob("004_*.txt"))
ARTICLE_ID = reading.article_id_for(SEED.name)


@pytest.fixture(scope="module")
def extracting(nlp):
    """The session's GiNZA with the component added for this module only (the other tests keep the plain model)."""
    nlp.add_pipe("jpnews_extract", config={"article_id": ARTICLE_ID})
    yield nlp
    nlp.remove_pipe("jpnews_extract")


@pytest.fixture(scope="module")
def seed_doc(extracting):
    """The seed as the reader decodes it, through the component."""
    article = reading.read(reading.InputFile(SEED, SEED.name, ARTICLE_ID))
    assert article.ok, article.error
    return extracting(article.raw)


@pytest.fixture(scope="module")
def seed_tables(tmp_path_factory):
    """The tables of a real run on a corpus of that one file (in this process: jobs=1)."""
    from pipeline import run

    base = tmp_path_factory.mktemp("component_run")
    shutil.copy(SEED, base / SEED.name)
    return run(base, jobs=1, cache_dir=base / ".cache", progress=False)


def test_records_are_the_rows_of_a_run(seed_doc, seed_tables):
    # Nothing differs: the component prepares the text as the run prepares the file (clean, repeated
    # blocks dropped, sentences), parses each sentence with the same model, and builds the rows with the
    # same TableBuilder; its article_id setting fills the article_id column and the agreement/amount ids
    # are numbered within the article, so no column has to be dropped.
    for family in families():
        expected = getattr(seed_tables, family.name).to_dict("records")
        assert seed_doc._.get(family.name) == expected, family.name
    assert seed_doc._.people and seed_doc._.organizations and seed_doc._.dates and seed_doc._.agreements


def test_offsets_point_into_the_clean_text(seed_doc, seed_tables):
    text = seed_doc._.jpnews_text
    assert len(text) == seed_tables.articles.loc[0, "chars_clean"]
    for row in seed_doc._.dates:
        assert text[row["start"] : row["end"]] == row["text"]
    for row in seed_doc._.agreements:
        assert row["sentence"] in text


def test_rule_id_on_every_record(seed_doc):
    for family in families():
        for row in seed_doc._.get(family.name):
            assert isinstance(row["rule"], str) and row["rule"], (family.name, row)


TEXT = "防衛省は3日、日米両政府が新たな協定に署名したと発表した。"


def test_published_setting_anchors_dates(extracting):
    assert extracting(TEXT)._.dates[0]["anchor"] == "unresolved"  # the text gives no published date
    with extracting.select_pipes(disable=["jpnews_extract"]):
        extracting.add_pipe("jpnews_extract", name="jpnews_fixed", config={"published": "2021-03-05"})
        try:
            dates = extracting(TEXT)._.dates
        finally:
            extracting.remove_pipe("jpnews_fixed")
    assert [(d["value"], d["anchor"]) for d in dates] == [("2021-03-03", "published")]
    with pytest.raises(ValueError, match="ISO date"):
        extracting.add_pipe("jpnews_extract", name="jpnews_bad", config={"published": "3日"})
    assert "jpnews_bad" not in extracting.pipe_names


def test_empty_text_gives_empty_records(extracting):
    doc = extracting("")
    assert doc._.jpnews_text == ""
    assert all(doc._.get(family.name) == [] for family in families())


SCRIPT = """
import json, sys
import spacy
assert "pipeline" not in sys.modules
nlp = spacy.load("ja_ginza")
nlp.add_pipe("jpnews_extract")
doc = nlp(sys.argv[1])
print(json.dumps({"dates": doc._.dates, "organizations": doc._.organizations}, ensure_ascii=False))
"""


def test_factory_found_through_entry_points(tmp_path):
    """A fresh Python, outside the repository, that never imports pipeline itself."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, TEXT], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert [d["text"] for d in found["dates"]] == ["3日"]
    assert [o["organization"] for o in found["organizations"]] == ["防衛省"]
