"""What a worker must share with the client for its results to be the client's: code, rules, model, cache key.

Compared when a worker sets up (``plugin``): a worker that differs never returns a result, so a cluster with an
old copy of the rules or without ``ja_ginza`` fails the run instead of writing silently different tables.
"""

from __future__ import annotations

import hashlib
import hmac

from ...cache import fingerprint, secret
from ...extract import extraction
from ...extract.families import families
from ...parse import ginza
from ...prepare.stage import PREPARE_CODE, PREPARE_PACKAGES, PREPARE_RULES


def versions() -> dict[str, str]:
    """Everything a result depends on, by name: each rule family's code and rules, the parser, the cache key."""
    found = {f"code and rules of the {f.name} family": extraction.family_fingerprint(f) for f in families()}
    found["code of the parse and worker stages"] = fingerprint(("parse", "engine.workers", "records"))
    # the workers prepare the articles when they can read the corpus (``pool``: inputs shared)
    found["code and rules of the prepare stage"] = fingerprint(PREPARE_CODE, PREPARE_RULES, PREPARE_PACKAGES)
    try:
        found["GiNZA model and parser packages"] = ginza.model_id()
    except Exception as exc:  # noqa: BLE001 - a missing ja_ginza (or Sudachi) is what the check is for
        found["GiNZA model and parser packages"] = f"missing ({type(exc).__name__}: {exc})"
    # Not the key itself: a worker signing with another key would discard every entry the others write.
    found["cache signing key"] = hmac.new(secret(), b"cluster-check", hashlib.sha256).hexdigest()[:16]
    return found


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """What differs between the client's versions and a worker's, one phrase each."""
    out = []
    for name in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(name, "absent"), actual.get(name, "absent")
        if want != have:
            out.append(f"{name}: {_short(have)} on the worker, {_short(want)} here")
    return out


def _short(value: str) -> str:
    """A fingerprint cut to 12 characters; readable values (versions, errors) as they are."""
    return value[:12] if len(value) == 64 and all(c in "0123456789abcdef" for c in value) else value
