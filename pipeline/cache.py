"""A content-addressed disk cache whose entries are checked before they are trusted.

Each entry is ``HMAC-SHA256(secret, payload) + payload``, written atomically (temp file,
fsync, rename). A missing, partial, corrupted or forged entry reads as absent and is
deleted, so the caller recomputes it. The payloads are pickles (and spaCy DocBins inside
them), which run code when loaded: the HMAC's key is kept outside the cache folder
(``secret()``: a file created ``0600`` in the user's config folder), so whoever can write a
shared cache folder but not that file cannot make the next run load anything it did not write.

A key names everything its entry was computed from: input hashes plus a
``fingerprint`` of the code, rule files and package versions of the stage that
computed it, so editing one rule file invalidates only what read that file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .atomic import write_atomic

DIGEST = 32
DEFAULT_CACHE = Path(os.environ.get("PIPELINE_CACHE", ".cache"))
PACKAGE_DIR = Path(__file__).parent
KEY_ENV = "PIPELINE_CACHE_KEY"  # hex; set for a run's children when no key file can be kept


def key_file() -> Path:
    """Where the cache's signing key lives: ``$PIPELINE_CACHE_KEY_FILE``, else the user's config folder."""
    if os.environ.get("PIPELINE_CACHE_KEY_FILE"):
        return Path(os.environ["PIPELINE_CACHE_KEY_FILE"])
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "jp-news-tables" / "cache.key"


@cache
def secret() -> bytes:
    """The key that signs cache entries: read from ``key_file()``, created there (mode 0600) on first use.
    Where no file can be kept, a key for this run only (its worker processes inherit it)."""
    if os.environ.get(KEY_ENV):
        return bytes.fromhex(os.environ[KEY_ENV])
    path = key_file()
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        pass
    key = os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
    except FileExistsError:  # another run created it meanwhile: use theirs
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except OSError:
        os.environ[KEY_ENV] = key.hex()  # no place for it: entries of this run only verify within it
    return key


def _sign(payload: bytes) -> bytes:
    return hmac.new(secret(), payload, hashlib.sha256).digest()


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
        if len(data) < DIGEST or not hmac.compare_digest(_sign(payload), data[:DIGEST]):
            self.discard(key)  # corrupted, or not written by a run holding the key: never unpickled
            return None
        return payload

    def put(self, key: str, payload: bytes) -> None:
        write_atomic(self.path(key), _sign(payload) + payload, durable=False)

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
