"""Small frozen aggregates: everything the statistics need from one arm of an experiment.

An aggregate holds counts and sums only (n, sum, sum of squares, cross products), so the
same analysis serves per-user rows in memory, a GROUP BY in DuckDB or a Spark job: build
the sums wherever the data lives, then call the tests in `seamline.experiments.tests`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from seamline.errors import DataError

ArrayLike = npt.ArrayLike


def _finite(name: str, *values: float) -> None:
    for v in values:
        if not math.isfinite(v):
            raise DataError(f"aggregate {name}: sums must be finite numbers, got {v!r}")


@dataclass(frozen=True)
class MeanAgg:
    """A numeric metric in one arm: n units, sum and sum of squares of their values."""

    n: int
    total: float
    total_sq: float

    def __post_init__(self) -> None:
        if self.n < 0:
            raise DataError(f"MeanAgg: n must be >= 0, got {self.n}")
        _finite("MeanAgg", self.total, self.total_sq)

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else math.nan

    @property
    def variance(self) -> float:
        """Sample variance (n - 1 in the denominator); NaN below two units."""
        if self.n < 2:
            return math.nan
        # Clamp tiny negative values that come from cancellation when all values are equal.
        return max((self.total_sq - self.total**2 / self.n) / (self.n - 1), 0.0)

    @classmethod
    def of(cls, values: ArrayLike) -> MeanAgg:
        x = np.asarray(values, dtype=np.float64)
        return cls(int(x.size), float(x.sum()), float(np.dot(x, x)))


@dataclass(frozen=True)
class ProportionAgg:
    """A 0/1 metric in one arm: n units of which `successes` are 1.

    Its variance is p(1 - p), without the n - 1 correction, as the two-proportion z-test
    and GrowthBook's engine use it."""

    n: int
    successes: int

    def __post_init__(self) -> None:
        if self.n < 0 or self.successes < 0 or self.successes > self.n:
            raise DataError(
                f"ProportionAgg: need 0 <= successes <= n, got successes={self.successes}, "
                f"n={self.n}"
            )

    @property
    def mean(self) -> float:
        return self.successes / self.n if self.n else math.nan

    @property
    def variance(self) -> float:
        p = self.mean
        return p * (1 - p) if self.n else math.nan

    @classmethod
    def of(cls, values: ArrayLike) -> ProportionAgg:
        x = np.asarray(values)
        if x.size and not np.isin(x, (0, 1)).all():
            raise DataError("ProportionAgg.of: values must be 0 or 1")
        return cls(int(x.size), int(np.count_nonzero(x)))


@dataclass(frozen=True)
class JointAgg:
    """Two numeric values per unit (y and x) with their cross product.

    Serves ratio metrics (revenue / visits, clicks / impressions: y is the numerator and x
    the denominator) and CUPED (y the metric, x its pre-period covariate)."""

    n: int
    y_total: float
    y_sq: float
    x_total: float
    x_sq: float
    xy: float

    def __post_init__(self) -> None:
        if self.n < 0:
            raise DataError(f"JointAgg: n must be >= 0, got {self.n}")
        _finite("JointAgg", self.y_total, self.y_sq, self.x_total, self.x_sq, self.xy)

    @property
    def y(self) -> MeanAgg:
        return MeanAgg(self.n, self.y_total, self.y_sq)

    @property
    def x(self) -> MeanAgg:
        return MeanAgg(self.n, self.x_total, self.x_sq)

    @property
    def covariance(self) -> float:
        """Sample covariance of y and x (n - 1); NaN below two units."""
        if self.n < 2:
            return math.nan
        return (self.xy - self.x_total * self.y_total / self.n) / (self.n - 1)

    @classmethod
    def of(cls, y: ArrayLike, x: ArrayLike) -> JointAgg:
        yy = np.asarray(y, dtype=np.float64)
        xx = np.asarray(x, dtype=np.float64)
        if yy.shape != xx.shape:
            raise DataError(f"JointAgg.of: y and x differ in length ({yy.size} vs {xx.size})")
        return cls(
            int(yy.size),
            float(yy.sum()),
            float(np.dot(yy, yy)),
            float(xx.sum()),
            float(np.dot(xx, xx)),
            float(np.dot(xx, yy)),
        )

    def __add__(self, other: JointAgg) -> JointAgg:
        return JointAgg(
            self.n + other.n,
            self.y_total + other.y_total,
            self.y_sq + other.y_sq,
            self.x_total + other.x_total,
            self.x_sq + other.x_sq,
            self.xy + other.xy,
        )


Agg = MeanAgg | ProportionAgg


@dataclass(frozen=True)
class ColumnSums:
    """One group's n with the sums the aggregates are built from: of columns (`y`), of
    squares and cross products (`ColumnSums.key(y, x)`, e.g. `x*y`).

    A GROUP BY row in any engine fills one; `aggregate` turns it into the aggregate a
    metric needs, so the statistics never see per-unit rows."""

    n: int
    sums: Mapping[str, float]

    @staticmethod
    def key(a: str, b: str) -> str:
        """The name of the sum of a x b (the same for b x a)."""
        return "*".join(sorted((a, b)))

    def _get(self, name: str) -> float:
        if name not in self.sums:
            raise DataError(f"no sum {name!r} in this group; have {sorted(self.sums)}")
        return float(self.sums[name])

    def proportion(self, y: str) -> ProportionAgg:
        return ProportionAgg(self.n, round(self._get(y)))

    def mean(self, y: str) -> MeanAgg:
        return MeanAgg(self.n, self._get(y), self._get(self.key(y, y)))

    def joint(self, y: str, x: str) -> JointAgg:
        return JointAgg(
            self.n,
            self._get(y),
            self._get(self.key(y, y)),
            self._get(x),
            self._get(self.key(x, x)),
            self._get(self.key(x, y)),
        )

    def aggregate(self, kind: str, y: str, x: str | None = None) -> Agg | JointAgg:
        """The aggregate of metric `y`: a proportion (`binary`), a mean, or with `x` (a ratio's
        denominator or a CUPED covariate) a joint aggregate."""
        if x is not None:
            return self.joint(y, x)
        return self.proportion(y) if kind == "binary" else self.mean(y)
