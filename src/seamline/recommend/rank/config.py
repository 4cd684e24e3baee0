"""The rankers' one validated config (DeepFM, plain FM and logistic regression share it)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AliasChoices, Field

from seamline.config import SeamlineConfig

RANKER_KINDS = ("deepfm", "fm", "lr")


class RankerConfig(SeamlineConfig):
    what: ClassVar[str] = "ranker config"

    model: Literal["deepfm", "fm", "lr"] = "deepfm"
    embedding_dim: int = Field(
        16, ge=1, le=512, validation_alias=AliasChoices("embedding_dim", "dim")
    )
    hidden: tuple[int, ...] = (128, 64)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    learning_rate: float = Field(2e-3, gt=0.0, validation_alias=AliasChoices("learning_rate", "lr"))
    l2_embedding: float = Field(1e-4, ge=0.0)
    weight_decay: float = Field(0.0, ge=0.0)
    lr_decay: float = Field(1.0, gt=0.0, le=1.0, description="learning-rate factor per epoch")
    batch_size: int = Field(1024, ge=1)
    max_epochs: int = Field(20, ge=1, validation_alias=AliasChoices("max_epochs", "epochs"))
    patience: int = Field(3, ge=1)
    validation_fraction: float = Field(0.05, ge=0.0, lt=1.0)
    min_count: int = Field(1, ge=1)
    max_values: int = Field(6, ge=1)
    negatives: int = Field(4, ge=1, description="sampled negatives per positive, without exposures")
    seed: int = 42
    device: Literal["auto", "cpu", "cuda"] = "auto"
    threads: int | None = Field(None, ge=1, description="CPU threads; None keeps torch's")
