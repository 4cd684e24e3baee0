"""The fairness audit of a workspace: one model's top-k lists on a held-out split.

Each user with at least two distinct items keeps their last-interacted item as the test
item; the model is fitted on the rest. On a seeded sample of those users it measures
exposure share vs interaction share by brand/provider and by domain, NDCG@k by gender and
age band, coupon allocation by gender and age band (users with a coupon event), and what
the exposure-bounding re-ranker changes: disparity before/after and the NDCG@k it costs.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import AliasChoices, Field, field_validator

from seamline.config import SeamlineConfig
from seamline.data import schema
from seamline.errors import DataError
from seamline.evaluate.splits import last_per_pair, leave_last_one_out
from seamline.fairness import exposure as ex
from seamline.fairness.groups import quality_by_group, selection_by_group
from seamline.fairness.rerank import ndcg_at_k, rerank

if TYPE_CHECKING:
    from seamline.data.store import Store

log = logging.getLogger(__name__)


class FairnessConfig(SeamlineConfig):
    """What to audit: the registry model, list length, the re-ranker's bound, the sample."""

    what: ClassVar[str] = "fairness config"

    model: str = "itemknn"
    k: int = Field(10, ge=1)
    tolerance: float = Field(0.05, ge=0, le=1)  # bound on brand exposure disparity (TV distance)
    max_users: int = Field(5000, ge=1)
    seed: int = Field(0, ge=0)
    # The model's hyperparameters ("params" is the old name; `.params()` dumps the config).
    model_params: dict[str, Any] = Field(
        default_factory=dict, validation_alias=AliasChoices("model_params", "params")
    )

    @field_validator("model")
    @classmethod
    def _known(cls, v: str) -> str:
        from seamline.recommend.registry import check_model

        check_model(v)  # the one model-name check
        return v


def _age_band(age: Any, band: Any) -> str:
    if isinstance(band, str) and band:
        return band
    if age is None or (isinstance(age, float) and np.isnan(age)):
        return "(unknown)"
    lo = int(age) // 10 * 10
    return f"{lo}-{lo + 9}"


