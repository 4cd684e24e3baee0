"""Configs of the transfer models (each a `ModelConfig`: data preparation nested)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AliasChoices, Field

from seamline.recommend.config import ModelConfig


class CrossItemConfig(ModelConfig):
    """Co-interest item-to-item: P(j | i) over shared users, shrunk towards j's domain
    popularity by `shrink` pseudo-users; `pop_penalty` divides by popularity^penalty."""

    what: ClassVar[str] = "xitem config"
    model: ClassVar[str] = "xitem"

    shrink: float = Field(
        5.0, ge=0, allow_inf_nan=False, validation_alias=AliasChoices("shrink", "beta")
    )
    pop_penalty: float = Field(0.0, ge=0, le=1, allow_inf_nan=False)


class EMCDRConfig(ModelConfig):
    """Embedding and mapping: per-domain PureSVD factors, and a map from one domain's user
    factors to another's learned on the users active in both (ridge or a small MLP)."""

    what: ClassVar[str] = "emcdr config"
    model: ClassVar[str] = "emcdr"

    factors: int = Field(32, ge=1)
    mapping: Literal["ridge", "mlp"] = "ridge"
    ridge: float = Field(1.0, ge=0, allow_inf_nan=False)
    hidden: int = Field(64, ge=1)  # MLP hidden units
    iterations: int = Field(200, ge=1)  # MLP epochs
    random_state: int = 42


class ContentBridgeConfig(ModelConfig):
    """Item text (title, category, brand) as TF-IDF over character n-grams reduced by a
    seeded SVD; a user's profile is the mean of their items' vectors."""

    what: ClassVar[str] = "content config"
    model: ClassVar[str] = "content"

    dim: int = Field(64, ge=2)
    max_features: int = Field(20_000, ge=10)
    random_state: int = 42


class TransferConfig(ModelConfig):
    """The blend: popularity, co-interest, EMCDR and content, weighted per target domain
    on a validation carve of the training users (`step` is the weight grid's step)."""

    what: ClassVar[str] = "transfer config"
    model: ClassVar[str] = "transfer"

    xitem: CrossItemConfig = CrossItemConfig()
    emcdr: EMCDRConfig = EMCDRConfig()
    content: ContentBridgeConfig = ContentBridgeConfig()
    step: float = Field(0.1, gt=0, le=0.5)
    validation_users: int = Field(600, ge=10)
    validation_fraction: float = Field(0.2, gt=0, lt=1)
    k: int = Field(10, ge=1)
    random_state: int = 42
