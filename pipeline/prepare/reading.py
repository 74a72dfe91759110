"""Read stage: find the input files, decode them, read their sidecar metadata.

Never writes to the corpus. Every problem becomes a one-line reason on the
article (``Article.error``), never an exception that stops the run.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from ..records import Article
from .pagemeta import page_meta

SUFFIXES = (".txt", ".md", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
META_SUFFIX = ".meta.json"
META_KEYS = ("published", "source", "url")

# UTF-8, then these, before asking charset-normalizer: a strict decode that
# succeeds with these is almost never wrong for Japanese text, while statistical
# detection on short texts sometimes picks a Chinese or Cyrillic code page.
LEGACY_CODECS = {"cp932": "cp932", "euc_jp": "euc-jp"}  # Python codec → the name articles.csv records
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class ReadError(Exception):
    """A file that cannot be turned into text; the message is the one-line reason."""


@dataclass(frozen=True)
class InputFile:
    path: Path  # absolute
    rel: str  # relative to the corpus folder, POSIX separators
    article_id: str


def article_id_for(rel: str) -> str:
    """The file name without its extension; sub-folders keep ids apart (``sub__name``)."""
    stem = rel[: -len(Path(rel).suffix)] if Path(rel).suffix else rel
    return stem.replace("/", "__")


def discover(corpus: Path) -> list[InputFile]:
    """Every article file under ``corpus`` (recursive, sorted), symlinks included."""
    found = []
    for dirpath, dirnames, filenames in os.walk(corpus, followlinks=False):
        dirnames.sort()
        for name in filenames:
            if name.endswith(META_SUFFIX) or not name.lower().endswith(SUFFIXES):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(corpus).as_posix()
            found.append(InputFile(path, rel, article_id_for(rel)))
    found.sort(key=lambda f: f.rel)
    return _disambiguate(found)


def _disambiguate(files: list[InputFile]) -> list[InputFile]:
    """Two files whose names differ only by extension keep distinct ids (``a`` and ``a.html``)."""
    seen: dict[str, int] = {}
    for f in files:
        seen[f.article_id] = seen.get(f.article_id, 0) + 1
    return [
        InputFile(f.path, f.rel, f.article_id + Path(f.rel).suffix.replace(".", "_")) if seen[f.article_id] > 1 else f
        for f in files
    ]


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text and the name of the encoding; raises ReadError with the reason."""
    if not data:
        raise ReadError("empty file")
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise ReadError(f"invalid {codec} after its byte-order mark at byte {exc.start}") from None
    if b"\x00" in data:
        raise ReadError("binary content (NUL bytes): not a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            # A file cut short inside its last character: the partial character carries nothing.
            return data[: exc.start].decode("utf-8"), "utf-8"
        if _utf8_multibyte_chars(data[: exc.start]) >= 3:
            raise ReadError(
                f"mixed encodings: valid UTF-8 Japanese up to byte {exc.start}, then bytes that are not UTF-8"
            ) from None
    candidates = []
    for codec, name in LEGACY_CODECS.items():
        try:
            candidates.append((data.decode(codec), name))
        except UnicodeDecodeError:
            continue
    if candidates:
        return max(candidates, key=lambda c: _japaneseness(c[0]))
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ReadError("undecodable bytes: not UTF-8, Shift_JIS/cp932 or EUC-JP (binary or mixed encodings?)")
    raise ReadError(
        f"not valid UTF-8, cp932 or EUC-JP (looks like {best.encoding}; mixed encodings or truncated multi-byte text?)"
    )


def _utf8_multibyte_chars(prefix: bytes) -> int:
    """How many multi-byte UTF-8 characters a valid UTF-8 prefix holds (lead bytes 0xC2–0xF4)."""
    return sum(1 for b in prefix if 0xC2 <= b <= 0xF4)


def _japaneseness(text: str) -> int:
    """EUC-JP bytes often decode 'validly' as cp932 into half-width katakana soup: prefer hiragana."""
    sample = text[:20000]
    hiragana = sum(1 for ch in sample if "\u3041" <= ch <= "\u309f")
    halfwidth = sum(1 for ch in sample if "\uff61" <= ch <= "\uff9f")
    return hiragana - 2 * halfwidth


def _check_text(text: str) -> None:
    if not text.strip():
        raise ReadError("no text (whitespace only)")
    controls = sum(1 for ch in text[:10000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 10:
        raise ReadError("binary content (control characters): not a text file")


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name[: -len(path.suffix)] + META_SUFFIX)


def read_meta(path: Path) -> tuple[dict, str]:
    """The sidecar ``<name>.meta.json`` if any: (metadata, error reason or '')."""
    meta_path = sidecar_path(path)
    if not meta_path.exists():
        return {}, ""
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, f"malformed sidecar {meta_path.name}: {str(exc).splitlines()[0]}"
    if not isinstance(data, dict):
        return {}, f"malformed sidecar {meta_path.name}: not a JSON object"
    return {k: str(data[k]) for k in META_KEYS if data.get(k) not in (None, "")}, ""


def read(f: InputFile) -> Article:
    """Read one file into an Article; problems end up in ``Article.error``."""
    article = Article(article_id=f.article_id, path=f.rel, sha256="")
    try:
        if f.path.is_symlink() and not f.path.exists():
            raise ReadError("broken symbolic link")
        data = f.path.read_bytes()
        article.sha256 = hashlib.sha256(data).hexdigest()
        article.raw, article.encoding = decode(data)
        _check_text(article.raw)
    except ReadError as exc:
        article.error = str(exc)
    except PermissionError:
        article.error = "permission denied: cannot read the file"
    except IsADirectoryError:
        article.error = "is a directory"
    except OSError as exc:
        article.error = f"cannot read: {exc.strerror or exc}"
    # A bad sidecar costs only the metadata: the text is still processed (README, Reliability).
    article.meta, article.meta_error = read_meta(f.path)
    if article.raw and is_html(f):
        for key, value in page_meta(article.raw).items():
            article.meta.setdefault(key, value)  # the sidecar, when there is one, says better
    return article


def is_html(f: InputFile) -> bool:
    return f.path.suffix.lower() in HTML_SUFFIXES
