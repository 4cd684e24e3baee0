"""Uplift models over scikit-learn learners, behind one small protocol.

Written here rather than taken from causalml or scikit-uplift: causalml pulls xgboost with a
350 MB NCCL (CUDA) wheel, numba, lightgbm and shap into the environment; scikit-uplift installs
cleanly but has had no release since 2022 and its models are thin wrappers of the same few lines
over scikit-learn. The metrics follow scikit-uplift's definitions (see metrics.py).

Every model takes `treatment` as a 0/1 array and an outcome that is binary (conversion, visit:
classifiers, rates) or continuous (spend: regressors, means) and predicts the uplift
`E[y | x, treated] - E[y | x, control]` per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from seamline.errors import DataError, NotFittedError


@runtime_checkable
class UpliftModel(Protocol):
    """Fits on features, a 0/1 treatment and an outcome; predicts the uplift per row."""

    def fit(self, X: np.ndarray, treatment: np.ndarray, y: np.ndarray) -> Self: ...

    def predict(self, X: np.ndarray) -> np.ndarray: ...


def is_binary(y: np.ndarray) -> bool:
    return bool(np.isin(np.unique(y), (0.0, 1.0)).all())


def check_fit_input(X: np.ndarray, treatment: np.ndarray, y: np.ndarray) -> None:
    t = np.asarray(treatment)
    if len(X) != len(t) or len(t) != len(y):
        raise DataError(f"X, treatment and y differ in length ({len(X)}, {len(t)}, {len(y)})")
    if not np.isin(t, (0, 1)).all():
        raise DataError("treatment must be 0 (control) or 1 (treated)")
    if t.sum() < 2 or (1 - t).sum() < 2:
        raise DataError("need at least 2 treated and 2 control rows to fit an uplift model")


@dataclass(frozen=True)
class Learner:
    """A learner family: a classifier for binary outcomes, a regressor otherwise."""

    kind: str  # "gb" (histogram gradient boosting) or "linear"
    params: dict[str, Any] = field(default_factory=dict)

    def make(self, binary: bool, seed: int) -> Any:
        if self.kind == "gb":
            base = dict(max_depth=3, learning_rate=0.05, max_iter=150, min_samples_leaf=100)
            p = {**base, **self.params, "random_state": seed}
            return (HistGradientBoostingClassifier if binary else HistGradientBoostingRegressor)(
                **p
            )
        if self.kind == "linear":
            # One strength for both: C of the logistic regression, alpha = 1 / C of the ridge.
            c = float(self.params.get("C", 1.0))
            if binary:
                return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=500))
            return make_pipeline(StandardScaler(), Ridge(alpha=1.0 / c))
        raise ValueError(f"unknown learner kind {self.kind!r} (allowed: gb, linear)")


def _mean(model: Any, X: np.ndarray, binary: bool) -> np.ndarray:
    # Prediction is cheap per row: one thread, whatever the size (on the shared 2-core
    # machine, scoring 1M rows took 52 s with the thread pool).
    with threadpool_limits(limits=1, user_api="openmp"):
        return _mean_threads(model, X, binary)


def _mean_threads(model: Any, X: np.ndarray, binary: bool) -> np.ndarray:
    if binary:
        p: np.ndarray = model.predict_proba(X)[:, 1]
        return p
    return np.asarray(model.predict(X), dtype=np.float64)


# Below this many rows one OpenMP thread fits gradient boosting faster than many: thread
# start-up dominates, and on a shared machine the threads contend (measured 20x slower).
SINGLE_THREAD_ROWS = 200_000


def fit_learner(model: Any, X: np.ndarray, y: np.ndarray, **kw: Any) -> Any:
    if len(X) < SINGLE_THREAD_ROWS:
        with threadpool_limits(limits=1, user_api="openmp"):
            return model.fit(X, y, **kw)
    return model.fit(X, y, **kw)


def _fit_one(learner: Learner, binary: bool, seed: int, X: np.ndarray, y: np.ndarray) -> Any:
    if binary and len(np.unique(y)) < 2:
        # One class only (e.g. no conversions in a small arm): a constant rate.
        return _Constant(float(y[0]) if len(y) else 0.0)
    return fit_learner(learner.make(binary, seed), X, y)


@dataclass
class _Constant:
    value: float

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([np.full(len(X), 1 - self.value), np.full(len(X), self.value)])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), self.value)


class TLearner:
    """Two outcome models, one per arm; the uplift is the difference of their predictions."""

    def __init__(self, learner: Learner, seed: int = 0) -> None:
        self.learner, self.seed = learner, seed
        self._m: tuple[Any, Any] | None = None
        self._binary = True

    def fit(self, X: np.ndarray, treatment: np.ndarray, y: np.ndarray) -> Self:
        check_fit_input(X, treatment, y)
        t = np.asarray(treatment) == 1
        self._binary = is_binary(y)
        self._m = (
            _fit_one(self.learner, self._binary, self.seed, X[~t], y[~t]),
            _fit_one(self.learner, self._binary, self.seed, X[t], y[t]),
        )
        return self

    def outcomes(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predicted outcome without and with treatment."""
        if self._m is None:
            raise NotFittedError("TLearner.predict before fit")
        return _mean(self._m[0], X, self._binary), _mean(self._m[1], X, self._binary)

    def predict(self, X: np.ndarray) -> np.ndarray:
        m0, m1 = self.outcomes(X)
        return m1 - m0


