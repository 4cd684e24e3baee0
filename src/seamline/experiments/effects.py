"""One dispatcher from a pair of aggregates to the effect between them.

The aggregate's kind picks the estimator: proportions -> two-proportion difference,
means -> Welch, joint aggregates -> a ratio metric (delta method) or CUPED (`joint`).
Every test that takes aggregates of any kind (`analyze`, `bayes_test`, `sequential_test`)
goes through `effect`, so they agree on the estimators, on `relative=False` by default
and on the error for arms of different kinds (`ConfigError`).
"""

from __future__ import annotations

from typing import Literal

from seamline.errors import ConfigError
from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.cuped import cuped_effect
from seamline.experiments.tests import Effect, mean_effect, proportion_effect, ratio_effect

AnyAgg = MeanAgg | ProportionAgg | JointAgg
Joint = Literal["ratio", "cuped"]


def test_name(agg: AnyAgg, joint: Joint = "ratio") -> str:
    """The estimator `effect` uses for this kind of aggregate: ztest, welch, ratio, cuped."""
    if isinstance(agg, ProportionAgg):
        return "ztest"
    if isinstance(agg, MeanAgg):
        return "welch"
    return joint


def effect(
    control: AnyAgg, treatment: AnyAgg, *, relative: bool = False, joint: Joint = "ratio"
) -> Effect:
    """The effect of `treatment` over `control` (both aggregates of one kind), absolute or
    `relative`. Joint aggregates are a ratio metric or, with `joint="cuped"`, a metric with
    its pre-period covariate."""
    if isinstance(control, ProportionAgg) and isinstance(treatment, ProportionAgg):
        return proportion_effect(control, treatment, relative=relative)
    if isinstance(control, MeanAgg) and isinstance(treatment, MeanAgg):
        return mean_effect(control, treatment, relative=relative)
    if isinstance(control, JointAgg) and isinstance(treatment, JointAgg):
        if joint == "cuped":
            return cuped_effect(control, treatment, relative=relative)
        if joint == "ratio":
            return ratio_effect(control, treatment, relative=relative)
        raise ConfigError(f"unknown use of a joint aggregate {joint!r}; allowed: ratio, cuped")
    raise ConfigError(
        f"both arms must be the same aggregate kind, got {type(control).__name__} and "
        f"{type(treatment).__name__}"
    )
