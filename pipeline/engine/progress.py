"""The progress bar of a run: one bar, on stderr, whose description names the stage under way.

``reading`` counts the files read, cleaned and de-duplicated (an article's description turns to ``extracting``
while the rules run on its cached parse, ``parsing`` while this process parses it itself); ``parsing`` counts the
characters the worker processes still parse (and extract) after the last file is read; ``tables`` counts the
articles turned into rows; ``writing`` counts the files of tables written.
"""

from __future__ import annotations

import sys
from typing import Any


def shown(enabled: bool) -> bool:
    """Whether a bar is drawn: asked for, and stderr a terminal or a Jupyter kernel's (never a pipe or CI's log)."""
    if not enabled:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) or in_jupyter()


def in_jupyter() -> bool:
    """Running in a Jupyter kernel (its stderr is no terminal, but the notebook shows a widget)."""
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False
    get_ipython = getattr(sys.modules["IPython"], "get_ipython", None)
    return get_ipython is not None and getattr(get_ipython(), "kernel", None) is not None


class ProgressBar:
    """A tqdm bar (a widget in Jupyter) whose counter and description are reset at each stage; silent when
    not ``shown``."""

    def __init__(self, enabled: bool) -> None:
        self.on = shown(enabled)
        self.bar: Any = None  # made at the first stage, so that no empty bar is drawn before it
        self.name = ""
        self.chars_total = self.chars_done = 0  # characters handed to the parsers, and parsed so far

    def stage(self, name: str, total: int, unit: str = "file", done: int = 0) -> None:
        """Start stage ``name``: its counter goes from ``done`` to ``total`` ``unit``s."""
        self.name = name
        if not self.on:
            return
        scale = unit == "char"  # 12.3k chars, but 5 files (not 5.00)
        if self.bar is None:
            from tqdm.auto import tqdm  # the notebook widget inside Jupyter, text on a terminal

            self.bar = tqdm(total=total, unit=unit, unit_scale=scale, desc=name, file=sys.stderr, dynamic_ncols=True)
        else:  # the new unit and name first: reset() draws the bar at once
            self.bar.unit, self.bar.unit_scale = unit, scale
            self.bar.set_description_str(name, refresh=False)
            self.bar.reset(total=total)
        self.bar.update(done)

    def describe(self, activity: str) -> None:
        """Name what the current stage is doing (shown at the next refresh, so cheap to call per file)."""
        if self.bar is not None:
            self.bar.set_description_str(activity, refresh=False)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def grow(self, chars: int) -> None:
        """``chars`` more characters are handed to the parsers."""
        self.chars_total += chars
        if self.bar is not None and self.name == "parsing":
            self.bar.total = self.chars_total
            self.bar.refresh()

    def update(self, chars: int) -> None:
        """``chars`` characters are parsed (the pool's callback)."""
        self.chars_done += chars
        if self.name == "parsing":
            self.advance(chars)

    def parsing(self) -> None:
        """After the last file is read: the rest of the run's parse, if the workers still have some."""
        if self.chars_done < self.chars_total:
            self.stage("parsing", self.chars_total, unit="char", done=self.chars_done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
