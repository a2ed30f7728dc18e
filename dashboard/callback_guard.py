"""A shape check of Dash callback requests, before Dash reads them.

Dash answers a malformed body (no ``output``, an unknown output, too few
inputs, a non-list) with a 500; a forged request gets a 400 here instead.
The values themselves are validated by each callback.
"""

from __future__ import annotations

from typing import Any

from dash import Dash
from flask import Response, jsonify, request

MAX_CALLBACK_BODY = 1_000_000


def _is_dependency(item: Any) -> bool:
    if isinstance(item, list):  # pattern-matching (ALL / ALLSMALLER) inputs arrive as lists
        return all(_is_dependency(entry) for entry in item)
    return isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str)


def payload_problem(body: Any, callback_map: dict[str, Any]) -> str | None:
    """Why a callback request body is malformed, or None when its shape is right."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "unknown callback output"
    declared = callback_map[output]
    for part in ("inputs", "state"):
        items = body.get(part, [])
        if not isinstance(items, list) or not all(_is_dependency(item) for item in items):
            return f"'{part}' must be a list of dependencies"
        if len(items) != len(declared.get(part) or []):
            return f"'{part}' does not match the callback"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(item, str) for item in changed):
        return "'changedPropIds' must be a list of strings"
    return None


def callback_route(app: Dash) -> str:
    """The path Dash's callback requests arrive at (under ``routes_pathname_prefix``)."""
    return str(app.config.routes_pathname_prefix) + "_dash-update-component"


def install_callback_guard(app: Dash) -> None:
    """Refuse malformed callback requests with 400 (always on, login or not)."""
    server = app.server
    route = callback_route(app)

    @server.before_request
    def _check_callback_request() -> Response | None:
        if request.path != route or request.method != "POST":
            return None
        if (request.content_length or 0) > MAX_CALLBACK_BODY:
            return _refuse("the request is too large", 413)
        body = request.get_json(silent=True)
        problem = payload_problem(body, app.callback_map)
        if problem is not None:
            return _refuse(problem, 400)
        return None


def _refuse(message: str, status: int) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response
