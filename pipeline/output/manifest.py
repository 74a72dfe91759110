"""Up-to-date check: a run into a folder whose last complete run had the same inputs, code, rules and
packages, and whose outputs nobody has touched since, has nothing to do.

``run_key`` hashes everything an output depends on: every input file and sidecar (path and bytes),
the formats written, the package's code, every rule file, the version of every installed distribution and Python's.
``record`` writes ``<out>/.manifest.json`` last, atomically: the key, the SHA-256 of every file the
run wrote, and the run's summary. ``current`` gives that summary back only when the key and every
recorded file still match; anything else (no manifest, an edited CSV, a deleted clean text, one
byte of one article) means the run does its work, from its caches.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from .. import rulebook
from ..atomic import write_atomic
from ..cache import PACKAGE_DIR, fingerprint
from ..prepare.reading import InputFile, sidecar_path

NAME = ".manifest.json"


def run_key(corpus: Path, files: list[InputFile], formats: tuple[str, ...] = ("csv",)) -> str | None:
    """Hash of every input of a run into ``corpus``'s tables in ``formats``; None when a file cannot be read."""
    # The formats too: a run that adds the workbook or Parquet to what the last one wrote has work to do.
    digest = hashlib.sha256(f"{sys.version}\0{corpus}\0{','.join(formats)}".encode())
    try:
        for f in files:
            meta = sidecar_path(f.path)
            digest.update(
                f"{f.rel}\0{f.article_id}\0".encode()
                + hashlib.sha256(f.path.read_bytes()).digest()
                + (hashlib.sha256(meta.read_bytes()).digest() if meta.exists() else b"-")
            )
    except OSError:
        return None  # the run reports the file; it is not worth remembering
    modules = tuple(".".join(p.relative_to(PACKAGE_DIR).with_suffix("").parts) for p in PACKAGE_DIR.rglob("*.py"))
    digest.update(fingerprint(modules, tuple(rulebook.rule_names())).encode())
    digest.update("\n".join(installed_distributions()).encode())
    return digest.hexdigest()


def installed_distributions() -> list[str]:
    """Every installed distribution, as the name of its metadata folder (``name-version.dist-info``).

    The folder's name changes with every install, upgrade or removal. Asking ``importlib.metadata``
    for each name and version parses every package's METADATA file, a measurable part of a warm run.
    """
    found: set[str] = set()
    for entry in sys.path:
        try:
            found.update(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:  # a zip file, a missing folder
            continue
    return sorted(found)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def current(out: Path, key: str) -> dict | None:
    """The last run's summary if its key is ``key`` and every file it wrote is unchanged, else None."""
    try:
        manifest = json.loads((out / NAME).read_text(encoding="utf-8"))
        if manifest["key"] != key:
            return None
        if any(_sha256(out / rel) != digest for rel, digest in manifest["files"].items()):
            return None
        return manifest["summary"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(out: Path, key: str, written: list[Path], summary: dict) -> None:
    """Remember this run: its key, what it wrote (relative to ``out``) and its summary."""
    files = {p.relative_to(out).as_posix(): _sha256(p) for p in written}
    payload = {"key": key, "files": files, "summary": summary}
    write_atomic(out / NAME, json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"))


def forget(out: Path) -> None:
    """Before a run writes anything: a run stopped halfway must not look complete."""
    (out / NAME).unlink(missing_ok=True)
