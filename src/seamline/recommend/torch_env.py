"""PyTorch for the models that need it: imported only when such a model is used (the
`deep` extra), on a GPU when one is present unless the config says otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from seamline.errors import ConfigError

EXTRA = "pip install torch==2.13.0 && pip install 'seamline[deep]'"


def require_torch(what: str) -> ModuleType:
    """The torch module; ConfigError naming the extra when it is not installed."""
    try:
        import torch
    except ImportError as e:
        raise ConfigError(f"{what} needs PyTorch: install the 'deep' extra ({EXTRA})") from e
    return torch


@contextmanager
def torch_threads(torch: ModuleType, threads: int | None) -> Iterator[None]:
    """torch's intra-op thread count set to `threads` (None: unchanged) for the block, then
    restored: one thread is much faster than the default pool on a busy shared CPU."""
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def pick_device(torch: ModuleType, device: str) -> Any:
    """'auto' -> cuda when available, else cpu; 'cuda' without a GPU is a ConfigError."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device='cuda' but no CUDA GPU is available; use 'auto' or 'cpu'")
    return torch.device(device)
