"""Numbers and date values: kanji/era numerals, ISO values with unknown parts, kinds, fiscal years."""

from __future__ import annotations

import calendar

MONTH_NAMES = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}


def to_int(s: str) -> int:
    """ASCII/full-width digits, 元 (=1), digit-by-digit kanji (二〇二四) or positional kanji (二十五)."""
    s = s.strip()
    if s == "元":
        return 1
    if s.isdigit():
        return int(s)
    if any(c in KANJI_UNITS for c in s):
        total, cur = 0, 0
        for c in s:
            if c in KANJI_DIGITS:
                cur = cur * 10 + KANJI_DIGITS[c] if cur else KANJI_DIGITS[c]
            elif c in KANJI_UNITS:
                total += (cur or 1) * KANJI_UNITS[c]
                cur = 0
            else:
                raise ValueError(s)
        return total + cur
    if all(c in KANJI_DIGITS for c in s):
        return int("".join(str(KANJI_DIGITS[c]) for c in s))
    raise ValueError(s)


def _valid(y: int | None, m: int | None, d: int | None) -> bool:
    if m is not None and not 1 <= m <= 12:
        return False
    if d is not None:
        if not 1 <= d <= 31:
            return False
        if m is not None and y is not None and d > calendar.monthrange(y, m)[1]:
            return False
        if m is not None and y is None and d > (29 if m == 2 else calendar.monthrange(2001, m)[1]):
            return False
    return True


def _iso(y: int | None, m: int | None = None, d: int | None = None) -> str:
    parts = [f"{y:04d}" if y is not None else "XXXX"]
    if m is not None or d is not None:
        parts.append(f"{m:02d}" if m is not None else "XX")
    if d is not None:
        parts.append(f"{d:02d}")
    return "-".join(parts)


def parse_iso(value: str | None) -> tuple[int | None, int | None, int | None]:
    """'2023-01-13' → (2023, 1, 13); X parts and missing parts are None; FY2024 → (2024, None, None)."""
    if not value:
        return None, None, None
    v = value[2:] if value.startswith("FY") else value
    bits = v.split("-")
    out: list[int | None] = []
    for b in bits[:3]:
        out.append(int(b) if b.isdigit() else None)
    while len(out) < 3:
        out.append(None)
    return out[0], out[1], out[2]


def kind_of(value: str) -> str:
    if "-W" in value:  # an ISO week, 2026-W19
        return "week"
    if value.startswith("FY"):
        return "fiscal_year"
    if value.startswith("T"):
        return "time"
    return {4: "year", 7: "month"}.get(len(value), "date")


def fiscal_year(y: int, m: int | None) -> int:
    """Japanese fiscal year (April–March) of a month."""
    return y - 1 if m is not None and m < 4 else y
