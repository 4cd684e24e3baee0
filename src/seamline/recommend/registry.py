"""Model names -> classes, and the one place that checks a model name.

`make(name, **params)` builds a model with a validated config, `check_models` is the name
check used by the model store, evaluation and fairness, and `load_model(path)` reads a
saved model (`persist`) with the class its metadata names.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from seamline.errors import ConfigError
from seamline.recommend import persist
from seamline.recommend.als import ALS, BPR
from seamline.recommend.base import Recommender
from seamline.recommend.blend import Blend
from seamline.recommend.config import ModelConfig
from seamline.recommend.ease import EASE
from seamline.recommend.knn import ItemKNN, UserKNN
from seamline.recommend.popular import MostPopular
from seamline.recommend.sequence.sasrec import SASRec
from seamline.recommend.sequence.transition import Transition
from seamline.recommend.transfer.blend import Transfer
from seamline.recommend.transfer.content import ContentBridge
from seamline.recommend.transfer.cross_item import CrossItem
from seamline.recommend.transfer.emcdr import EMCDR

MODELS: dict[str, type[Recommender]] = {
    "mostpop": MostPopular,
    "userknn": UserKNN,
    "itemknn": ItemKNN,
    "als": ALS,
    "bpr": BPR,
    "ease": EASE,
    "transition": Transition,
    "xitem": CrossItem,
    "emcdr": EMCDR,
    "content": ContentBridge,
    "transfer": Transfer,
    "sasrec": SASRec,
    "blend": Blend,
}
# Built to carry interest across domains, measured by `seamline evaluate-cross`; "all" in
# `seamline evaluate` and `seamline fit` means the others.
# Models whose fit takes minutes on a CPU (a transformer trained for tens of epochs): the
# main job's default model list ("fast") leaves them out; "all" and explicit names keep them.
SLOW_MODELS = ("sasrec",)
TRANSFER_MODELS = ("xitem", "emcdr", "content", "transfer")


def in_domain_models() -> list[str]:
    return [n for n in MODELS if n not in TRANSFER_MODELS]


def check_model(name: str) -> type[Recommender]:
    """The class of registry model `name`; ConfigError naming the allowed ones."""
    cls = MODELS.get(name)
    if cls is None:
        raise ConfigError(f"unknown model {name!r}; allowed: {', '.join(MODELS)}")
    return cls


def check_models(names: Iterable[str]) -> list[str]:
    """`names` as a list, each a registry model; at least one."""
    out = list(names)
    if not out:
        raise ConfigError(f"no models given; allowed: {', '.join(MODELS)}")
    for n in out:
        check_model(n)
    return out


def model_config(name: str, **params: Any) -> ModelConfig:
    """The validated config of model `name` (aliases and flat data options accepted)."""
    return check_model(name).config_class(**params)


def make(name: str, **params: Any) -> Recommender:
    return check_model(name)(**params)


def load_model(path: str | Path, expect: type[Recommender] | None = None) -> Recommender:
    """A model saved by `persist.save` (any format this version reads)."""
    return persist.load(path, MODELS, expect)
