"""A/B experiments: design (power), assignment, analysis on aggregates, KPIs, reports.

Statistics live in pure functions over small frozen aggregates (`aggregates`, `tests`,
`cuped`, `sequential`, `bayes`, `srm`, `corrections`, `power`); `analyze` turns per-unit
rows into those aggregates; `api` keeps experiments and exposures in a workspace and reads
outcomes from its event store; `kpis` computes marketing KPIs there.
"""

from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.tests import TestResult, ratio_test, welch_test, ztest_proportions

__all__ = [
    "JointAgg",
    "MeanAgg",
    "ProportionAgg",
    "TestResult",
    "ratio_test",
    "welch_test",
    "ztest_proportions",
]
