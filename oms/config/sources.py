"""The layers of the settings and where each value came from: files, then the environment, then the command line.

One scheme for the environment: `OMS_<TABLE>__<KEY>` (`OMS_IBKR__PORT=4001`, `OMS_ALGOS__IS_DECAY__HIGH=0.4`), and
`OMS_<KEY>` for a top-level key (`OMS_DATA_DIR`). A table model may declare documented aliases in its
`env_aliases` class attribute (`OMS_IBKR_PORT`, `APCA_API_KEY_ID`); the canonical name wins over an alias.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from oms.config.schema import Path_, Schema, model_of

PREFIX = "OMS_"
Layer = tuple[str, dict[str, Any]]  # (where the values came from, the values as nested tables)


def environment_layers(environ: Mapping[str, str], schema: Schema) -> list[Layer]:
    """One layer per variable that sets a value: aliases first, then the canonical names over them."""
    aliases: list[Layer] = []
    canonical: list[Layer] = []
    alias_names = _aliases(schema)
    top_level = {
        f"{PREFIX}{name.upper()}": name for name, f in schema.root.model_fields.items() if not model_of(f.annotation)
    }
    for variable in sorted(environ):
        raw = environ[variable]
        if variable in alias_names:
            if raw != "":
                path = alias_names[variable]
                aliases.append((variable, nest(path, typed(raw, path, schema))))
        elif variable in top_level:
            path = (top_level[variable],)
            canonical.append((variable, nest(path, typed(raw, path, schema))))
        elif variable.startswith(PREFIX) and "__" in variable:
            path = tuple(part.lower() for part in variable[len(PREFIX) :].split("__"))
            if all(path):
                canonical.append((variable, nest(path, typed(raw, path, schema))))
    return aliases + canonical


def _aliases(schema: Schema) -> dict[str, Path_]:
    names: dict[str, Path_] = {}
    for table, annotation in schema.tables().items():
        model = model_of(annotation)
        for variable, key in (getattr(model, "env_aliases", None) or {}).items():
            names[variable] = (table, key)
    return names


def typed(raw: str, path: Path_, schema: Schema) -> Any:
    """Text stays text where the setting is text; elsewhere the value is read as a TOML value when it parses."""
    if schema.text(path):
        return raw
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return raw


def nest(path: Path_, value: Any) -> dict[str, Any]:
    node: Any = value
    for part in reversed(path):
        node = {part: node}
    return dict(node)


def layered(layers: Iterable[Layer]) -> tuple[dict[str, Any], dict[Path_, str]]:
    """Merge the layers in order (later wins key by key) and note which layer gave each key and table."""
    values: dict[str, Any] = {}
    origins: dict[Path_, str] = {}
    for where, layer in layers:
        _overlay(values, layer, (), where, origins)
    return values, origins


def _overlay(
    into: dict[str, Any], layer: Mapping[str, Any], path: Path_, where: str, origins: dict[Path_, str]
) -> None:
    for key, value in layer.items():
        here = (*path, str(key))
        origins[here] = where
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key] = dict(into[key])
            _overlay(into[key], value, here, where, origins)
        else:
            into[key] = _copy(value)
            _note(value, here, where, origins)


def _copy(value: Any) -> Any:
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value


def _note(value: Any, path: Path_, where: str, origins: dict[Path_, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            origins[(*path, str(key))] = where
            _note(inner, (*path, str(key)), where, origins)


def origin_of(path: Path_, origins: Mapping[Path_, str], fallback: str) -> str:
    """The layer that gave the deepest known part of `path`."""
    for end in range(len(path), 0, -1):
        if path[:end] in origins:
            return origins[path[:end]]
    return fallback


def suggested_variable(variable: str, path: Path_, advice: str) -> str:
    """Turn `did you mean 'risk'?` into the variable to use when the value came from the environment."""
    if not variable.startswith(PREFIX) or "'" not in advice or "__" not in variable:
        return advice
    nearest = advice.split("'")[1]
    fixed = (*path[:-1], nearest)
    parts = variable[len(PREFIX) :].split("__")
    rest = parts[len(fixed) :]
    name = PREFIX + "__".join(part.upper() for part in (*fixed, *rest))
    return advice.replace(f"{nearest!r}", f"{nearest!r} ({name})")
