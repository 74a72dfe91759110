"""Atomic file replacement, shared by the outputs and the caches."""

from __future__ import annotations

import atexit
import os
from pathlib import Path

# Temporary files not yet renamed or removed. Ctrl-C raises between any two bytecodes, also right after the
# file was created and before the ``try`` that would remove it, or inside that removal: what is left here is
# removed when the process exits.
_pending: set[str] = set()


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of either.

    ``durable=False`` skips the fsync: for cache entries, whose checksum already turns a torn write
    after a power cut into a miss, and which are written several times per article.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # The name is known before the file exists, so it is registered first. pid + random: several processes
    # (or machines sharing a cache folder) may write the same entry at once.
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    _pending.add(tmp)
    try:
        # 0o666 less the umask, like any new file (colleagues and a shared drive can read it)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _pending.discard(tmp)


@atexit.register
def remove_pending() -> None:
    """Remove the temporary files this process's interrupted writes left (none after a normal run).

    A forked worker inherits the set: it leaves its parent's files alone."""
    own = f".{os.getpid()}."
    while _pending:
        tmp = _pending.pop()
        if own in Path(tmp).name:
            Path(tmp).unlink(missing_ok=True)
