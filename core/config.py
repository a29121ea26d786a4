"""Hyperparameter dataclasses: typed overrides from strings (`--set nap.every=10`) and field validation."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

from core.errors import MethodError, UserInputError, unknown_name_message


def parse_assignments(assignments: list[str] | tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Split `["nap.every=10", "bench.num_tasks=5"]` into `{"nap": {"every": "10"}, "bench": {...}}`."""
    parsed: dict[str, dict[str, str]] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        scope, dot, field = key.strip().rpartition(".")
        if not sep or not dot or not scope or not field:
            raise UserInputError(
                f"--set '{item}' is not of the form SCOPE.FIELD=VALUE "
                "(for example nap.every=10 or bench.num_tasks=20)"
            )
        parsed.setdefault(scope, {})[field] = value.strip()
    return parsed


def describe_type(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe_type(a) for a in typing.get_args(annotation))
    if origin is tuple:
        return "a comma-separated list of " + describe_type(typing.get_args(annotation)[0])
    if annotation is type(None):
        return "none"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


def coerce(text: str, annotation: Any) -> Any:
    """Turn the string `text` into a value of type `annotation`; raise ValueError when it does not fit."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        for option in typing.get_args(annotation):
            if str(option) == text:
                return option
        raise ValueError(text)
    if origin in (typing.Union, types.UnionType):
        if text.lower() in ("none", "null") and type(None) in typing.get_args(annotation):
            return None
        for option in typing.get_args(annotation):
            if option is type(None):
                continue
            try:
                return coerce(text, option)
            except ValueError:
                continue
        raise ValueError(text)
    if origin is tuple:
        inner = typing.get_args(annotation)[0]
        return tuple(coerce(part.strip(), inner) for part in text.split(",") if part.strip())
    if annotation is bool:
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ValueError(text)
    if annotation is int:
        return int(text)
    if annotation is float:
        return float(text)
    if annotation is str:
        return text
    raise ValueError(f"cannot set a field of type {annotation} from the command line")


def with_overrides(config: Any, overrides: Mapping[str, Any], scope: str, error: type[UserInputError] = MethodError) -> Any:
    """A copy of the dataclass `config` with `overrides` applied; strings are coerced to the field's type."""
    hints = typing.get_type_hints(type(config))
    fields = {f.name for f in dataclasses.fields(config) if f.init}
    values: dict[str, Any] = {}
    for name, raw in overrides.items():
        if name not in fields:
            raise error(unknown_name_message(f"field of {scope}", name, fields))
        if isinstance(raw, str):
            try:
                values[name] = coerce(raw, hints[name])
            except ValueError:
                raise error(f"{scope}.{name}={raw!r} is invalid: expected {describe_type(hints[name])}") from None
        else:
            values[name] = raw
    return dataclasses.replace(config, **values)


def require(condition: bool, scope: str, field: str, allowed: str, value: Any, error: type[UserInputError] = MethodError) -> None:
    """Raise an error naming `scope.field`, the bad value and what is allowed, unless `condition` holds."""
    if not condition:
        raise error(f"{scope}.{field}={value!r} is invalid: expected {allowed}")


def as_dict(config: Any) -> dict[str, Any]:
    """A JSON-friendly dict of a config dataclass (tuples become lists)."""
    def plain(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {f.name: plain(getattr(config, f.name)) for f in dataclasses.fields(config)}


Settings = typing.TypeVar("Settings")


def settings_of(config: Any, settings: type[Settings]) -> Settings:
    """The `settings` dataclass (validated by its own checks) holding the config's values of its fields: how a
    config that inherits several settings dataclasses hands each part to the code that reads it."""
    return settings(**{f.name: getattr(config, f.name) for f in dataclasses.fields(settings)})
