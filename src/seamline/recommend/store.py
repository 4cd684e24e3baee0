"""Fitted models in the workspace: `<workspace>/models/<name>/`, each one metadata document
(`model.json`, see `persist`) and its arrays.

`default.json` names the default model. Each model's metadata records the workspace's privacy
epoch at fit time (`seamline.data.versions`); erasure and re-keying start a new epoch, and
loading a model of an older epoch (a stale model) raises NotFittedError with the refit
command. Loading also gives the model the latest segmentation for its unknown-user fallback
(`fallback`), so the model itself never reads the workspace.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seamline.data.dataset import Interactions
from seamline.data.store import store_exists
from seamline.data.versions import bump_data_version, data_version, privacy_epoch
from seamline.errors import ConfigError, NotFittedError
from seamline.progress import Progress, step
from seamline.recommend import persist
from seamline.recommend.base import Recommender
from seamline.recommend.fallback import attach_segments
from seamline.recommend.registry import check_model, check_models, model_config
from seamline.recommend.registry import load_model as load_saved

if TYPE_CHECKING:
    from seamline.data.store import Store

log = logging.getLogger(__name__)

MANIFEST = persist.META  # the one metadata document of a saved model
DEFAULT_FILE = "default.json"
DEFAULT_MODELS = ("mostpop", "ease")


def models_dir(ws: Store) -> Path:
    return Path(ws.path) / "models"


def _check_name(name: str) -> str:
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise ConfigError(f"model name {name!r} may use letters, digits, '-', '_' and '.' only")
    return name


def _versions(ws: Store) -> tuple[int, int, str | None]:
    """(data version, privacy epoch, why the epoch last grew) of the workspace."""
    if not store_exists(ws):
        return 0, 0, None
    with ws.connect(read_only=True) as con:
        epoch, reason = privacy_epoch(con)
        return data_version(con), epoch, reason


def save_model(ws: Store, model: Recommender, name: str) -> Path:
    """Save a fitted model as `<workspace>/models/<name>/`; returns the folder."""
    folder = models_dir(ws) / _check_name(name)
    version, epoch, _ = _versions(ws)
    tmp = folder.with_name(folder.name + ".saving")
    if tmp.exists():
        shutil.rmtree(tmp)
    extra = {"name": name, "stale": False, "stale_reason": None,
             "data_version": version, "privacy_epoch": epoch}  # fmt: skip
    persist.save(model, tmp, extra)
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    return folder


def list_models(ws: Store) -> list[dict[str, Any]]:
    """Manifests of the saved models, newest first, with `default` marked."""
    root = models_dir(ws)
    if not root.is_dir():
        return []
    default = get_default(ws)
    _, epoch, _ = _versions(ws)
    out = []
    for m in root.glob(f"*/{MANIFEST}"):
        man = persist.read_meta(m.parent)
        man.setdefault("name", m.parent.name)
        man["default"] = man.get("name") == default
        man["stale"] = bool(man.get("stale")) or int(man.get("privacy_epoch") or 0) < epoch
        man["path"] = str(m.parent)
        out.append(man)
    out.sort(key=lambda d: (str(d.get("fitted_at", "")), d.get("name", "")), reverse=True)
    return out


def set_default(ws: Store, name: str) -> None:
    if not (models_dir(ws) / _check_name(name) / MANIFEST).exists():
        raise NotFittedError(
            f"no saved model {name!r} in {models_dir(ws)}; fit it first: seamline fit --models ..."
        )
    persist.write_json(models_dir(ws) / DEFAULT_FILE, {"name": name})


def get_default(ws: Store) -> str | None:
    f = models_dir(ws) / DEFAULT_FILE
    if not f.exists():
        return None
    name = json.loads(f.read_text()).get("name")
    return str(name) if name else None


def load_model(ws: Store, name: str | None = None, *, segments: bool = True) -> Recommender:
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
    man = persist.read_meta(folder)
    reason = _stale_reason(ws, man)
    if reason is not None:
        raise NotFittedError(
            f"model {name!r} is stale ({reason}); refit it: "
            f"seamline fit --workspace {ws.path} --models {man.get('model')}"
        )
    model = load_saved(folder)
    if segments:
        attach_segments(model, ws)
    return model


def _stale_reason(ws: Store, man: Mapping[str, Any]) -> str | None:
    """Why a saved model may not serve: users were erased or re-keyed since its fit."""
    if man.get("stale"):  # flagged by an older version of the store
        return str(man.get("stale_reason"))
    _, epoch, reason = _versions(ws)
    if int(man.get("privacy_epoch") or 0) < epoch:
        return reason or "users were erased or re-keyed since the fit"
    return None


def mark_stale(ws: Store, reason: str) -> list[str]:
    """Make every saved model stale (it was trained on data that changed): starts a new
    privacy epoch, as erasure and re-keying do. Returns the models now stale."""
    with ws.connect() as con:
        bump_data_version(con, privacy_reason=reason)
    marked = [str(m["name"]) for m in list_models(ws)]
    if marked:
        log.info("marked %d models stale: %s", len(marked), reason)
    return sorted(marked)


def fit_models(
    ws: Store,
    names: Sequence[str] = DEFAULT_MODELS,
    progress: Progress | None = None,
    *,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    domain: str | None = None,
    event_weights: Mapping[str, float] | None = None,
    half_life_days: float | None = None,
    aggregate: str | None = None,
) -> list[dict[str, Any]]:
    """Fit registry models on the workspace's events and save each under its name.

    `params` holds each model's config fields (its data preparation under `data`, or
    flat); `event_weights`, `half_life_days` and `aggregate`, when given, replace every
    model's data preparation. Models with the same data preparation share one read of the
    events. Returns one summary per model (name, path, seconds, n_users, n_items). The
    first model becomes the default when the workspace has none.
    """
    names = check_models(names)
    given = (("event_weights", event_weights), ("half_life_days", half_life_days),
             ("aggregate", aggregate))  # fmt: skip
    override = {k: v for k, v in given if v is not None}
    configs = {}
    for n in names:
        cfg = model_config(n, **dict((params or {}).get(n, {})))
        configs[n] = cfg.replace(data=cfg.data.replace(**override)) if override else cfg
    datasets: dict[str, Interactions] = {}
    with step(progress, "reading events"):
        for cfg in configs.values():
            key = json.dumps(cfg.data.params(), sort_keys=True)
            if key not in datasets:
                datasets[key] = Interactions.from_workspace(ws, domain=domain, config=cfg.data)
    out = []
    with step(progress, "fitting models", total=len(names)) as task:
        for n in names:
            t0 = time.perf_counter()
            cfg = configs[n]
            data = datasets[json.dumps(cfg.data.params(), sort_keys=True)]
            model = check_model(n)(cfg).fit(data)
            secs = time.perf_counter() - t0
            path = save_model(ws, model, n)
            log.info("fitted %s in %.2fs", n, secs)
            out.append({"name": n, "path": str(path), "seconds": secs,
                        "n_users": model.n_users, "n_items": model.n_items})  # fmt: skip
            task.advance()
    if get_default(ws) is None:
        set_default(ws, preferred(names))
    return out


def fit_defaults(ws: Store, progress: Progress | None = None) -> list[dict[str, Any]]:
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


# Users active in two domains needed before a transfer model is worth fitting.
MIN_SHARED_USERS = 20


def fit_transfer(ws: Store, progress: Progress | None = None) -> list[dict[str, Any]]:
    """Fit and save the transfer blend when enough users are active in two domains (the
    default model is unchanged); [] otherwise."""
    from seamline.recommend.transfer.route import TRANSFER_NAME

    with ws.connect(read_only=True) as con:
        row = con.execute(
            "SELECT count(*) FROM (SELECT user_id FROM events GROUP BY user_id "
            "HAVING count(DISTINCT domain) >= 2)"
        ).fetchone()
    if not row or int(row[0]) < MIN_SHARED_USERS:
        return []
    return fit_models(ws, [TRANSFER_NAME], progress=progress)


# Which fitted model serves by default: the strongest general-purpose one available.
PREFERENCE = ("ease", "als", "itemknn", "userknn", "bpr", "mostpop")


def preferred(names: Sequence[str]) -> str:
    ranked = [n for n in PREFERENCE if n in names]
    return ranked[0] if ranked else names[0]


def load_transfer(ws: Store) -> Recommender | None:
    """The saved transfer model (`transfer.route`), or None when there is none or it is
    stale (a warning is logged: the default model still serves)."""
    from seamline.recommend.transfer.route import TRANSFER_NAME

    if not (models_dir(ws) / TRANSFER_NAME).is_dir():
        return None
    try:
        return load_model(ws, TRANSFER_NAME, segments=False)
    except NotFittedError as e:
        log.warning("transfer model not used: %s", e)
        return None
