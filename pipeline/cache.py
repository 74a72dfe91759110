"""A content-addressed disk cache whose entries are checked before they are trusted.

Each entry is ``sha256(payload) + payload``, written atomically (temp file,
fsync, rename). A missing, partial or corrupted entry reads as absent and is
deleted, so the caller recomputes it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .atomic import write_atomic

DIGEST = 32


class DiskCache:
    def __init__(self, root: Path, suffix: str) -> None:
        self.root, self.suffix = Path(root), suffix

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{self.suffix}"

    def has(self, key: str) -> bool:
        return self.path(key).is_file()

    def get(self, key: str) -> bytes | None:
        """The payload, or None when absent or not intact (then the entry is removed)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        payload = data[DIGEST:]
        if len(data) < DIGEST or hashlib.sha256(payload).digest() != data[:DIGEST]:
            self.discard(key)
            return None
        return payload

    def put(self, key: str, payload: bytes) -> None:
        write_atomic(self.path(key), hashlib.sha256(payload).digest() + payload)

    def discard(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
