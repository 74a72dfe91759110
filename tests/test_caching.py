"""Incremental runs: what each cached stage declares it depends on, and what a rule edit re-runs."""

from __future__ import annotations

import ast
import csv
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.engine import runner, server
from pipeline.extract import extraction, families
from pipeline.prepare import stage as preparing

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"


def _outside_examples(tree: ast.Module):
    """Every node of a module except the bodies of ``example`` (which parses its own examples)."""
    skip = {
        id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "example" for n in ast.walk(f)
    }
    return [n for n in ast.walk(tree) if id(n) not in skip]


def _trees(module: str) -> list[tuple[str, ast.Module]]:
    """(dotted package of the file, its syntax tree) for every source file of a module or package."""
    from pipeline.cache import module_files

    out = []
    for path in module_files(module):
        rel = path.relative_to(PACKAGE).with_suffix("")
        package = ".".join(rel.parts[:-1] if rel.name != "__init__" else rel.parts[:-1])
        out.append((package, ast.parse(path.read_text(encoding="utf-8"))))
    return out


def package_imports(module: str) -> set[str]:
    """Dotted modules of the package that ``module`` imports, relative imports resolved."""
    found = set()
    for package, tree in _trees(module):
        for node in _outside_examples(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base + ([node.module] if node.module else []))
                found |= {prefix} if node.module else {f"{prefix}.{a.name}".lstrip(".") for a in node.names}
    return found


def covered(imports: set[str], declared: set[str]) -> set[str]:
    """The imports that are neither declared nor inside a declared package."""
    return {i for i in imports if not any(i == d or i.startswith(d + ".") for d in declared)}


def rule_files_loaded(module: str) -> set[str]:
    """The names passed to ``rulebook.load`` in ``module`` (constants resolved in the module)."""
    mod = importlib.import_module(f"pipeline.{module}")
    names = set()
    for _, tree in _trees(module):
        for node in _outside_examples(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "load"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "rulebook"
            ):
                arg = node.args[0]
                names.add(arg.value if isinstance(arg, ast.Constant) else getattr(mod, arg.id))
    return names


@pytest.mark.parametrize("family", families.families(), ids=lambda f: f.name)
def test_family_declares_every_rule_file_and_module_it_reads(family):
    """A family's cache key covers what it reads: else an edit would leave stale rows behind."""
    shared = set(extraction.SHARED)
    used = [families.by_name(name) for name in family.uses]
    assert rule_files_loaded(family.module) <= set(family.rule_files)
    assert covered(package_imports(family.module), shared | {family.module} | {f.module for f in used}) == set()
    for module in shared - {"extract.extraction"}:  # the cache runner itself: how results are stored
        assert covered(package_imports(module), shared) == set(), module


def test_prepare_declares_every_rule_file_and_module_it_reads():
    stages = set(preparing.PREPARE_CODE)
    for module in stages:
        assert covered(package_imports(module), stages) == set(), module
        assert rule_files_loaded(module) <= set(preparing.PREPARE_RULES), module


@pytest.fixture
def rule_copy(tmp_path, monkeypatch) -> tuple[Path, Callable[[], dict[str, str]]]:
    """A copy of the rule files the fingerprints read, and each family's key computed afresh."""
    from pipeline import cache, rulebook

    rules = tmp_path / "rules"
    shutil.copytree(PACKAGE / "rules", rules)
    monkeypatch.setattr(rulebook, "RULES_DIR", rules)

    def keys() -> dict[str, str]:
        cache.fingerprint.cache_clear()
        found = {f.name: extraction.family_fingerprint(f) for f in families.families()}
        cache.fingerprint.cache_clear()  # no key of the copy outlives the test
        return found

    return rules, keys


def test_a_family_key_changes_with_its_own_rule_files_only(rule_copy):
    rules, keys = rule_copy
    before = keys()
    with (rules / "offices.yaml").open("a", encoding="utf-8") as f:
        f.write("  - {office: 試験長官, country: JP, kind: office}\n")
    after = keys()
    assert [name for name in before if before[name] != after[name]] == ["people"]


