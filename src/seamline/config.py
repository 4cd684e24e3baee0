"""One configuration style for every component: a frozen pydantic model that rejects unknown
fields and turns pydantic's report into one `ConfigError` naming each field and what is allowed.

Subclass `SeamlineConfig`, declare fields with `Field(...)` constraints, `Literal[...]` choices
and `AliasChoices` for old spellings, and set `what` to the name used in error messages.
Constructing the config (`XConfig(**kw)`) and validating a mapping (`XConfig.model_validate(d)`)
both raise `ConfigError`; nested configs report the dotted path of the bad field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from seamline.errors import ConfigError


class FieldErrors(ConfigError):
    """A config's bad fields, each as `path: problem (got value)`; nested configs keep the
    dotted path (`segments.k: ...`) instead of repeating their own headline."""

    def __init__(self, what: str, parts: list[str]) -> None:
        self.parts = parts
        super().__init__(f"invalid {what}: " + "; ".join(parts))


def config_error(what: str, e: ValidationError) -> ConfigError:
    """One readable ConfigError from pydantic's report: option, problem, value given."""
    parts: list[str] = []
    for err in e.errors():
        where = ".".join(str(x) for x in err["loc"])
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, FieldErrors):
            # A nested config (pydantic runs its __init__) already named its fields.
            parts.extend(f"{where}.{p}" if where else p for p in inner.parts)
            continue
        msg = str(err["msg"]).removeprefix("Value error, ")
        if where:
            got = f" (got {err.get('input')!r})" if "got" not in msg else ""
            parts.append(f"{where}: {msg}{got}")
        else:
            parts.append(msg)
    return FieldErrors(what, parts)


class SeamlineConfig(BaseModel):
    """Base of every component's config: frozen, no unknown fields, errors as ConfigError."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    what: ClassVar[str] = "config"

    # Hidden from type checkers so they keep pydantic's typed `__init__` of each subclass.
    if not TYPE_CHECKING:

        def __init__(self, **data: Any) -> None:
            try:
                super().__init__(**data)
            except ValidationError as e:
                raise config_error(type(self).what, e) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as e:
            raise config_error(cls.what, e) from None

    def params(self) -> dict[str, Any]:
        """The fields as plain values (nested configs as dicts): `get_params` and `repr`."""
        return self.model_dump(mode="json")

    def replace(self, **changes: Any) -> Self:
        """A validated copy with some fields changed (pydantic's `model_copy` skips validation)."""
        return type(self).model_validate({**self.model_dump(), **changes})
