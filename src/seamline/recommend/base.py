"""One recommender API: every model fits on `Interactions` and answers the same calls.

A fitted model keeps what serving needs in memory: the train matrix (each user's seen
items), the id maps, item side info as arrays and popularity, so `recommend` for one user
is a vector product, a mask and an `argpartition` (no database query per call).

Each model takes one validated config (`seamline.recommend.config`): `Model(config)` or
`Model(**fields)`, as LensKit's components do; `get_params` and `repr` come from it.

Subclasses implement `_fit`, `_score_history` (scores from arbitrary history rows, used for
folded-in users) and optionally faster `scores`, `_contrib` (per-history-item contribution
to one item's score, for `explain`) and `_item_sim` (for `similar_items`).

What is not the estimator lives beside it: candidate selection (`candidates.Catalog`),
saving and loading (`persist`), and the per-segment popularity of the unknown-user
fallback, computed from the workspace by `fallback` and handed in with `set_fallback`.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from seamline.data.dataset import IdMap, Interactions
from seamline.data.prep import InteractionsConfig
from seamline.errors import ConfigError, DataError, NotFittedError
from seamline.recommend.candidates import Candidates, Catalog, as_mask
from seamline.recommend.config import ModelConfig

log = logging.getLogger(__name__)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
Unknown = Literal["popular", "segment", "raise"]
UNKNOWN_POLICIES = ("popular", "segment", "raise")
N_BECAUSE = 3
BATCH = 256  # users scored per vectorised call in a many-user recommend()


@dataclass
class Recommendation:
    item_id: str
    score: float
    because: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "score": self.score, "because": list(self.because)}


def topk(scores: npt.NDArray[np.floating[Any]], k: int) -> Ints:
    """Indices of the k best finite scores, best first; ties go to the lower index."""
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) == 0 or k <= 0:
        return np.empty(0, dtype=np.int64)
    s = scores[finite]
    if k < len(finite):
        part = np.argpartition(-s, k - 1)[:k]
        kth = s[part].min()
        # keep every candidate tied with the k-th score so ties resolve by index
        part = np.flatnonzero(s >= kth)
        finite, s = finite[part], s[part]
    order = np.lexsort((finite, -s))[:k]
    return finite[order].astype(np.int64)


class Recommender(ABC):
    """Base class: fit(interactions) -> self, then recommend / score / explain / fold_in."""

    name: ClassVar[str] = "base"
    config_class: ClassVar[type[ModelConfig]] = ModelConfig
    config: ModelConfig

    # fitted state (set by `fit`, or by `persist.load`)
    users_: IdMap
    items_: IdMap
    X_: sp.csr_matrix
    H_: sp.csr_matrix
    pop_: Floats
    catalog_: Catalog
    data_config_: InteractionsConfig
    fitted_at_: str

    def __init__(self, config: ModelConfig | Mapping[str, Any] | None = None, **kwargs: Any):
        cls = self.config_class
        if config is None:
            self.config = cls(**kwargs)
        elif isinstance(config, cls):
            self.config = config.replace(**kwargs) if kwargs else config
        elif isinstance(config, Mapping):
            self.config = cls.model_validate({**config, **kwargs})
        else:
            raise ConfigError(
                f"{type(self).__name__} takes a {cls.__name__} or a dict of its fields, "
                f"got {type(config).__name__}"
            )

    def get_params(self) -> dict[str, Any]:
        return self.config.params()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ fitting
    def fit(self, interactions: Interactions) -> Recommender:
        if not isinstance(interactions, Interactions):
            raise DataError(
                f"{type(self).__name__}.fit expects Interactions, got {type(interactions).__name__}"
            )
        if interactions.n_users == 0 or interactions.n_items == 0:
            raise DataError(f"{type(self).__name__}: no interactions to fit on")
        X = interactions.matrix()
        self.users_ = interactions.users
        self.items_ = interactions.items
        self.X_ = X
        # Scoring history: the train matrix, or with `recent_half_life` the same items
        # weighted towards each user's latest events.
        h = getattr(self.config, "recent_half_life", None)
        self.H_ = X if h is None else interactions.history_matrix(h)
        self.catalog_ = Catalog.from_interactions(interactions)
        self.pop_ = np.asarray(X.sum(axis=0), dtype=np.float64).ravel()
        # The data preparation actually used: the caller may have built `interactions`
        # differently from `config.data`.
        self.data_config_ = interactions.config
        self._reset_caches()
        self._fit(X, interactions)
        self.fitted_at_ = datetime.now(UTC).isoformat(timespec="seconds")
        return self

    def _reset_caches(self) -> None:
        self.folded_: dict[str, sp.csr_matrix] = {}
        self._colnorm: F32 | None = None
        self.segment_of_: dict[str, str] = {}
        self.segment_pop_: dict[str, Floats] = {}

    @abstractmethod
    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None: ...

    @abstractmethod
    def _score_history(self, H: sp.csr_matrix) -> F32:
        """Dense scores (rows of H x n_items) for users with histories H."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "X_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(interactions)")

    @property
    def n_users(self) -> int:
        self._check_fitted()
        return int(self.X_.shape[0])

    @property
    def n_items(self) -> int:
        self._check_fitted()
        return int(self.X_.shape[1])

    # ------------------------------------------------------------------ scoring
    def scores(self, user_rows: npt.ArrayLike) -> F32:
        """Dense float32 scores (len(user_rows) x n_items) for rows of the fitted matrix."""
        self._check_fitted()
        rows = np.asarray(user_rows, dtype=np.int64)
        return np.asarray(self._score_history(self.H_[rows]), dtype=np.float32)

    def _history(self, user_id: str) -> tuple[int | None, sp.csr_matrix | None]:
        """(row in the train matrix or None, history row or None for an unknown user)."""
        r = self.users_.get(user_id)
        if user_id in self.folded_:
            return (r if r >= 0 else None), self.folded_[user_id]
        if r < 0:
            return None, None
        return r, self.H_[r]

    def _user_scores(self, user_id: str, unknown: Unknown) -> tuple[F32, sp.csr_matrix | None]:
        row, hist = self._history(user_id)
        if hist is None:
            return self._unknown_scores(user_id, unknown), None
        if user_id in self.folded_ or row is None:
            return self._score_history(hist)[0], hist
        return self.scores(np.array([row]))[0], hist

    def candidate_scores(
        self,
        user_id: str,
        *,
        unknown: Unknown = "popular",
        domain: str | None = None,
        filters: Mapping[str, Any] | None = None,
        exclude_seen: bool = True,
    ) -> tuple[Floats, sp.csr_matrix | None]:
        """Every item's score for one user as `recommend` ranks them (-inf where the domain,
        filters or seen items rule it out), and the user's history (None when unknown) to
        pass to `because`. For a second stage that re-ranks the top of these."""
        self._check_fitted()
        s, hist = self._user_scores(str(user_id), unknown)
        return self._ruled_out(s, hist, self.catalog_.mask(domain, filters), exclude_seen), hist

    @staticmethod
    def _ruled_out(
        s: F32, hist: sp.csr_matrix | None, mask: np.ndarray | None, exclude_seen: bool
    ) -> Floats:
        out = np.array(s, dtype=np.float64)
        if mask is not None:
            out[~mask] = -np.inf
        if exclude_seen and hist is not None:
            out[hist.indices] = -np.inf
        return out

    def because(
        self, user_id: str, hist: sp.csr_matrix | None, items: Ints, n: int = N_BECAUSE
    ) -> list[list[str]]:
        """For each of `items` (model indices), the history items behind its score; empty
        lists for a user without history (`hist` from `candidate_scores`)."""
        if hist is None:
            return [[] for _ in items]
        return self._because(str(user_id), hist, np.asarray(items, dtype=np.int64), n)

    def _unknown_scores(self, user_id: str, unknown: Unknown) -> F32:
        if unknown == "raise":
            raise DataError(
                f"unknown user {user_id!r}: not in the {type(self).__name__} model's "
                f"{self.n_users} users (fold them in, refit with `seamline fit`, or use "
                "unknown='popular' / 'segment')"
            )
        if unknown == "segment":
            seg = self.segment_of_.get(user_id)
            if seg is not None and seg in self.segment_pop_:
                return self.segment_pop_[seg].astype(np.float32)
        return self.pop_.astype(np.float32)

    def score(self, user_id: str, item_ids: Sequence[str]) -> Floats:
        """Scores of `item_ids` for one user (unknown users get popularity)."""
        self._check_fitted()
        idx = self.items_.indices(item_ids)
        if (idx < 0).any():
            bad = [str(x) for x, j in zip(item_ids, idx, strict=True) if j < 0]
            raise DataError(f"unknown item ids {bad[:5]} (model has {self.n_items} items)")
        s, _ = self._user_scores(str(user_id), "popular")
        return np.asarray(s[idx], dtype=np.float64)

    # ------------------------------------------------------------------ recommend
    def recommend(
        self,
        user_ids: Sequence[str],
        k: int = 10,
        domain: str | None = None,
        exclude_seen: bool = True,
        filters: Mapping[str, Any] | None = None,
        unknown: Unknown = "popular",
        candidates: Candidates = None,
    ) -> list[list[Recommendation]]:
        """Top-k items per user, each with the history items that drive it.

        `candidates` (a boolean mask over the model's items, or item ids) limits what may
        be recommended; `domain` and `filters` are the model catalog's shorthand for one
        (`Catalog.mask`). A domain restricts candidates to its items while the user's whole
        history (any domain) drives the scores: that is the cross-domain transfer.
        """
        self._check_fitted()
        if unknown not in UNKNOWN_POLICIES:
            raise ConfigError(f"unknown={unknown!r}; allowed: {', '.join(UNKNOWN_POLICIES)}")
        if isinstance(user_ids, str):
            raise ConfigError("recommend takes a list of user ids, not one string")
        if int(k) < 1:
            raise ConfigError(f"k must be at least 1, got {k}")
        mask = self.catalog_.mask(domain, filters)
        given = as_mask(candidates, self.items_)
        if given is not None:
            mask = given if mask is None else (mask & given)
        uids = [str(u) for u in user_ids]
        ids = self.items_.ids
        out: list[list[Recommendation]] = []
        for b0 in range(0, len(uids), BATCH):
            block = uids[b0 : b0 + BATCH]
            # known (not folded) users of the block are scored in one vectorised call
            batch: dict[str, F32] = {}
            if len(block) > 1:
                known = [u for u in block if u not in self.folded_ and self.users_.get(u) >= 0]
                if known:
                    S = self.scores(self.users_.indices(known))
                    batch = dict(zip(known, S, strict=True))
            for uid in block:
                if uid in batch:
                    s, hist = batch[uid], self.H_[self.users_.index(uid)]
                else:
                    s, hist = self._user_scores(uid, unknown)
                ranked = self._ruled_out(s, hist, mask, exclude_seen)
                top = topk(ranked, int(k))
                why = self.because(uid, hist, top)
                out.append(
                    [
                        Recommendation(ids[j], float(ranked[j]), w)
                        for j, w in zip(top, why, strict=True)
                    ]
                )
        return out

    def _because(
        self, user_id: str, hist: sp.csr_matrix, items: Ints, n: int = N_BECAUSE
    ) -> list[list[str]]:
        """For each of `items`, the (up to n) history items with the largest positive
        contribution to its score; ties go to the lower item index."""
        h_idx = hist.indices.astype(np.int64)
        if len(h_idx) == 0 or len(items) == 0:
            return [[] for _ in items]
        C = self._contribs(user_id, hist, np.asarray(items, dtype=np.int64))
        ids = self.items_.ids
        out = []
        for t in range(len(items)):
            c = C[:, t]
            order = np.lexsort((h_idx, -c))[:n]
            out.append([ids[h_idx[o]] for o in order if c[o] > 0])
        return out

    def explain(self, user_id: str, item_id: str, n: int = N_BECAUSE) -> list[str]:
        """History items of `user_id` with the largest contribution to `item_id`'s score."""
        self._check_fitted()
        j = self.items_.get(str(item_id))
        if j < 0:
            raise DataError(f"unknown item {item_id!r} (model has {self.n_items} items)")
        _, hist = self._history(str(user_id))
        if hist is None:
            return []
        return self._because(str(user_id), hist, np.array([j]), n)[0]

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        """Contributions (len(hist.indices) x len(items)) of each history item to each
        item's score; models override this with one vectorised computation."""
        return np.column_stack([self._contrib(user_id, hist, int(j)) for j in items])

    def _contrib(self, user_id: str, hist: sp.csr_matrix, item: int) -> Floats:
        """Contribution of each history item (in `hist.indices` order) to `item`'s score.
        Default: weight x cosine co-occurrence of the two items."""
        sim = self._cooc_sim(item)
        return np.asarray(hist.data, dtype=np.float64) * sim[hist.indices]

    def _cooc_sim(self, item: int) -> Floats:
        if self._colnorm is None:
            norms = np.sqrt(np.asarray(self.X_.multiply(self.X_).sum(axis=0)).ravel())
            self._colnorm = norms.astype(np.float32)
            self._Xc = self.X_.tocsc()
        col = self._Xc[:, item]
        co = np.asarray((self.X_.T @ col).todense(), dtype=np.float64).ravel()
        denom = self._colnorm.astype(np.float64) * float(self._colnorm[item])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denom > 0, co / denom, 0.0)

    def _item_sim(self, item: int) -> Floats:
        return self._cooc_sim(item)

    def similar_items(self, item_id: str, k: int = 10) -> list[Recommendation]:
        """Items most similar to `item_id` by this model's notion of similarity."""
        self._check_fitted()
        j = self.items_.get(str(item_id))
        if j < 0:
            raise DataError(f"unknown item {item_id!r} (model has {self.n_items} items)")
        s = np.array(self._item_sim(j), dtype=np.float64)
        s[j] = -np.inf
        return [Recommendation(self.items_.ids[t], float(s[t]), [str(item_id)]) for t in topk(s, k)]

    # ------------------------------------------------------------------ fold-in
    def fold_in(
        self,
        user_id: str,
        item_ids: Sequence[str],
        weights: Sequence[float] | None = None,
    ) -> Recommender:
        """Add interactions of a known or new user without refitting the model.

        The user's history becomes train history + the new items; scores come from that
        history (ALS/BPR solve the user's factors against the fixed item factors).
        """
        self._check_fitted()
        uid = str(user_id)
        idx = self.items_.indices(item_ids)
        if (idx < 0).any():
            bad = [str(x) for x, j in zip(item_ids, idx, strict=True) if j < 0]
            raise DataError(
                f"fold_in {uid!r}: items {bad[:5]} are not in the model's catalog; "
                "refit (seamline fit) to add new items"
            )
        w = np.ones(len(idx)) if weights is None else np.asarray(weights, dtype=np.float64)
        if len(w) != len(idx) or (w < 0).any() or not np.isfinite(w).all():
            raise DataError(f"fold_in {uid!r}: weights must be {len(idx)} finite numbers >= 0")
        _, hist = self._history(uid)
        row = sp.csr_matrix(self._fold_row(hist, idx.astype(np.int64), w), dtype=np.float32)
        row.sum_duplicates()
        row.sort_indices()
        self.folded_[uid] = row
        return self

    def _fold_row(self, hist: sp.csr_matrix | None, idx: Ints, w: Floats) -> sp.csr_matrix:
        """The history row after adding items `idx` with weights `w` (in event order);
        sequence models override it to make the new items the latest."""
        new = sp.csr_matrix(
            (w.astype(np.float32), (np.zeros(len(idx), dtype=np.int64), idx)),
            shape=(1, self.n_items),
            dtype=np.float32,
        )
        return new if hist is None else sp.csr_matrix(hist + new)

    # ------------------------------------------------------------------ fallback
    def set_fallback(
        self, segment_of: Mapping[str, str], segment_pop: Mapping[str, Floats]
    ) -> None:
        """The unknown='segment' policy's data: each user's segment and each segment's
        popularity over the model's items (`fallback.segment_popularity` builds both)."""
        self._check_fitted()
        for s_, pop in segment_pop.items():
            if len(pop) != self.n_items:
                raise DataError(
                    f"segment {s_!r} popularity has {len(pop)} items; the model has {self.n_items}"
                )
        self.segment_of_ = dict(segment_of)
        self.segment_pop_ = dict(segment_pop)

    # ------------------------------------------------------------------ state for persist
    def _state(self) -> dict[str, np.ndarray]:
        """Learned arrays beyond the shared ones (train matrix, ids, catalog)."""
        return {}

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        return None
