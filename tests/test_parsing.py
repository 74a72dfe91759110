"""Parse stage: Sudachi's size limit, the DocBin cache, and annotations identical to stock GiNZA."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ginza
import pytest

from pipeline.parse import ginza as parsing

ROOT = Path(__file__).resolve().parent.parent
SUDACHI_MAX_BYTES = 49149

# Prints, for each line of the seeds, what stock ja_ginza (default ops, default pipe) says.
STOCK = """
import json, sys, spacy
lines = json.loads(sys.stdin.read())
nlp = spacy.load("ja_ginza")
out = [[[t.text, t.tag_, t.pos_, t.lemma_, t.norm_, str(t.morph), t.dep_, t.head.i, t.ent_iob_, t.ent_type_]
        for t in d] for d in nlp.pipe(lines)]
print(json.dumps(out, ensure_ascii=False))
"""


def annotations(doc):
    return [
        [t.text, t.tag_, t.pos_, t.lemma_, t.norm_, str(t.morph), t.dep_, t.head.i, t.ent_iob_, t.ent_type_]
        for t in doc
    ]


def test_long_text_is_split_under_sudachi_limit(nlp):
    text = ("日米は防衛協力の強化で一致した" * 400 + "。") * 3  # one 'sentence' of ~18k chars, no 。 inside
    spans = parsing.pieces(text, 0, len(text))
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(len(text[a:b].encode()) < SUDACHI_MAX_BYTES for a, b in spans)
    [doc] = parsing.parse_texts(nlp, [text])
    assert doc.text == text


def test_cache_round_trip_keeps_bunsetu_data(nlp, tmp_path):
    cache = parsing.ParseCache(tmp_path)
    texts = ["浜田防衛大臣はオースティン国防長官と会談した。", "両閣僚は覚書に署名した。"]
    key = parsing.cache_key(texts)
    cache.save(key, parsing.parse_texts(nlp, texts))
    docs = cache.load(key, texts, parsing.japanese_vocab())
    assert [d.text for d in docs] == texts
    assert [s.text for s in ginza.bunsetu_spans(docs[0])] == [s.text for s in ginza.bunsetu_spans(nlp(texts[0]))]
    assert annotations(docs[1]) == annotations(nlp(texts[1]))
    assert [t.lower_ for t in docs[0]] == [t.lower_ for t in nlp(texts[0])]


def test_cache_load_without_user_data_keeps_every_annotation(nlp, tmp_path):
    cache = parsing.ParseCache(tmp_path)
    texts = ["浜田防衛大臣はオースティン国防長官と会談した。"]
    key = parsing.cache_key(texts)
    cache.save(key, parsing.parse_texts(nlp, texts))
    [doc] = cache.load(key, texts, parsing.japanese_vocab(), user_data=False)
    assert doc.user_data == {} and nlp(texts[0]).user_data != {}
    assert annotations(doc) == annotations(nlp(texts[0]))


def test_cache_key_depends_on_text_and_model():
    assert parsing.cache_key(["a", "b"]) != parsing.cache_key(["ab"])
    assert parsing.model_id().startswith("ja_ginza=")


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_corrupt_or_partial_cache_entry_is_discarded(nlp, tmp_path, damage):
    cache = parsing.ParseCache(tmp_path)
    texts = ["防衛省で会談した。"]
    key = parsing.cache_key(texts)
    cache.save(key, parsing.parse_texts(nlp, texts))
    path = cache.path(key)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage is None else damage)
    assert cache.load(key, texts, parsing.japanese_vocab()) is None
    assert not path.exists()


def test_cache_entry_for_other_texts_is_not_trusted(nlp, tmp_path):
    cache = parsing.ParseCache(tmp_path)
    cache.save("k" * 64, parsing.parse_texts(nlp, ["別の文。"]))
    assert cache.load("k" * 64, ["防衛省で会談した。"], parsing.japanese_vocab()) is None


def test_annotations_identical_to_stock_ginza_on_the_seeds(nlp):
    lines = [
        line
        for p in sorted((ROOT / "corpus").glob("*.txt"))
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip() and "<" not in line
    ]
    res = subprocess.run(
        [sys.executable, "-c", STOCK], input=json.dumps(lines), capture_output=True, text=True, check=True
    )
    stock = json.loads(res.stdout)
    ours = [annotations(d) for d in parsing.parse_texts(nlp, lines)]
    assert len(ours) == len(stock) == len(lines)
    mismatched = [lines[i][:40] for i, (a, b) in enumerate(zip(ours, stock)) if a != b]
    assert mismatched == []
