"""Deterministic hashing assignment: stability, weights, holdouts, exclusive layers."""

from __future__ import annotations

from collections import Counter

import pytest

from seamline.errors import ConfigError
from seamline.experiments.assignment import (
    HOLDOUT,
    Arm,
    ExperimentConfig,
    assign,
    assign_many,
    check_exclusive,
    parse_arms,
)
from seamline.experiments.srm import srm_check

USERS = [f"u{i:06d}" for i in range(20_000)]


def test_same_user_same_arm_and_salt_changes_it() -> None:
    cfg = ExperimentConfig("hero-banner")
    first = assign_many(cfg, USERS[:500])
    assert assign_many(ExperimentConfig("hero-banner"), USERS[:500]) == first
    other = assign_many(ExperimentConfig("hero-banner", salt="v2"), USERS[:500])
    # A new salt reshuffles: about half the users change arm.
    changed = sum(a != b for a, b in zip(first, other, strict=True))
    assert 180 < changed < 320


def test_weighted_arms_get_their_share() -> None:
    cfg = ExperimentConfig("pricing", arms=parse_arms("control:50,a:30,b:20"))
    counts = Counter(assign_many(cfg, USERS))
    assert set(counts) == {"control", "a", "b"}
    # No sample-ratio mismatch against the designed weights.
    srm = srm_check([counts["control"], counts["a"], counts["b"]], [50, 30, 20])
    assert srm.p_value > 0.001


def test_holdout_is_kept_out_of_every_arm() -> None:
    cfg = ExperimentConfig("coupon", holdout=0.1)
    arms = assign_many(cfg, USERS)
    share = arms.count(HOLDOUT) / len(arms)
    assert 0.09 < share < 0.11
    # The holdout hash is independent of the arm hash: the rest still splits evenly.
    rest = Counter(a for a in arms if a != HOLDOUT)
    assert srm_check([rest["control"], rest["treatment"]]).p_value > 0.001


def test_experiments_in_one_layer_never_share_a_user() -> None:
    a = ExperimentConfig("layout", layer="homepage", layer_range=(0.0, 0.5))
    b = ExperimentConfig("copy", layer="homepage", layer_range=(0.5, 1.0))
    in_a = {u for u in USERS if assign(a, u) is not None}
    in_b = {u for u in USERS if assign(b, u) is not None}
    assert not in_a & in_b
    assert len(in_a | in_b) == len(USERS)
    assert 0.48 < len(in_a) / len(USERS) < 0.52
    check_exclusive(b, [a])
    with pytest.raises(ConfigError, match="overlaps"):
        check_exclusive(ExperimentConfig("x", layer="homepage", layer_range=(0.4, 0.6)), [a, b])


def test_config_round_trips_through_a_dict() -> None:
    cfg = ExperimentConfig(
        "sale", arms=(Arm("off", 2), Arm("on", 1)), control="off", holdout=0.05,
        layer="l1", layer_range=(0.2, 0.7), guardrails=("ctr",),
    )  # fmt: skip
    assert ExperimentConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.weights == pytest.approx({"off": 2 / 3, "on": 1 / 3})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "bad name!"}, "experiment name"),
        ({"name": "x", "arms": (Arm("only"),)}, "at least two arms"),
        ({"name": "x", "arms": (Arm("a"), Arm("a"))}, "repeat"),
        ({"name": "x", "arms": (Arm("a"), Arm("b", 0))}, "weight > 0"),
        ({"name": "x", "control": "z"}, "not an arm"),
        ({"name": "x", "layer_range": (0.5, 0.2)}, "layer_range"),
        ({"name": "x", "holdout": 1.0}, "holdout"),
        ({"name": "x", "arms": (Arm("holdout"), Arm("b"))}, "reserved"),
    ],
)
def test_invalid_designs_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ExperimentConfig(**kwargs)  # type: ignore[arg-type]


def test_unknown_config_keys_and_bad_arm_specs_are_named() -> None:
    with pytest.raises(ConfigError, match="unknown keys"):
        ExperimentConfig.from_dict({"name": "x", "armz": []})
    with pytest.raises(ConfigError, match="not a number"):
        parse_arms("a:1,b:lots")
