"""Read stage: discovery, encodings, sidecars, bad files."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest

from pipeline.prepare import cleaning, files, reading

TEXT = "浜田防衛大臣は①髙～の件で会談した。ｶﾀｶﾅも。"


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "codec,name",
    [
        ("utf-8", "utf-8"),
        ("cp932", "cp932"),
        ("utf-16", "utf-16"),
        ("utf-8-sig", "utf-8-sig"),
    ],
)
def test_japanese_encodings_decode_exactly(codec, name):
    text, found = reading.decode(TEXT.encode(codec))
    assert (text, found) == (TEXT, name)


def test_euc_jp_is_not_mistaken_for_cp932():
    text = "防衛省は在日米軍の再編について説明を受けたと発表した。" * 3
    assert reading.decode(text.encode("euc_jp")) == (text, "euc-jp")


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image, not text"),
        ("防衛".encode("utf-16-le")[:3] + b"\x00", "binary content"),
    ],
)
def test_bad_bytes_give_a_reason(data, reason):
    with pytest.raises(reading.ReadError, match=reason):
        reading.decode(data)


def test_discover_is_recursive_sorted_and_skips_sidecars(tmp_path):
    write(tmp_path / "b.txt", b"x")
    write(tmp_path / "a.html", b"x")
    write(tmp_path / "sub" / "c.md", b"x")
    write(tmp_path / "a.meta.json", b"{}")
    write(tmp_path / "notes.pdf", b"x")
    write(tmp_path / "photo.png", b"x")
    found = reading.discover(tmp_path)
    assert [f.rel for f in found] == ["a.html", "b.txt", "notes.pdf", "sub/c.md"]
    assert [f.article_id for f in found] == ["a", "b", "notes", "sub__c"]


def test_names_differing_only_in_extension_keep_distinct_ids(tmp_path):
    write(tmp_path / "x.txt", b"a")
    write(tmp_path / "x.html", b"a")
    ids = [f.article_id for f in reading.discover(tmp_path)]
    assert len(set(ids)) == 2


def test_read_records_hash_encoding_and_sidecar(tmp_path):
    path = write(tmp_path / "a.txt", TEXT.encode("cp932"))
    write(tmp_path / "a.meta.json", '{"published": "2024-07-27", "source": "日経", "extra": 1}'.encode())
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.ok and art.raw == TEXT and art.encoding == "cp932"
    assert art.meta == {"published": "2024-07-27", "source": "日経"}
    assert len(art.sha256) == 64
    assert path.read_bytes() == TEXT.encode("cp932")


def test_malformed_sidecar_keeps_text_and_says_why(tmp_path):
    write(tmp_path / "a.txt", TEXT.encode())
    write(tmp_path / "a.meta.json", b"{not json")
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.ok and art.meta == {}
    assert art.meta_error.startswith("malformed sidecar a.meta.json")


def test_whitespace_only_and_broken_link(tmp_path):
    write(tmp_path / "blank.txt", " \n\u3000\n".encode())
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "link.txt")
    arts = {a.article_id: a for a in map(reading.read, reading.discover(tmp_path))}
    assert arts["blank"].error == "no text (whitespace only)"
    assert arts["link"].error == "broken symbolic link"


def test_unreadable_file(tmp_path, monkeypatch):
    write(tmp_path / "secret.txt", b"x")
    f = reading.discover(tmp_path)[0]

    def denied(*_args):  # chmod 0 does not stop root, who runs CI: simulate the kernel's answer
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "open", denied)
    assert reading.read(f).error == "permission denied: cannot read the file"


def test_truncated_utf8_keeps_the_complete_text():
    data = "防衛省は会談した".encode()
    assert reading.decode(data[:-1]) == ("防衛省は会談し", "utf-8")


def test_mixed_encodings_are_refused_with_the_byte_offset():
    data = "防衛省は会談した。".encode() + "在日米軍の再編。".encode("cp932")
    with pytest.raises(reading.ReadError, match=r"mixed encodings: valid UTF-8 Japanese up to byte 27"):
        reading.decode(data)


PAGE = (
    "<html><head><title>日米、共同生産で合意 | 政治 | サンプル新聞</title>"
    '<meta property="article:published_time" content="2026-06-09T07:30:00+09:00">'
    '</head><body><h1>日米、共同生産で合意</h1><aside><time datetime="2025-03-01">3月1日</time></aside>'
    "<p>本文。</p></body></html>"
)


def test_web_page_title_and_published_date_come_from_its_metadata(tmp_path):
    write(tmp_path / "a.html", PAGE.encode())
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.meta == {"published": "2026-06-09", "title": "日米、共同生産で合意"}


def test_sidecar_wins_over_page_metadata(tmp_path):
    write(tmp_path / "a.html", PAGE.encode())
    write(tmp_path / "a.meta.json", b'{"published": "2026-06-10"}')
    assert reading.read(reading.discover(tmp_path)[0]).meta["published"] == "2026-06-10"


@pytest.mark.parametrize(
    "page,want",
    [
        (
            '<script type="application/ld+json">{"@graph":[{"datePublished":"2026-05-03T06:00:00+09:00"}]}</script>',
            {"published": "2026-05-03"},
        ),
        (
            '<aside><time datetime="2025-03-01">x</time></aside><time datetime="2026-05-03">y</time>',
            {"published": "2026-05-03"},
        ),  # a <time> in a related-articles box dates another article
        ('<meta itemprop="datePublished" content="2026-05-03">', {"published": "2026-05-03"}),
        ("<title>日米が合意 - サンプル新聞</title>", {"title": "日米が合意"}),
        ('<meta property="og:title" content="日米が合意"><title>トップ | サンプル</title>', {"title": "日米が合意"}),
        ("<h1>日米が<b>合意</b></h1>", {"title": "日米が合意"}),
        ('<meta name="date" content="not a date">', {}),
    ],
)
def test_page_meta(page, want):
    from pipeline.prepare.pagemeta import page_meta

    assert page_meta(page) == want


@pytest.mark.parametrize(
    "text,want",
    [
        ("【ロンドン=共同】英国の外相は3日、声明を出した。", "英国の外相は3日、声明を出した。"),
        ("令和8年5月3日\n防衛省\n日英防衛相会談の概要\n両大臣は…", "日英防衛相会談の概要"),
        ("2026年5月3日(日) 10:05\n日英が新協定に署名", "日英が新協定に署名"),
        ("日英、5月3日に署名へ\n本文。", "日英、5月3日に署名へ"),
    ],
)
def test_the_title_is_the_first_line_naming_the_article(tmp_path, text, want):
    from pipeline.extract import facts
    from pipeline.prepare import stage

    write(tmp_path / "a.txt", text.encode())
    f = reading.discover(tmp_path)[0]
    assert facts.title(stage.prepare(f)) == want


# ---------------------------------------------------------------- formats: PDF, binaries, JIS, stray bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_pdf_is_read_with_its_page_count_and_format(tmp_path):
    write(tmp_path / "release.pdf", (FIXTURES / "press_release.pdf").read_bytes())
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.ok and (art.format, art.pages) == ("pdf", 2)
    assert art.raw.startswith("日英防衛相会談の概要")
    assert "次回の会談を英国で開催することで合意しました。" in art.raw  # the second page


def test_a_pdf_placed_glyph_by_glyph_is_read_whole(tmp_path):
    """Word processors place letter-spaced headings and justified lines one glyph at a time: pypdf
    gives a glyph per line there, so pdfminer.six's text is taken."""
    write(tmp_path / "glyphs.pdf", (FIXTURES / "glyph_by_glyph.pdf").read_bytes())
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.ok and "来日したスミス英国防大臣と防衛省において会談を行ったと\nころ" in art.raw  # a printed line each
    clean = cleaning.clean(art.raw, pdf=True)[0].text  # the PDF repair closes the letter-spacing
    assert clean.startswith("日英防衛相会談の概要\n5月2日(土)、山田防衛大臣は、")
    assert "会談を行ったところ、概要は以下のとおりです。" in clean


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "press_release.pdf"))
    writer.encrypt("secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "make,reason",
    [
        (_encrypted_pdf, "encrypted PDF: it needs a password"),
        (_blank_pdf, "image-only PDF: its 1 page(s) have no text layer"),
        (lambda: (FIXTURES / "press_release.pdf").read_bytes()[:600], "broken PDF"),
    ],
)
def test_unreadable_pdfs_say_which_kind(tmp_path, make, reason):
    write(tmp_path / "x.pdf", make())
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.error.startswith(reason), art.error


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(200)), "a JPEG image"),
        (b"GIF89a" + bytes(range(100)), "a GIF image"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml" + bytes(100), "a Word document (.docx)"),
        (gzip.compress("防衛省".encode() * 50), "a gzip archive"),
        (b"\x7fELF\x02\x01\x01" + bytes(100), "an executable (ELF)"),
    ],
)
def test_binary_files_renamed_txt_are_refused_with_their_kind(tmp_path, data, kind):
    write(tmp_path / "article.txt", data)
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.error == f"{kind}, not text"


