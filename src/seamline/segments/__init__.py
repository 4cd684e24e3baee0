"""User segmentation: K-means and hierarchical (Ward) clustering on user features, with
automatic k, stability, and readable bilingual profiles (see `api.run_segmentation`)."""

from seamline.segments.api import (
    export_assignment,
    latest_run,
    run_segmentation,
    segment_list,
    user_segment,
)
from seamline.segments.config import PRESETS, SegmentConfig
from seamline.segments.hierarchical import WardSegmenter
from seamline.segments.kmeans import KMeansSegmenter
from seamline.segments.preprocess import Preprocessor

__all__ = [
    "PRESETS",
    "KMeansSegmenter",
    "Preprocessor",
    "SegmentConfig",
    "WardSegmenter",
    "export_assignment",
    "latest_run",
    "run_segmentation",
    "segment_list",
    "user_segment",
]
