"""SASRec (Kang & McAuley 2018), a compact PyTorch implementation: causal self-attention
over each user's latest `max_len` items predicts the next one (softmax over the catalog).

torch is imported only when a model is fitted or loaded (the `deep` extra). Training is
seeded, runs on a GPU when one is present (`device="auto"`), and stops early on the
validation NDCG@10 of each user's held-out last item (`sasrec_net.train`). Saved through
`persist` like every model: the network's state dict as named arrays beside the JSON
metadata, no pickles. `because` names the history items whose removal from the input
lowers the item's score most; `fold_in` appends new items as the latest steps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp

from seamline.data.dataset import Interactions
from seamline.errors import DataError
from seamline.recommend.base import F32, Floats, Ints, Recommender
from seamline.recommend.config import SASRecConfig
from seamline.recommend.sequence.history import (
    append_steps,
    ordered_items,
    rank_of,
    recency_matrix,
    sequences,
)
from seamline.recommend.torch_env import pick_device, require_torch, torch_threads

SCORE_BATCH = 1024
NET = "net."  # prefix of the network's arrays in the saved state


class SASRec(Recommender):
    name = "sasrec"
    config_class = SASRecConfig
    config: SASRecConfig

    @contextmanager
    def _torch(self) -> Iterator[Any]:
        torch = require_torch("the sasrec model")
        with torch_threads(torch, self.config.threads):
            yield torch

    def _fit(self, X: sp.csr_matrix, data: Interactions) -> None:
        seqs = sequences(data)
        self.H_ = recency_matrix(seqs, None)  # every seen item; the weight encodes order
        with self._torch() as torch:
            from seamline.recommend.sequence import sasrec_net as N

            torch.manual_seed(self.config.random_state)
            d = N.training_data(seqs, self.config.max_len)
            if len(d.windows) == 0:
                raise DataError("sasrec: no user has two or more items in order to learn from")
            self.device_ = pick_device(torch, self.config.device)
            self.net_ = N.SASRecNet(data.n_items, self.config).to(self.device_)
            self.train_info_ = N.train(self.net_, d, self.config, self.device_)

    def _inputs(self, H: sp.csr_matrix) -> Ints:
        """Each history row's latest `max_len` items, oldest first, left-padded (ids + 1)."""
        H = sp.csr_matrix(H)
        L = self.config.max_len
        row = np.repeat(np.arange(H.shape[0]), np.diff(H.indptr))
        rank = rank_of(H.data, None).astype(np.int64)
        keep = rank < L
        out = np.zeros((H.shape[0], L), dtype=np.int64)
        out[row[keep], L - 1 - rank[keep]] = H.indices[keep] + 1
        return out

    def _net_scores(self, seqs: Ints) -> F32:
        dev = self.device_
        with self._torch() as torch, torch.no_grad():
            self.net_.eval()
            parts = [
                self.net_.last_scores(torch.as_tensor(seqs[b : b + SCORE_BATCH], device=dev))
                .float().cpu().numpy()
                for b in range(0, len(seqs), SCORE_BATCH)
            ]  # fmt: skip
        if not parts:
            return np.zeros((0, self.n_items), dtype=np.float32)
        return np.asarray(np.concatenate(parts), dtype=np.float32)

    def _score_history(self, H: sp.csr_matrix) -> F32:
        return self._net_scores(self._inputs(H))

    def _contribs(self, user_id: str, hist: sp.csr_matrix, items: Ints) -> np.ndarray:
        seq = ordered_items(hist, self.config.max_len)
        L, n = self.config.max_len, len(seq)
        variants = np.zeros((n + 1, L), dtype=np.int64)
        variants[0, L - n :] = seq + 1
        for t in range(n):  # the input without its t-th item (at most max_len rows)
            rest = np.delete(seq, t)
            variants[t + 1, L - len(rest) :] = rest + 1
        S = self._net_scores(variants)[:, items].astype(np.float64)
        drop = S[0][None, :] - S[1:]  # how much each item's presence raises the score
        out = np.zeros((len(hist.indices), len(items)))
        out[np.searchsorted(hist.indices, seq)] = drop
        return out

    def _item_sim(self, item: int) -> Floats:
        E = self.net_.item.weight[1:].detach().float().cpu().numpy().astype(np.float64)
        norms = np.linalg.norm(E, axis=1) * np.linalg.norm(E[item])
        return np.where(norms > 0, E @ E[item] / np.maximum(norms, 1e-12), 0.0)

    def _fold_row(self, hist: sp.csr_matrix | None, idx: Ints, w: Floats) -> sp.csr_matrix:
        """New items become the latest steps (`w` is not used: order is what counts)."""
        return append_steps(hist, idx, self.n_items, None)

    def _state(self) -> dict[str, np.ndarray]:
        arrays = {NET + k: v.detach().cpu().numpy() for k, v in self.net_.state_dict().items()}
        arrays["best_epoch"] = np.asarray(self.train_info_["best_epoch"])
        return arrays

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        with self._torch() as torch:
            from seamline.recommend.sequence.sasrec_net import SASRecNet

            self.device_ = pick_device(torch, self.config.device)
            net = SASRecNet(int(self.X_.shape[1]), self.config)
            state = {k[len(NET) :]: torch.from_numpy(np.array(v)) for k, v in arrays.items()
                     if k.startswith(NET)}  # fmt: skip
            net.load_state_dict(state)
            self.net_ = net.to(self.device_).eval()
        self.train_info_ = {"best_epoch": int(arrays.get("best_epoch", 0))}
