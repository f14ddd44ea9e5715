"""Option models: how a plugin declares its options.

Every plugin has an ``options_model``, a subclass of :class:`PluginOptions` (pydantic
v2). Each field has a type, a default (or is required) and a description; the dotted
SeaTunnel name is the field's alias::

    class FakeSourceOptions(PluginOptions):
        row_num: int = option(5, "rows generated per split set", alias="row.num")
        password: SecretStr | None = option(None, "database password", secret=True)

Unknown keys are rejected (the config layer adds a "did you mean"). Enum values are
case-insensitive (use :class:`OptionEnum`), booleans accept ``"true"``/``"FALSE"``,
and a list option given as a comma-separated string is split, as in SeaTunnel.
"""

from __future__ import annotations

import logging
import types
import typing
from enum import Enum
from typing import Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import OptionError

log = logging.getLogger(__name__)


class OptionEnum(str, Enum):
    """A string enum matched case-insensitively, as SeaTunnel matches enum options."""

    @classmethod
    def _missing_(cls, value: object) -> OptionEnum | None:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.strip().lower():
                    return member
        return None


def option(
    default: Any = ...,
    description: str = "",
    *,
    alias: str | None = None,
    secret: bool = False,
    fallback: str | None = None,
    **kwargs: Any,
) -> Any:
    """Declare one option: default (``...`` = required), description, SeaTunnel name.

    ``fallback`` names an older key accepted for the same option (SeaTunnel's fallback
    keys, e.g. ``fields`` for Filter's ``include_fields``).
    """
    extra: dict[str, Any] = {}
    if secret:
        extra["secret"] = True
    if fallback:
        extra["fallback"] = fallback
    return Field(
        default,
        description=description,
        alias=alias,
        json_schema_extra=extra or None,
        **kwargs,
    )


def _is_list_annotation(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return True
    if origin in (Union, types.UnionType):
        return any(_is_list_annotation(a) for a in typing.get_args(annotation))
    return False


class PluginOptions(BaseModel):
    """Base class of every plugin's option model (unknown keys are errors)."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        frozen=True,
        arbitrary_types_allowed=True,
        use_enum_values=False,
    )

    #: options whose values are free-form maps passed through to a client library
    passthrough: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _seatunnel_coercions(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, field in cls.model_fields.items():
            key = field.alias or name
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            fallback = extra.get("fallback")
            if key not in data and isinstance(fallback, str) and fallback in data:
                data[key] = data.pop(fallback)
            value = data.get(key)
            if isinstance(value, str) and _is_list_annotation(field.annotation):
                log.warning("option %s: list given as a string, split on ','", key)
                data[key] = [part.strip() for part in value.split(",") if part.strip()]
        return data

    def check(self) -> list[OptionError]:
        """Cross-option checks after validation; return one ``OptionError`` per problem."""
        return []

    @classmethod
    def option_names(cls) -> list[str]:
        """The names users write in job files (aliases where set), fallbacks included."""
        names: list[str] = []
        for name, field in cls.model_fields.items():
            names.append(field.alias or name)
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if isinstance(extra.get("fallback"), str):
                names.append(str(extra["fallback"]))
        return names

    @classmethod
    def secret_names(cls) -> set[str]:
        """Names of the options whose values must never be printed."""
        out = set()
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if extra.get("secret"):
                out.add(field.alias or name)
        return out


class NoOptions(PluginOptions):
    """Option model of a plugin without options."""
