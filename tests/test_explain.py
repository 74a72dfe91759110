"""``explain`` for one row: the rule, the marked sentence, where each field came from; a missing row is exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import explain_row

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTICLE = "004_02232067b5b04c88"


@pytest.fixture(scope="module")
def explained(nlp):
    """Rows of the seed article 004 explained in this process (the model is loaded once per session)."""

    def _explain(target: str) -> dict:
        parsed = explain_row.parse_target(target)
        assert parsed is not None
        return explain_row.explain_row(parsed, CORPUS)

    return _explain


def test_an_agreement_row_names_its_rule_marks_its_words_and_says_where_each_field_came_from(explained, seed_run):
    out, *_ = seed_run
    found = explained(f"agreements:{ARTICLE}:a0003")
    with (out / "agreements.csv").open(encoding="utf-8-sig") as f:
        header, *rows = [line.rstrip("\r\n").split(",") for line in f]
    written = next(dict(zip(header, r)) for r in rows if r[0] == ARTICLE and r[1] == "a0003")
    assert found["rule"] == written["rule"] == found["row"]["rule"]
    assert "【確認しました】" in found["sentence"] and "⟦" in found["sentence"]
    assert found["reasons"]["date"].startswith("2023-01-13: the date of the meeting")
    assert "浜田靖一 | オースティン" in found["reasons"]["parties"] and "'JP', 'US'" in found["reasons"]["parties"]
    assert found["reasons"]["repeat_of"] == "a0002"


def test_an_event_and_a_person_row(explained):
    event = explained(f"events:{ARTICLE}:e001")
    assert event["rule"] == "event.kind.meeting" and "【日米防衛相会談】" in event["sentence"]
    person = explained(f"people:{ARTICLE}:オースティン")
    assert person["rule"] == "person.title_suffix" and len(person["reasons"]["mentions"]) >= 3


def test_a_row_that_does_not_exist_is_an_error_naming_the_ids_there_are(explained):
    with pytest.raises(explain_row.RowNotFound, match=r"no agreements row 'a0999' .*a0001"):
        explained(f"agreements:{ARTICLE}:a0999")


def test_the_command_line_exit_codes_and_json():
    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "pipeline", "explain", *args, "--corpus", str(CORPUS)]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)

    missing = run("agreements:no_such_article:a0001")
    assert missing.returncode == 2 and "no article 'no_such_article'" in missing.stderr and not missing.stdout
    as_json = run(f"agreements:{ARTICLE}:a0001", "--json")
    assert as_json.returncode == 0, as_json.stderr
    found = json.loads(as_json.stdout)
    assert found["row"]["agreement_id"] == "a0001" and found["rule"].startswith("agreement.")
    assert run("日米は合意した。", "--json").returncode == 2  # --json explains a row, never a sentence
