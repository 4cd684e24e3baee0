"""Charts for the report: matplotlib figures rendered to inline, self-contained SVG.

Figures are drawn on an explicit Agg canvas (never through pyplot), so building a report
neither needs a display nor changes the backend of the calling program (a notebook keeps
its own). The SVG keeps text as `<text>` elements, which matplotlib XML-escapes; mathtext
is off so labels from the data (`$`, `_`) are drawn literally. Element ids get a per-chart
prefix so several charts can live in one HTML page.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import matplotlib
import matplotlib.dates as mdates
from markupsafe import Markup, escape
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

DOMAIN_COLORS = {"knowledge": "#3867b0", "fashion": "#c0457a", "other": "#7d8590"}
PALETTE = ("#3867b0", "#c0457a", "#e08a2c", "#3a9a6e", "#7a5cb8", "#7d8590", "#b5523b")
BAR_COLOR = "#4f6d8f"
MAX_LABEL = 40  # longer labels from the data are cut in charts (tables show them whole)

_RC: dict[Any, Any] = {  # keys typed loosely: matplotlib's stubs want literals
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.size": 9,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.axisbelow": True,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "legend.frameon": False,
}


def color_for(name: str, i: int) -> str:
    return DOMAIN_COLORS.get(name, PALETTE[i % len(PALETTE)])


def short(label: Any) -> str:
    text = str(label)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


@contextmanager
def _figure(width: float, height: float) -> Iterator[Figure]:
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        yield fig


def to_svg(fig: Figure, label: str = "chart") -> Markup:
    """The figure as an inline `<svg>` element (no XML prolog, metadata or shared ids)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue().decode("utf-8")
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    prefix = f"c{uuid.uuid4().hex[:10]}-"

    def scoped(m: re.Match[str]) -> str:
        return m.group(1) + prefix + m.group(2) if m.group(2) in ids else m.group(0)

    text = re.sub(r'(\bid="|href="#|url\(#)([^")]+)', scoped, text)
    text = text.replace(
        "<svg ", f'<svg class="chart-svg" role="img" aria-label="{escape(label)}" ', 1
    )
    return Markup(text)


def _count_axis(ax: Axes, axis: str = "x") -> None:
    """A few whole-number ticks, compact (12k, 1.5M) so narrow panels stay legible."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(nbins=4, integer=True))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: _compact(v)))


def _compact(v: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:.3g}{suffix}"
    return f"{v:,.0f}"


def _hbars(
    ax: Axes, labels: Sequence[str], values: Sequence[float], color: str, texts: Sequence[str]
) -> None:
    """Horizontal bars, first label on top, each bar annotated with its text."""
    ys = list(range(len(labels)))
    bars = ax.barh(ys, values, color=color, height=0.7)
    ax.set_yticks(ys, [short(lab) for lab in labels])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.bar_label(bars, labels=list(texts), padding=3, fontsize=8)
    ax.margins(x=0.18)


def time_series_chart(
    series: Mapping[str, Mapping[date, float]],
    *,
    step_days: int = 1,
    ylabel: str = "events",
    label: str = "time series",
) -> Markup:
    """One line per series (e.g. per domain); missing periods between the first and last
    date count as zero so the lines do not bridge gaps."""
    days = [d for s in series.values() for d in s]
    with _figure(8.0, 3.0) as fig:
        ax = fig.subplots()
        if days:
            start, end = min(days), max(days)
            grid = [start + timedelta(days=i) for i in range(0, (end - start).days + 1, step_days)]
            x = mdates.date2num(grid)  # float days, drawn with a date locator/formatter
            few = len(grid) <= 45
            for i, (name, points) in enumerate(series.items()):
                ax.plot(
                    x,
                    [points.get(d, 0) for d in grid],
                    label=short(name),
                    color=color_for(name, i),
                    linewidth=1.4,
                    marker="o" if few else None,
                    markersize=3,
                )
            short_span = len(grid) * step_days <= 7
            locator = mdates.DayLocator() if short_span else mdates.AutoDateLocator(maxticks=10)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            if len(grid) == 1:
                ax.set_xlim(float(x[0]) - 1, float(x[0]) + 1)
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=max(1, len(series)))
        ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel)
        _count_axis(ax, "y")
        return to_svg(fig, label)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    xlabel: str = "",
    color: str = BAR_COLOR,
    label: str = "bar chart",
) -> Markup:
    """Horizontal bars, in the order given, each annotated with its count."""
    with _figure(7.0, 0.9 + 0.28 * max(1, len(labels))) as fig:
        ax = fig.subplots()
        _hbars(ax, labels, values, color, [f"{v:,.0f}" for v in values])
        ax.set_xlabel(xlabel)
        _count_axis(ax)
        return to_svg(fig, label)


def funnel_chart(
    panels: Mapping[str, Sequence[tuple[str, float]]], *, label: str = "funnel"
) -> Markup:
    """One panel of horizontal bars per group (e.g. domain), steps top to bottom, each bar
    showing its count and its share of the first step."""
    n = max(1, len(panels))
    steps = max((len(p) for p in panels.values()), default=1)
    with _figure(min(4.2 * n, 11.0), 1.0 + 0.3 * max(steps, 1)) as fig:
        axes = fig.subplots(1, n, squeeze=False)[0]
        for i, (name, rows) in enumerate(panels.items()):
            ax = axes[i]
            top = rows[0][1] if rows and rows[0][1] else 0
            texts = [f"{v:,.0f} ({v / top:.0%})" if top else f"{v:,.0f}" for _, v in rows]
            _hbars(ax, [r[0] for r in rows], [r[1] for r in rows], color_for(name, i), texts)
            ax.set_title(short(name))
            _count_axis(ax)
        return to_svg(fig, label)


def share_chart(panels: Mapping[str, Mapping[str, float]], *, label: str = "shares") -> Markup:
    """One panel per group (e.g. table) of horizontal bars on a 0–100 % scale; groups
    without values are left out."""
    panels = {k: v for k, v in panels.items() if v}
    n = max(1, len(panels))
    rows = max((len(p) for p in panels.values()), default=1)
    with _figure(max(5.0, min(3.6 * n, 11.0)), 1.0 + 0.24 * rows) as fig:
        axes = fig.subplots(1, n, squeeze=False)[0]
        for i, (name, shares) in enumerate(panels.items()):
            ax = axes[i]
            values = list(shares.values())
            _hbars(
                ax, list(shares), values, PALETTE[i % len(PALETTE)], [f"{v:.0%}" for v in values]
            )
            ax.set_title(short(name))
            ax.set_xlim(0, 1.18)
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if not panels:
            axes[0].set_axis_off()
        return to_svg(fig, label)


def reliability_chart(
    predicted: Sequence[float], observed: Sequence[float], *, label: str = "calibration"
) -> Markup:
    """Observed positive rate against mean prediction per bin, with the diagonal."""
    with _figure(4.2, 3.4) as fig:
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], color="#7d8590", linestyle="--", linewidth=1)
        ax.plot(predicted, observed, marker="o", color=BAR_COLOR)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("mean predicted probability")
        ax.set_ylabel("observed positive rate")
        return to_svg(fig, label)
