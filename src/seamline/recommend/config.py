"""One validated config per recommender, with the spellings of papers and peer libraries as
aliases (`lambda` for EASE's `l2`, `reg` for `regularization`, `k` / `K` for `neighbours`).

Every model config nests the data preparation it is fitted on (`data`: event weights, time
decay, aggregation of repeated pairs), so a tuning grid point or a saved model's metadata
is one plain dict. Those three options may also be given at the top level of the dict
(the form older grids and saved models use); they move into `data`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AliasChoices, Field, model_validator

from seamline.config import SeamlineConfig
from seamline.data.prep import HalfLife, InteractionsConfig
from seamline.errors import ConfigError

DATA_KEYS = ("event_weights", "half_life_days", "aggregate")


class ModelConfig(SeamlineConfig):
    """Base of the recommenders' configs: the data preparation every model is fitted on."""

    what: ClassVar[str] = "model config"
    model: ClassVar[str] = "base"

    data: InteractionsConfig = InteractionsConfig()

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        names: dict[str, str] = {}  # every accepted spelling -> field name
        shown: list[str] = []
        for name, f in cls.model_fields.items():
            names[name] = name
            alias = f.validation_alias
            others = (
                [str(a) for a in alias.choices if a != name]
                if isinstance(alias, AliasChoices)
                else []
            )
            names.update({a: name for a in others})
            shown.append(f"{name} (or {', '.join(others)})" if others else name)
        out: dict[str, Any] = {}
        lifted: dict[str, Any] = {}
        for key, value in values.items():
            if key in names:
                out[names[key]] = value  # one spelling per field: later keys win
            elif key in DATA_KEYS:
                lifted[key] = value  # the flat form: data preparation next to the model's own
            else:
                raise ConfigError(
                    f"model {cls.model!r} has no parameter {key!r}; allowed: {', '.join(shown)}"
                )
        if lifted:
            data = out.get("data", {})
            base = data.params() if isinstance(data, InteractionsConfig) else dict(data or {})
            out["data"] = {**base, **lifted}
        return out


class MostPopularConfig(ModelConfig):
    """`half_life_days` decays each event's weight in the popularity count (recent items)."""

    what: ClassVar[str] = "mostpop config"
    model: ClassVar[str] = "mostpop"

    half_life_days: HalfLife = None


# `recent_half_life` (in events) weighs each user's latest items most when scoring: on a
# temporal split the next item follows what the user did last.
class EASEConfig(ModelConfig):
    what: ClassVar[str] = "ease config"
    model: ClassVar[str] = "ease"

    l2: float = Field(
        100.0, gt=0, allow_inf_nan=False, validation_alias=AliasChoices("l2", "lambda")
    )
    recent_half_life: HalfLife = None
    max_items: int | None = Field(None, ge=1)  # None: `ease.MAX_ITEMS` when fitting
    threads: int | None = Field(None, ge=1)


class ALSConfig(ModelConfig):
    what: ClassVar[str] = "als config"
    model: ClassVar[str] = "als"

    factors: int = Field(64, ge=1)
    regularization: float = Field(
        10.0, ge=0, allow_inf_nan=False, validation_alias=AliasChoices("regularization", "reg")
    )
    alpha: float = Field(1.0, gt=0, allow_inf_nan=False)
    iterations: int = Field(15, ge=1)
    random_state: int = 42
    # Where the factors are fitted: `implicit` on this machine, or Spark MLlib
    # (`seamline[spark]`); either way the model scores and explains the same way.
    engine: Literal["implicit", "spark"] = "implicit"


class BPRConfig(ModelConfig):
    what: ClassVar[str] = "bpr config"
    model: ClassVar[str] = "bpr"

    factors: int = Field(64, ge=1)
    learning_rate: float = Field(0.01, gt=0, allow_inf_nan=False)
    regularization: float = Field(
        0.001, ge=0, allow_inf_nan=False, validation_alias=AliasChoices("regularization", "reg")
    )
    iterations: int = Field(100, ge=1)
    random_state: int = 42


def _neighbours(default: int) -> Any:
    return Field(default, ge=1, validation_alias=AliasChoices("neighbours", "k", "K"))


class ItemKNNConfig(ModelConfig):
    what: ClassVar[str] = "itemknn config"
    model: ClassVar[str] = "itemknn"

    neighbours: int = _neighbours(100)
    shrink: float = Field(0.0, ge=0, allow_inf_nan=False)
    recent_half_life: HalfLife = None


class UserKNNConfig(ModelConfig):
    what: ClassVar[str] = "userknn config"
    model: ClassVar[str] = "userknn"

    neighbours: int = _neighbours(50)
    shrink: float = Field(0.0, ge=0, allow_inf_nan=False)
    recent_half_life: HalfLife = None


