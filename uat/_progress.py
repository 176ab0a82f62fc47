"""Progress reporting for long builds: silent for the first second, then a one-line meter on stderr.

Nothing is printed when stderr is not a terminal unless ``force=True`` (the CLI's
``--progress``), or when ``quiet=True``.

>>> with Progress("demo", total=3) as p:
...     for _ in range(3):
...         p.advance()
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """A minimal progress meter (context manager)."""

    def __init__(self, label: str, total: int | None = None, *, stream: TextIO | None = None,
                 force: bool = False, quiet: bool = False, delay: float = 1.0) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and (force or getattr(self.stream, "isatty", lambda: False)())
        self.delay = delay
        self.count = 0
        self._t0 = time.perf_counter()
        self._last = 0.0
        self._shown = False

    def __enter__(self) -> "Progress":
        self._t0 = time.perf_counter()
        return self

    def advance(self, n: int = 1, note: str = "") -> None:
        self.count += n
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._t0 < self.delay or now - self._last < 0.2:
            return
        self._last = now
        self._shown = True
        frac = f"{self.count}/{self.total}" if self.total else f"{self.count}"
        self.stream.write(f"\r{self.label}: {frac} {note} ({now - self._t0:.1f}s)   ")
        self.stream.flush()

    def __exit__(self, *exc: object) -> None:
        if self._shown:
            self.stream.write(f"\r{self.label}: done in {time.perf_counter() - self._t0:.1f}s" + " " * 20 + "\n")
            self.stream.flush()
