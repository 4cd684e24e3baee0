"""The ranking networks in PyTorch: logistic regression, a factorisation machine, DeepFM.

Imported only inside functions (torch is the optional `deep` extra). All three read the
same batch: `sparse` (B x S) and `multi` (B x M x L) indices into one shared embedding
table, and `dense` (B x D) standardised values.

- `lr`: a bias per categorical value plus a linear term of the dense fields.
- `fm`: `lr` plus the pairwise interactions <v_i, v_j> of the field vectors
  (0.5 * ((sum v)^2 - sum v^2), Rendle 2010).
- `deepfm`: `fm` plus an MLP over the concatenated field vectors and dense values
  (Guo et al. 2017), sharing the embeddings with the FM part.
"""

from __future__ import annotations

import torch
from torch import nn


class RankNet(nn.Module):
    def __init__(
        self,
        kind: str,
        n_embeddings: int,
        n_sparse: int,
        n_multi: int,
        n_dense: int,
        dim: int,
        hidden: tuple[int, ...],
        dropout: float,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.dim = dim if kind in ("fm", "deepfm") else 0
        self.bias = nn.Parameter(torch.zeros(1))
        # One table: column 0 is each value's first-order weight, the rest its FM vector,
        # so a batch needs a single lookup (and a single sparse gradient) for both.
        self.emb = nn.Embedding(n_embeddings, 1 + self.dim, padding_idx=0)
        with torch.no_grad():
            self.emb.weight.normal_(std=0.01)
            self.emb.weight[:, 0].zero_()
            self.emb.weight[0].zero_()
        self.w_dense = nn.Linear(n_dense, 1, bias=False) if n_dense else None
        self.mlp: nn.Sequential | None = None
        self.last_fields: torch.Tensor | None = None
        if kind == "deepfm":
            layers: list[nn.Module] = []
            width = (n_sparse + n_multi) * dim + n_dense
            for h in hidden:
                layers += [nn.Linear(width, h), nn.ReLU()]
                if dropout > 0:
                    layers.append(nn.Dropout(dropout))
                width = h
            layers.append(nn.Linear(width, 1))
            self.mlp = nn.Sequential(*layers)

    def _fields(self, sparse: torch.Tensor, multi: torch.Tensor) -> torch.Tensor:
        """Field rows B x F x (1 + d): single fields as looked up, multi fields mean-pooled."""
        b, n_single = sparse.shape
        if multi.shape[1] == 0:
            return self.emb(sparse)
        rows = self.emb(torch.cat([sparse, multi.flatten(1)], dim=1))
        single, many = rows[:, :n_single], rows[:, n_single:].view(b, *multi.shape[1:], -1)
        mask = (multi > 0).unsqueeze(-1).to(rows.dtype)
        pooled = many.sum(2) / mask.sum(2).clamp(min=1.0)  # padding rows are zero
        return torch.cat([single, pooled], dim=1)

    def forward(
        self, sparse: torch.Tensor, multi: torch.Tensor, dense: torch.Tensor
    ) -> torch.Tensor:
        """Logits, shape (B,)."""
        f = self._fields(sparse, multi)
        # the batch's field rows, for the training loop's L2 penalty on the embeddings
        self.last_fields = f if self.training else None
        out = self.bias + f[:, :, 0].sum(1)
        if self.w_dense is not None:
            out = out + self.w_dense(dense).squeeze(-1)
        if self.dim:
            e = f[:, :, 1:]
            s = e.sum(1)
            out = out + 0.5 * (s * s - (e * e).sum(1)).sum(1)
            if self.mlp is not None:
                out = out + self.mlp(torch.cat([e.flatten(1), dense], dim=1)).squeeze(-1)
        return out
