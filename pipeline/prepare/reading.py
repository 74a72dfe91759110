"""Read stage: find the input files, decode them, read their sidecar metadata.

Never writes to the corpus. Every problem becomes a one-line reason on the
article (``Article.error``), never an exception that stops the run.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from ..records import Article
from .files import DEFAULT_MAX_BYTES
from .files import read_bounded as read_bytes
from .filetypes import PDF, PdfError, looks_like_html, pdf_text, sniff
from .pagemeta import page_meta

SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
HTML_SUFFIXES = (".html", ".htm")
META_SUFFIX = ".meta.json"
META_KEYS = ("published", "source", "url")

# UTF-8, then these, before asking charset-normalizer: a strict decode that
# succeeds with these is almost never wrong for Japanese text, while statistical
# detection on short texts sometimes picks a Chinese or Cyrillic code page.
LEGACY_CODECS = {"cp932": "cp932", "euc_jp": "euc-jp"}  # Python codec → the name articles.csv records
# ISO-2022-JP's escape sequences (JIS X 0208, JIS X 0201 Roman and kana, JIS X 0212): 7-bit text with these is JIS.
ESCAPES = re.compile(rb"\x1b(?:\$[@B]|\$\(D|\([BJI])")
MAX_STRAY = 16  # NUL bytes or control characters removed from a text before it counts as binary (or 5 %)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class ReadError(Exception):
    """A file that cannot be turned into text; the message is the one-line reason."""


@dataclass(frozen=True)
class InputFile:
    path: Path  # absolute
    rel: str  # relative to the corpus folder, POSIX separators
    article_id: str
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def corpus(self) -> Path:
        return self.path.parents[len(Path(self.rel).parts) - 1]


MAX_ID_BYTES = 120  # an id is also a file name (clean/<id>.txt, its temporary copy): far under 255 bytes
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is a formula to a spreadsheet


def article_id_for(rel: str) -> str:
    """The file name without its extension; sub-folders keep ids apart (``sub__name``). Safe by
    construction: never opening like a spreadsheet formula (``-rf`` → ``_-rf``), and a long one is a
    readable prefix plus a hash of the whole (``長い…~3f9a1c2b7d``), unique and the same every run."""
    stem = rel[: -len(Path(rel).suffix)] if Path(rel).suffix else rel
    aid = stem.replace("/", "__")
    if aid.startswith(FORMULA_START):
        aid = "_" + aid
    if len(aid.encode()) > MAX_ID_BYTES:
        digest = hashlib.sha256(aid.encode()).hexdigest()[:10]
        aid = aid.encode()[: MAX_ID_BYTES - 11].decode("utf-8", "ignore") + "~" + digest
    return aid


def discover(corpus: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[InputFile]:
    """Every article file under ``corpus`` (recursive, sorted), symlinks included."""
    found = []
    for dirpath, dirnames, filenames in os.walk(corpus, followlinks=False):
        dirnames.sort()
        for name in filenames:
            if name.endswith(META_SUFFIX) or not name.lower().endswith(SUFFIXES):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(corpus).as_posix()
            found.append(InputFile(path, rel, article_id_for(rel), max_bytes))
    found.sort(key=lambda f: f.rel)
    return _disambiguate(found)


def _disambiguate(files: list[InputFile]) -> list[InputFile]:
    """Two files whose names differ only by extension keep distinct ids (``a`` and ``a.html``)."""
    seen: dict[str, int] = {}
    for f in files:
        seen[f.article_id] = seen.get(f.article_id, 0) + 1
    return [
        InputFile(f.path, f.rel, f.article_id + Path(f.rel).suffix.replace(".", "_"), f.max_bytes)
        if seen[f.article_id] > 1
        else f
        for f in files
    ]


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text and the name of the encoding; raises ReadError with the reason."""
    text, encoding, _ = decode_noting(data)
    return text, encoding


def decode_noting(data: bytes) -> tuple[str, str, list[str]]:
    """``decode``, and what was removed on the way (stray NUL bytes)."""
    if not data:
        raise ReadError("empty file")
    kind = sniff(data)
    if kind is not None:
        raise ReadError(f"{kind}, not text")
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec, []
            except UnicodeDecodeError as exc:
                raise ReadError(f"invalid {codec} after its byte-order mark at byte {exc.start}") from None
    notes = []
    nuls = data.count(b"\x00")
    if nuls:
        if _mostly(nuls, len(data)):
            raise ReadError(f"binary content ({nuls} NUL bytes of {len(data)}): not a text file")
        data = data.replace(b"\x00", b"")
        notes.append(f"{nuls} NUL byte(s) removed")
    if ESCAPES.search(data):
        return _iso2022(data), "iso-2022-jp", notes
    text, encoding = _decode_8bit(data)
    return text, encoding, notes


def _mostly(stray: int, size: int) -> bool:
    """Too many stray bytes or characters for a text file: more than MAX_STRAY, or one in twenty."""
    return stray > MAX_STRAY or stray * 20 > size


def _iso2022(data: bytes) -> str:
    """ISO-2022-JP (JIS), as mail archives and old pages have it; the -ext codec adds half-width kana."""
    for codec in ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise ReadError("invalid ISO-2022-JP: escape sequences of JIS, then bytes no JIS codec reads")


def _decode_8bit(data: bytes) -> tuple[str, str]:
    """UTF-8, else cp932 or EUC-JP (whichever reads more like Japanese), else the reason."""
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


CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _check_text(text: str) -> tuple[str, list[str]]:
    """The text without stray control characters, and a note of how many went; a text that is mostly
    control characters is no text."""
    if not text.strip():
        raise ReadError("no text (whitespace only)")
    controls = len(CONTROL.findall(text))
    if not controls:
        return text, []
    if _mostly(controls, len(text)):
        raise ReadError(f"binary content ({controls} control characters): not a text file")
    return CONTROL.sub("", text), [f"{controls} control character(s) removed"]


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
        data = read_bytes(f)
        article.sha256 = hashlib.sha256(data).hexdigest()
        if sniff(data) == PDF:
            article.format = "pdf"
            article.raw, article.pages = _pdf(data)
            notes: list[str] = []
        else:
            article.raw, article.encoding, notes = decode_noting(data)
            article.format = "html" if is_html(f) or looks_like_html(article.raw) else "text"
        article.raw, more = _check_text(article.raw)
        article.warnings = "; ".join(notes + more)
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
    if article.raw and article.format == "html":
        for key, value in page_meta(article.raw).items():
            article.meta.setdefault(key, value)  # the sidecar, when there is one, says better
    return article


def is_html(f: InputFile) -> bool:
    return f.path.suffix.lower() in HTML_SUFFIXES


def _pdf(data: bytes) -> tuple[str, int]:
    try:
        return pdf_text(data)
    except PdfError as exc:
        raise ReadError(str(exc)) from None
