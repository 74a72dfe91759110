"""Synthetic corpora for the benchmark: the seeds' paragraphs recombined, every sentence stamped with a
serial number so that neither the parse cache nor de-duplication can shortcut a measurement."""

from __future__ import annotations

import random
import re
from pathlib import Path

SENTENCE_END = re.compile(r"(?<=。)")


def seed_paragraphs(corpus: Path) -> list[str]:
    """Distinct body-like lines of the seeds (no markup, no URLs)."""
    seen: dict[str, None] = {}
    for path in sorted(corpus.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 25 and "<" not in line and "http" not in line:
                seen.setdefault(line, None)
    return list(seen)


def stamp(paragraph: str, serial: int) -> str:
    """Make every sentence of the paragraph unique with a serial number."""
    sentences = [s for s in SENTENCE_END.split(paragraph) if s]
    return "".join(f"({serial}-{k}){s}" for k, s in enumerate(sentences))


def synth_corpus(
    dest: Path, n_articles: int, paragraphs: list[str], seed: int = 7, per_article: int = 16, first: int = 0
) -> int:
    """Write ``n_articles`` recombined articles into ``dest``; returns their characters."""
    dest.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(first, first + n_articles):
        rng = random.Random(seed * 100003 + i)
        body = "\n".join(stamp(p, i * 100 + j) for j, p in enumerate(rng.sample(paragraphs, per_article)))
        (dest / f"bench_{i:05d}.txt").write_text(body + "\n", encoding="utf-8")
        total += len(body) + 1
    return total


def repost_corpus(dest: Path, n_articles: int, paragraphs: list[str]) -> int:
    """A corpus with reposts: every third article re-pastes an earlier one, some paste a block twice."""
    total = synth_corpus(dest, n_articles, paragraphs, seed=11)
    files = sorted(dest.glob("*.txt"))
    for k, path in enumerate(files[2::3]):
        original = files[k].read_text(encoding="utf-8")
        path.write_text("転載:\n" + original, encoding="utf-8")
    for path in files[1::3]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text + text.splitlines()[0] + "\n", encoding="utf-8")
    return total
