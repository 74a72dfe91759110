"""A web page's own metadata: its title and published date, read from the page head.

A page says when it was published in its metadata (``article:published_time``,
``itemprop="datePublished"``, JSON-LD ``datePublished``, ``<time datetime>``) more
reliably than any dateline, and names its article in ``og:title`` or ``<title>``
(minus the site name after `` | `` or `` - ``). Nothing here touches the clean text:
the values go to ``Article.meta`` (a sidecar's values win), with no offsets.
"""

from __future__ import annotations

import html
import json
import re

from .normalize import normalize

_TAG_ATTRS = re.compile(r"<(meta|time)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_JSON_LD = re.compile(r"<script\b[^>]*application/ld\+json[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_ASIDE = re.compile(r"<(/?)(aside|footer|nav)\b", re.IGNORECASE)  # a <time> there dates another article
_TAGS = re.compile(r"<[^>]*>")
_ISO_DATE = re.compile(r"^\s*([12][0-9]{3})-([01][0-9])-([0-3][0-9])")
_BAR = re.compile(r"\s*[|｜]\s*")
_SITE_SUFFIX = re.compile(r"^(.+\S)\s+[\-–—]\s+[^\-–—]{1,40}$")
PUBLISHED_KEYS = (
    "article:published_time",
    "datepublished",
    "og:published_time",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
)
MAX_HEAD_CHARS = 2_000_000  # a page's metadata sits near its top; bounds the work on huge files


def page_meta(raw: str) -> dict[str, str]:
    """``title`` and ``published`` (ISO date) of an HTML page, when it states them."""
    raw = raw[:MAX_HEAD_CHARS]
    tags = [(m.group(1).lower(), _attrs(m.group(2)), m.start()) for m in _TAG_ATTRS.finditer(raw)]
    metas: dict[str, str] = {}
    for name, attrs, _ in tags:
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if name == "meta" and key and "content" in attrs:
            metas.setdefault(key, attrs["content"])
    out: dict[str, str] = {}
    published = _published(raw, metas, [(a, at) for name, a, at in tags if name == "time"])
    if published:
        out["published"] = published
    title = _title(raw, metas)
    if title:
        out["title"] = title
    return out


def _attrs(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
        for m in _ATTR.finditer(text)
    }


def _published(raw: str, metas: dict[str, str], times: list[tuple[dict[str, str], int]]) -> str:
    """The first stated publication date: meta tags, then JSON-LD, then a ``<time>`` outside asides."""
    for key in PUBLISHED_KEYS:
        value = _iso(metas.get(key, ""))
        if value:
            return value
    for m in _JSON_LD.finditer(raw):
        value = _iso(_json_ld_date(m.group(1)))
        if value:
            return value
    for attrs, at in times:
        value = _iso(attrs.get("datetime", ""))
        if value and not _inside_aside(raw, at):
            return value
    return ""


def _json_ld_date(block: str) -> str:
    try:
        data = json.loads(block)
    except ValueError:
        found = re.search(r'"datePublished"\s*:\s*"([^"]+)"', block)
        return found.group(1) if found else ""
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            if isinstance(item.get("datePublished"), str):
                return item["datePublished"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return ""


def _inside_aside(raw: str, at: int) -> bool:
    depth = 0
    for m in _ASIDE.finditer(raw, 0, at):
        depth = max(0, depth + (-1 if m.group(1) else 1))
    return depth > 0


def _iso(value: str) -> str:
    """The calendar date as written in an ISO 8601 timestamp (the publisher's own day)."""
    m = _ISO_DATE.match(value)
    if not m or not ("01" <= m.group(2) <= "12" and "01" <= m.group(3) <= "31"):
        return ""
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"


def _title(raw: str, metas: dict[str, str]) -> str:
    """og:title, else <title> without the site name, else the first <h1>."""
    title = metas.get("og:title", "") or metas.get("twitter:title", "")
    if not title.strip():
        m = _TITLE.search(raw)
        title = _strip_site(_text(m.group(1)), metas.get("og:site_name", "")) if m else ""
    if not title.strip():
        m = _H1.search(raw)
        title = _text(m.group(1)) if m else ""
    title = " ".join(title.split())
    return normalize(title, [0] * len(title))[0][:200]


def _text(fragment: str) -> str:
    return html.unescape(_TAGS.sub("", fragment))


def _strip_site(title: str, site: str) -> str:
    """``記事名 | サイト名`` or ``記事名 - サイト名`` → ``記事名``."""
    title = " ".join(title.split())
    if site and title.endswith(site.strip()) and len(title) > len(site.strip()):
        title = title[: -len(site.strip())].rstrip(" |-–—｜:：")
        return title
    head = _BAR.split(title)[0]
    if head != title and head:  # 記事名 | 政治 | サイト名: section and site names follow the bar
        return head
    m = _SITE_SUFFIX.match(title)
    return m.group(1) if m else title
