"""Parse stage: GiNZA (``ja_ginza``) over the clean sentences, with an on-disk cache.

Each clean sentence is parsed as its own ``Doc`` (so every token offset maps
back to the clean text by adding the sentence start). The docs of one article
are cached together as a spaCy ``DocBin`` plus their ``Doc.user_data`` (where GiNZA
keeps its bunsetu data), keyed by the sentence texts and
the model's name and version: unchanged text is never parsed twice, and a
changed rule file re-runs extraction only.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache import Caches, DiskCache
from ..records import ParsedArticle, Sentence

if TYPE_CHECKING:  # spaCy is imported only when something is parsed or loaded: warm runs skip it
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

MODEL = "ja_ginza"
# Sudachi refuses inputs over 49,149 bytes; a CJK character is 3 bytes in UTF-8.
MAX_PIECE_CHARS = 4000
BATCH_SIZE = 32  # sentences per nlp.pipe batch: small batches keep memory flat
CACHE_FORMAT = 3  # 3: DocBin without user data + the user data pickled apart


@lru_cache(maxsize=1)
def model_id() -> str:
    """Name and versions that decide what a parse looks like (part of the cache key)."""
    from importlib import metadata  # not at import: the command line imports this module before it starts the server

    versions = [f"{pkg}={metadata.version(pkg)}" for pkg in (MODEL, "ginza", "spacy", "SudachiPy", "SudachiDict-core")]
    return ";".join(versions + [f"cache-format={CACHE_FORMAT}"])


@lru_cache(maxsize=1)
def japanese_vocab() -> Vocab:
    """The vocabulary cached Docs are loaded into, without loading the model or Sudachi.

    A bare ``Vocab()`` would leave lexical attributes (LOWER, LIKE_NUM, …) empty, and
    Matcher patterns on them would silently miss on cached parses.
    """
    from spacy.lang.ja import Japanese
    from spacy.vocab import create_vocab

    return create_vocab("ja", Japanese.Defaults)


def load_model(fast: bool = True) -> Language:
    """Load ja_ginza; ``fast`` routes matrix products through numpy/OpenBLAS.

    thinc's bundled blis does not recognise recent CPUs and falls back to a
    generic kernel; numpy's products give the same tokens, heads, labels and
    entities several times faster (checked by tests/test_parsing.py).
    """
    import spacy
    from thinc.api import NumpyOps, set_current_ops

    if fast:
        set_current_ops(NumpyOps(use_blis=False))
        # The model's strings.json holds the 600k words of its vectors table: reading it is most of the
        # load (README, "Speed and memory"). Nothing here turns a hash back into one of those words (vectors
        # are looked up by hash; token, lemma and label strings are added as they are made), and the
        # annotations are checked identical to stock ja_ginza by tests/test_parsing.py.
        return spacy.load(MODEL, exclude=["strings"])
    return spacy.load(MODEL)


def pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one sentence into parseable pieces under Sudachi's byte limit."""
    if end - start <= MAX_PIECE_CHARS:
        return [(start, end)]
    out, pos = [], start
    while pos < end:
        cut = min(pos + MAX_PIECE_CHARS, end)
        if cut < end:
            # Prefer a cut after punctuation or a space within the last quarter.
            window = text[pos + MAX_PIECE_CHARS * 3 // 4 : cut]
            best = max((window.rfind(ch) for ch in "、，, 　」)"), default=-1)
            if best >= 0:
                cut = pos + MAX_PIECE_CHARS * 3 // 4 + best + 1
        out.append((pos, cut))
        pos = cut
    return out


def cache_key(texts: Iterable[str]) -> str:
    digest = hashlib.sha256(model_id().encode())
    for t in texts:
        digest.update(b"\x1e" + t.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ParseCache:
    """DocBin files under ``root``, one per article text; corrupt entries are discarded."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.store = DiskCache(self.root, ".spacy")

    @classmethod
    def under(cls, cache_root: Path) -> ParseCache:
        """The parse cache of a run's cache folder."""
        return cls(Caches(Path(cache_root)).parse)

    def empty(self) -> bool:
        return not self.root.is_dir() or next(self.root.iterdir(), None) is None

    def path(self, key: str) -> Path:
        return self.store.path(key)

    def has(self, key: str) -> bool:
        return self.store.has(key)

    def load(self, key: str, texts: list[str], vocab: Vocab, user_data: bool = True) -> list[Doc] | None:
        """The cached docs, or None when missing or not trustworthy (then the entry is removed).

        ``user_data=False`` leaves GiNZA's user data (bunsetu, sub-tokens) out: no rule family reads it
        (tests/test_caching.py checks), and unpickling it was half the cost of loading an article.
        """
        from spacy.tokens import DocBin

        data = self.store.get(key)
        if data is None:
            return None
        try:
            docbin, extras = pickle.loads(data)
            docs = list(DocBin().from_bytes(docbin).get_docs(vocab))
            if user_data:
                for doc, extra in zip(docs, pickle.loads(extras), strict=True):
                    doc.user_data.update(extra)
        except Exception:  # noqa: BLE001 - an intact checksum over undecodable bytes is still unusable
            docs = None
        if docs is None or [d.text for d in docs] != texts:
            self.store.discard(key)
            return None
        return docs

    def save(self, key: str, docs: list[Doc]) -> None:
        """Tokens and annotations as a DocBin; GiNZA's user data (bunsetu, sub-tokens) pickled beside it.

        DocBin's own ``store_user_data`` decodes each doc's user data through srsly, which looks up
        its msgpack extensions in the installed packages' entry points on every call: that took
        half the load time. Pickle also gives back the same types GiNZA made (tuples, namedtuples).
        The user data is pickled on its own, so that a load can leave it out without decoding it.
        """
        from spacy.tokens import DocBin

        extras = pickle.dumps([dict(doc.user_data) for doc in docs], protocol=pickle.HIGHEST_PROTOCOL)
        self.store.put(key, pickle.dumps((DocBin(docs=docs).to_bytes(), extras), protocol=pickle.HIGHEST_PROTOCOL))


def parse_texts(nlp: Language, texts: list[str]) -> list[Doc]:
    """Parse texts with nlp.pipe in small batches; pieces of an over-long text are re-joined."""
    from spacy.tokens import Doc

    jobs: list[tuple[int, str]] = []
    for i, t in enumerate(texts):
        jobs += [(i, t[a:b]) for a, b in pieces(t, 0, len(t))]
    parsed = nlp.pipe((t for _, t in jobs), batch_size=BATCH_SIZE)
    grouped: dict[int, list[Doc]] = {}
    for (i, _), doc in zip(jobs, parsed):
        grouped.setdefault(i, []).append(doc)
    # GiNZA's bunsetu user data cannot be merged across pieces; only over-long sentences lose it.
    return [
        g[0] if len(g) == 1 else Doc.from_docs(g, ensure_whitespace=False, exclude=["user_data"])  # type: ignore[call-arg]
        for _, g in sorted(grouped.items())
    ]


def parse_article(
    article_id: str, text: str, sentences: list[Sentence], nlp: Language, published: str | None = None
) -> ParsedArticle:
    """An article parsed in this process, no cache (``explain``, rule examples, the spaCy component)."""
    docs = parse_texts(nlp, [text[s.start : s.end] for s in sentences])
    return ParsedArticle(article_id, text, list(sentences), docs, published)
