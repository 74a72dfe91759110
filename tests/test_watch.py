"""``python -m pipeline watch`` driven as a user drives it: a real process, edits to a copy of the rules and
to the corpus, the refreshed tables read back, Ctrl-C."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_A = "山田外相は3日、ブラウン国務長官と外務省で会談し、サイバー分野の協力を強化することで一致した。\n"
ARTICLE_B = "日豪両政府は5日、防衛装備品を共同で開発することで合意した。両国はまた、共同訓練の拡大を確認した。\n"
ARTICLE_C = "日英両政府は7日、円滑化協定に署名した。\n"


class Watch:
    """A running ``watch``: its stderr lines arrive on a queue, read by a thread."""

    def __init__(self, base: Path) -> None:
        cmd = [
            sys.executable,
            "-m",
            "pipeline",
            "watch",
            "--corpus",
            str(base / "corpus"),
            "--out",
            str(base / "out"),
            "--rules",
            str(base / "rules"),
            "--cache",
            str(base / "cache"),
            "--jobs",
            "1",
            "--no-xlsx",
            "--no-report",
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def ready(self) -> None:
        """Up and watching: the watcher arms just after saying so, so a save in the same instant could be missed."""
        self.until("watching")
        time.sleep(1.0)

    def until(self, text: str, timeout: float = 60) -> list[str]:
        """Every line up to and including the first one containing ``text``."""
        got: list[str] = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            got.append(line)
            self.seen.append(line)
            if text in line:
                return got
        raise AssertionError(f"no line with {text!r} after {timeout} s: {self.seen}")

    def refreshes(self) -> int:
        return sum(" refreshed in " in line or "nothing to do" in line for line in self.seen)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=30)
        self.reader.join(timeout=10)  # every line it printed is on the queue
        return code


@pytest.fixture
def workspace(tmp_path):
    shutil.copytree(ROOT / "pipeline" / "rules", tmp_path / "rules")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (tmp_path / "corpus" / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    return tmp_path


def tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


def cold_run(base: Path, into: str) -> dict[str, bytes]:
    """What `run` writes from nothing, with the same rules and corpus."""
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
        str(base / f"{into}-cache"),
        "--jobs",
        "1",
        "--quiet",
        "--no-xlsx",
        "--no-report",
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
    w = Watch(base)
    try:
        w.ready()
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
        lines = w.until("tables refreshed")
        assert "agreements.yaml changed" in lines[-1] and "0 chars parsed" in lines[-1]
        shown = w.until("(rule agreement.koto_de_icchi)")
        assert any(line.strip().startswith("agreements +") for line in shown)

        (base / "rules" / "dates.yaml").write_text("family: dates\nrules: [\n", encoding="utf-8")  # broken
        broken = w.until("the tables stay as they were")
        assert any("dates.yaml" in line and "not valid YAML" in line for line in broken)
        shutil.copy(ROOT / "pipeline" / "rules" / "dates.yaml", base / "rules" / "dates.yaml")
        w.until("dates.yaml changed")

        (base / "corpus" / "c.txt").write_text(ARTICLE_C, encoding="utf-8")  # a new article
        w.until("c.txt changed")
        (base / "corpus" / "a.txt").unlink()  # a deleted one
        w.until("a.txt changed")
        assert tables(base / "out") == cold_run(base, "cold")
        arts = (base / "out" / "articles.csv").read_text(encoding="utf-8-sig")
        assert "c.txt" in arts and "a.txt" not in arts
    finally:
        code = w.stop()
    rest = []
    while not w.lines.empty():
        rest.append(w.lines.get())
    assert code == 0, (rest, w.seen[-5:])
    w.seen += rest
    assert rest[-1:] == [f"watch stopped after {w.refreshes()} refreshes; the tables in {base / 'out'}/ are complete"]
    assert not list((base / "out").glob("*.tmp*")) and not list((base / "out").glob(".*tmp*"))


def test_a_code_change_is_said_once_and_not_reloaded(workspace, tmp_path):
    w = Watch(workspace)
    try:
        w.ready()
        probe = ROOT / "pipeline" / f"_watch_probe_{os.getpid()}.py"  # a change to the package's code
        try:
            probe.write_text("# probe\n", encoding="utf-8")
            w.until("code is not reloaded")
        finally:
            probe.unlink(missing_ok=True)
    finally:
        assert w.stop() == 0
