"""A tiny progress protocol: the library reports, the shells (CLI, API) display.

Library code never prints; it calls ``progress.task(...)`` and ``advance``. The CLI binds
this to Rich progress bars; the default does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class ProgressTask(Protocol):
    def advance(self, n: float = 1) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: float | None = None) -> ProgressTask: ...

    def finish(self, task: ProgressTask) -> None: ...


class _NullTask:
    def advance(self, n: float = 1) -> None:
        return None


class NullProgress:
    """Reports nowhere; the default for library calls."""

    def task(self, description: str, total: float | None = None) -> ProgressTask:
        return _NullTask()

    def finish(self, task: ProgressTask) -> None:
        return None


@contextmanager
def step(
    progress: Progress | None, description: str, total: float | None = None
) -> Iterator[ProgressTask]:
    """Context manager for one unit of long work: ``with step(p, "reading") as t: ...``."""
    p = progress or NullProgress()
    t = p.task(description, total)
    try:
        yield t
    finally:
        p.finish(t)
