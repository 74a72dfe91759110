"""One run per output folder at a time: a lock file that a second run refuses on."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class OutputBusy(RuntimeError):
    """Another run holds the output folder."""


class OutputUnusable(RuntimeError):
    """The output folder cannot be written, or the run would wipe its tables: said before any work."""


def check_writable(out: Path) -> None:
    """The output folder is, or can be made, a folder this process can write files in."""
    if out.exists() and not out.is_dir():
        raise OutputUnusable(f"output folder {out} is a file, not a folder")
    existing = next(p for p in [out, *out.parents] if p.exists() or p == Path(p.anchor))
    if not existing.is_dir():
        raise OutputUnusable(f"output folder {out} cannot be made: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputUnusable(f"output folder {out} is not writable ({existing} is read-only)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise OutputUnusable(f"output folder {out} is not writable: {exc.strerror or exc}") from None


def has_tables(out: Path) -> bool:
    """The folder holds tables with rows (an articles.csv with more than its header)."""
    try:
        with (out / "articles.csv").open("rb") as f:
            return len(f.read(1 << 16).splitlines()) > 1
    except OSError:
        return False


class OutputLock:
    """An exclusive ``flock`` on ``<out>/.lock``; released by the kernel if the process dies."""

    def __init__(self, out: Path) -> None:
        self.path = out / ".lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise OutputBusy(
                f"{self.path.parent} is in use by another run (pid {holder}); try again when it ends"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
