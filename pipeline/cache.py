"""A content-addressed disk cache whose entries are checked before they are trusted.

Each entry is ``sha256(payload) + payload``, written atomically (temp file,
fsync, rename). A missing, partial or corrupted entry reads as absent and is
deleted, so the caller recomputes it.

A key names everything its entry was computed from: input hashes plus a
``fingerprint`` of the code, rule files and package versions of the stage that
computed it, so editing one rule file invalidates only what read that file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .atomic import write_atomic

DIGEST = 32
DEFAULT_CACHE = Path(os.environ.get("PIPELINE_CACHE", ".cache"))
PACKAGE_DIR = Path(__file__).parent


@cache
def fingerprint(modules: tuple[str, ...], rule_files: tuple[str, ...] = (), packages: tuple[str, ...] = ()) -> str:
    """Hash of module sources (dotted names under ``pipeline``: ``prepare.reading``; a package stands for
    every module in it), rule files (by name) and installed package versions."""
    from importlib import metadata  # not at import: the command line imports this module before it starts the server

    from . import rulebook

    digest = hashlib.sha256()
    for name in sorted(set(modules)):
        for path in module_files(name):
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0" + path.read_bytes())
    digest.update(rulebook.files_fingerprint(tuple(sorted(set(rule_files)))).encode())
    for pkg in sorted(set(packages)):
        digest.update(f"{pkg}={metadata.version(pkg)}".encode())
    return digest.hexdigest()


def module_files(name: str) -> list[Path]:
    """The source files of the dotted module or package ``name`` under ``pipeline``."""
    base = PACKAGE_DIR.joinpath(*name.split("."))
    if base.is_dir():
        return sorted(base.rglob("*.py"))
    return [base.with_suffix(".py")]


def cache_key(*parts: str) -> str:
    """A cache key from its parts (order matters; no part can run into the next)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


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
        write_atomic(self.path(key), hashlib.sha256(payload).digest() + payload, durable=False)

    def discard(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


@dataclass(frozen=True)
class Caches:
    """The layout of a run's cache folder (``--cache``, default ``.cache``): one sub-folder per stage."""

    root: Path

    @property
    def prepare(self) -> DiskCache:
        """Prepared articles: clean text, removals, sentences, MinHash signature."""
        return DiskCache(self.root / "prepare", ".pickle")

    @property
    def parse(self) -> Path:
        """GiNZA parses (``parse.ginza.ParseCache``)."""
        return self.root / "parse"

    @property
    def extract(self) -> DiskCache:
        """Each rule family's result per article, and the per-parse memos."""
        return DiskCache(self.root / "extract", ".pickle")

    @property
    def rules_checked(self) -> Path:
        """One stamp per rule file that passed validation (``rulecheck.check_all``)."""
        return self.root / "rules-checked"
