"""The progress bar a run shows on a terminal while the workers parse."""

from __future__ import annotations

import sys


class ProgressBar:
    """A tqdm bar over the characters handed to the workers, on stderr, silent when it is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=0, unit="char", unit_scale=True, desc="parsing", file=sys.stderr)

    def grow(self, chars: int) -> None:
        if self.bar is not None:
            self.bar.total += chars
            self.bar.refresh()

    def update(self, chars: int) -> None:
        if self.bar is not None:
            self.bar.update(chars)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()