def test_notes_and_examples_re_run_nothing(rule_copy):
    """A comment, a description or an example added to a rule file changes no family's key; a pattern does."""
    from pipeline import rulebook

    rules, keys = rule_copy
    path = rules / "dates.yaml"
    text = path.read_text(encoding="utf-8")
    before = keys()
    noted = "# a note of the rule author\n" + text.replace("description: 和暦の年月日", "description: 和暦の日付", 1)
    noted = noted.replace("    examples:\n", "    examples:\n      - text: 令和13年5月6日に会談した\n", 1)
    path.write_text(noted, encoding="utf-8")
    assert rulebook.parse_rule_file(path).rules  # still a valid file, and a different one
    assert noted != text and keys() == before
    path.write_text(text.replace("[12]\\d{3}[ \\t]?年", "[12]\\d{3}[ \\t]*年", 1), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != text
    changed = keys()
    assert [name for name in before if before[name] != changed[name]] == ["dates"]


def _run(corpus: Path, tmp_path: Path, rules: Path, jobs: int = 1, code: int = 0) -> subprocess.CompletedProcess:
    """The command line on ``corpus`` with the rule files in ``rules``; it must exit with ``code``."""
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        "--corpus",
        str(corpus),
        "--out",
        str(tmp_path / "out"),
        "--cache",
        str(tmp_path / "cache"),
        "--jobs",
        str(jobs),
    ]
    res = subprocess.run(
        cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PIPELINE_RULES": str(rules)}
    )
    assert res.returncode == code, res.stderr
    return res


ARTICLE_A = "岩屋外相は2025年2月7日、ルビオ国務長官と会談し、連携の強化で一致した。"
ARTICLE_B = "中谷防衛相とヘグセス国防長官は、抑止力の強化を確認した。"


def workspace(tmp_path: Path, *texts: str) -> tuple[Path, Path]:
    """A copy of the rule files to edit, and a corpus of the given articles (a.txt, b.txt, …)."""
    rules, corpus = tmp_path / "rules", tmp_path / "corpus"
    shutil.copytree(PACKAGE / "rules", rules)
    corpus.mkdir()
    for name, text in zip("abcdef", texts):
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    return rules, corpus


def edit_rules(path: Path, change: Callable[[dict], Any]) -> None:
    """Apply ``change`` to a rule file's data and write the file back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_rule_edit_reruns_only_the_families_it_reaches(tmp_path):
    """dates.yaml: the dates rules everywhere, agreements and events only where a date changed; never a parse."""
    rules, corpus = workspace(tmp_path, ARTICLE_A, ARTICLE_B)
    first = _run(corpus, tmp_path, rules)
    assert "(dates 2, people 2, organizations 2, agreements 2, events 2, amounts 2)" in first.stderr

    with (rules / "dates.yaml").open("a", encoding="utf-8") as f:
        f.write("\n# a comment changes the file, not what its rules do\n")
    assert "(outputs already up to date)" in _run(corpus, tmp_path, rules).stderr

    with (tmp_path / "out" / "dates.csv").open(encoding="utf-8-sig", newline="") as f:
        rule = next(row["rule"] for row in csv.DictReader(f) if row["value"] == "2025-02-07")
    edit_rules(rules / "dates.yaml", lambda data: data.update(rules=[r for r in data["rules"] if r["id"] != rule]))
    edited = _run(corpus, tmp_path, rules)
    assert "0 chars parsed, 2 articles extracted (dates 2, agreements 1, events 1)" in edited.stderr, edited.stderr

    edit_rules(rules / "agreements.yaml", lambda data: data["rules"].pop())
    # the events family calls into the agreements rules (their meeting patterns): it re-runs with them
    assert "0 chars parsed, 2 articles extracted (agreements 2, events 2)" in _run(corpus, tmp_path, rules).stderr


def test_after_an_agreement_rule_edit_the_memo_gives_what_a_cold_run_gives(tmp_path):
    """The re-run takes the unchanged patterns' matches from the memo: its rows must be those of a
    run from nothing with the edited rules. The edit keeps the rule's id and changes its pattern."""
    rules, corpus = workspace(tmp_path, ARTICLE_A, ARTICLE_B)
    _run(corpus, tmp_path, rules)
    before = (tmp_path / "out" / "agreements.csv").read_text(encoding="utf-8-sig")
    with (tmp_path / "out" / "agreements.csv").open(encoding="utf-8-sig", newline="") as f:
        rule_id = next(csv.DictReader(f))["rule"]

    def match_nothing(data: dict) -> None:
        pattern = next(r for r in data["rules"] if r["id"] == rule_id)["pattern"]
        for alternative in pattern if isinstance(pattern[0], list) else [pattern]:
            alternative[0]["RIGHT_ATTRS"]["LENGTH"] = 99  # matches nothing, and passes the screen of required words

    edit_rules(rules / "agreements.yaml", match_nothing)

    edited = _run(corpus, tmp_path, rules)
    assert "0 chars parsed, 2 articles extracted (agreements 2, events 2)" in edited.stderr, edited.stderr
    after = (tmp_path / "out" / "agreements.csv").read_text(encoding="utf-8-sig")
    _run(corpus, tmp_path / "cold", rules)
    assert after != before and after == (tmp_path / "cold" / "out" / "agreements.csv").read_text(encoding="utf-8-sig")


