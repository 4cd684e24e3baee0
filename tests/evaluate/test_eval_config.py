"""EvaluationConfig: one validated config for an evaluation, equal to the keyword form."""

from __future__ import annotations

import pytest

from _support.reference import reference_fit
from seamline.errors import ConfigError
from seamline.evaluate.config import EvaluationConfig
from seamline.evaluate.runner import evaluate
from seamline.workspace import Workspace


def test_defaults_and_model_lists() -> None:
    cfg = EvaluationConfig()
    assert cfg.models == "all" and cfg.split == "loo" and cfg.k == 10
    assert cfg.max_test_users is None and cfg.domains == () and cfg.tune
    assert EvaluationConfig(models="ease, mostpop").models == ("ease", "mostpop")
    assert EvaluationConfig(models=["ease"]).model_names(["a", "b"]) == ["ease"]
    # "fast" is every known model but the slow ones (SASRec trains for minutes on a CPU).
    assert EvaluationConfig(models="fast").model_names(["ease", "sasrec", "transition"]) == [
        "ease",
        "transition",
    ]
    assert "sasrec" in EvaluationConfig(models="all").model_names(["ease", "sasrec"])
    assert cfg.model_names(["a", "b"]) == ["a", "b"]
    assert EvaluationConfig.model_validate(cfg.params()) == cfg


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("split", "random", "split: unknown split 'random'; allowed: loo, global"),
        ("k", 0, "k: Input should be greater than or equal to 1"),
        ("domain", "movies", "domain: unknown domain 'movies'; allowed: knowledge, fashion"),
        ("domains", ("fashion", "x"), "domains: unknown domain 'x'"),
        ("max_test_users", 0, "max_test_users: Input should be greater than or equal to 1"),
        ("frac", 1.0, "frac: Input should be less than 1"),
        ("models", "", "no models to evaluate"),
        ("sample", 3, "sample: Extra inputs are not permitted"),
    ],
)
def test_invalid_values_name_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match="invalid evaluation config: ") as e:
        EvaluationConfig(**{field: value})
    assert message in str(e.value)


def test_config_and_keywords_give_the_same_result(synth_ws: Workspace) -> None:
    kw = evaluate(
        synth_ws, ["mostpop", "ease"], fit=reference_fit, save=False, max_test_users=80, seed=3
    )
    cfg = EvaluationConfig(models=("mostpop", "ease"), max_test_users=80, seed=3)
    by_cfg = evaluate(synth_ws, cfg, fit=reference_fit, save=False)
    assert by_cfg.to_dict()["results"][1]["ndcg@10"] == kw.to_dict()["results"][1]["ndcg@10"]
    assert by_cfg.split_stats == kw.split_stats
    # Keywords given with a config replace its fields.
    other = evaluate(synth_ws, cfg, fit=reference_fit, save=False, max_test_users=50)
    assert other.split_stats["test_users"] == 50
