"""Walking a Dash component tree as JSON (``plotly.utils`` encoded) in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def props_where(tree: Any, match: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """The props of every component (in document order) for which ``match`` holds."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props", {})
            if match(props):
                found.append(props)
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(tree)
    return found


def props_of_id_type(tree: Any, kind: str) -> list[dict[str, Any]]:
    """The props of every component with a pattern-matching id of ``type`` ``kind``."""

    def match(props: dict[str, Any]) -> bool:
        component = props.get("id")
        return isinstance(component, dict) and component.get("type") == kind

    return props_where(tree, match)
