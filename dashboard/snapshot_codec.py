"""The JSON codec of the published live state: a registry of the value types it may hold.

A value is encoded field by field (``dataclasses.fields``) and decoded from the type hints
of its registered class, so a new field of a registered type needs nothing here, and a new
value type (a frozen dataclass of plain fields) needs one line in :data:`VALUE_TYPES`.
Nothing is ever rebuilt from a name found in the payload except a registered type: a
document naming anything else is refused.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from dashboard.comparison import Comparison, DayProfile
from dashboard.intelligence.values import Incident
from dashboard.live_store import LiveState
from dashboard.shifts import Window
from dashboard.snapshot import OverdueItem, Snapshot
from dashboard.switchboard.figures import SwitchboardFigures
from data_access.queries import Filters, ReferenceCodes
from data_access.reference import Labels
from data_access.values import CallTargets, OperatorFigures

#: Every dataclass the live state may contain (at any depth). Add a new value type here.
VALUE_TYPES: tuple[type, ...] = (
    LiveState,
    Snapshot,
    OverdueItem,
    Window,
    Filters,
    Comparison,
    DayProfile,
    Labels,
    ReferenceCodes,
    SwitchboardFigures,
    OperatorFigures,
    CallTargets,
    Incident,
)
PAIRS = "__pairs__"


class CodecError(ValueError):
    """A value or a document outside what the codec knows."""


def _registry(kinds: tuple[type, ...]) -> Mapping[str, type]:
    by_name = {kind.__name__: kind for kind in kinds}
    if len(by_name) != len(kinds):
        raise CodecError("two registered value types share a name")
    return types.MappingProxyType(by_name)


REGISTRY: Mapping[str, type] = _registry(VALUE_TYPES)
# The field types of each registered type, resolved once (decoding follows them).
HINTS: Mapping[type, Mapping[str, Any]] = types.MappingProxyType(
    {kind: types.MappingProxyType(typing.get_type_hints(kind)) for kind in VALUE_TYPES}
)


def encode_value(value: Any) -> Any:
    """A JSON-ready form of registered dataclasses, datetimes, tuples and mappings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if REGISTRY.get(type(value).__name__) is not type(value):
            raise CodecError(f"{type(value).__qualname__} is not a registered value type")
        return {f.name: encode_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: encode_value(item) for key, item in value.items()}
        # Keys that are not strings (dates, windows) travel as pairs.
        return {PAIRS: [[encode_value(key), encode_value(item)] for key, item in value.items()]}
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    return value


def _decode_union(value: Any, kind: Any) -> Any:
    if value is None:
        return None
    options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
    if len(options) == 1:
        return decode_value(value, options[0])
    for option in options:
        if isinstance(option, type) and isinstance(value, option):
            return value
    return decode_value(value, options[0])


def _decode_container(value: Any, kind: Any, origin: Any) -> Any:
    args = typing.get_args(kind)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode_value(item, args[0]) for item in value)
        return tuple(decode_value(item, arg) for item, arg in zip(value, args, strict=True))
    if origin is list:
        (arg,) = args or (Any,)
        return [decode_value(item, arg) for item in value]
    key_kind, item_kind = args or (Any, Any)
    pairs = value[PAIRS] if set(value) == {PAIRS} else value.items()
    return {decode_value(k, key_kind): decode_value(v, item_kind) for k, v in pairs}


def _decode_dataclass(value: Any, kind: type) -> Any:
    hints = HINTS.get(kind)
    if hints is None:
        raise CodecError(f"{kind.__qualname__} is not a registered value type")
    fields = {
        f.name: decode_value(value[f.name], hints[f.name])
        for f in dataclasses.fields(kind)
        if f.name in value
    }
    return kind(**fields)


def decode_value(value: Any, kind: Any) -> Any:
    """Rebuild a value of type ``kind`` from its JSON form (the inverse of encode_value)."""
    if kind is Any or kind is object:
        return value
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(value, kind)
    if value is None:
        return None
    if origin in (tuple, list, dict):
        return _decode_container(value, kind, origin)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is float:
        return float(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _decode_dataclass(value, kind)
    return value


def encode_tagged(value: Any) -> dict[str, Any]:
    """A registered value with its type's name, so that it can be rebuilt."""
    name = type(value).__name__
    if REGISTRY.get(name) is not type(value):
        raise CodecError(f"{type(value).__qualname__} is not a registered value type")
    return {"type": name, "value": encode_value(value)}


def decode_tagged(document: Mapping[str, Any]) -> Any:
    """Rebuild a tagged value; only the registered value types are accepted."""
    kind = REGISTRY.get(str(document["type"]))
    if kind is None:
        raise CodecError(f"refusing to decode {str(document['type'])[:80]!r}: not registered")
    return decode_value(document["value"], kind)
