"""User features computed in SQL over the workspace store (see `build.build_features`).

Families: RFM (with classic quintile groups), engagement, cross-domain affinity,
browsing preferences, consumption habits, willingness to pay, demographics, and an
interest embedding from item texts.
"""

from seamline.features.base import FAMILIES, FeatureConfig
from seamline.features.build import FeatureRun, build_features, feature_columns, load_features

__all__ = [
    "FAMILIES",
    "FeatureConfig",
    "FeatureRun",
    "build_features",
    "feature_columns",
    "load_features",
]
