"""The rule author's loop, measured on a real ``python -m pipeline watch`` process: how long the tables take
to refresh after a rule edit and after a new article, and whether its memory stays flat over hundreds of
refreshes. Times are the ones ``watch`` prints ("tables refreshed in X s"): from the batch of changes to
the CSVs written, the diff printed after."""

from __future__ import annotations

import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .memory import _rss_kb

REFRESHED = re.compile(r"tables refreshed in ([\d.]+) s \((\d+) chars parsed.*?(?:; parsing ([\d.]+) s of it)?\)$")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class WatchProcess:
    """A ``watch`` on a corpus, with a copy of the rules to edit; its stderr read line by line."""

    def __init__(
        self, root: Path, corpus: Path, out: Path, cache: Path, rules: Path, env: dict, extra: tuple[str, ...] = ()
    ) -> None:
        shutil.rmtree(out, ignore_errors=True)
        cmd = [
            sys.executable,
            "-m",
            "pipeline",
            "watch",
            "--corpus",
            str(corpus),
            "--out",
            str(out),
            "--cache",
            str(cache),
            "--rules",
            str(rules),
            *extra,
        ]
        self.proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            # Ctrl-C reaches it even when this process runs in the background, where the shell started it
            # with SIGINT ignored (a disposition its children would inherit)
            preexec_fn=_default_sigint,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []  # every line read so far, in order
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_for("watching", timeout=1800)
        time.sleep(1.0)  # the watcher arms just after saying so

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 600, fail: tuple[str, ...] = ()) -> str:
        """The first line containing ``text``; a line containing one of ``fail`` stops the benchmark."""
        end, seen = time.monotonic() + timeout, []
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            self.seen.append(line)
            if text in line:
                return line
            if any(f in line for f in fail):
                break
        raise RuntimeError(f"watch never said {text!r}; its last lines: {seen[-5:]}")

    def refresh_after(self, change) -> tuple[float, int, float]:
        """(seconds, chars parsed, seconds of parsing) of the refresh that ``change()`` causes."""
        change()
        m = REFRESHED.search(self.wait_for("tables refreshed", timeout=300, fail=("rules not loaded", "nothing to do")))
        assert m is not None
        return float(m.group(1)), int(m.group(2)), float(m.group(3) or 0)

    def rss_mb(self) -> float:
        return _rss_kb(self.proc.pid) / 1024

    def since(self, mark: int) -> list[str]:
        """The lines read after the first ``mark`` ones."""
        return self.seen[mark:]

    def stop(self) -> int:
        """Ctrl-C; the exit code, once every line the process printed has been read."""
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            status = Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
            self.seen += [line for line in status if line.startswith(("SigBlk", "SigIgn", "SigCgt", "Threads"))]
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"watch did not stop on Ctrl-C within 60 s; its last lines: {self.seen[-9:]}") from None
        self.reader.join(timeout=10)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code


def remove_rule(path: Path, where: str = "last") -> str:
    """Remove one rule (or dictionary entry) of the file — the ``first``, ``middle`` or ``last`` one: a real
    edit (a comment or an example changes no result, and re-runs nothing). Returns what was removed."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data["rules"] if data.get("rules") else data["entries"]
    removed = items.pop({"first": 0, "middle": len(items) // 2, "last": -1}[where])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(removed.get("id") or removed)


def measure_watch(root: Path, work: Path, n: int, rules: Path, env: dict, edited: tuple[str, ...], new_article) -> dict:
    """A watch on the size-``n`` corpus of the benchmark (its cache warm from the cold run): the refresh
    after an edit to each family's rule file, and after one new article."""
    w = WatchProcess(root, work / f"corpus-{n}", work / f"watch-out-{n}", work / f"cache-{n}", rules, env)
    try:
        # Each file's first rule or entry removed, then the one in its middle (the (d) edits removed the last
        # ones on this cache already: those would be cache hits). A refresh re-extracts the articles where
        # the removed rule or entry could act (``screens``), its family's and its readers' results.
        edits = {}
        for where in ("first", "middle"):
            for name in edited:
                path = rules / f"{name}.yaml"
                edits[f"{name}[{where}]"] = w.refresh_after(lambda path=path, where=where: remove_rule(path, where))[0]
        seconds, parsed, parsing = w.refresh_after(new_article)
        return {
            "articles": n,
            "edits": edits,
            "new_article_s": seconds,
            "new_article_chars": parsed,
            "new_article_parse_s": parsing,
        }
    finally:
        w.stop()