# The defaults are the item-transition model of the shared sequential benchmark (its
# validation-best point on ml-100k); `evaluate.grids` tunes around them.
class TransitionConfig(ModelConfig):
    """Item -> item transitions within `window` steps of a user's sequence, weighted
    `distance_decay ** (d - 1)` at distance d (`backward` weighs the reverse direction:
    0 directed, 1 symmetric); rows normalised by their sum ** `normalize`; a user's score is
    the sum of the rows of their `last_n` latest items, the r-th latest weighted
    `recency_decay ** r`."""

    what: ClassVar[str] = "transition config"
    model: ClassVar[str] = "transition"

    window: int = Field(5, ge=1, le=50, validation_alias=AliasChoices("window", "w"))
    distance_decay: float = Field(
        0.7, gt=0, le=1, validation_alias=AliasChoices("distance_decay", "gamma")
    )
    backward: float = Field(1.0, ge=0, le=1)
    normalize: float = Field(0.5, ge=0, le=1, validation_alias=AliasChoices("normalize", "a"))
    last_n: int = Field(10, ge=1, validation_alias=AliasChoices("last_n", "L"))
    recency_decay: float = Field(
        0.8, gt=0, le=1, validation_alias=AliasChoices("recency_decay", "beta")
    )


class SASRecConfig(ModelConfig):
    """Self-attentive sequential recommendation (Kang & McAuley 2018): causal transformer
    blocks over a user's last `max_len` items, softmax over the catalog. Trained with Adam;
    stops after `patience` epochs without a better validation NDCG@10 (each user's last
    item held out) and keeps the best epoch's weights."""

    what: ClassVar[str] = "sasrec config"
    model: ClassVar[str] = "sasrec"

    factors: int = Field(64, ge=4, validation_alias=AliasChoices("factors", "n_factors"))
    blocks: int = Field(2, ge=1, validation_alias=AliasChoices("blocks", "n_blocks"))
    heads: int = Field(2, ge=1, validation_alias=AliasChoices("heads", "n_heads"))
    dropout: float = Field(0.2, ge=0, lt=1)
    max_len: int = Field(50, ge=2, validation_alias=AliasChoices("max_len", "session_max_len"))
    learning_rate: float = Field(
        1e-3, gt=0, allow_inf_nan=False, validation_alias=AliasChoices("learning_rate", "lr")
    )
    weight_decay: float = Field(0.0, ge=0, allow_inf_nan=False)
    batch_size: int = Field(128, ge=1, validation_alias=AliasChoices("batch_size", "batch"))
    epochs: int = Field(30, ge=1)
    patience: int = Field(3, ge=1)
    random_state: int = Field(42, validation_alias=AliasChoices("random_state", "seed"))
    device: Literal["auto", "cpu", "cuda"] = "auto"  # auto: a GPU when one is present
    # One CPU thread by default: small batches gain little from more, and on a busy machine
    # torch's spinning threads slow training tenfold. None: torch's own default.
    threads: int | None = Field(1, ge=1)

    @model_validator(mode="after")
    def _heads_divide(self) -> SASRecConfig:
        if self.factors % self.heads:
            raise ValueError(f"factors ({self.factors}) must be a multiple of heads ({self.heads})")
        return self


BLENDABLE = ("transition", "ease", "sasrec")


class BlendConfig(ModelConfig):
    """A weighted sum of retrievers' scores, each user's scores divided by their largest
    absolute value over unseen items first. `weights` None: chosen on validation (each
    user's last item held out) over a grid of step `weight_step`. Every component fits on
    the blend's own `data` preparation."""

    what: ClassVar[str] = "blend config"
    model: ClassVar[str] = "blend"

    components: tuple[Literal["transition", "ease", "sasrec"], ...] = ("transition", "ease")
    weights: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None
    weight_step: float = Field(0.1, gt=0, le=0.5)
    validation_users: int = Field(3000, ge=10)  # a seeded sample bounds the weight search
    random_state: int = 42
    transition: TransitionConfig = TransitionConfig(normalize=0.8)
    ease: EASEConfig = EASEConfig(l2=400.0, recent_half_life=8.0)
    sasrec: SASRecConfig = SASRecConfig()

    @model_validator(mode="after")
    def _consistent(self) -> BlendConfig:
        if not self.components or len(set(self.components)) != len(self.components):
            raise ValueError(f"components must name distinct models of {', '.join(BLENDABLE)}")
        if self.weights is not None:
            extra = set(self.weights) - set(self.components)
            if extra or set(self.weights) != set(self.components):
                raise ValueError(
                    f"weights must give one number per component ({', '.join(self.components)})"
                )
            if sum(self.weights.values()) <= 0:
                raise ValueError("weights must not all be 0")
        return self
