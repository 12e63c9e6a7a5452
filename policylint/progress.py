"""What a long scan says while it runs: on a terminal, a progress line on standard error (files
done out of the total) once the scan has taken more than :data:`DELAY` seconds; with ``verbose``,
the name of each file as it is linted. Nothing at all when standard error is not a terminal and
``verbose`` is off, so that logs and pipes stay clean."""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO

DELAY = 1.0  # seconds before the progress line appears
INTERVAL = 0.1  # seconds between redraws


class Progress:
    """Called with each task as it finishes (see ``parallel.map_tasks``)."""

    def __init__(self, total: int, stream: TextIO | None = None, verbose: bool = False,
                 enabled: bool | None = None, clock: Any = time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.verbose = verbose
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.drawn_at: float | None = None

    def __call__(self, task: Any) -> None:
        names = [c.display for c in task.candidates]
        self.done += len(names)
        if self.verbose:
            self._clear()
            for name in names:
                self.stream.write(f"policylint: linted {name}\n")
            self.stream.flush()
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < DELAY or (self.drawn_at is not None and now - self.drawn_at < INTERVAL):
            return
        self.stream.write(f"\rpolicylint: {self.done}/{self.total} files")
        self.stream.flush()
        self.drawn_at = now

    def close(self) -> None:
        """Erase the progress line (if one was drawn)."""
        self._clear()
        self.stream.flush()

    def _clear(self) -> None:
        if self.drawn_at is not None:
            self.stream.write("\r\033[K")
            self.drawn_at = None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