def memory_flat(root: Path, work: Path, corpus: Path, rules: Path, env: dict, refreshes: int = 300) -> dict:
    """RSS of a watch after its first refresh and after ``refreshes`` more (amounts.yaml's last rule removed
    and put back in turn: every refresh builds and writes the tables again)."""
    w = WatchProcess(root, corpus, work / "watch-out-memory", work / "cache-watch-memory", rules, env)
    try:
        target = rules / "amounts.yaml"
        whole = target.read_text(encoding="utf-8")
        remove_rule(target)
        edits = [target.read_text(encoding="utf-8"), whole]
        target.write_text(whole, encoding="utf-8")

        def toggle(i: int) -> None:
            target.write_text(edits[i % 2], encoding="utf-8")

        w.refresh_after(lambda: toggle(0))
        first = w.rss_mb()
        for i in range(1, refreshes):
            w.refresh_after(lambda i=i: toggle(i))
        return {"refreshes": refreshes, "rss_first_mb": first, "rss_last_mb": w.rss_mb()}
    finally:
        w.stop()


def targets(watch: dict) -> list[tuple[bool, str]]:
    """The watch targets, judged: rule edits ≤ 10 % of the cold run and ≤ 1 s; a new article its own parse
    plus ≤ 0.3 s (its parse at the cold run's rate); RSS flat (≤ +10 %) over the refreshes."""
    out = []
    for s in watch["sizes"]:
        worst = max(s["edits"].values())
        out.append(
            (
                worst <= 1.0 and worst <= 0.10 * s["cold_s"],
                f"watch, rule edit at {s['articles']} articles ≤ 1 s and ≤ 10 % of the cold run "
                f"({s['cold_s']:.1f} s): " + ", ".join(f"{k} {v:.2f} s" for k, v in s["edits"].items()),
            )
        )
        # its parse as the watch timed it (one article, in one process); else at the cold run's rate
        parse = s.get("new_article_parse_s") or s["new_article_chars"] / s["cold_chars_per_s"]
        out.append(
            (
                s["new_article_s"] <= parse + 0.3,
                f"watch, one new article at {s['articles']}: {s['new_article_s']:.2f} s, its parse {parse:.2f} s "
                f"+ {s['new_article_s'] - parse:.2f} s (≤ 0.3 s)",
            )
        )
    m = watch["memory"]
    out.append(
        (
            m["rss_last_mb"] <= 1.10 * m["rss_first_mb"],
            f"watch RSS after 1 and after {m['refreshes']} refreshes: {m['rss_first_mb']:.0f} → "
            f"{m['rss_last_mb']:.0f} MB (flat: ≤ +10 %)",
        )
    )
    return out


def report_lines(watch: dict) -> list[str]:
    """The watch rows of the benchmark's table."""
    lines = ["", "watch (refresh times as watch prints them; the cold run for scale):"]
    for s in watch["sizes"]:
        edits = ", ".join(f"{k} {v:.2f} s" for k, v in s["edits"].items())
        lines.append(
            f"  {s['articles']:>4} articles, cold {s['cold_s']:.1f} s: rule edits {edits}; "
            f"one new article ({s['new_article_chars']} chars) {s['new_article_s']:.2f} s"
        )
    m = watch["memory"]
    lines.append(f"  RSS after 1 refresh {m['rss_first_mb']:.0f} MB, after {m['refreshes']}: {m['rss_last_mb']:.0f} MB")
    return lines