def test_iso_2022_jp_decodes():
    text = "防衛省は日米会談について発表した。ｶﾀｶﾅも読む。"
    assert reading.decode(text.encode("iso2022_jp_ext")) == (text, "iso-2022-jp")
    assert reading.decode("日米両政府は合意した。".encode("iso2022_jp")) == ("日米両政府は合意した。", "iso-2022-jp")


def test_stray_nul_and_control_characters_are_removed_and_recorded(tmp_path):
    body = "防衛省は、日米防衛相会談の結果について発表した。両大臣は共同訓練の拡大で一致した。\n"
    write(tmp_path / "a.txt", ("防衛省は\x00" + body[4:20] + "\x07" + body[20:]).encode() + b"\x00\n")
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.ok and art.raw == body + "\n"
    assert art.warnings == "2 NUL byte(s) removed; 1 control character(s) removed"


def test_a_file_of_mostly_nul_bytes_is_still_binary(tmp_path):
    write(tmp_path / "a.txt", "防衛省".encode() + bytes(500))
    assert reading.read(reading.discover(tmp_path)[0]).error == "binary content (500 NUL bytes of 509): not a text file"


def test_a_web_page_saved_as_txt_is_read_as_one(tmp_path):
    write(tmp_path / "page.txt", ("<!DOCTYPE html>\n" + PAGE).encode())
    art = reading.read(reading.discover(tmp_path)[0])
    assert art.format == "html"
    assert art.meta == {"published": "2026-06-09", "title": "日米、共同生産で合意"}


