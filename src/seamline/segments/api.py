"""Segment a workspace's users and store the result; read it back for the shells.

Tables (declared in `seamline.data.schema`): `segment_runs` (run_id, method, k, metrics
JSON, created_at, ...), `segments` (run_id, user_id, segment) and `segment_profiles`
(run_id, segment, size, name_en, name_zh, profile JSON). The latest run is what `segment_list` and
`user_segment` serve; the assignments of the newest `KEEP_RUNS` runs are kept.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.decomposition import PCA

from seamline.data import schema
from seamline.data.schema import has_table
from seamline.data.store import transaction
from seamline.errors import DataError
from seamline.features import repo as features_repo
from seamline.features.build import feature_columns, load_features
from seamline.features.repo import rfm_counts
from seamline.progress import Progress, step
from seamline.segments.affinity import cross_affinity
from seamline.segments.base import Segmenter
from seamline.segments.config import SegmentConfig
from seamline.segments.hierarchical import WardSegmenter
from seamline.segments.kmeans import KMeansSegmenter
from seamline.segments.preprocess import Preprocessor
from seamline.segments.profiles import build_profiles
from seamline.segments.repo import (
    TABLES,
    latest_labels_sql,
    latest_run,
    segment_list,
    user_segment,
)

# The read functions live in `segments.repo` (and `features.repo`); shells import them here too.
__all__ = [
    "KEEP_RUNS", "SEGMENTERS", "agreement_with", "export_assignment", "latest_labels_sql",
    "latest_run",
    "make_segmenter", "rfm_counts", "run_segmentation", "segment_list", "user_segment",
]  # fmt: skip

if TYPE_CHECKING:
    from seamline.data.store import Store

log = logging.getLogger(__name__)

KEEP_RUNS = 5
SEGMENTERS: dict[str, type[Segmenter]] = {"kmeans": KMeansSegmenter, "hierarchical": WardSegmenter}


def make_segmenter(config: SegmentConfig) -> Segmenter:
    return SEGMENTERS[config.method](config)


def _projection(x: np.ndarray, labels: np.ndarray, cfg: SegmentConfig) -> dict[str, Any]:
    """A 2-D PCA picture of a seeded sample of users, for the report."""
    if cfg.projection_points == 0 or x.shape[1] < 2:
        return {}
    rng = np.random.default_rng([cfg.seed, 3])
    rows = (
        np.sort(rng.choice(len(x), cfg.projection_points, replace=False))
        if len(x) > cfg.projection_points
        else np.arange(len(x))
    )
    pca = PCA(n_components=2, random_state=cfg.seed).fit(x[rows] if len(x) > 50_000 else x)
    xy = pca.transform(x[rows])
    return {
        "x": [round(float(v), 3) for v in xy[:, 0]],
        "y": [round(float(v), 3) for v in xy[:, 1]],
        "segment": [int(v) for v in labels[rows]],
        "explained_variance": [round(float(v), 4) for v in pca.explained_variance_ratio_],
    }


def run_segmentation(
    workspace: Store,
    config: SegmentConfig | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Segment the users of the current `user_features`, store and return the run.

    The result holds `run_id`, `method`, `k`, `silhouette`, the other scores, stability,
    the preprocessing summary and `segments`: [{id, size, name_en, name_zh, profile}].
    """
    cfg = config or SegmentConfig()
    started = time.perf_counter()
    frame = load_features(workspace)
    left_out: dict[str, int] = {}
    if cfg.min_events > 0 and "events" in frame.columns:
        keep = frame["events"].fillna(0) >= cfg.min_events
        if (~keep).any():
            # Users known only from the users table have no behaviour to cluster on.
            why = "no events" if cfg.min_events == 1 else f"fewer than {cfg.min_events} events"
            left_out[why] = int((~keep).sum())
            frame = frame[keep].reset_index(drop=True)
    if len(frame) < 3:
        raise DataError(
            f"user_features holds {len(frame)} users with at least {cfg.min_events} events: "
            "at least 3 are needed to segment"
        )
    columns = feature_columns(workspace)
    with step(progress, "Preparing features", total=1) as task:
        prep = Preprocessor(cfg).fit(frame)
        x = prep.transform(frame)
        task.advance()
    seg = make_segmenter(cfg).fit(x, progress)
    labels = seg.labels_
    profiles = build_profiles(frame, labels, columns, heatmap_columns=prep.columns_)
    with step(progress, "Cross-domain affinity", total=1) as task:
        affinity = cross_affinity(workspace, frame["user_id"], labels)
        for p in profiles:
            p["cross_domain_affinity"] = affinity.get(int(p["id"]), {})
        task.advance()
    metrics = seg.metrics()
    metrics["preprocessing"] = prep.summary()
    metrics["users_left_out"] = left_out
    metrics["projection"] = _projection(x, labels, cfg)
    segments = [
        {"id": p["id"], "size": p["size"], "name_en": p["name_en"], "name_zh": p["name_zh"],
         "profile": p}
        for p in profiles
    ]  # fmt: skip
    with workspace.connect() as con:
        schema.ensure(con, *TABLES)  # declared in data.schema
        features_version = features_repo.current_version(con)
        seconds = round(time.perf_counter() - started, 3)
        run_id = _store(con, cfg, frame["user_id"], labels, metrics, profiles,
                        features_version, seconds)  # fmt: skip
    return {
        "run_id": run_id,
        "method": cfg.method,
        "k": int(seg.k_),
        "silhouette": metrics["silhouette"],
        "calinski_harabasz": metrics["calinski_harabasz"],
        "davies_bouldin": metrics["davies_bouldin"],
        "k_selection": metrics["k_selection"],
        "best_k_by": metrics["best_k_by"],
        "scores": metrics["scores"],
        "stability": metrics["stability"],
        "users": len(frame),
        "users_left_out": left_out,
        "features_version": features_version,
        "features": prep.columns_,
        "seconds": seconds,
        "segments": segments,
    }


