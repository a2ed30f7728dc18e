"""Dash's HTTP protocol for the desk views' tests: render a page, call a callback."""

from __future__ import annotations

import json
from typing import Any

from tests.support.components import props_where


def dependencies(client: Any) -> list[dict[str, Any]]:
    """The app's callbacks as the browser learns them."""
    return client.get("/_dash-dependencies").get_json()


def find(components: Any, component_id: Any) -> dict[str, Any]:
    """The props of the component with this id in a layout's JSON."""
    found = props_where(components, lambda props: props.get("id") == component_id)
    if not found:
        raise KeyError(component_id)
    return found[0]


def texts(components: Any) -> str:
    """Every string in a layout's JSON, joined (to look for words and numbers)."""
    found: list[str] = []
    stack = [components]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
    return " ".join(found)


def router_body(pathname: Any, search: Any) -> dict[str, Any]:
    """The body the browser posts to the router callback for a URL."""
    return {
        "output": "page.children",
        "outputs": {"id": "page", "property": "children"},
        "inputs": [
            {"id": "url", "property": "pathname", "value": pathname},
            {"id": "url", "property": "search", "value": search},
        ],
        "changedPropIds": ["url.pathname"],
    }


def render(
    client: Any, pathname: str, search: str = "", route: str = "/_dash-update-component"
) -> Any:
    """The router's answer for a URL (the page's layout JSON)."""
    body = {**router_body(pathname, search), "state": []}
    response = client.post(route, json=body)
    assert response.status_code == 200, response.data[:500]
    return response.get_json()["response"]["page"]["children"]


def _outputs(spec: str) -> list[dict[str, str]] | dict[str, str]:
    parts = spec.strip(".").split("...") if spec.startswith("..") else [spec]
    outputs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        outputs.append({"id": component, "property": prop.split("@")[0]})
    return outputs if spec.startswith("..") else outputs[0]


def callback_spec(client: Any, output_contains: str) -> dict[str, Any]:
    """The callback whose only output is ``output_contains``, else the first that names it."""
    specs = dependencies(client)
    for spec in specs:
        if spec["output"].split("@")[0] == output_contains:
            return spec
    for spec in specs:
        if output_contains in spec["output"]:
            return spec
    raise KeyError(output_contains)


def call(
    client: Any,
    output_contains: str,
    values: dict[str, Any],
    *,
    changed: str | None = None,
) -> Any:
    """POST a callback as the browser would; ``values`` maps ``id.property`` to a value."""
    spec = callback_spec(client, output_contains)

    def items(kind: str) -> list[dict[str, Any]]:
        result = []
        for item in spec[kind]:
            key = f"{item['id']}.{item['property']}"
            result.append({**item, "value": values.get(key)})
        return result

    inputs = items("inputs")
    body = {
        "output": spec["output"],
        "outputs": _outputs(spec["output"]),
        "inputs": inputs,
        "changedPropIds": [changed or f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": items("state"),
    }
    return client.post("/_dash-update-component", json=body)


def answer(response: Any) -> dict[str, Any]:
    """The outputs of a callback response, by component id."""
    assert response.status_code == 200, response.data[:800]
    return response.get_json()["response"]


def dumps(value: Any) -> str:
    """JSON text of a value, with Vietnamese letters kept."""
    return json.dumps(value, ensure_ascii=False)
