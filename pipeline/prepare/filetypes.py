"""What a file is, by its first bytes, not its name; and the text of a PDF.

A PNG renamed ``.txt`` used to be decoded as cp932 into half-width katakana and came out as
an ``ok`` article. The signatures below are the fixed magic numbers the formats' own
specifications put at the start of every file (a dozen lines; a sniffing library would add a
dependency to tell the same few binary kinds apart, and text needs no guess: it is decoded).

PDF text comes from pypdf: on a Japanese press release typeset with an embedded font
(``tests/fixtures/make_pdf.py``), it keeps each printed line one line, where pdfminer.six puts a
blank line after every line, which reads as a paragraph break inside every sentence
(``python -m pipeline.bench.pdftext`` measures both; README, "Input formats"). But on text placed
glyph by glyph (letter-spaced headings, justified lines) pypdf gives one glyph per line, where
pdfminer.six groups them by position: when pypdf's text has such artefacts, pdfminer.six's is taken
if it has fewer (``artefacts``).
"""

from __future__ import annotations

import io
import re

# (signature, offset, what it is): checked in order, the first that matches names the file.
SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"WEBP", 8, "a WebP image"),
    (b"PK\x03\x04", 0, "a ZIP archive"),
    (b"PK\x05\x06", 0, "a ZIP archive"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"BZh", 0, "a bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"\xfd7zXZ\x00", 0, "an xz archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "an Office document (.doc, .xls)"),
    (b"\x7fELF", 0, "an executable (ELF)"),
    (b"\xcf\xfa\xed\xfe", 0, "an executable (Mach-O)"),
    (b"\xca\xfe\xba\xbe", 0, "a Java class or Mach-O file"),
    (b"\x00asm", 0, "a WebAssembly module"),
    (b"SQLite format 3\x00", 0, "an SQLite database"),
    (b"ftyp", 4, "a video (MP4/MOV)"),
    (b"ID3", 0, "an MP3 audio file"),
    (b"OggS", 0, "an Ogg media file"),
    (b"fLaC", 0, "a FLAC audio file"),
)
# Inside a ZIP: the part that says which Office document it is.
OFFICE_PARTS = (
    (b"word/", "a Word document (.docx)"),
    (b"xl/", "an Excel workbook (.xlsx)"),
    (b"ppt/", "a PowerPoint file (.pptx)"),
    (b"mimetypeapplication/epub", "an EPUB book"),
)
PDF = "a PDF document"
HTML_START = re.compile(r"\A\s*(?:<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.IGNORECASE)


def sniff(data: bytes) -> str | None:
    """What the bytes are when they are a known binary format (``a PNG image``), else None."""
    if data[:2] == b"MZ" and (b"PE\x00\x00" in data[:1024] or b"DOS mode" in data[:512]):
        return "a Windows executable"  # MZ alone could open a text; the PE header could not
    for signature, offset, kind in SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            if kind == "a ZIP archive":
                return next((name for part, name in OFFICE_PARTS if part in data[:4096]), kind)
            return kind
    return None


def looks_like_html(text: str) -> bool:
    """A web page saved under any name: it opens with a doctype or an <html> element."""
    return bool(HTML_START.match(text[:2048]))


class PdfError(Exception):
    """A PDF whose text cannot be had; the message says which kind (encrypted, image-only, broken)."""


def pdf_text(data: bytes) -> tuple[str, int]:
    """The text layer of a PDF, pages joined by blank lines, and its page count."""
    from pypdf import PdfReader  # imported on first use: most corpora hold no PDF
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens(reader):
            raise PdfError("encrypted PDF: it needs a password to be read")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise PdfError(f"broken PDF: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not pages:
        raise PdfError("broken PDF: no pages")
    if not text.strip():
        raise PdfError(f"image-only PDF: its {len(pages)} page(s) have no text layer (a scan? OCR it first)")
    if artefacts(text):  # glyphs placed one by one: pdfminer.six groups them by position
        other = _pdfminer_text(data)
        if other is not None and artefacts(other) < artefacts(text):
            return other, len(pages)
    return text, len(pages)


SINGLE_GLYPH = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff0-9A-Za-z()、]$", re.MULTILINE)
BROKEN_PARAGRAPH = re.compile(r"[^\s。.!?！？)）」』:：]\n[ \t]*\n+(?=[\u3040-\u30ff\u3400-\u9fff])")


def artefacts(text: str) -> int:
    """Extraction artefacts: a line of one glyph (pypdf on glyph-by-glyph text) and a blank line inside a
    sentence (pdfminer.six between the printed lines of a paragraph)."""
    return len(SINGLE_GLYPH.findall(text)) + len(BROKEN_PARAGRAPH.findall(text))


def _pdfminer_text(data: bytes) -> str | None:
    try:
        from pdfminer.high_level import extract_text
    except ImportError:
        return None
    try:
        text = extract_text(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - the pypdf text stands
        return None
    # pdfminer.six ends every text box with a blank line, so blank lines say nothing of paragraphs; pages
    # stay apart (form feeds)
    pages = [re.sub(r"\n[ \t]*\n+", "\n", page).strip("\n") for page in text.split("\x0c")]
    return "\n\n".join(p for p in pages if p)


def _opens(reader) -> bool:
    """An encrypted PDF with an empty user password (many are: they only forbid printing or copying)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - an unsupported cipher (AES without cryptography) is as closed
        return False
