"""``python -m pipeline.bench.pdftext [PDF]``: pypdf against pdfminer.six on a Japanese PDF.

Both texts go through the pipeline's own cleaning (PDF repair included); what counts is how many
of the document's sentences come out whole, and the artefacts left in the raw text: spaces inside
Japanese words and blank lines inside a sentence (which read as paragraph breaks). The default PDF
is the reading tests' fixture, a two-page press release (``tests/fixtures/make_pdf.py``).
"""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path

from ..prepare import cleaning

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "press_release.pdf"
JP = r"[\u3041-\u30ff\u3400-\u9fff]"


def with_pypdf(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n\n".join((p.extract_text() or "").strip("\n") for p in PdfReader(io.BytesIO(data)).pages)


def with_pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def figures(raw: str, sentences: list[str]) -> dict[str, int]:
    clean = cleaning.clean(raw, pdf=True)[0].text
    return {
        "sentences whole": sum(1 for s in sentences if s in clean),
        "spaces inside Japanese": len(re.findall(rf"(?<={JP}) +(?={JP})", raw)),
        "blank lines inside a sentence": len(re.findall(r"[^。\n)）]\n[ \t]*\n+(?=\S)", raw)),
    }


def source_sentences() -> list[str]:
    """The sentences the fixture was typeset from (``tests/fixtures/make_pdf.py``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_pdf", FIXTURE.with_name("make_pdf.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [s + "。" for p in module.BODY + module.PAGE2 for s in p.split("。") if len(s) > 10]


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else FIXTURE
    data = path.read_bytes()
    if argv:  # another PDF: its sentences as pypdf reads them
        sentences = [s + "。" for s in cleaning.clean(with_pypdf(data), pdf=True)[0].text.split("。") if len(s) > 10]
    else:
        sentences = source_sentences()
    print(f"{path.name}: {len(sentences)} sentences of more than ten characters")
    for name, extract in (("pypdf", with_pypdf), ("pdfminer.six", with_pdfminer)):
        try:
            t0 = time.perf_counter()
            raw = extract(data)
            took = time.perf_counter() - t0
        except ImportError:
            print(f"{name:13s} not installed")
            continue
        row = ", ".join(f"{k} {v}" for k, v in figures(raw, sentences).items())
        print(f"{name:13s} {row}, {took * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
