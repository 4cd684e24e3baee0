"""The one ordered list of stages. The main job runs them in this order, the report shows
their sections in this order and `seamline run` prints their summaries in this order.

Adding a stage: write `stages/<name>.py` (config, typed result, `run`, `section`) and add its
line here; `PipelineConfig` takes its config field from this list.
"""

from __future__ import annotations

from seamline.pipeline.stage import Stage
from seamline.pipeline.stages.campaigns import CampaignsStage
from seamline.pipeline.stages.experiments import ExperimentsStage
from seamline.pipeline.stages.fairness import FairnessStage
from seamline.pipeline.stages.features import FeaturesStage
from seamline.pipeline.stages.ingest import IngestStage
from seamline.pipeline.stages.privacy import PrivacyStage
from seamline.pipeline.stages.recommend import RecommendStage
from seamline.pipeline.stages.segments import SegmentsStage
from seamline.pipeline.stages.synthetic import SyntheticStage

STAGES: tuple[Stage, ...] = (
    SyntheticStage(),
    IngestStage(),
    FeaturesStage(),
    SegmentsStage(),
    RecommendStage(),
    ExperimentsStage(),
    CampaignsStage(),
    FairnessStage(),
    PrivacyStage(),
)


def stage(name: str) -> Stage:
    """The stage called `name`."""
    for s in STAGES:
        if s.name == name:
            return s
    raise KeyError(f"no stage {name!r}; stages: {', '.join(s.name for s in STAGES)}")
