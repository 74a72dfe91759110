"""The README's "Answering questions" one-liners, run as written on the seed run's tables."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "004_02232067b5b04c88"


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Answering questions", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.fixture(scope="module")
def answers(seed_run):
    """Each block's ``answer``, run in order in one namespace from the folder holding outputs/ and corpus/."""
    out, *_, corpus = seed_run
    assert out.name == "outputs" and corpus.name == "corpus" and out.parent == corpus.parent
    namespace: dict = {}
    found = []
    here = Path.cwd()
    os.chdir(out.parent)
    try:
        for block in readme_blocks():
            exec(compile(block, "README.md", "exec"), namespace)
            found.append(namespace.pop("answer"))
    finally:
        os.chdir(here)
    return found, namespace


def test_the_readme_answers_four_questions(answers):
    found, _ = answers
    assert len(found) == len(readme_blocks()) == 4


def test_agreements_between_japan_and_the_us_in_2023(answers, seed_run):
    """Hand-checked: the seeds' 2023 agreements are the Hamada–Austin meeting's (article 004), the headline
    told again in the lead (a0003 repeats a0002) counted once."""
    answer = answers[0][0]
    assert set(answer.article_id) == {ARTICLE}
    assert answer.date.str.startswith("2023-01-1").all()
    assert set(answer.party_people) == {"浜田靖一 | オースティン"}
    assert {"署名", "一致", "確認", "合意"} <= set(answer.predicate)
    assert "a0003" not in set(answer.agreement_id) and "a0004" in set(answer.agreement_id)
    assert answer.sentence.str.len().min() > 10 and (answer.event_id != "").all()
    out, *_ = seed_run
    with (out / "agreements.csv").open(encoding="utf-8-sig", newline="") as f:
        plain = [
            r
            for r in csv.DictReader(f)
            if {"JP", "US"} <= set(r["party_countries"].split(" | "))
            and r["date"].startswith("2023")
            and not r["repeat_of"]
        ]
    assert len(answer) == len(plain) >= 15


def test_people_in_the_most_articles(answers):
    """Hand-checked: no person of the seeds appears in two of the five articles."""
    answer = answers[0][1]
    assert answer.max() == 1 and {"オースティン", "バイデン", "岸田"} <= set(answer.index)


def test_every_meeting_of_a_person(answers):
    answer = answers[0][2]
    assert set(answer.article_id) == {ARTICLE}
    assert {"日米防衛相会談", "日米安全保障協議委員会(2+2)"} <= set(answer.canonical)
    assert set(answer.date) <= {"2023-01-12", "2023-01-13"}


def test_what_deduplication_removed(answers):
    answer, namespace = answers[0][3], answers[1]
    assert set(namespace["summary"].index) == {"exact_block", "near_block"}
    assert answer[0].startswith("[日米防衛相会談] 1月12日") and all(answer)
    assert sum(len(t) for t in answer) == namespace["summary"]["sum"].sum()
