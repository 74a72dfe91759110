"""The overview's figures as inline SVG, drawn by matplotlib with text left as text (``svg.fonttype: none``),
so that the browser draws the Japanese labels in its own fonts — never boxes — and they can be searched."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

STATUS_COLOURS = {"concluded": "#2b8a3e", "planned": "#1c7ed6", "expected": "#e67700", "reported": "#862e9c"}
MAX_LABELS = 40  # marks labelled on the timeline; beyond, the caption lists them
OUTLIER_YEARS = 8  # a date further than this from the middle half of the dates is listed, not plotted


@dataclass(frozen=True)
class Mark:
    when: date
    status: str
    label: str
    anchor: str  # link target of the agreement, shown in the caption
    gid: str = ""  # the mark's element id in the SVG (agreement-<article_id>-<agreement_id>)
    hover: str = ""  # shown when the pointer rests on the mark: the parties and the content


def _pyplot():
    """matplotlib, configured once: SVG text as text, no math parsing of `$` in article text. A Japanese
    font, when one is installed, only sets the label widths: the browser draws the text, falling back
    to its own fonts, so a machine without one still gives a readable page (its lookups stay quiet)."""
    import logging

    import matplotlib

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "text.parse_math": False,
            "font.family": ["IPAexGothic", "IPAGothic", "Noto Sans CJK JP", "DejaVu Sans"],
            "svg.hashsalt": "jp-news-tables",  # the same ids every build: unchanged input, unchanged bytes
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def _svg(fig) -> str:
    """The figure as an SVG element to inline (no XML declaration, no doctype, no metadata date)."""
    import warnings

    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*missing from font")  # no CJK font here: the browser has one
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    _pyplot().close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def parse_when(value: str) -> date | None:
    """An ISO value as the day it is drawn at: a month at its 15th, a year at 1 July, FY at 1 October."""
    m = re.fullmatch(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", value or "")
    if m:
        year, month, day = int(m[1]), int(m[2] or 7), int(m[3] or (15 if m[2] else 1))
        try:
            return date(year, month, day)
        except ValueError:
            return None
    fy = re.fullmatch(r"FY(\d{4})", value or "")
    return date(int(fy[1]), 10, 1) if fy else None


def split_outliers(marks: list[Mark]) -> tuple[list[Mark], list[Mark]]:
    """(plotted, listed): a date years away from the middle half of the others (1951 beside 2025) would
    squeeze every other mark into one pixel, so it is listed under the chart instead."""
    if len(marks) < 4:
        return marks, []
    years = sorted(m.when.year for m in marks)
    q1, q3 = years[len(years) // 4], years[(3 * len(years)) // 4]
    lo, hi = q1 - OUTLIER_YEARS, q3 + OUTLIER_YEARS
    return [m for m in marks if lo <= m.when.year <= hi], [m for m in marks if not lo <= m.when.year <= hi]


def timeline(marks: list[Mark]) -> str:
    """One mark per agreement on a time axis, coloured by status, labelled when there are few."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 3.2 if len(marks) <= MAX_LABELS else 2.4))
    if not marks:
        ax.text(0.5, 0.5, "no dated agreements", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _svg(fig)
    order = sorted(marks, key=lambda m: (m.when, m.gid))
    lanes = [i % 6 for i in range(len(order))]  # stagger marks of one day so that labels do not overlap
    for m, lane in zip(order, lanes):  # one artist per mark: its own element, id and hover text in the SVG
        colour = STATUS_COLOURS.get(m.status, "#495057")
        ax.plot([m.when], [lane], "o", markersize=5.5, color=colour, gid=m.gid or None, zorder=3)
    for status, colour in STATUS_COLOURS.items():
        ax.plot([], [], "o", color=colour, label=status)
    if len(order) <= MAX_LABELS:
        for m, lane in zip(order, lanes):
            ax.annotate(m.label[:16], (m.when, lane), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_yticks([])
    ax.set_ylim(-0.8, 6.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    fig.autofmt_xdate()
    return _with_titles(_svg(fig), {m.gid: m.hover for m in order if m.gid and m.hover})


def _with_titles(svg: str, hovers: dict[str, str]) -> str:
    """A ``<title>`` (the browser's hover text) as the first child of each mark's group."""
    from html import escape

    def add(m: re.Match) -> str:
        hover = hovers.get(m.group(1))
        return m.group(0) + (f"\n   <title>{escape(hover)}</title>" if hover else "")

    return re.sub(r'<g id="([^"]+)">', add, svg)


def bars(names: list[str], counts: list[int], xlabel: str) -> str:
    """A horizontal bar chart, the largest at the top."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 0.32 * max(len(names), 1) + 0.8))
    if not names:
        ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _svg(fig)
    ax.barh(range(len(names)), counts, color="#4c6ef5")
    ax.set_yticks(range(len(names)), labels=[n[:24] for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _svg(fig)
