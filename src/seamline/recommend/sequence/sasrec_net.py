"""The SASRec network and its training loop (PyTorch; imported only by `sasrec` when a
model is fitted or loaded). Items are 1..n (0 pads a sequence on the left)."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import nn

from seamline.recommend.config import SASRecConfig
from seamline.recommend.sequence.history import Sequences

Ints = npt.NDArray[np.int64]
K = 10  # validation NDCG@K


class SASRecNet(nn.Module):
    def __init__(self, n_items: int, c: SASRecConfig) -> None:
        super().__init__()
        self.heads, self.max_len = c.heads, c.max_len
        self.item = nn.Embedding(n_items + 1, c.factors, padding_idx=0)
        self.pos = nn.Embedding(c.max_len, c.factors)
        self.drop = nn.Dropout(c.dropout)
        layer = nn.TransformerEncoderLayer(
            c.factors, c.heads, dim_feedforward=c.factors, dropout=c.dropout,
            batch_first=True, norm_first=True,
        )  # fmt: skip
        self.blocks = nn.TransformerEncoder(layer, c.blocks, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c.factors)
        nn.init.normal_(self.item.weight, std=c.factors**-0.5)
        with torch.no_grad():
            self.item.weight[0].zero_()

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        """(batch, length) item ids -> (batch, length, factors) states."""
        B, L = seq.shape
        pad = seq == 0
        x = self.item(seq) * math.sqrt(self.item.embedding_dim)
        x = self.drop(x + self.pos(torch.arange(L, device=seq.device))[None])
        x = x * (~pad)[..., None]
        # causal, and no query looks at a pad (a pad looks at itself, so no row is empty)
        eye = torch.eye(L, dtype=torch.bool, device=seq.device)
        causal = torch.ones(L, L, dtype=torch.bool, device=seq.device).triu(1)
        blocked = causal[None] | (pad[:, None, :] & ~eye[None])
        mask = torch.zeros(B, L, L, device=seq.device).masked_fill(blocked, float("-inf"))
        h = self.blocks(x, mask=mask.repeat_interleave(self.heads, dim=0))
        return self.norm(h)

    def last_scores(self, seq: torch.Tensor) -> torch.Tensor:
        """Scores (batch, n_items) of the next item after each sequence's last one."""
        h = self.forward(seq)[:, -1]
        return h @ self.item.weight[1:].T


def left_padded(item: Ints, ends: Ints, length: int, starts: Ints) -> Ints:
    """Rows of `length` item ids (+1; 0 pads): the steps up to each end (inclusive) that
    lie at or after the row's start."""
    pos = ends[:, None] - np.arange(length - 1, -1, -1)[None, :]
    ok = pos >= starts[:, None]
    return np.where(ok, item[np.where(ok, pos, 0)] + 1, 0).astype(np.int64)


@dataclass
class TrainData:
    windows: Ints  # (n, max_len + 1): inputs are [:, :-1], targets [:, 1:]
    val_input: Ints  # (n_val, max_len)
    val_target: Ints  # (n_val,) item index (0-based)
    val_seen: sp.csr_matrix  # (n_val, n_items) items in each validation input's history


def training_data(seqs: Sequences, max_len: int) -> TrainData:
    """Windows of `max_len + 1` steps cut from the end of each user's sequence (long ones
    give several, overlapping by one step); users with 3+ steps keep their last one apart
    for validation."""
    item, counts, starts = seqs.item, seqs.counts(), seqs.starts()
    val = counts >= 3
    n_train = counts - val  # steps used for training
    n_win = np.where(n_train >= 2, -(-(n_train - 1) // max_len), 0)
    owner = np.repeat(np.arange(len(counts)), n_win)
    k = np.arange(n_win.sum()) - np.repeat(np.cumsum(n_win) - n_win, n_win)
    ends = starts[owner] + n_train[owner] - 1 - k * max_len
    windows = left_padded(item, ends, max_len + 1, starts[owner])
    vu = np.flatnonzero(val)
    v_ends = starts[vu] + counts[vu] - 2
    row_of = np.full(len(counts), -1)
    row_of[vu] = np.arange(len(vu))
    before = val[seqs.user] & (seqs.rank() > 0)  # validation users' steps but the last
    seen = sp.csr_matrix(
        (np.ones(int(before.sum()), dtype=bool), (row_of[seqs.user[before]], item[before])),
        shape=(len(vu), seqs.n_items),
    )
    return TrainData(
        windows, left_padded(item, v_ends, max_len, starts[vu]), item[v_ends + 1], seen
    )


def val_ndcg(net: SASRecNet, d: TrainData, device: Any, batch: int) -> float:
    net.eval()
    total = 0.0
    with torch.no_grad():
        for b in range(0, len(d.val_target), batch):
            x = torch.as_tensor(d.val_input[b : b + batch], device=device)
            s = net.last_scores(x)
            seen = torch.as_tensor(d.val_seen[b : b + batch].toarray(), device=device)
            s = s.masked_fill(seen, float("-inf"))
            t = torch.as_tensor(d.val_target[b : b + batch], device=device)
            rank = (s > s.gather(1, t[:, None])).sum(1).float()
            total += float(torch.where(rank < K, 1.0 / torch.log2(rank + 2.0), 0.0).sum())
    return total / max(len(d.val_target), 1)


def train(net: SASRecNet, d: TrainData, c: SASRecConfig, device: Any) -> dict[str, Any]:
    """Adam on the next-item softmax loss; keeps the weights of the best validation epoch."""
    gen = torch.Generator().manual_seed(c.random_state)
    opt = torch.optim.Adam(net.parameters(), lr=c.learning_rate, weight_decay=c.weight_decay)
    W = torch.as_tensor(d.windows)
    has_val = len(d.val_target) > 0
    best, best_state, best_epoch, bad, history = -1.0, None, 0, 0, []
    for epoch in range(1, c.epochs + 1):
        net.train()
        losses = []
        for idx in torch.randperm(len(W), generator=gen).split(c.batch_size):
            w = W[idx].to(device)
            x, y = w[:, :-1], w[:, 1:].masked_fill(w[:, :-1] == 0, 0)
            keep = y > 0
            h = net(x)[keep]
            loss = F.cross_entropy(h @ net.item.weight.T, y[keep])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        score = val_ndcg(net, d, device, 4 * c.batch_size) if has_val else float("nan")
        history.append({"epoch": epoch, "loss": float(np.mean(losses or [0.0])), "val": score})
        if not has_val:
            continue
        if score > best:
            best, best_epoch, bad = score, epoch, 0
            best_state = copy.deepcopy(net.state_dict())
        else:
            bad += 1
            if bad >= c.patience:
                break
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    return {"best_epoch": best_epoch or len(history), "val_ndcg": best, "history": history}
