"""What every cross-domain method is measured against, and the names the protocol runs.

* `popular`: target-domain items by the number of train users who took them;
* `target_only`: a registry model fitted on the target domain's events alone; it has never
  seen a cold user, so it answers with its unknown-user fallback, popularity (as any
  target-only model must: it is `popular` by another road, kept as the protocol's check);
* `joint_ease` / `joint_als`: the registry's EASE and ALS fitted on both domains' train
  events, nothing else (the implicit transfer of a plain joint model). EASE needs a dense
  item x item matrix, so it keeps the `EASE_ITEMS` most popular items; the rest rank last.

The transfer methods run under their registry names (`xitem`, `emcdr`, `content`,
`transfer`; `emcdr_mlp` is EMCDR with the MLP map); `content` is left out of the default
list, as the public two-domain sets have no item text. Any registry model name is accepted
too: it is fitted on the joint train events with its default config and scores the cold
users from their source-domain history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from seamline.errors import ConfigError

if TYPE_CHECKING:
    from seamline.data.dataset import Interactions
    from seamline.evaluate.cross.split import ColdSplit, Fitter, ScoreFn

EASE_ITEMS = 3000
BASELINES = ("popular", "target_only", "joint_ease", "joint_als")


def _user_counts(data: Interactions) -> np.ndarray:
    X = data.matrix()
    return np.asarray((X > 0).sum(axis=0), dtype=np.float64).ravel()


def popular(data: Interactions, split: ColdSplit) -> ScoreFn:
    pop = _user_counts(data)
    return lambda rows: np.repeat(pop[None, :], len(rows), axis=0)


def target_only(data: Interactions, split: ColdSplit) -> ScoreFn:
    from seamline.data.dataset import Interactions as Inter
    from seamline.recommend.popular import MostPopular

    train = split.train
    tgt = Inter.from_frame(train.loc[train["domain"] == split.target])
    model = MostPopular().fit(tgt)
    cols = data.items.indices(tgt.items.ids)  # target model's items in the joint index
    users = data.users.ids

    def fn(rows: np.ndarray) -> np.ndarray:
        S = np.zeros((len(rows), data.n_items))
        for t, r in enumerate(rows):
            S[t, cols] = model.candidate_scores(users[int(r)], exclude_seen=False)[0]
        return S

    return fn


def joint_ease(data: Interactions, split: ColdSplit) -> ScoreFn:
    from seamline.data.dataset import IdMap
    from seamline.data.dataset import Interactions as Inter
    from seamline.recommend.ease import EASE

    pop = _user_counts(data)
    keep = np.sort(np.argsort(-pop, kind="stable")[:EASE_ITEMS])
    kept_ids = set(np.asarray(data.items.ids, dtype=object)[keep])
    train = split.train
    sub = Inter.from_frame(
        train.loc[train["item_id"].isin(kept_ids)],
        users=IdMap(data.users.ids),
        items=IdMap([data.items.ids[j] for j in keep]),
    )
    model = EASE().fit(sub)
    floor = -1e9  # items outside the kept set rank after every kept one, by popularity

    def fn(rows: np.ndarray) -> np.ndarray:
        S = floor + pop[None, :].repeat(len(rows), axis=0) * 1e-6
        S[:, keep] = model.scores(rows)
        return S

    return fn


def registry(name: str, **params: Any) -> Fitter:
    def fit(data: Interactions, split: ColdSplit) -> ScoreFn:
        from seamline.recommend.registry import make

        model = make(name, **params).fit(data)
        return lambda rows: model.scores(rows)

    return fit


SCORERS: dict[str, Fitter] = {
    "popular": popular,
    "target_only": target_only,
    "joint_ease": joint_ease,
    "joint_als": registry("als"),
    # the transfer methods (`seamline.recommend.transfer`)
    "xitem": registry("xitem"),
    "emcdr": registry("emcdr"),
    "emcdr_mlp": registry("emcdr", mapping="mlp"),
    "content": registry("content"),
    "transfer": registry("transfer"),
}
DEFAULT = (*BASELINES, "xitem", "emcdr", "emcdr_mlp", "transfer")


def default_models() -> list[str]:
    return list(DEFAULT)


def check_scorers(names: Sequence[str] | None) -> list[str]:
    """The names to run (default: `DEFAULT`); other registry models join `SCORERS`."""
    from seamline.recommend.registry import MODELS

    out = default_models() if names is None else list(names)
    if not out:
        raise ConfigError("no models given to evaluate")
    for n in out:
        if n not in SCORERS:
            if n not in MODELS:
                allowed = ", ".join([*SCORERS, *MODELS])
                raise ConfigError(f"unknown cross-domain model {n!r}; allowed: {allowed}")
            SCORERS[n] = registry(n)
    return out