def test_an_unchanged_run_is_up_to_date_and_anything_changed_is_not(tmp_path):
    """Same inputs, code, rules and untouched outputs: nothing to do. One byte anywhere: the work is done."""
    rules, corpus = workspace(tmp_path, ARTICLE_A)
    out = tmp_path / "out"
    _run(corpus, tmp_path, rules)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.csv")}
    again = _run(corpus, tmp_path, rules)
    assert "(outputs already up to date)" in again.stderr and "articles 1, " in again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.csv")} == stamps

    def redone(change) -> bool:
        change()
        return "(outputs already up to date)" not in _run(corpus, tmp_path, rules).stderr

    assert redone(lambda: (out / "people.csv").write_bytes((out / "people.csv").read_bytes() + b"x"))
    assert redone(lambda: next((out / "clean").iterdir()).unlink())
    assert redone(lambda: (corpus / "a.meta.json").write_text('{"published": "2025-02-08"}', encoding="utf-8"))
    assert not redone(
        lambda: (rules / "offices.yaml").write_text(
            (rules / "offices.yaml").read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8"
        )
    )  # a comment changes nothing a rule does
    assert redone(lambda: edit_rules(rules / "offices.yaml", lambda data: data["entries"].pop()))
    assert redone(lambda: (corpus / "b.txt").write_text(ARTICLE_B, encoding="utf-8"))
    assert not redone(lambda: None)
    assert json.loads((out / ".manifest.json").read_text(encoding="utf-8"))["summary"]["table_sizes"]["articles"] == 2


def test_installing_or_upgrading_a_package_changes_the_run_key(tmp_path, monkeypatch):
    from pipeline.output import manifest
    from pipeline.prepare import reading

    _, corpus = workspace(tmp_path, ARTICLE_A)
    files = reading.discover(corpus)
    site = tmp_path / "site"
    (site / "newpkg-1.0.dist-info").mkdir(parents=True)
    before = manifest.run_key(corpus, files)
    monkeypatch.syspath_prepend(str(site))
    installed = manifest.run_key(corpus, files)
    (site / "newpkg-1.0.dist-info").rename(site / "newpkg-1.1.dist-info")
    assert len({before, installed, manifest.run_key(corpus, files)}) == 3


def test_rule_files_checked_once_still_stop_the_run_when_broken(tmp_path):
    """Rule files that passed the check are not parsed again for it; an edited one is, and a broken
    one stops the run (exit 2, naming the file) even though the other files had passed, as does an
    id the edited file shares with one of them."""
    rules, corpus = workspace(tmp_path, ARTICLE_A)
    stamps = tmp_path / "cache" / "rules-checked"
    _run(corpus, tmp_path, rules)
    assert len(list(stamps.iterdir())) == len(list(rules.glob("*.yaml")))
    edit_rules(rules / "dates.yaml", lambda data: data["rules"].pop())
    _run(corpus, tmp_path, rules)
    assert len(list(stamps.iterdir())) == len(list(rules.glob("*.yaml"))) + 1  # the edited file's

    taken = next(r["id"] for r in yaml.safe_load((rules / "agreements.yaml").read_text(encoding="utf-8"))["rules"])
    edit_rules(rules / "dates.yaml", lambda data: data["rules"][0].update(id=taken))
    res = _run(corpus, tmp_path, rules, code=2)
    assert "dates.yaml" in res.stderr and "id also used in agreements.yaml" in res.stderr, res.stderr

    (rules / "offices.yaml").write_text("entries: [", encoding="utf-8")
    res = _run(corpus, tmp_path, rules, jobs=os.cpu_count() or 1, code=2)
    assert "offices.yaml" in res.stderr, res.stderr


