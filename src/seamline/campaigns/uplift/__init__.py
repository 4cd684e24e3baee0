"""Uplift models (T-, X-learner, class transformation) over scikit-learn learners, their
metrics (Qini, AUUC, top-k ratio with bootstrap intervals) and the choice between them on
validation carves of the training part."""

from seamline.campaigns.uplift.metrics import UpliftScores, score_uplift
from seamline.campaigns.uplift.models import (
    ClassTransformation,
    Learner,
    SLearner,
    TLearner,
    UpliftModel,
    XLearner,
)
from seamline.campaigns.uplift.select import default_models, select_model
from seamline.campaigns.uplift.study import read_table, uplift_study

__all__ = [
    "ClassTransformation",
    "Learner",
    "SLearner",
    "TLearner",
    "UpliftModel",
    "UpliftScores",
    "XLearner",
    "default_models",
    "read_table",
    "score_uplift",
    "select_model",
    "uplift_study",
]