def _split(events: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Train events and each eligible user's held-out last item: the evaluation's temporal
    leave-last-one-out over (user, item) pairs, on events already in time order."""
    users, user_ids = pd.factorize(events["user_id"])
    items, item_ids = pd.factorize(events["item_id"])
    pair, last = last_per_pair(users, items, len(item_ids))
    _, held, _ = leave_last_one_out(users[last])
    test = {str(user_ids[users[e]]): str(item_ids[items[e]]) for e in last[held]}
    return events[~np.isin(pair, held)], test


def fairness_audit(ws: Store, config: FairnessConfig | None = None) -> dict[str, Any]:
    """Run the audit, store it in `fairness_runs`, return it (see the module doc)."""
    from seamline.data.dataset import Interactions
    from seamline.recommend.registry import make

    cfg = config or FairnessConfig()
    started = time.perf_counter()
    with ws.connect(read_only=True) as con:
        events = con.execute(
            "SELECT user_id, item_id, domain, event_type, timestamp, coupon_id FROM events "
            "ORDER BY timestamp, ingest_id, rowid"
        ).df()
        items = con.execute("SELECT item_id, domain, category, brand, title, price FROM items").df()
        users = con.execute("SELECT user_id, gender, age, age_band FROM users").df()
    if events.empty:
        raise DataError(f"workspace {ws.path} holds no events: ingest events first")
    train, test = _split(events)
    model = make(cfg.model, **cfg.model_params)
    # the data preparation the model's config asks for (event weights, decay, aggregation)
    data = Interactions.from_frame(
        train.drop(columns=["coupon_id"]), item_info=items, config=model.config.data
    )
    model.fit(data)
    fitted = set(data.users.ids)
    known = [u for u in test if u in fitted]
    if not known:
        raise DataError("no user has two distinct items: nothing to hold out for the audit")
    rng = np.random.default_rng(cfg.seed)
    if len(known) > cfg.max_users:
        known = sorted(rng.choice(known, cfg.max_users, replace=False).tolist())
    index = pd.Index(data.users.ids)
    rows = index.get_indexer(pd.Index(known))
    item_index = pd.Index(data.items.ids)
    pos = item_index.get_indexer(pd.Index([test[u] for u in known]))
    relevant = [{int(p)} if p >= 0 else set() for p in pos]
    X = data.matrix().tocsr()
    seen = X[rows].toarray() > 0
    S = np.asarray(model.scores(rows), dtype=np.float64)
    k = min(cfg.k, X.shape[1])
    side = data.side_info()
    brand = np.array([b if b else "(none)" for b in side["brand"]], dtype=object)
    domain = np.array([d if d else "(none)" for d in side["domain"]], dtype=object)
    counts = np.asarray((X > 0).sum(axis=0)).ravel()
    inter_brand = ex.interaction_shares(counts, brand)
    inter_domain = ex.interaction_shares(counts, domain)
    base = rerank(S, brand, {}, k, tolerance=1.0, exclude=seen)  # tolerance 1: plain top-k
    fair = rerank(S, brand, inter_brand, k, tolerance=cfg.tolerance, exclude=seen)
    ndcg_base, ndcg_fair = ndcg_at_k(base, relevant), ndcg_at_k(fair, relevant)

    def exposure_block(
        lists: np.ndarray, groups: np.ndarray, inter: dict[str, float]
    ) -> dict[str, Any]:
        e = ex.exposure_shares(lists, groups)
        return {
            "rows": [asdict(r) | {"ratio": r.ratio} for r in ex.compare(e, inter)],
            "disparity": ex.disparity(e, inter),
        }

    info = users.set_index("user_id")
    sample = info.reindex(known)
    gender = sample["gender"].fillna("(unknown)").to_numpy(dtype=object)
    bands = np.array(
        [_age_band(a, b) for a, b in zip(sample["age"], sample["age_band"], strict=True)],
        dtype=object,
    )
    coupon_users = set(events.loc[events["coupon_id"].notna(), "user_id"])
    all_gender = users["gender"].fillna("(unknown)").to_numpy(dtype=object)
    all_bands = np.array(
        [_age_band(a, b) for a, b in zip(users["age"], users["age_band"], strict=True)],
        dtype=object,
    )
    got = users["user_id"].isin(coupon_users).to_numpy()
    result: dict[str, Any] = {
        "model": cfg.model,
        "k": k,
        "users_evaluated": len(known),
        "tolerance": cfg.tolerance,
        "exposure": {
            "brand": exposure_block(base, brand, inter_brand),
            "domain": exposure_block(base, domain, inter_domain),
        },
        "quality": {
            "gender": quality_by_group(ndcg_base, gender, "gender"),
            "age_band": quality_by_group(ndcg_base, bands, "age_band"),
        },
        "coupons": {
            "gender": selection_by_group(got, all_gender, "gender"),
            "age_band": selection_by_group(got, all_bands, "age_band"),
        }
        if len(users)
        else {},
        "rerank": {
            "brand_disparity_before": ex.disparity(ex.exposure_shares(base, brand), inter_brand),
            "brand_disparity_after": ex.disparity(ex.exposure_shares(fair, brand), inter_brand),
            "domain_disparity_after": ex.disparity(ex.exposure_shares(fair, domain), inter_domain),
            "ndcg_before": float(ndcg_base.mean()),
            "ndcg_after": float(ndcg_fair.mean()),
            "ndcg_cost": float(ndcg_base.mean() - ndcg_fair.mean()),
        },
        "seconds": round(time.perf_counter() - started, 3),
    }
    with ws.connect() as con:
        schema.ensure(con, "fairness_runs")
        row = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM fairness_runs").fetchone()
        run_id = int(row[0]) if row else 1
        con.execute(
            "INSERT INTO fairness_runs VALUES (?, ?, ?, ?, ?::JSON)",
            [run_id, datetime.now(UTC), cfg.model, k, json.dumps(result, default=float)],
        )
    result["run_id"] = run_id
    log.info("fairness audit %d: %s", run_id, result["rerank"])
    return result


def latest_audit(ws: Store) -> dict[str, Any] | None:
    with ws.connect(read_only=True) as con:
        if not schema.has_table(con, "fairness_runs"):
            return None
        row = con.execute(
            "SELECT run_id, result::VARCHAR FROM fairness_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
    if row is None:
        return None
    out: dict[str, Any] = json.loads(row[1])
    out["run_id"] = int(row[0])
    return out
