"""The HTML report: ``outputs/report/index.html`` and one page per article, built from the tables in an
output folder (so it shows exactly what the CSVs say), self-contained and offline.

``build(out)`` reads the CSVs and the clean texts of ``out`` — never a parse — and writes each page
atomically, only when its bytes changed; pages of articles no longer in the tables are removed.
The corpus, when given, supplies the text of removed duplicate blocks (their offsets count in the file
as decoded); without it those blocks are listed by size.
"""

from __future__ import annotations

from pathlib import Path

from ..export import write_if_changed
from .data import ReportInputError, load
from .pages import article_file, article_page, overview

__all__ = ["ReportInputError", "build"]

TITLE = "jp-news-tables report"


def build(out: Path, corpus: Path | None = None) -> list[Path]:
    """Write the report under ``out/report``; returns every page's path (for the run's manifest)."""
    t = load(out)
    folder = out / "report"
    written = [_write(folder / "index.html", overview(t, TITLE))]
    rows = t["articles"][t["articles"]["status"] == "ok"].to_dict("records")
    for i, row in enumerate(rows):
        page = article_page(
            t, row, rows[i - 1] if i else None, rows[i + 1] if i + 1 < len(rows) else None, _raw(corpus, row)
        )
        written.append(_write(folder / "articles" / article_file(row["article_id"]), page))
    _remove_stale(folder / "articles", written)
    return written


def _raw(corpus: Path | None, row: dict) -> str | None:
    """The decoded file, for the text of its removed blocks (None: not at hand or not decodable as recorded)."""
    if corpus is None or row.get("format") == "pdf":
        return None
    path = corpus / row["path"]
    try:
        return path.read_bytes().decode(row["encoding"] or "utf-8")
    except (OSError, LookupError, UnicodeDecodeError):
        return None


def _write(path: Path, html: str) -> Path:
    return write_if_changed(path, html.encode("utf-8"))


def _remove_stale(folder: Path, written: list[Path]) -> None:
    keep = set(written)
    for path in folder.glob("*.html") if folder.is_dir() else ():
        if path not in keep:
            path.unlink(missing_ok=True)


def summary(written: list[Path], out: Path) -> str:
    size = sum(p.stat().st_size for p in written if p.exists())
    return f"report: {len(written)} pages, {size / 1e6:.1f} MB → {out / 'report' / 'index.html'}"
