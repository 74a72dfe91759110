"""Memory of a process tree, sampled while it runs: the sum of its processes' RSS, and of their PSS."""

from __future__ import annotations

import threading
from pathlib import Path


class RssSampler:
    """Peak memory of a process tree: resident (RSS) every 0.1 s, proportional (PSS) every 0.5 s.

    Reading PSS makes the kernel walk the process's page tables under its memory lock: every 50 ms
    it added 3-4 s to a 21 s run. Sampling slower keeps the measurement from slowing what it measures.
    """

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_total, self.peak_parent, self.peak_worker, self.peak_pss = pid, 0, 0, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        tree, tick = [self.pid], 0
        while not self._stop.wait(0.1):
            if tick % 5 == 0:  # the tree changes rarely (the workers start once)
                tree = _tree(self.pid)
                self.peak_pss = max(self.peak_pss, sum(_pss_kb(pid) for pid in tree))
            tick += 1
            rss = {pid: _rss_kb(pid) for pid in tree}
            self.peak_total = max(self.peak_total, sum(rss.values()))
            self.peak_parent = max(self.peak_parent, rss.get(self.pid, 0))
            self.peak_worker = max([self.peak_worker] + [v for p, v in rss.items() if p != self.pid])


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _proc_kb(path: str, field: str) -> int:
    """A ``field: N kB`` line of a /proc file (0 once the process is gone)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int) -> int:
    return _proc_kb(f"/proc/{pid}/status", "VmRSS")


def _pss_kb(pid: int) -> int:
    """Proportional set size: a page shared by n processes counts 1/n in each, so the tree's sum is
    the memory it really holds (the workers share GiNZA's weights with the parser server)."""
    return _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss")
