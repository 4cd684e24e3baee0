"""Design: sample size, power and minimum detectable effect (MDE) before an experiment.

Normal approximations for a two-sided test of treatment vs control, with `ratio` =
treatment units / control units. Proportions use the pooled variance under H0 and the
unpooled one under the alternative (as the two-proportion z-test and statsmodels do);
means use one standard deviation for both arms; ratio metrics (clicks / impressions,
revenue / visits) take the per-unit delta-method variance of the ratio.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import optimize, stats

from seamline.errors import ConfigError


@dataclass(frozen=True)
class SampleSize:
    n_control: int
    n_treatment: int
    total: int
    n_control_exact: float  # before rounding up
    effect: float  # absolute effect designed for
    alpha: float
    power: float
    days: int | None = None  # days of traffic needed, when daily traffic was given

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check(alpha: float, power: float, ratio: float) -> None:
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be in (0, 1), got {alpha}")
    if not 0 < power < 1:
        raise ConfigError(f"power must be in (0, 1), got {power}")
    if not ratio > 0:
        raise ConfigError(f"ratio (treatment / control units) must be > 0, got {ratio}")


def _n_control(delta: float, std_null: float, std_alt: float, alpha: float, power: float) -> float:
    """Control units so that the far tail of a two-sided test reaches `power`."""
    z_a = stats.norm.isf(alpha / 2)
    z_b = stats.norm.isf(power)  # negative for power > 0.5
    return float((max(z_a * std_null - z_b * std_alt, 0.0) / delta) ** 2)


def _result(
    n_exact: float,
    ratio: float,
    delta: float,
    alpha: float,
    power: float,
    daily_units: float | None,
) -> SampleSize:
    n_c = math.ceil(n_exact - 1e-9)
    n_t = math.ceil(n_c * ratio - 1e-9)
    days = None
    if daily_units is not None:
        if daily_units <= 0:
            raise ConfigError(f"daily traffic must be > 0 units, got {daily_units}")
        days = math.ceil((n_c + n_t) / daily_units)
    return SampleSize(n_c, n_t, n_c + n_t, n_exact, delta, alpha, power, days)


def _abs_effect(mde: float, baseline: float | None, relative: bool) -> float:
    if mde == 0 or not math.isfinite(mde):
        raise ConfigError(f"the minimum detectable effect must be a non-zero number, got {mde}")
    if relative:
        if not baseline:
            raise ConfigError("a relative MDE needs a non-zero baseline mean")
        return mde * baseline
    return mde


def _prop_stds(p_control: float, delta: float, ratio: float) -> tuple[float, float]:
    p_t = p_control + delta
    if not (0 < p_control < 1 and 0 < p_t < 1):
        raise ConfigError(
            f"proportions must lie in (0, 1): baseline {p_control}, with the effect {p_t}"
        )
    pooled = (p_t * ratio + p_control) / (1 + ratio)
    std_null = math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    std_alt = math.sqrt(p_control * (1 - p_control) + p_t * (1 - p_t) / ratio)
    return std_null, std_alt


def sample_size_proportions(
    baseline: float,
    mde: float,
    *,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    daily_units: float | None = None,
) -> SampleSize:
    """Units per arm to detect a change of `mde` in a conversion rate of `baseline`."""
    _check(alpha, power, ratio)
    delta = _abs_effect(mde, baseline, relative)
    std_null, std_alt = _prop_stds(baseline, delta, ratio)
    n = _n_control(delta, std_null, std_alt, alpha, power)
    return _result(n, ratio, delta, alpha, power, daily_units)


def sample_size_means(
    sd: float,
    mde: float,
    *,
    baseline: float | None = None,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    daily_units: float | None = None,
) -> SampleSize:
    """Units per arm to detect a change of `mde` in a mean whose per-unit s.d. is `sd`."""
    _check(alpha, power, ratio)
    if not sd > 0:
        raise ConfigError(f"the standard deviation must be > 0, got {sd}")
    delta = _abs_effect(mde, baseline, relative)
    std = sd * math.sqrt(1 + 1 / ratio)
    return _result(
        _n_control(delta, std, std, alpha, power), ratio, delta, alpha, power, daily_units
    )


def ratio_sd(
    mean_num: float, mean_den: float, var_num: float, var_den: float, cov: float = 0.0
) -> float:
    """Per-unit s.d. of a ratio metric's arm value (delta method)."""
    if mean_den == 0:
        raise ConfigError("a ratio metric needs a non-zero mean denominator")
    var = (
        var_num / mean_den**2
        - 2 * mean_num * cov / mean_den**3
        + mean_num**2 * var_den / mean_den**4
    )
    if var <= 0:
        raise ConfigError("the ratio metric's delta-method variance is not positive")
    return math.sqrt(var)


