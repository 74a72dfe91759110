"""``make bench`` judges the speed targets on what it measured: the judgement itself is checked here."""

from __future__ import annotations

from pipeline import bench


def _size(articles: int, us_per_char: float, d: float, rss_mb: float = 1500) -> dict:
    return {
        "articles": articles,
        "c_fraction": 0.02,
        "g_us_per_char": us_per_char,
        "rule_edits": {name: {"fraction": d} for name in bench.EDITED_FILES},
        "cold": {"rss_total_mb": rss_mb, "pss_total_mb": rss_mb / 2},
    }


def _result(*sizes: dict, ratio: float = 6.5) -> dict:
    return {"same_texts": {"ratio": ratio}, "stock_size": 200, "sizes": list(sizes)}


def test_every_target_met_on_the_boundaries():
    judged = bench.targets(
        _result(_size(50, 60.0, 0.10), _size(200, 60.0, 0.05), _size(800, 50.0, 0.05, rss_mb=2048), ratio=6.0)
    )
    assert all(met for met, _ in judged), judged


def test_each_miss_is_named_with_its_numbers():
    result = _result(_size(50, 72.0, 0.161), _size(200, 60.0, 0.087), _size(800, 58.0, 0.07, rss_mb=2100), ratio=5.9)
    judged = {what.split(":")[0]: met for met, what in bench.targets(result)}
    assert not judged["(b)/(a) ≥ 6 on the 200-article corpus"]
    assert not judged["(d) ≤ 10 % at 50 articles"] and judged["(d) ≤ 10 % at 200 articles"]
    assert not judged["(f) ≤ 2 GB at 800 articles"]
    assert judged["(g) within ±20 % of the sizes' mean time per char"]  # 72, 60, 58: ±14 %
    assert not judged["(g) read as a spread, largest over smallest ≤ +20 %"]  # +24 %