class SLearner:
    """One outcome model with the treatment as a feature; uplift = f(x, 1) - f(x, 0)."""

    def __init__(self, learner: Learner, seed: int = 0) -> None:
        self.learner, self.seed = learner, seed
        self._m: Any = None
        self._binary = True

    def fit(self, X: np.ndarray, treatment: np.ndarray, y: np.ndarray) -> Self:
        check_fit_input(X, treatment, y)
        self._binary = is_binary(y)
        Xt = np.column_stack([X, treatment])
        self._m = _fit_one(self.learner, self._binary, self.seed, Xt, y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self._m is None:
            raise NotFittedError("SLearner.predict before fit")
        one, zero = np.ones(len(X)), np.zeros(len(X))
        return _mean(self._m, np.column_stack([X, one]), self._binary) - _mean(
            self._m, np.column_stack([X, zero]), self._binary
        )


class XLearner:
    """Künzel et al.'s X-learner: outcome models per arm, then effect models on the imputed
    effects of each arm, blended by the propensity. In a randomised campaign the propensity
    is the treated share (constant) unless `propensity_learner` models it from the features."""

    def __init__(
        self,
        learner: Learner,
        effect_learner: Learner | None = None,
        seed: int = 0,
        propensity_learner: Learner | None = None,
    ) -> None:
        self.learner, self.seed = learner, seed
        self.effect_learner = effect_learner or learner
        self.propensity_learner = propensity_learner
        self._m: tuple[Any, Any, Any] | None = None
        self._share = 0.5

    def fit(self, X: np.ndarray, treatment: np.ndarray, y: np.ndarray) -> Self:
        check_fit_input(X, treatment, y)
        t = np.asarray(treatment) == 1
        binary = is_binary(y)
        m0 = _fit_one(self.learner, binary, self.seed, X[~t], y[~t])
        m1 = _fit_one(self.learner, binary, self.seed, X[t], y[t])
        d1 = y[t] - _mean(m0, X[t], binary)  # treated: observed minus imputed control
        d0 = _mean(m1, X[~t], binary) - y[~t]  # control: imputed treated minus observed
        tau1 = fit_learner(self.effect_learner.make(False, self.seed), X[t], d1)
        tau0 = fit_learner(self.effect_learner.make(False, self.seed), X[~t], d0)
        prop = None
        if self.propensity_learner is not None:
            prop = fit_learner(self.propensity_learner.make(True, self.seed), X, t.astype(int))
        self._m = (tau0, tau1, prop)
        self._share = float(t.mean())
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self._m is None:
            raise NotFittedError("XLearner.predict before fit")
        tau0, tau1, prop = self._m
        g = _mean(prop, X, True) if prop is not None else np.full(len(X), self._share)
        # Weight each arm's effect model by how much the other arm's data it relies on.
        out: np.ndarray = g * _mean(tau0, X, False) + (1 - g) * _mean(tau1, X, False)
        return out


class ClassTransformation:
    """Jaskowski & Jaroszewicz's class transformation: one model of
    z = y*t + (1-y)*(1-t) gives uplift = 2 P(z=1) - 1 when the arms are balanced. With unequal
    arms or a continuous outcome it models the transformed outcome y (t - p) / (p (1 - p)),
    whose mean given x is the uplift (Athey & Imbens)."""

    def __init__(self, learner: Learner, seed: int = 0) -> None:
        self.learner, self.seed = learner, seed
        self._m: Any = None
        self._mode = "class"

    def fit(self, X: np.ndarray, treatment: np.ndarray, y: np.ndarray) -> Self:
        check_fit_input(X, treatment, y)
        t = np.asarray(treatment, dtype=np.float64)
        p = float(t.mean())
        if is_binary(y):
            # Reweight so both arms count equally, which keeps 2 P(z=1) - 1 unbiased.
            w = np.where(t == 1, 0.5 / p, 0.5 / (1 - p))
            z = (y * t + (1 - y) * (1 - t)).astype(int)
            self._mode = "class"
            model = self.learner.make(True, self.seed)
            self._m = fit_learner(model, X, z, **_weight_kw(self, w))
        else:
            self._mode = "transformed"
            z = y * (t - p) / (p * (1 - p))
            self._m = fit_learner(self.learner.make(False, self.seed), X, z)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self._m is None:
            raise NotFittedError("ClassTransformation.predict before fit")
        if self._mode == "class":
            out: np.ndarray = 2 * _mean(self._m, X, True) - 1
            return out
        return _mean(self._m, X, False)


def _weight_kw(model: ClassTransformation, w: np.ndarray) -> dict[str, Any]:
    # Pipelines route sample weights to their last step by name.
    if model.learner.kind == "linear":
        return {"logisticregression__sample_weight": w}
    return {"sample_weight": w}


def clone_model(model: UpliftModel) -> UpliftModel:
    """An unfitted copy with the same settings."""
    m: Any = model
    if isinstance(m, XLearner):
        return XLearner(m.learner, m.effect_learner, m.seed, m.propensity_learner)
    if isinstance(m, TLearner | SLearner | ClassTransformation):
        return type(m)(m.learner, m.seed)
    if isinstance(m, Ensemble):
        return Ensemble({k: clone_model(v) for k, v in m.members.items()})
    return clone(m)


class Ensemble:
    """The mean of its members' uplifts, each scaled by its spread on the training rows, so
    no member dominates by scale; averaging steadies the ranking where each member is noisy."""

    def __init__(self, members: dict[str, UpliftModel]) -> None:
        self.members = members
        self._scale: dict[str, float] = {}

    def fit(self, X: np.ndarray, treatment: np.ndarray, y: np.ndarray) -> Self:
        self._scale = {}
        for name, m in self.members.items():
            m.fit(X, treatment, y)
            sd = float(np.std(m.predict(X)))
            self._scale[name] = sd if sd > 0 else 1.0
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if not self._scale:
            raise NotFittedError("Ensemble.predict before fit")
        parts = [m.predict(X) / self._scale[k] for k, m in self.members.items()]
        out: np.ndarray = np.mean(parts, axis=0) * float(np.mean(list(self._scale.values())))
        return out
