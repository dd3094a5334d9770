"""What the settings tree accepts, read from the table models themselves: known keys, value kinds, secret tables.

The loader walks the merged values against this before pydantic sees them, so that an unknown table or key is
named with the nearest valid name, a boolean is only ever `true`/`false`, and a number is never a boolean.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr

from oms.config.errors import secret_shaped

Path_ = tuple[str, ...]
_NUMBERS = (int, float, Decimal)
_TEXT = (str, SecretStr, Path)


def unwrap(annotation: Any) -> Any:
    """The type under Annotated[...] and Optional[...]."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return unwrap(args[0])
    return annotation


def model_of(annotation: Any) -> type[BaseModel] | None:
    kind = unwrap(annotation)
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def holds_secrets(model: type[BaseModel]) -> bool:
    """A table with a SecretStr field: no value in it is ever quoted back, whatever its key."""
    return any(unwrap(field.annotation) is SecretStr for field in model.model_fields.values())


class Schema:
    """The root of the tree: the core Settings fields and each adapter's table model."""

    def __init__(self, root: type[BaseModel], adapters: Mapping[str, type[BaseModel]]) -> None:
        self.root = root
        self.adapters = dict(adapters)

    def tables(self) -> dict[str, Any]:
        known: dict[str, Any] = {name: field.annotation for name, field in self.root.model_fields.items()}
        known.update(self.adapters)
        return known

    def annotation(self, path: Path_) -> Any:
        """The declared type at `path`, or None when the path is not in the tree."""
        current: Any = None
        fields: dict[str, Any] | None = self.tables()
        for depth, part in enumerate(path):
            if fields is None or part not in fields:
                return None
            current = fields[part]
            sub = model_of(current)
            fields = {n: f.annotation for n, f in sub.model_fields.items()} if sub else None
            if sub is None and depth < len(path) - 1:
                return Any  # inside a free-form table (sector limits, per-urgency maps): pydantic checks it
        return current

    def secret(self, path: Path_) -> bool:
        """Whether a value at `path` must never be shown: a secret-shaped key, or any key of a secret table."""
        if any(secret_shaped(part) for part in path):
            return True
        fields: dict[str, Any] | None = self.tables()
        for part in path:
            if fields is None or part not in fields:
                return True  # unknown: nobody can say what it holds
            sub = model_of(fields[part])
            if sub is None:
                return unwrap(fields[part]) is SecretStr
            if holds_secrets(sub):
                return True
            fields = {n: f.annotation for n, f in sub.model_fields.items()}
        return False

    def text(self, path: Path_) -> bool:
        """Whether the value at `path` is text (an environment variable's value is then taken verbatim)."""
        return unwrap(self.annotation(path)) in _TEXT


def problems(values: Mapping[str, Any], schema: Schema) -> Iterator[tuple[Path_, str]]:
    """Each unknown table or key (with the nearest valid name) and each value of the wrong kind, in file order."""
    yield from _walk(values, schema.tables(), ())


def _walk(values: Mapping[str, Any], fields: dict[str, Any], path: Path_) -> Iterator[tuple[Path_, str]]:
    for key, value in values.items():
        here = (*path, str(key))
        if key not in fields:
            yield here, _unknown(str(key), fields, table=not path and isinstance(value, dict))
            continue
        annotation = fields[key]
        sub = model_of(annotation)
        if sub is not None:
            if isinstance(value, dict):
                yield from _walk(value, {n: f.annotation for n, f in sub.model_fields.items()}, here)
            continue  # a value where a table belongs: pydantic says so
        kind = unwrap(annotation)
        if kind is bool and not isinstance(value, bool):
            yield here, "must be true or false (a TOML boolean, not text or a number)"
        elif kind in _NUMBERS and isinstance(value, bool):
            yield here, "must be a number, not true or false"


def _unknown(name: str, fields: dict[str, Any], *, table: bool) -> str:
    what = "unknown table" if table else "unknown key"
    close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
    if close:
        return f"{what}; did you mean {close[0]!r}?"
    return f"{what}; known: {', '.join(sorted(fields))}"
