"""Field rankers: DeepFM, a plain FM and logistic regression behind one `Ranker` class.

`fit_frame` / `predict_frame` work on a frame of field columns (any tabular CTR task);
`fit` / `predict_proba` implement the `Ranker` protocol on (user, item) candidates, with
fields assembled from the dataset (`assemble.pair_fields`). A fitted ranker saves to a
folder: `ranker.json` (config, fields, vocabularies, training log) and `weights.npz`
(the state dict as plain arrays; no pickles).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.errors import DataError, NotFittedError
from seamline.recommend.rank.config import RankerConfig
from seamline.recommend.rank.fields import Encoded, FieldEncoder
from seamline.recommend.rank.train import TrainLog
from seamline.recommend.torch_env import pick_device, require_torch

if TYPE_CHECKING:
    from seamline.data.dataset import Interactions
    from seamline.recommend.rank.assemble import FeatureSnapshot
    from seamline.recommend.rank.nets import RankNet

Floats = npt.NDArray[np.float64]
META = "ranker.json"
WEIGHTS = "weights.npz"
FORMAT = 1


def _sigmoid(z: Floats) -> Floats:
    out: Floats = 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic
    return out


class FieldRanker:
    """fit on labelled rows of field columns, predict P(label = 1)."""

    name: ClassVar[str] = "deepfm"

    def __init__(self, config: RankerConfig | Mapping[str, Any] | None = None, **kw: Any):
        base = {"model": self.name}
        if config is None:
            self.config = RankerConfig(**{**base, **kw})
        elif isinstance(config, RankerConfig):
            self.config = config.replace(**kw) if kw else config
        else:
            self.config = RankerConfig(**{**base, **dict(config), **kw})
        if self.config.model != self.name:  # the class decides the network
            self.config = self.config.replace(model=self.name)
        self.encoder: FieldEncoder | None = None
        self.net: RankNet | None = None
        self.log = TrainLog()
        self.device = "cpu"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config.params()})"

    # ------------------------------------------------------------------ tabular
    def fit_frame(
        self,
        frame: pd.DataFrame,
        labels: npt.ArrayLike,
        sparse: list[str],
        multi: list[str] | None = None,
        dense: list[str] | None = None,
    ) -> FieldRanker:
        """Train on `frame`'s field columns; a seeded `validation_fraction` of the rows
        decides early stopping (the vocabularies come from the other rows only)."""
        torch = require_torch("rankers")
        from seamline.recommend.rank.train import fit_net

        cfg = self.config
        y = np.asarray(labels, dtype=np.float64).ravel()
        if len(y) != len(frame):
            raise DataError(f"{len(y)} labels for {len(frame)} ranker rows")
        if len(y) == 0:
            raise DataError("no rows to train the ranker on")
        if not np.isin(y, (0.0, 1.0)).all():
            raise DataError("ranker labels must be 0 or 1")
        rng = np.random.default_rng(cfg.seed)
        perm = rng.permutation(len(y))
        n_valid = round(cfg.validation_fraction * len(y))
        valid, train = np.sort(perm[:n_valid]), np.sort(perm[n_valid:])
        rows = frame.reset_index(drop=True)
        fit_rows = rows.iloc[train]
        enc = FieldEncoder(sparse, multi, dense, cfg.min_count, cfg.max_values).fit(fit_rows)
        x_train = enc.transform(fit_rows)
        x_valid = enc.transform(rows.iloc[valid]) if n_valid else None
        self.encoder = enc
        self.device = str(pick_device(torch, cfg.device))
        self.net = self._build()
        self.log = fit_net(
            self.net, x_train, y[train], x_valid, y[valid] if n_valid else None, cfg, self.device
        )
        return self

    def _build(self) -> RankNet:
        from seamline.recommend.rank.nets import RankNet

        assert self.encoder is not None
        e, c = self.encoder, self.config
        return RankNet(
            c.model, e.n_embeddings, len(e.sparse), len(e.multi), len(e.dense),
            c.embedding_dim, c.hidden, c.dropout,
        )  # fmt: skip

    def predict_frame(self, frame: pd.DataFrame) -> Floats:
        if self.net is None or self.encoder is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit first")
        from seamline.recommend.rank.train import predict_logits

        x = self.encoder.transform(frame.reset_index(drop=True))
        return _sigmoid(predict_logits(self.net, x, self.device))

    def predict_encoded(self, x: Encoded) -> Floats:
        """P(label = 1) of rows already encoded with this ranker's `encoder`."""
        if self.net is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit first")
        from seamline.recommend.rank.train import predict_logits

        return _sigmoid(predict_logits(self.net, x, self.device))

    # ------------------------------------------------------------------ Ranker protocol
    def fit(
        self, candidates: pd.DataFrame, labels: npt.ArrayLike, data: Interactions
    ) -> FieldRanker:
        from seamline.recommend.rank.assemble import pair_fields

        frame, spec = pair_fields(candidates, data)
        return self.fit_frame(frame, labels, **spec)

    def predict_proba(
        self, candidates: pd.DataFrame, data: Interactions | FeatureSnapshot
    ) -> Floats:
        from seamline.recommend.rank.assemble import pair_fields

        frame, _ = pair_fields(candidates, data)
        return self.predict_frame(frame)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        if self.net is None or self.encoder is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted; nothing to save")
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().numpy() for k, v in self.net.state_dict().items()}
        np.savez(out / WEIGHTS, **state)
        meta = {
            "format": FORMAT, "ranker": self.name, "config": self.config.params(),
            "fields": self.encoder.to_dict(), "log": self.log.to_dict(),
        }  # fmt: skip
        (out / META).write_text(json.dumps(meta, indent=1, default=list))
        return out

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> FieldRanker:
        torch = require_torch("rankers")
        src = Path(path)
        if not (src / META).is_file() or not (src / WEIGHTS).is_file():
            raise DataError(f"{src}: not a saved ranker (needs {META} and {WEIGHTS})")
        meta = json.loads((src / META).read_text())
        if meta.get("format") != FORMAT:
            raise DataError(
                f"{src / META}: format {meta.get('format')!r}, this version reads {FORMAT}"
            )
        klass = BY_NAME.get(meta["ranker"])
        if klass is None:
            raise DataError(f"{src / META}: unknown ranker {meta['ranker']!r}")
        r = klass(RankerConfig(**meta["config"]))
        r.encoder = FieldEncoder.from_dict(meta["fields"])
        r.log = TrainLog(**meta["log"])
        r.device = str(pick_device(torch, device or r.config.device))
        net = r._build()
        with np.load(src / WEIGHTS, allow_pickle=False) as z:
            net.load_state_dict({k: torch.as_tensor(z[k]) for k in z.files})
        r.net = net.to(r.device)
        return r


class DeepFM(FieldRanker):
    name: ClassVar[str] = "deepfm"


class FM(FieldRanker):
    name: ClassVar[str] = "fm"


class LogisticRegression(FieldRanker):
    name: ClassVar[str] = "lr"


BY_NAME: dict[str, type[FieldRanker]] = {c.name: c for c in (DeepFM, FM, LogisticRegression)}
