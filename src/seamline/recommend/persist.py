"""Fitted models on disk: one metadata document (`model.json`) and `arrays.npz`, no pickles.

`model.json` holds the format version, the model name, its config (data preparation
included), the data preparation actually fitted on, the fit time and the matrix shape, plus
whatever the caller adds (the model store adds its name and staleness). Format 1 (before
configs) wrote the same arrays with a `model.json` of flat parameters and a separate
`manifest.json`; it still loads. A newer or unreadable file fails with a message saying to
refit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from seamline.data.dataset import IdMap
from seamline.data.prep import InteractionsConfig
from seamline.errors import DataError, NotFittedError, SeamlineError
from seamline.recommend.base import Recommender
from seamline.recommend.candidates import Catalog

FORMAT = 2
META = "model.json"
ARRAYS = "arrays.npz"
OLD_MANIFEST = "manifest.json"  # format 1 only
REFIT = "refit it: seamline fit --models {model}"


def save(model: Recommender, folder: str | Path, extra: Mapping[str, Any] | None = None) -> Path:
    """Write a fitted model into `folder` (created); `extra` joins the metadata."""
    model._check_fitted()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    X = model.X_
    arrays: dict[str, np.ndarray] = {
        "X_data": X.data, "X_indices": X.indices, "X_indptr": X.indptr,
        "users": model.users_.to_array(), "items": model.items_.to_array(), "pop": model.pop_,
        **model.catalog_.to_arrays(),
    }  # fmt: skip
    if model.folded_:
        ids = list(model.folded_)
        F = sp.vstack([model.folded_[u] for u in ids]).tocsr()
        arrays.update(
            folded_ids=np.asarray(ids, dtype=str),
            F_data=F.data, F_indices=F.indices, F_indptr=F.indptr,
        )  # fmt: skip
    if model.H_ is not model.X_:
        H = model.H_
        arrays.update(H_data=H.data, H_indices=H.indices, H_indptr=H.indptr)
    for k, v in model._state().items():
        arrays[f"state_{k}"] = v
    np.savez(folder / ARRAYS, **arrays)  # type: ignore[arg-type]
    meta = {
        "format": FORMAT,
        "model": model.name,
        "config": model.get_params(),
        "data": model.data_config_.params(),
        "fitted_at": model.fitted_at_,
        "n_users": model.n_users,
        "n_items": model.n_items,
        **(extra or {}),
    }
    write_json(folder / META, meta)
    return folder


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    tmp.replace(path)  # atomic: a reader never sees half a document


def read_meta(folder: str | Path) -> dict[str, Any]:
    """The metadata of a saved model (format 1: its two documents merged)."""
    folder = Path(folder)
    meta_file = folder / META
    if not meta_file.exists():
        raise NotFittedError(f"no saved model in {folder} ({META} missing)")
    try:
        meta: dict[str, Any] = json.loads(meta_file.read_text())
        if meta.get("format") == 1 and (folder / OLD_MANIFEST).exists():
            old = json.loads((folder / OLD_MANIFEST).read_text())
            meta = {**old, **meta}
            for k in ("name", "stale", "stale_reason", "stale_at"):
                if k in old:
                    meta[k] = old[k]
    except (OSError, ValueError) as e:
        raise DataError(f"{meta_file} cannot be read ({e}); refit the model: seamline fit") from e
    return meta


def load(
    folder: str | Path,
    models: Mapping[str, type[Recommender]],
    expect: type[Recommender] | None = None,
) -> Recommender:
    """A saved model; `models` maps names to classes (the registry)."""
    folder = Path(folder)
    meta = read_meta(folder)
    fmt, name = meta.get("format"), meta.get("model", "")
    klass = models.get(str(name))
    if klass is None:
        raise DataError(f"{folder / META}: unknown model {name!r}; allowed: {', '.join(models)}")
    if expect is not None and not issubclass(klass, expect):
        raise DataError(f"{folder / META} holds a {klass.__name__}, not a {expect.__name__}")
    if fmt not in (1, FORMAT):
        raise DataError(
            f"{folder / META} has model file format {fmt!r}; this version reads 1 and "
            f"{FORMAT}: " + REFIT.format(model=name)
        )
    try:
        if fmt == 1:
            data = InteractionsConfig.model_validate(meta.get("data_params") or {})
            m = klass({**meta["params"], "data": data.params()})
        else:
            data = InteractionsConfig.model_validate(meta["data"])
            m = klass(meta["config"])
        with np.load(folder / ARRAYS, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        _restore(m, a, int(meta["n_users"]), int(meta["n_items"]))
    except (KeyError, ValueError, OSError, SeamlineError) as e:
        raise DataError(
            f"{folder} holds a model saved in a form this version cannot read ({e}): "
            + REFIT.format(model=name)
        ) from e
    m.data_config_ = data
    m.fitted_at_ = str(meta.get("fitted_at", ""))
    return m


def _restore(m: Recommender, a: Mapping[str, np.ndarray], n_users: int, n_items: int) -> None:
    shape = (n_users, n_items)
    m.X_ = sp.csr_matrix((a["X_data"], a["X_indices"], a["X_indptr"]), shape=shape)
    m.H_ = m.X_
    if "H_data" in a:
        m.H_ = sp.csr_matrix((a["H_data"], a["H_indices"], a["H_indptr"]), shape=shape)
    m.users_ = IdMap(a["users"].tolist())
    m.items_ = IdMap(a["items"].tolist())
    m.pop_ = a["pop"]
    m.catalog_ = Catalog.from_arrays(m.items_, a)
    m._reset_caches()
    if "folded_ids" in a:
        F = sp.csr_matrix(
            (a["F_data"], a["F_indices"], a["F_indptr"]), shape=(len(a["folded_ids"]), n_items)
        )
        m.folded_ = {str(u): F[r] for r, u in enumerate(a["folded_ids"].tolist())}
    m._set_state({k[6:]: v for k, v in a.items() if k.startswith("state_")})