def sample_size_ratio(
    mean_num: float,
    mean_den: float,
    var_num: float,
    var_den: float,
    mde: float,
    *,
    cov: float = 0.0,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    daily_units: float | None = None,
) -> SampleSize:
    """Units per arm for a ratio metric, e.g. CTR = clicks / impressions per user."""
    sd = ratio_sd(mean_num, mean_den, var_num, var_den, cov)
    return sample_size_means(
        sd,
        mde,
        baseline=mean_num / mean_den,
        relative=relative,
        alpha=alpha,
        power=power,
        ratio=ratio,
        daily_units=daily_units,
    )


def power_proportions(
    baseline: float,
    mde: float,
    n_control: float,
    *,
    relative: bool = False,
    alpha: float = 0.05,
    ratio: float = 1.0,
) -> float:
    """Power of the two-sided two-proportion z-test (both tails counted)."""
    _check(alpha, 0.5, ratio)
    delta = _abs_effect(mde, baseline, relative)
    std_null, std_alt = _prop_stds(baseline, delta, ratio)
    return _power(delta, std_null, std_alt, n_control, alpha)


def power_means(
    sd: float, mde: float, n_control: float, *, alpha: float = 0.05, ratio: float = 1.0
) -> float:
    _check(alpha, 0.5, ratio)
    std = sd * math.sqrt(1 + 1 / ratio)
    return _power(mde, std, std, n_control, alpha)


def _power(delta: float, std_null: float, std_alt: float, n: float, alpha: float) -> float:
    z = stats.norm.isf(alpha / 2)
    shift = abs(delta) * math.sqrt(n) / std_alt
    r = std_null / std_alt
    return float(stats.norm.sf(z * r - shift) + stats.norm.cdf(-z * r - shift))


def mde_means(
    sd: float,
    n_control: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> float:
    """Smallest absolute change in a mean detectable with `n_control` control units."""
    _check(alpha, power, ratio)
    if n_control <= 0:
        raise ConfigError(f"need > 0 control units, got {n_control}")
    z = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    return float(z * sd * math.sqrt((1 + 1 / ratio) / n_control))


def mde_proportions(
    baseline: float,
    n_control: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> float:
    """Smallest absolute increase of a rate detectable with `n_control` control units."""
    _check(alpha, power, ratio)
    if n_control <= 0:
        raise ConfigError(f"need > 0 control units, got {n_control}")
    if not 0 < baseline < 1:
        raise ConfigError(f"baseline rate must lie in (0, 1), got {baseline}")

    def gap(d: float) -> float:
        s0, s1 = _prop_stds(baseline, d, ratio)
        return _n_control(d, s0, s1, alpha, power) - n_control

    hi = (1 - baseline) * (1 - 1e-9)
    if gap(hi) > 0:
        return math.nan  # not detectable even by a jump to 100%
    return float(optimize.brentq(gap, 1e-12, hi, xtol=1e-14))


def traffic_units(daily_units: float, days: float, share: float = 0.5) -> float:
    """Units one arm collects: daily eligible traffic x days x that arm's share."""
    if daily_units <= 0 or days <= 0 or not 0 < share <= 1:
        raise ConfigError("daily traffic and days must be > 0, the arm's share in (0, 1]")
    return daily_units * days * share