def test_the_python_api_always_returns_tables(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("2024年7月28日、日米は共同声明に署名した。", encoding="utf-8")
    first = runner.run(corpus, tmp_path / "out", jobs=1, cache_dir=tmp_path / "cache", progress=False)
    second = runner.run(corpus, tmp_path / "out", jobs=1, cache_dir=tmp_path / "cache", progress=False)
    assert list(second.dates["value"]) == list(first.dates["value"]) == ["2024-07-28"]


def test_a_run_returns_with_no_worker_left_behind(tmp_path):
    """The workers exit in the background while the tables are built, but all are gone when the run
    returns: the command ends with ``os._exit``, and a worker left running would hold its pipes."""
    import multiprocessing

    _, corpus = workspace(tmp_path, ARTICLE_A, ARTICLE_B)
    _, stats = runner.run_with_stats(corpus, tmp_path / "out", jobs=2, cache_dir=tmp_path / "cache", progress=False)
    assert stats.parsed_chars > 0 and multiprocessing.active_children() == [] and not server.running()
    # Everything cached: the parser server started with the run is stopped unused.
    _, stats = runner.run_with_stats(corpus, tmp_path / "out2", jobs=2, cache_dir=tmp_path / "cache", progress=False)
    assert stats.extracted == 0 and multiprocessing.active_children() == [] and not server.running()


def test_the_rule_families_do_not_read_ginzas_user_data(parsed_seeds):
    """The workers load cached parses without GiNZA's user data (bunsetu, sub-tokens): every family
    must give the same result without it. A rule that needs it fails here, not silently on re-runs."""
    from dataclasses import replace

    for parsed in parsed_seeds.values():
        assert any(doc.user_data for doc in parsed.docs)
        bare = [doc.copy() for doc in parsed.docs]
        for doc in bare:
            doc.user_data.clear()
        assert extraction.extract(replace(parsed, docs=bare)) == extraction.extract(parsed), parsed.article_id


def _shares_the_servers_model(_: int) -> bool:
    from pipeline.engine import workers

    worker = workers.Worker(Path("unused"), fast=True)
    return worker.load_model() is workers.SHARED_MODEL is not None


def test_workers_forked_from_the_parser_server_share_its_model():
    """A cold run's server loads GiNZA once; the workers forked from it use that copy, not their own."""
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.engine import server

    try:
        server.start(load_model=True)
        with ProcessPoolExecutor(2, mp_context=server.context()) as pool:
            assert list(pool.map(_shares_the_servers_model, range(2))) == [True, True]
    finally:
        server.stop()
    assert not server.running()


class _Planted:
    """A pickle that, when loaded, leaves a file behind: what an attacker would plant in a shared cache."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_planted_pickles_are_never_loaded_and_are_recomputed(tmp_path):
    import hashlib
    import pickle

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (corpus / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    cache, marker = tmp_path / "cache", tmp_path / "code-ran"
    runner.run_with_stats(corpus, tmp_path / "out1", jobs=1, cache_dir=cache, progress=False)
    entries = [p for p in cache.rglob("*") if p.is_file() and p.suffix in (".pickle", ".spacy")]
    assert len(entries) >= 4  # prepared, parsed and extracted entries of both articles
    payload = pickle.dumps(_Planted(marker))
    for entry in entries:  # each with the unkeyed SHA-256 the cache used to trust
        entry.write_bytes(hashlib.sha256(payload).digest() + payload)
    _, stats = runner.run_with_stats(corpus, tmp_path / "out2", jobs=1, cache_dir=cache, progress=False)
    assert not marker.exists()
    assert stats.parsed_chars > 0  # the parses were recomputed, not loaded
    for name in ("articles", "mentions", "dates", "agreements", "people"):
        assert (tmp_path / "out1" / f"{name}.csv").read_bytes() == (tmp_path / "out2" / f"{name}.csv").read_bytes()
    assert all(entry.read_bytes()[32:] != payload for entry in entries if entry.exists())


def test_the_signing_key_lives_outside_the_cache_readable_by_its_owner_only(tmp_path):
    from pipeline.cache import key_file, secret

    path = key_file()
    assert secret() and path.is_file()
    assert tmp_path not in path.parents and path.stat().st_mode & 0o777 == 0o600
