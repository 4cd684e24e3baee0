"""The recommender the service answers with: loaded once, reloaded when the store changes.

`seamline.recommend.store` owns models on disk; this cache only decides when to ask it
again (a new fit, a new default or a stale mark changes files under `<workspace>/models`),
so a request never pays for loading a model.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from seamline.errors import NotFittedError, SeamlineError
from seamline.workspace import Workspace

log = logging.getLogger(__name__)


class NoModel(NotFittedError):
    """No usable recommender in the workspace; the message says how to get one."""


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and change times of the small files that describe the models."""
    if not folder.is_dir():
        return ()
    out = []
    for p in sorted(folder.rglob("*.json")):
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        out.append((str(p.relative_to(folder)), st.st_size, st.st_mtime_ns))
    for p in sorted(folder.glob("*")):
        if p.is_file():
            st = p.stat()
            out.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


class ModelCache:
    def __init__(self, ws: Workspace, check_seconds: float = 2.0) -> None:
        self.ws = ws
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._model: Any = None
        self._transfer: Any = None  # serves users cold in the asked domain
        self._ranker: Any = None  # the second stage, when one is trained
        self._name: str | None = None
        self._error: str | None = None
        self._stamp: tuple[tuple[str, int, int], ...] | None = None
        self._checked = 0.0

    @property
    def folder(self) -> Path:
        from seamline.recommend.store import models_dir

        return models_dir(self.ws)

    def set(self, model: Any, name: str) -> None:
        """Serve `model` until the model store changes (tests, warm starts)."""
        with self._lock:
            self._model, self._name, self._error = model, name, None
            self._transfer = None
            self._stamp = _fingerprint(self.folder)
            self._checked = time.monotonic()

    def expire(self) -> None:
        """Check the model store at the next `get`."""
        with self._lock:
            self._checked = 0.0

    def get(self) -> tuple[Any, str]:
        now = time.monotonic()
        if not self._checked or now - self._checked >= self.check_seconds:
            with self._lock:
                self._checked = now
                stamp = _fingerprint(self.folder)
                if stamp != self._stamp:
                    self._stamp = stamp
                    self._load()
        if self._model is None:
            raise NoModel(self._error or "no recommender fitted in this workspace")
        return self._model, self._name or ""

    def transfer(self) -> Any:
        """The saved transfer model (loaded with the default one), or None."""
        self.get()
        return self._transfer

    def _load(self) -> None:
        from seamline.recommend import store as model_store

        try:
            model = model_store.load_model(self.ws)
        except (SeamlineError, FileNotFoundError) as e:
            self._model, self._error = None, str(e)
            return
        except Exception as e:  # a broken model must not take the service down
            log.exception("loading the recommender failed")
            self._model, self._error = None, f"the recommender could not be loaded ({e})"
            return
        self._model, self._error = model, None
        self._name = _model_name(model)
        from seamline.recommend.store import load_transfer
        from seamline.recommend.transfer.route import TRANSFER_NAME

        self._transfer = None if self._name == TRANSFER_NAME else load_transfer(self.ws)
        log.info("recommender loaded: %s", self._name)
        self._ranker = _load_ranker(self.ws)

    def ranker(self) -> Any:
        """The trained ranker (`ServingRanker`) as of the last `get`, or None."""
        return self._ranker


def _load_ranker(ws: Workspace) -> Any:
    from seamline.recommend.rank.store import load_ranker

    try:
        return load_ranker(ws)
    except (SeamlineError, FileNotFoundError) as e:  # serve the retriever's lists alone
        log.warning("ranker not used: %s", e)
    except Exception:
        log.exception("loading the ranker failed")
    return None


def _model_name(model: Any) -> str:
    for attr in ("name_", "name"):
        v = getattr(model, attr, None)
        if isinstance(v, str):
            return v
    return type(model).__name__.lower()
