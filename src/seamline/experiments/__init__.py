"""A/B experiments: design (power), assignment, analysis on aggregates, KPIs, reports.

Statistics live in pure functions over small frozen aggregates (`aggregates`, `tests`,
`cuped`, `sequential`, `bayes`, `srm`, `corrections`, `power`); `effects.effect` picks the
estimator for a pair of aggregates; `compare` analyses sums per arm and `analyze` turns
per-unit rows into them (`analyze_table` from a CSV file, read by `io`). In a workspace:
`store` keeps designs and exposures (`window`: running or not), `outcomes` sums each
arm's outcomes from the event store in one GROUP BY, `report` builds an experiment's
report, `daily` reads per-day arm revenue, `kpis` computes marketing KPIs (offer cost,
incremental revenue) and `campaign_log` imports the synthetic world's past campaign.
"""

from seamline.experiments.aggregates import JointAgg, MeanAgg, ProportionAgg
from seamline.experiments.analyze import analyze_table
from seamline.experiments.tests import TestResult, ratio_test, welch_test, ztest_proportions

__all__ = [
    "JointAgg",
    "MeanAgg",
    "ProportionAgg",
    "TestResult",
    "analyze_table",
    "ratio_test",
    "welch_test",
    "ztest_proportions",
]