# ---------------------------------------------------------------- hostile files


def test_symbolic_links_out_of_the_corpus_are_refused_and_loops_named(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "real.txt", TEXT.encode())
    write(tmp_path / "secret.txt", "外の秘密".encode())
    os.symlink(tmp_path / "secret.txt", corpus / "outside.txt")
    os.symlink(corpus / "real.txt", corpus / "inside.txt")
    os.symlink(corpus / "loop_b.txt", corpus / "loop_a.txt")
    os.symlink(corpus / "loop_a.txt", corpus / "loop_b.txt")
    arts = {a.article_id: a for a in map(reading.read, reading.discover(corpus))}
    assert arts["outside"].error == "symbolic link outside the corpus" and not arts["outside"].raw
    assert arts["inside"].ok and arts["inside"].raw == TEXT
    assert arts["loop_a"].error == arts["loop_b"].error == "symbolic link loop"


def test_fifos_and_sockets_are_not_opened(tmp_path):
    import socket

    os.mkfifo(tmp_path / "pipe.txt")  # nobody writes to it: reading it would block forever
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.txt"))
    try:
        arts = {a.article_id: a for a in map(reading.read, reading.discover(tmp_path))}
    finally:
        server.close()
    assert arts["pipe"].error == "not a regular file (a FIFO)"
    assert arts["sock"].error == "not a regular file (a socket)"


def test_files_over_the_size_limit_are_read_no_further(tmp_path):
    write(tmp_path / "big.txt", ("防衛省は発表した。" * 1000).encode())
    os.symlink("/dev/zero", tmp_path / "zero.txt")  # endless: refused as a device, never read
    found = reading.discover(tmp_path, max_bytes=10_000)
    arts = {a.article_id: a for a in map(reading.read, found)}
    assert arts["big"].error == "file too large: over 10,000 bytes (--max-bytes)"
    assert arts["zero"].error in ("symbolic link outside the corpus", "not a regular file (a character device)")
