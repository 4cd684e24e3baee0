"""Serving-time encoding: every user's and every item's encoded fields computed once, so
scoring one user's candidates is row gathers and three pair fields, no pandas.

Fields are either the user's (`user`, `user_*`, recent categories, recency, activity), the
item's (`item`, category, brand, domain, price band, item activity) or the pair's
(`domain_share`, and the retrieval fields `log_rank` and `score_z`). A ranker with any
other field (context such as `hour` or `channel`) has no fast path: `PairEncoder.build`
returns None and serving uses `pair_fields` + `FieldEncoder.transform`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from seamline.recommend.rank.assemble import FeatureSnapshot, pair_fields
from seamline.recommend.rank.fields import Encoded, FieldEncoder

USER_SIDE = {"user", "recent_categories", "days_since_last", "user_events"}
ITEM_SIDE = {"item", "category", "brand", "domain", "price_band", "item_events"}
PAIR_SIDE = {"domain_share", "log_rank", "score_z"}
NOBODY = "\x00unknown"  # an id no dataset has: the out-of-vocabulary row of each side
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def _side(field: str) -> str | None:
    if field in USER_SIDE or field.startswith("user_"):
        return "user"
    if field in ITEM_SIDE:
        return "item"
    return "pair" if field in PAIR_SIDE else None


@dataclass(frozen=True)
class PairEncoder:
    snapshot: FeatureSnapshot
    encoder: FieldEncoder
    users: Encoded  # one row per snapshot user, then the unknown user
    items: Encoded  # one row per snapshot item, then the unknown item

    @classmethod
    def build(cls, encoder: FieldEncoder, snapshot: FeatureSnapshot) -> PairEncoder | None:
        fields = [*encoder.sparse, *encoder.multi, *encoder.dense]
        if any(_side(f) is None for f in fields):
            return None
        users = [*snapshot.users.ids, NOBODY]
        items = [*snapshot.items.ids, NOBODY]
        u = pd.DataFrame({"user_id": users, "item_id": NOBODY, "log_rank": 0.0, "score_z": 0.0})
        i = pd.DataFrame({"user_id": NOBODY, "item_id": items, "log_rank": 0.0, "score_z": 0.0})
        enc = encoder.transform
        return cls(
            snapshot, encoder, enc(pair_fields(u, snapshot)[0]), enc(pair_fields(i, snapshot)[0])
        )

    def item_rows(self, item_ids: npt.NDArray[np.object_] | list[str]) -> Ints:
        """Snapshot rows of item ids (-1 when unknown): map a model's items once."""
        return self.snapshot.items.positions(np.asarray(item_ids, dtype=object))

    def encode(self, user_id: str, ii: Ints, log_rank: Floats, score_z: Floats) -> Encoded:
        """The candidates' encoded rows, as `FieldEncoder.transform` of `pair_fields`;
        `ii` are the candidates' snapshot rows (`item_rows`)."""
        s, e = self.snapshot, self.encoder
        r = s.users.get(user_id)
        ur = r if r >= 0 else len(s.users)
        ir = np.where(ii >= 0, ii, len(s.items))
        n = len(ir)
        sparse = np.empty((n, len(e.sparse)), dtype=np.int64)
        for j, f in enumerate(e.sparse):
            sparse[:, j] = (
                self.users.sparse[ur, j] if _side(f) == "user" else self.items.sparse[ir, j]
            )
        multi = np.empty((n, len(e.multi), e.max_values), dtype=np.int64)
        for j, f in enumerate(e.multi):
            multi[:, j] = self.users.multi[ur, j] if _side(f) == "user" else self.items.multi[ir, j]
        dense = np.empty((n, len(e.dense)), dtype=np.float32)
        raw = {"log_rank": log_rank, "score_z": score_z}
        if "domain_share" in e.dense:
            share = np.full(n, np.nan)
            dom = np.where(ii >= 0, s.item_dom[np.maximum(ii, 0)], -1)
            if r >= 0:
                counts = s.dom_counts[r]
                ok = dom >= 0
                share[ok] = counts[dom[ok]] / max(float(counts.sum()), 1.0)
            raw["domain_share"] = share
        for j, f in enumerate(e.dense):
            side = _side(f)
            if side == "user":
                dense[:, j] = self.users.dense[ur, j]
            elif side == "item":
                dense[:, j] = self.items.dense[ir, j]
            else:
                z = (np.asarray(raw[f], dtype=np.float64) - e.mean[j]) / e.scale[j]
                dense[:, j] = np.where(np.isfinite(z), z, 0.0)
        return Encoded(sparse, multi, dense)
