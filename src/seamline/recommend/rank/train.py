"""Mini-batch training of a ranking network with early stopping on a validation split.

The encoded arrays go to the device once as tensors; each epoch is a seeded permutation
sliced into batches, so the only Python loop is over batches. After every epoch the
validation logloss decides: the best epoch's weights are kept, and training stops after
`patience` epochs without improvement.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from seamline.recommend.rank.fields import Encoded
from seamline.recommend.torch_env import torch_threads

if TYPE_CHECKING:
    import torch

    from seamline.recommend.rank.config import RankerConfig
    from seamline.recommend.rank.nets import RankNet

EVAL_BATCH = 65536


@dataclass
class TrainLog:
    epochs: int = 0
    best_epoch: int = 0
    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    train_seconds: float = 0.0
    device: str = "cpu"

    def to_dict(self) -> dict[str, Any]:
        return {
            "epochs": self.epochs, "best_epoch": self.best_epoch,
            "train_loss": self.train_loss, "valid_loss": self.valid_loss,
            "train_seconds": self.train_seconds, "device": self.device,
        }  # fmt: skip


def tensors(x: Encoded, device: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    import torch

    return (
        torch.as_tensor(x.sparse, device=device),
        torch.as_tensor(x.multi, device=device),
        torch.as_tensor(x.dense, device=device),
    )


def predict_logits(net: RankNet, x: Encoded, device: str) -> npt.NDArray[np.float64]:
    import torch

    net.eval()
    s, m, d = tensors(x, device)
    if len(x) <= EVAL_BATCH:  # one block (serving): no slicing, no concatenation
        with torch.inference_mode():
            out: npt.NDArray[np.float64] = net(s, m, d).double().cpu().numpy()
        return out
    parts = []
    with torch.no_grad():
        for a in range(0, len(x), EVAL_BATCH):
            parts.append(net(s[a : a + EVAL_BATCH], m[a : a + EVAL_BATCH], d[a : a + EVAL_BATCH]))
    if not parts:
        return np.empty(0, dtype=np.float64)
    return torch.cat(parts).double().cpu().numpy()


def _logloss(logits: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    # log(1 + e^-|z|) + max(z, 0) - y z: the stable form of binary cross-entropy on logits
    z = logits
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def fit_net(
    net: RankNet,
    train: Encoded,
    y: npt.NDArray[np.float64],
    valid: Encoded | None,
    y_valid: npt.NDArray[np.float64] | None,
    cfg: RankerConfig,
    device: str,
) -> TrainLog:
    import torch

    with torch_threads(torch, cfg.threads):
        return _fit(net, train, y, valid, y_valid, cfg, device)


def _fit(
    net: RankNet,
    train: Encoded,
    y: npt.NDArray[np.float64],
    valid: Encoded | None,
    y_valid: npt.NDArray[np.float64] | None,
    cfg: RankerConfig,
    device: str,
) -> TrainLog:
    import torch

    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    net.to(device)
    emb = [p for n, p in net.named_parameters() if n.startswith("emb.")]
    rest = [p for n, p in net.named_parameters() if not n.startswith("emb.")]
    opt = torch.optim.Adam(
        [
            # the embeddings' L2 acts on the rows a batch uses (below), not the whole table
            {"params": emb, "weight_decay": 0.0},
            {"params": rest, "weight_decay": cfg.weight_decay},
        ],
        lr=cfg.learning_rate,
    )
    s, m, d = tensors(train, device)
    t = torch.as_tensor(y, dtype=torch.float32, device=device)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=cfg.lr_decay)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    log = TrainLog(device=device)
    best, best_state, waited = math.inf, None, 0
    start = time.perf_counter()
    n, bs = len(train), cfg.batch_size
    for epoch in range(1, cfg.max_epochs + 1):
        net.train()
        order = torch.randperm(n, generator=gen).to(device)
        total = 0.0
        for a in range(0, n, bs):
            idx = order[a : a + bs]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(s[idx], m[idx], d[idx]), t[idx])
            if cfg.l2_embedding and net.last_fields is not None:
                f = net.last_fields
                loss = loss + cfg.l2_embedding * (f * f).sum() / len(idx)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        sched.step()
        log.train_loss.append(total / max(n, 1))
        log.epochs = epoch
        if valid is None or y_valid is None or len(valid) == 0:
            log.best_epoch = epoch
            continue
        v = _logloss(predict_logits(net, valid, device), y_valid)
        log.valid_loss.append(v)
        if v < best - 1e-5:
            best, waited, log.best_epoch = v, 0, epoch
            best_state = copy.deepcopy(net.state_dict())
        else:
            waited += 1
            if waited >= cfg.patience:
                break
    if best_state is not None:
        net.load_state_dict(best_state)
    log.train_seconds = time.perf_counter() - start
    return log
