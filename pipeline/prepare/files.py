"""Opening an input file safely: only regular files inside the corpus, never more than a set size.

A symbolic link may point anywhere (a link to ``/etc/passwd`` would become an article), a FIFO
or a device blocks ``read`` forever (and the run holds its output lock meanwhile), and a link
to ``/dev/zero`` or a 50 MB single line grows memory without end. So a link must resolve inside
the corpus, the file must be a regular file (checked on the descriptor opened with
``O_NONBLOCK``, so a FIFO swapped in after the check cannot block either), and it is read with
a bound: one byte more than ``max_bytes`` says it is too large.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Protocol

DEFAULT_MAX_BYTES = 20_000_000  # a news article is rarely over 200 KB; a bigger file is read no further


class _File(Protocol):
    @property
    def path(self) -> Path: ...

    @property
    def max_bytes(self) -> int: ...

    @property
    def corpus(self) -> Path: ...


KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def check_link(f: _File) -> None:
    """A symbolic link must resolve, without a loop, to a file inside the corpus."""
    from .reading import ReadError

    if not f.path.is_symlink():
        return
    try:
        target = f.path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        raise ReadError("symbolic link loop") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadError("symbolic link loop") from None
        raise ReadError("broken symbolic link") from None
    if not target.is_relative_to(f.corpus.resolve()):
        raise ReadError("symbolic link outside the corpus")


def read_bounded(f: _File) -> bytes:
    """The file's bytes: a regular file of at most ``max_bytes``."""
    from .reading import ReadError

    check_link(f)
    _regular(os.stat(f.path).st_mode)  # a socket cannot even be opened: say what it is first
    fd = os.open(f.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        _regular(os.fstat(fd).st_mode)  # what was opened, in case the file was swapped meanwhile
        chunks, size = [], 0
        while size <= f.max_bytes and (chunk := os.read(fd, min(1 << 20, f.max_bytes + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > f.max_bytes:
        raise ReadError(f"file too large: over {f.max_bytes:,} bytes (--max-bytes)")
    return b"".join(chunks)


def _regular(mode: int) -> None:
    from .reading import ReadError

    if stat.S_ISDIR(mode):
        raise ReadError("is a directory")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in KINDS if test(mode)), "a special file")
        raise ReadError(f"not a regular file ({kind})")