def _store(
    con: duckdb.DuckDBPyConnection,
    cfg: SegmentConfig,
    user_ids: pd.Series,
    labels: np.ndarray,
    metrics: dict[str, Any],
    profiles: list[dict[str, Any]],
    features_version: int | None,
    seconds: float,
) -> int:
    with transaction(con):
        row = con.execute("SELECT max(run_id) FROM segment_runs").fetchone()
        run_id = int(row[0] or 0) + 1 if row else 1
        con.execute(
            "INSERT INTO segment_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, cfg.method, int(labels.max()) + 1, json.dumps(metrics, ensure_ascii=False),
             datetime.now(UTC), features_version, cfg.model_dump_json(), seconds],
        )  # fmt: skip
        assignment = pa.table(
            {
                "run_id": pa.array(np.full(len(labels), run_id, dtype=np.int32)),
                "user_id": pa.array(user_ids.astype(str).tolist(), pa.string()),
                "segment": pa.array(labels.astype(np.int32)),
            }
        )
        con.register("_segments_arrow", assignment)
        con.execute("INSERT INTO segments SELECT * FROM _segments_arrow")
        con.unregister("_segments_arrow")
        con.executemany(
            "INSERT INTO segment_profiles VALUES (?, ?, ?, ?, ?, ?)",
            [
                [run_id, p["id"], p["size"], p["name_en"], p["name_zh"],
                 json.dumps(p, ensure_ascii=False)]
                for p in profiles
            ],
        )  # fmt: skip
        con.execute("DELETE FROM segments WHERE run_id <= ?", [run_id - KEEP_RUNS])
    return run_id


def export_assignment(workspace: Store, path: str | Path, run_id: int | None = None) -> Path:
    """Write `user_id,segment` of a run (default: the latest) to a CSV file."""
    out = Path(path)
    with workspace.connect(read_only=True) as con:
        if not has_table(con, "segments"):
            raise DataError(f"workspace {workspace.path} has no segments: run `seamline segment`")
        rid = run_id
        if rid is None:
            row = con.execute("SELECT max(run_id) FROM segment_runs").fetchone()
            rid = int(row[0]) if row and row[0] is not None else None
        if rid is None:
            raise DataError(f"workspace {workspace.path} has no segments: run `seamline segment`")
        frame = con.execute(
            "SELECT user_id, segment FROM segments WHERE run_id = ? ORDER BY user_id", [rid]
        ).df()
    if frame.empty:
        raise DataError(f"segment run {rid} has no stored assignment (only the newest are kept)")
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False)
    return out


def agreement_with(
    workspace: Store, truth_csv: str | Path, run_id: int | None = None
) -> dict[str, Any]:
    """Adjusted Rand index between a run (default: the latest) and known segments in a CSV
    with `user_id` and `segment` columns (e.g. a synthetic world's truth/users.csv)."""
    from sklearn.metrics import adjusted_rand_score

    truth = pd.read_csv(truth_csv, dtype={"user_id": str})
    missing = {"user_id", "segment"} - set(truth.columns)
    if missing:
        raise DataError(f"{truth_csv}: missing column(s) {', '.join(sorted(missing))}")
    with workspace.connect(read_only=True) as con:
        if not has_table(con, "segments"):
            raise DataError(f"workspace {workspace.path} has no segments: run `seamline segment`")
        row = con.execute("SELECT max(run_id) FROM segment_runs").fetchone()
        rid = run_id if run_id is not None else (row[0] if row else None)
        got = con.execute("SELECT user_id, segment FROM segments WHERE run_id = ?", [rid]).df()
    both = got.merge(truth, on="user_id", suffixes=("", "_truth"))
    return {
        "run_id": rid,
        "users_compared": len(both),
        "users_not_in_truth": len(got) - len(both),
        "ari": round(float(adjusted_rand_score(both["segment_truth"], both["segment"])), 4)
        if len(both)
        else None,
    }
