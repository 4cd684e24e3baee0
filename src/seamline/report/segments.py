"""The segments section: quality of the latest segmentation, the named segments, sizes,
a feature heatmap, a 2-D projection, and the RFM groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import Markup

from seamline.report import charts
from seamline.report.sections import Section, render_fragment

if TYPE_CHECKING:
    from seamline.data.store import Store

SECTION_ID = "segments"
SECTION_TITLE = "Segments"
HEATMAP_FEATURES = 18  # the features that separate segments most (largest |z|)


def heatmap_chart(
    rows: list[str], features: list[str], z: np.ndarray, *, label: str = "feature heatmap"
) -> Markup:
    """Segments x features, coloured by the segment mean in population standard deviations."""
    with charts._figure(min(11.0, 2.5 + 0.42 * len(features)), 1.4 + 0.36 * len(rows)) as fig:
        ax = fig.subplots()
        lim = float(np.nanmax(np.abs(z))) if z.size else 1.0
        im = ax.imshow(z, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_xticks(range(len(features)), [charts.short(f) for f in features], rotation=60,
                      ha="right")  # fmt: skip
        ax.set_yticks(range(len(rows)), [charts.short(r) for r in rows])
        ax.grid(False)
        for (i, j), v in np.ndenumerate(z):
            if abs(v) >= 0.5:
                ax.text(j, i, f"{v:+.1f}", ha="center", va="center", fontsize=6.5,
                        color="white" if abs(v) > 0.6 * lim else "black")  # fmt: skip
        fig.colorbar(im, ax=ax, shrink=0.8, label="z (vs. all users)")
        return charts.to_svg(fig, label)


def projection_chart(
    proj: dict[str, Any], names: list[str], *, label: str = "2-D projection"
) -> Markup:
    """A PCA scatter of a sample of users, one colour per segment."""
    x, y, seg = np.array(proj["x"]), np.array(proj["y"]), np.array(proj["segment"])
    with charts._figure(7.0, 4.6) as fig:
        ax = fig.subplots()
        for s, name in enumerate(names):
            m = seg == s
            ax.scatter(x[m], y[m], s=6, alpha=0.6, color=charts.PALETTE[s % len(charts.PALETTE)],
                       label=f"{s}: {charts.short(name)}", linewidths=0)  # fmt: skip
        ev = proj.get("explained_variance") or [0, 0]
        ax.set_xlabel(f"PC1 ({ev[0]:.0%} of variance)")
        ax.set_ylabel(f"PC2 ({ev[1]:.0%} of variance)")
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=2, fontsize=7)
        return charts.to_svg(fig, label)


def segments_section(workspace: Store) -> Section | None:
    """The section, or None when the workspace has no segmentation run."""
    from seamline.segments.api import latest_run, rfm_counts, segment_list

    run = latest_run(workspace)
    if run is None:
        return None
    segs = segment_list(workspace)
    m = run["metrics"]
    users = sum(s["size"] for s in segs)
    names = [s["name_en"] for s in segs]
    svgs: dict[str, Markup] = {}
    svgs["sizes"] = charts.bar_chart(
        [f"{s['id']}: {s['name_en']}" for s in segs], [s["size"] for s in segs],
        xlabel="users", label="segment sizes",
    )  # fmt: skip
    feats = sorted({f for s in segs for f in s["profile"].get("z", {})})
    if feats:
        z = np.array(
            [[s["profile"]["z"].get(f) for f in feats] for s in segs], dtype=np.float64
        )  # None (no value) -> nan
        z = np.nan_to_num(z)
        top = np.argsort(-np.abs(z).max(axis=0), kind="stable")[:HEATMAP_FEATURES]
        svgs["heatmap"] = heatmap_chart(
            [f"{s['id']}: {s['name_en']}" for s in segs], [feats[i] for i in top], z[:, top]
        )
    if m.get("projection", {}).get("x"):
        svgs["projection"] = projection_chart(m["projection"], names)
    rfm = rfm_counts(workspace)
    if rfm:
        svgs["rfm"] = charts.bar_chart(
            [g for g, _ in rfm], [n for _, n in rfm], xlabel="users", label="RFM groups"
        )
    st = m.get("stability") or {}
    headline = [
        {"key": "k", "label": "segments", "value": run["k"],
         "note": "chosen automatically" if m.get("k_selection") != "fixed" else "fixed"},
        {"key": "users", "label": "users", "value": users, "note": run["method"]},
        {"key": "silhouette", "label": "silhouette", "value": m.get("silhouette"),
         "note": f"on {m.get('silhouette_users', 0):,} users"},
        {"key": "ch", "label": "Calinski-Harabasz", "value": m.get("calinski_harabasz"),
         "note": "higher is better"},
        {"key": "db", "label": "Davies-Bouldin", "value": m.get("davies_bouldin"),
         "note": "lower is better"},
    ]  # fmt: skip
    if st.get("rounds"):
        headline.append(
            {"key": "stability", "label": "bootstrap ARI", "value": st.get("ari_mean"),
             "note": f"{st['rounds']} resamples"}
        )  # fmt: skip
    rows = [
        {"id": s["id"], "name_en": s["name_en"], "name_zh": s["name_zh"], "size": s["size"],
         "share": s["profile"].get("share"),
         "monetary": s["profile"].get("spend", {}).get("monetary"),
         "description": s["profile"].get("description_en"),
         "description_zh": s["profile"].get("description_zh")}
        for s in segs
    ]  # fmt: skip
    html = render_fragment(
        "segments.html.j2",
        headline=headline,
        segments=rows,
        scores=[  # three decimals: neighbouring k often differ in the third
            {
                key: (f"{v:.3f}" if key in ("silhouette", "davies_bouldin") else v)
                for key, v in s.items()
            }
            for s in m.get("scores") or []
        ],
        left_out=m.get("users_left_out") or {},
        best_k_by=m.get("best_k_by") or {},
        features=(m.get("preprocessing") or {}).get("columns") or [],
        charts=svgs,
        run=run,
    )
    return Section(SECTION_ID, SECTION_TITLE, html)
