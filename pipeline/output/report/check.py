"""``python -m pipeline.output.report.check --out outputs``: open the report in headless Chromium and save a
screenshot of the overview and of one article page under ``outputs/report/``, for a person to look at.

Chromium is Debian's (``apt-get install chromium fonts-ipafont-gothic``), driven by Playwright without
downloading a browser. Every request the pages make and every console error is reported: there must be
none but the pages' own files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

# Chromium's own background traffic (updates, sync, Google lookups) is switched off: what remains is the page's.
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshots(out: Path) -> list[str]:
    """Screenshots of the overview and the first article page; returns the problems seen (empty: none)."""
    from playwright.sync_api import sync_playwright

    folder = out / "report"
    pages = [("overview", folder / "index.html")]
    pages += [("article", p) for p in sorted((folder / "articles").glob("*.html"))[-1:]]
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=list(ARGS))
        for name, path in pages:
            page = browser.new_page(viewport={"width": 1200, "height": 1500})
            page.on("request", lambda r: _note(problems, not r.url.startswith("file://"), f"request to {r.url}"))
            page.on("console", lambda m: _note(problems, m.type == "error", f"console error: {m.text}"))
            page.goto(path.resolve().as_uri())
            page.screenshot(path=str(folder / f"screenshot-{name}.png"))
            print(f"{folder / f'screenshot-{name}.png'}  ({path.name})")
            page.close()
        browser.close()
    return problems


def _note(problems: list[str], bad: bool, what: str) -> None:
    if bad:
        problems.append(what)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.output.report.check", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("outputs"))
    args = ap.parse_args(argv)
    if chromium() is None:
        print("error: no Chromium (apt-get install chromium fonts-ipafont-gothic)", file=sys.stderr)
        return 2
    if not (args.out / "report" / "index.html").is_file():
        print(f"error: no report in {args.out}/report (make run, or make report)", file=sys.stderr)
        return 2
    problems = screenshots(args.out)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
