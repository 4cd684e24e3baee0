"""Run `seamline serve` in a child process and wait until it answers; build the seeded
demo workspace the service tests, benchmark and screenshots use."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """``with ServerProcess(workspace) as srv: httpx.get(srv.url + "/health")``.

    The child runs the real CLI entry point on loopback; `kill()` sends SIGKILL (a crash),
    `stop()` SIGTERM (a clean shutdown).
    """

    def __init__(
        self,
        workspace: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        log_file: Path | None = None,
    ) -> None:
        self.workspace = Path(workspace)
        self.host = host
        self.port = port or free_port(host)
        self.extra_args = extra_args
        self.env = env
        self.log_file = log_file
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        cmd = [
            sys.executable,
            "-c",
            "from seamline.cli.main import app; app()",
            "serve",
            "--workspace",
            str(self.workspace),
            "--host",
            self.host,
            "--port",
            str(self.port),
            *self.extra_args,
        ]
        sink = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd, stdout=sink, stderr=sink, env={**os.environ, **(self.env or {})}
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"seamline serve exited with code {self.proc.returncode} before answering"
                    + (f"; see {self.log_file}" if self.log_file else "")
                )
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.kill()
        raise TimeoutError(f"seamline serve did not answer on {self.url} within {timeout:.0f}s")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to flush or close anything."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def demo_workspace(folder: str | Path, n_users: int = 300, seed: int = 7) -> Path:
    """A seeded synthetic world ingested into `folder/ws`, with its coupon campaign
    recorded as an experiment: what the service's tests, benchmark and screenshots use.
    Returns the workspace folder."""
    from seamline.data.synthetic import generate_world
    from seamline.experiments.campaign_log import import_synthetic_campaign
    from seamline.workspace import Workspace

    root = Path(folder)
    world = generate_world(n_users, seed, root / "world")
    ws = Workspace(root / "ws")
    ws.ingest(events=world.files["events"], items=world.files["items"], users=world.files["users"])
    import_synthetic_campaign(ws, root / "world")
    _add_stage_results(ws, seed)
    return ws.path


def _add_stage_results(ws: Any, seed: int) -> None:
    """Features, segments (fixed k, no stability rounds: seconds) and an EASE recommender,
    so every dashboard page has something to show."""
    from seamline.features.build import build_features
    from seamline.segments.api import run_segmentation
    from seamline.segments.config import SegmentConfig

    build_features(ws)
    run_segmentation(ws, SegmentConfig(k=5, bootstrap=0, n_init=3, seed=seed))
    from seamline.recommend.store import fit_models, set_default

    fit_models(ws, ["ease"])  # the fastest to answer of the personalised models
    set_default(ws, "ease")
