"""Fitted models in the workspace: `<workspace>/models/<name>/` with `manifest.json`.

`default.json` names the default model. `mark_stale` flags every saved model (e.g. after a
user is forgotten); loading a stale model raises NotFittedError with the refit command.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seamline.data.dataset import Interactions
from seamline.errors import ConfigError, NotFittedError
from seamline.progress import Progress, step
from seamline.recommend.base import Recommender
from seamline.recommend.registry import MODELS, make

if TYPE_CHECKING:
    from seamline.workspace import Workspace

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
DEFAULT_FILE = "default.json"
DEFAULT_MODELS = ("mostpop", "ease")


def models_dir(ws: Workspace) -> Path:
    return Path(ws.path) / "models"


def _check_name(name: str) -> str:
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise ConfigError(f"model name {name!r} may use letters, digits, '-', '_' and '.' only")
    return name


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    tmp.replace(path)  # atomic: a reader never sees half a manifest


def save_model(ws: Workspace, model: Recommender, name: str) -> Path:
    """Save a fitted model as `<workspace>/models/<name>/`; returns the folder."""
    folder = models_dir(ws) / _check_name(name)
    tmp = folder.with_name(folder.name + ".saving")
    if tmp.exists():
        shutil.rmtree(tmp)
    model.save(tmp)
    manifest = {
        "name": name,
        "model": model.name,
        "params": model.get_params(),
        "data_params": model.data_params_,
        "fitted_at": model.fitted_at_,
        "n_users": model.n_users,
        "n_items": model.n_items,
        "stale": False,
        "stale_reason": None,
    }
    _write_json(tmp / MANIFEST, manifest)
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    return folder


def list_models(ws: Workspace) -> list[dict[str, Any]]:
    """Manifests of the saved models, newest first, with `default` marked."""
    root = models_dir(ws)
    if not root.is_dir():
        return []
    default = get_default(ws)
    out = []
    for m in root.glob(f"*/{MANIFEST}"):
        man = json.loads(m.read_text())
        man["default"] = man.get("name") == default
        man["path"] = str(m.parent)
        out.append(man)
    out.sort(key=lambda d: (str(d.get("fitted_at", "")), d.get("name", "")), reverse=True)
    return out


def set_default(ws: Workspace, name: str) -> None:
    if not (models_dir(ws) / _check_name(name) / MANIFEST).exists():
        raise NotFittedError(
            f"no saved model {name!r} in {models_dir(ws)}; fit it first: seamline fit --models ..."
        )
    _write_json(models_dir(ws) / DEFAULT_FILE, {"name": name})


def get_default(ws: Workspace) -> str | None:
    f = models_dir(ws) / DEFAULT_FILE
    if not f.exists():
        return None
    name = json.loads(f.read_text()).get("name")
    return str(name) if name else None


def load_model(ws: Workspace, name: str | None = None, *, segments: bool = True) -> Recommender:
    """Load `name`, else the default model, else the most recently fitted one."""
    if name is None:
        name = get_default(ws)
        if name is None or not (models_dir(ws) / name / MANIFEST).exists():
            found = list_models(ws)
            if not found:
                raise NotFittedError(
                    f"no fitted recommender in workspace {ws.path}: run `seamline fit "
                    f"--workspace {ws.path}`"
                )
            name = str(found[0]["name"])
    folder = models_dir(ws) / _check_name(name)
    if not (folder / MANIFEST).exists():
        raise NotFittedError(
            f"no saved model {name!r} in {models_dir(ws)}; available: "
            f"{', '.join(m['name'] for m in list_models(ws)) or 'none'}"
        )
    man = json.loads((folder / MANIFEST).read_text())
    if man.get("stale"):
        raise NotFittedError(
            f"model {name!r} is stale ({man.get('stale_reason')}); refit it: "
            f"seamline fit --workspace {ws.path} --models {man.get('model')}"
        )
    model = Recommender.load(folder)
    if segments:
        model.attach_segments(ws)
    return model


def mark_stale(ws: Workspace, reason: str) -> list[str]:
    """Flag every saved model as stale (it was trained on data that changed)."""
    marked = []
    for m in sorted(models_dir(ws).glob(f"*/{MANIFEST}")) if models_dir(ws).is_dir() else []:
        man = json.loads(m.read_text())
        man.update(stale=True, stale_reason=reason,
                   stale_at=datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
        _write_json(m, man)
        marked.append(str(man.get("name", m.parent.name)))
    if marked:
        log.info("marked %d models stale: %s", len(marked), reason)
    return marked


def fit_models(
    ws: Workspace,
    names: Sequence[str] = DEFAULT_MODELS,
    progress: Progress | None = None,
    *,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    domain: str | None = None,
    event_weights: Mapping[str, float] | None = None,
    half_life_days: float | None = None,
    aggregate: str = "sum",
) -> list[dict[str, Any]]:
    """Fit registry models on the workspace's events and save each under its name.

    Returns one summary per model (name, path, seconds, n_users, n_items). The first
    model becomes the default when the workspace has none.
    """
    names = list(names)
    bad = [n for n in names if n not in MODELS]
    if bad:
        raise ConfigError(f"unknown model {bad[0]!r}; allowed: {', '.join(MODELS)}")
    if not names:
        raise ConfigError(f"no models to fit; allowed: {', '.join(MODELS)}")
    with step(progress, "reading events"):
        data = Interactions.from_workspace(
            ws,
            domain=domain,
            event_weights=event_weights,
            half_life_days=half_life_days,
            aggregate=aggregate,
        )
    out = []
    with step(progress, "fitting models", total=len(names)) as task:
        for n in names:
            t0 = time.perf_counter()
            model = make(n, **dict((params or {}).get(n, {}))).fit(data)
            secs = time.perf_counter() - t0
            path = save_model(ws, model, n)
            log.info("fitted %s in %.2fs", n, secs)
            out.append({"name": n, "path": str(path), "seconds": secs,
                        "n_users": model.n_users, "n_items": model.n_items})  # fmt: skip
            task.advance()
    if get_default(ws) is None:
        set_default(ws, preferred(names))
    return out


def fit_defaults(ws: Workspace, progress: Progress | None = None) -> list[dict[str, Any]]:
    """MostPopular + EASE, or MostPopular + item KNN when the catalog is over EASE's
    dense-matrix limit; the stronger model becomes the default."""
    from seamline.recommend import ease

    with ws.connect(read_only=True) as con:
        row = con.execute("SELECT count(DISTINCT item_id) FROM events").fetchone()
    n_items = int(row[0]) if row else 0
    second = "ease" if n_items <= ease.MAX_ITEMS else "itemknn"
    if second != "ease":
        log.info("%d items: over EASE's limit, fitting itemknn instead", n_items)
    out = fit_models(ws, ["mostpop", second], progress=progress)
    set_default(ws, second)
    return out


# Which fitted model serves by default: the strongest general-purpose one available.
PREFERENCE = ("ease", "als", "itemknn", "userknn", "bpr", "mostpop")


def preferred(names: Sequence[str]) -> str:
    ranked = [n for n in PREFERENCE if n in names]
    return ranked[0] if ranked else names[0]
