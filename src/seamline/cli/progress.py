"""Binds the library's progress protocol to Rich progress bars on stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress

from seamline.progress import ProgressTask


class _Task:
    def __init__(self, bar: RichProgress, task_id: TaskID) -> None:
        self.bar, self.task_id = bar, task_id

    def advance(self, n: float = 1) -> None:
        self.bar.advance(self.task_id, n)


class RichBars:
    """Shows each library task as a bar (or a spinner when its size is unknown)."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.bar = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            disable=not enabled,
        )

    def __enter__(self) -> RichBars:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def task(self, description: str, total: float | None = None) -> ProgressTask:
        return _Task(self.bar, self.bar.add_task(description, total=total))

    def finish(self, task: ProgressTask) -> None:
        if isinstance(task, _Task):
            t = self.bar.tasks[task.task_id]
            self.bar.update(
                task.task_id,
                total=t.total or t.completed or 1,
                completed=t.total or t.completed or 1,
            )
