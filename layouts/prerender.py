"""A page's layout as static HTML, shown while Dash's JavaScript loads (issue 11).

On a phone over 4G the board's numbers waited for some 330 kB of JavaScript and the render
of several hundred components. The index of a prerendered page (``Page.prerender`` in
``dashboard.routes``) now carries the same layout as plain HTML: the same elements and
classes Dash draws, so the same stylesheets lay it out, with its numbers. Dash's own page
replaces it as soon as it is drawn (``prerender_script``); until then nothing on it reacts.

What is written: ``dash.html`` elements with their classes, styles and text; the
dash-bootstrap-components the pages use, as their Bootstrap markup; nothing for what only
the browser can draw (dropdowns, date pickers, tables of ``dash_table``: their slots keep
their place) or what draws nothing (stores, intervals, closed modals). No ``id`` is written,
so no id stands twice while both are on the page; nor references to ids (``for``,
``aria-controls``). Every text and attribute is escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any

from dash.development.base_component import Component

from layouts.views import CHART_SLOT

__all__ = ["ROOT_CLASS", "deferred_scripts", "prerender_script", "to_html"]

ROOT_CLASS = "hv-prerender"
HTML_NAMESPACE = "dash_html_components"
DBC_NAMESPACE = "dash_bootstrap_components"
VOID = frozenset({"br", "hr", "img", "input", "wbr", "col"})
# React's attribute names of dash.html that HTML spells otherwise.
ATTRIBUTES = {
    "className": "class",
    "colSpan": "colspan",
    "rowSpan": "rowspan",
    "tabIndex": "tabindex",
    "accessKey": "accesskey",
    "dateTime": "datetime",
}
PLAIN = frozenset(
    {"href", "target", "rel", "title", "role", "lang", "type", "scope", "alt", "src", "dir"}
    | {"width", "height", "colspan", "rowspan", "tabindex", "datetime", "action", "method"}
)
# What a dash-bootstrap-components prop may write as such (its others are options: a Col's
# ``width`` is a class, not an attribute).
BOOTSTRAP_PLAIN = frozenset({"href", "target", "rel", "title", "role", "lang", "type"})
URLS = frozenset({"href", "src", "action"})
# Elements the copy never writes: they would run, load or swallow what follows (React draws
# them inert, or Dash cleans them), or are not part of a page's body.
UNSAFE_TAGS = frozenset(
    {"script", "style", "iframe", "object", "embed", "base", "meta", "link", "title"}
    | {"plaintext", "xmp", "noscript", "template", "textarea", "noembed", "noframes"}
)
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][\w.:-]*$")
STYLE_NAME = re.compile(r"^(--)?[A-Za-z][\w-]*$")
# A declaration's value may not close it, open a block, end the element or fetch anything.
UNSAFE_STYLE = re.compile(r"[;{}<>\\]|url\(|expression\(|@import", re.IGNORECASE)
# Schemes a link may have (else it is left out): what Dash's clean_url lets through.
SAFE_URL = re.compile(r"^(?:[^:/?#]*(?:[/?#]|$)|(?:https?|mailto|tel):)", re.IGNORECASE)
BOOLEAN = frozenset({"hidden", "disabled", "checked", "open"})
# Attributes that name other elements by id: the copy has no ids.
ID_REFERENCES = frozenset({"aria-controls", "aria-labelledby", "aria-describedby", "aria-owns"})
# Style properties React writes without "px" when given a number.
UNITLESS = frozenset(
    {"opacity", "zIndex", "fontWeight", "lineHeight", "flex", "flexGrow", "flexShrink", "order"}
    | {"zoom", "gridRow", "gridColumn", "--rows"}
)
BREAKPOINTS = ("sm", "md", "lg", "xl", "xxl")
CAMEL = re.compile(r"[A-Z]")


def to_html(node: Any) -> str:
    """``node`` (a component, a list of them, text or a number) as HTML."""
    if node is None or isinstance(node, bool):
        return ""
    if isinstance(node, str):
        return escape(node, quote=False)
    if isinstance(node, int | float):
        return escape(str(node), quote=False)
    if isinstance(node, Component):
        return _component(node)
    if isinstance(node, Iterable):
        return "".join(to_html(child) for child in node)
    return ""


def _component(component: Component) -> str:
    # Dash's own form of a component: its type, library and the props set on it (``aria-*``
    # and ``data-*`` ones included).
    plain = component.to_plotly_json()
    props = {name: value for name, value in plain["props"].items() if value is not None}
    namespace, kind = plain["namespace"], plain["type"]
    if namespace == HTML_NAMESPACE:
        tag = kind.lower()
        if tag in UNSAFE_TAGS or not ATTRIBUTE_NAME.match(tag):
            return ""
        if CHART_SLOT in str(props.get("className", "")).split():  # its chart: Dash's
            return element("div", _attributes(props))
        return element(tag, _attributes(props), props.get("children"))
    if namespace == DBC_NAMESPACE:
        writer = BOOTSTRAP.get(kind)
        return writer(props) if writer is not None else _container(props)
    if namespace == "dash_core_components" and kind == "Loading":  # its wrappers, as drawn
        inner = element("div", {}, props.get("children"))
        return element("div", {"style": "position: relative;"}, inner=inner)
    return ""  # drawn by the browser only (dropdowns, date pickers, tables) or invisible


def element(
    tag: str, attributes: Mapping[str, Any], children: Any = None, *, inner: str = ""
) -> str:
    """One element: ``attributes`` escaped (None and False left out), then its children
    (or ``inner``, HTML written here already)."""
    parts = [tag]
    for name, value in attributes.items():
        if value is None or value is False:
            continue
        parts.append(escape(name) if value is True else f'{escape(name)}="{escape(str(value))}"')
    opening = f"<{' '.join(parts)}>"
    return opening if tag in VOID else f"{opening}{inner or to_html(children)}</{tag}>"


def _names(*names: Any) -> str:
    """Class names joined, leaving out what is not a non-empty string."""
    return " ".join(name for name in names if isinstance(name, str) and name)


def _attributes(
    props: Mapping[str, Any], *classes: str | None, plain: frozenset[str] = PLAIN
) -> dict[str, Any]:
    """The HTML attributes of a component's props, with ``classes`` before its own: only
    well-formed names, links of safe schemes, and values that are text or numbers."""
    attributes: dict[str, Any] = {}
    own = props.get("className") or props.get("class_name")  # dbc's name of it
    names = _names(*classes, own)
    if names:
        attributes["class"] = names
    for prop, value in props.items():
        name = ATTRIBUTES.get(prop, prop)
        if name in ID_REFERENCES or name in ("class", "class_name") or not isinstance(name, str):
            continue
        if not ATTRIBUTE_NAME.match(name):
            continue
        if name == "style" and isinstance(value, Mapping):
            css = style_text(value)
            if css:
                attributes["style"] = css
        elif name in BOOLEAN:
            attributes[name] = bool(value)
        elif name in plain or name.startswith(("aria-", "data-")):
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                continue
            if name in URLS and not SAFE_URL.match(str(value).strip()):
                continue
            attributes[name] = value
    return attributes


def style_text(style: Mapping[str, Any]) -> str:
    """A style mapping (React's camelCase names; numbers in px) as CSS text."""
    declarations = []
    for prop, value in style.items():
        if not isinstance(prop, str) or not isinstance(value, str | int | float):
            continue
        name = prop if prop.startswith("--") else CAMEL.sub(lambda m: "-" + m[0].lower(), prop)
        text = value if isinstance(value, str) else _number(prop, value)
        if not STYLE_NAME.match(name) or UNSAFE_STYLE.search(text):
            continue  # as React, which sets one property at a time, would refuse it
        declarations.append(f"{name}: {text}")
    return "; ".join(declarations)


def _number(prop: str, value: int | float) -> str:
    return f"{value}" if prop in UNITLESS or value == 0 else f"{value}px"


# --- dash-bootstrap-components as their Bootstrap markup -------------------------------------


def _container(props: Mapping[str, Any], *classes: str | None, tag: str = "div") -> str:
    return element(tag, _bootstrap(props, *classes), props.get("children"))


def _bootstrap(props: Mapping[str, Any], *classes: str | None) -> dict[str, Any]:
    return _attributes(props, *classes, plain=BOOTSTRAP_PLAIN)


def _col_classes(props: Mapping[str, Any]) -> list[str]:
    classes = []
    for breakpoint in ("xs", *BREAKPOINTS):
        value = props.get("width" if breakpoint == "xs" else breakpoint)
        if breakpoint == "xs" and value is None:
            value = props.get("xs")
        infix = "" if breakpoint == "xs" else f"-{breakpoint}"
        size = value.get("size") if isinstance(value, Mapping) else value
        if size is True:
            classes.append(f"col{infix}")
        elif size is not None and size is not False:
            classes.append(f"col{infix}-{size}")
        if isinstance(value, Mapping):
            for key in ("offset", "order"):
                if value.get(key) is not None:
                    classes.append(f"{key}{infix}-{value[key]}")
    return classes or ["col"]


def _col(props: Mapping[str, Any]) -> str:
    return _container(props, *_col_classes(props))


def _button_classes(props: Mapping[str, Any]) -> list[str]:
    color = props.get("color") or "primary"
    classes = ["btn", f"btn-outline-{color}" if props.get("outline") else f"btn-{color}"]
    if props.get("size"):
        classes.append(f"btn-{props['size']}")
    if props.get("active"):
        classes.append("active")
    return classes


def _button(props: Mapping[str, Any]) -> str:
    attributes = _bootstrap(props, *_button_classes(props))
    if props.get("href") and not props.get("disabled"):
        return element("a", attributes, props.get("children"))
    attributes.pop("href", None)  # a disabled link is drawn as a disabled button
    attributes.setdefault("type", "button")
    return element("button", attributes, props.get("children"))


def _navbar(props: Mapping[str, Any]) -> str:
    # dbc's defaults (Dash leaves them out of the props): dark, primary, expanding at md.
    expand = props.get("expand", "md")
    classes = ["navbar"]
    if expand is True:
        classes.append("navbar-expand")
    elif isinstance(expand, str) and expand:
        classes.append(f"navbar-expand-{expand}")
    classes.append("navbar-dark" if props.get("dark", True) else "navbar-light")
    classes.append(f"bg-{props.get('color') or 'primary'}")
    return _container(props, *classes, tag="nav")


def _nav(props: Mapping[str, Any]) -> str:
    classes = ["navbar-nav" if props.get("navbar") else "nav"]
    classes += [f"nav-{kind}" for kind in ("pills", "fill", "justified") if props.get(kind)]
    return _container(props, *classes)


def _nav_link(props: Mapping[str, Any]) -> str:
    # "exact" and "partial" follow the browser's address: the page sets ``active`` itself.
    active = "active" if props.get("active") is True else None
    disabled = "disabled" if props.get("disabled") else None
    attributes = _bootstrap({**props, "disabled": None}, "nav-link", active, disabled)
    return element("a", attributes, props.get("children"))


def _switch(props: Mapping[str, Any]) -> str:
    box = element(
        "input",
        {"class": "form-check-input", "type": "checkbox", "checked": bool(props.get("value"))},
    )
    label = element("label", {"class": "form-check-label form-label"}, props.get("label"))
    return element("div", _bootstrap(props, "form-check", "form-switch"), inner=box + label)


def _choices(props: Mapping[str, Any], kind: str) -> str:
    """dbc's RadioItems (``kind`` "radio") or Checklist ("checkbox"): a check per option,
    its input and label with the classes given (the labels cannot name their inputs: the
    copy has no ids)."""
    value = props.get("value")
    chosen = value if kind == "checkbox" and isinstance(value, list) else [value]
    item_class = "form-check form-check-inline" if props.get("inline") else "form-check"
    input_classes = _names("form-check-input", props.get("input_class_name"))
    items = []
    for option in props.get("options") or []:
        label, option_value = (
            (option.get("label"), option.get("value"))
            if isinstance(option, Mapping)
            else (option, option)
        )
        checked = option_value in chosen
        label_classes = _names(
            "form-check-label",
            props.get("label_class_name"),
            props.get("label_checked_class_name") if checked else None,
        )
        box = element("input", {"class": input_classes, "type": kind, "checked": checked})
        items.append(
            element(
                "div",
                {"class": item_class},
                inner=box + element("label", {"class": label_classes}, label),
            )
        )
    return element("div", _bootstrap(props), inner="".join(items))


def _table(props: Mapping[str, Any]) -> str:
    classes = ["table"]
    if props.get("size"):
        classes.append(f"table-{props['size']}")
    classes += [f"table-{kind}" for kind in ("bordered", "striped", "hover") if props.get(kind)]
    table = _container(props, *classes, tag="table")
    return (
        element("div", {"class": "table-responsive"}, inner=table)
        if props.get("responsive")
        else table
    )


def _alert(props: Mapping[str, Any]) -> str:
    if props.get("is_open") is False:
        return ""
    color = props.get("color") or "success"  # dbc's default
    return _container({**props, "role": "alert"}, "alert", f"alert-{color}")


def _badge(props: Mapping[str, Any]) -> str:
    color = props.get("color") or "secondary"
    pill = "rounded-pill" if props.get("pill") else None
    return _container(props, "badge", f"bg-{color}", pill, tag="span")


def _nothing(_props: Mapping[str, Any]) -> str:
    return ""


def _classes(*names: str, tag: str = "div") -> Callable[[Mapping[str, Any]], str]:
    return lambda props: _container(props, *names, tag=tag)


BOOTSTRAP: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "Container": lambda props: _container(
        props, "container-fluid" if props.get("fluid") is True else "container"
    ),
    "Row": _classes("row"),
    "Col": _col,
    "Button": _button,
    "ButtonGroup": lambda props: _container(
        {**props, "role": "group"},
        "btn-group-vertical" if props.get("vertical") else "btn-group",
        f"btn-group-{props['size']}" if props.get("size") else None,
    ),
    "Navbar": _navbar,
    "Nav": _nav,
    "NavItem": _classes("nav-item"),
    "NavLink": _nav_link,
    "NavbarBrand": _classes("navbar-brand", tag="a"),
    "Label": _classes("form-label", tag="label"),
    "Switch": _switch,
    "Table": _table,
    "Alert": _alert,
    "Badge": _badge,
    "Card": _classes("card"),
    "CardHeader": _classes("card-header"),
    "CardBody": _classes("card-body"),
    "CardFooter": _classes("card-footer"),
    "RadioItems": lambda props: _choices(props, "radio"),
    "Checklist": lambda props: _choices(props, "checkbox"),
    # Drawn on demand, or only by the browser.
    "Modal": _nothing,
    "Tooltip": _nothing,
    "Popover": _nothing,
    "Spinner": _nothing,
    "Input": _nothing,
    "Select": _nothing,
}


# Once Dash's renderer has started, it has this long to draw the page; then the copy goes
# whatever Dash drew (its error, nothing), so that an old copy never stands for a page Dash
# could not draw. The scripts' download does not count (a slow network keeps the copy).
DRAWN_WITHIN_SECONDS = 10
STARTED_HOOK = "hvRendererStarted"  # what the loader calls when it has started the renderer


def prerender_script(until: str) -> str:
    """The script that takes the copy away once Dash has drawn ``until`` (a CSS selector)
    inside its own root, in the same task as Dash's render, so nothing is painted twice; or
    :data:`DRAWN_WITHIN_SECONDS` after the renderer started (whatever it drew)."""
    selector = _script_text(until)
    return (
        "<script>(function(){var copy=document.querySelector('." + ROOT_CLASS + "');"
        "var root=document.getElementById('react-entry-point');if(!copy||!root)return;"
        "var watch=new MutationObserver(function(){if(root.querySelector(" + selector + "))"
        # Let go of the copy once removed: the timer's closure would keep its nodes alive.
        "{done();}});function done(){if(!copy)return;copy.remove();copy=null;watch.disconnect();}"
        "watch.observe(root,{childList:true,subtree:true});"
        f"window.{STARTED_HOOK}=function(){{setTimeout(done,{DRAWN_WITHIN_SECONDS * 1000});}};"
        "})();</script>"
    )


def _script_text(value: str) -> str:
    """``value`` as a JavaScript string literal that cannot end its script element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


SCRIPT_TAG = re.compile(r'<script( defer)? src="([^"<>]+)"></script>')
RENDERER_TAG = re.compile(
    r'^<script id="_dash-renderer" type="application/javascript">(var renderer = [^<]*)</script>$'
)
DEFERRED = "text/hv-deferred"  # a type no browser runs or fetches: the loader's


def deferred_scripts(scripts: str, renderer: str) -> tuple[str, str] | None:
    """Dash's script tags and its renderer's start, loaded after the page's first paint, so
    that the copy's HTML, stylesheets and fonts have the network first; None when the tags
    are not the ones expected (then they stay as they are).

    The tags stay in place with a type no browser runs or fetches, and a loader that comes
    after them adds them again as scripts, in their order (``async = false``), then starts
    the renderer: once the copy has been painted (the first contentful paint), or after
    the frame that follows the page's load event, whichever comes first (a load event can
    come before the first paint). The inline scripts between them (the
    clientside callbacks' functions, which need nothing) run as before. A page in a
    background tab (no paint) loads them at once.
    """
    start = RENDERER_TAG.match(renderer.strip())
    if not SCRIPT_TAG.search(scripts) or start is None:
        return None
    kept = SCRIPT_TAG.sub(lambda m: f'<script type="{DEFERRED}" src="{m[2]}"></script>', scripts)
    if re.search(r"<script[^>]*\ssrc=", kept.replace(f'type="{DEFERRED}" src=', "")):
        return None  # a script tag of another form would run before the ones held
    held = f'<script id="_dash-renderer" type="{DEFERRED}-start">{start[1]}</script>'
    loader = (
        "<script>(function(){"
        # A script element (not eval): the renderer's own line, run as Dash would run it.
        "var started=false;function start(){if(started){return;}started=true;"
        "var run=document.createElement('script');"
        "run.textContent=document.getElementById('_dash-renderer').textContent;"
        "document.body.appendChild(run);"
        f"if(window.{STARTED_HOOK}){{window.{STARTED_HOOK}();}}}}"
        "function load(){var last=null;"
        "document.querySelectorAll('script[type=\"" + DEFERRED + "\"]').forEach(function(held){"
        "var tag=document.createElement('script');tag.src=held.getAttribute('src');"
        "tag.async=false;document.body.appendChild(tag);last=tag;});"
        "if(!last){start();return;}"
        "last.addEventListener('load',start);last.addEventListener('error',start);}"
        "var begun=false;function begin(){if(!begun){begun=true;setTimeout(load,0);}}"
        "if(document.hidden){begin();return;}"
        # A hidden tab paints nothing (and runs no animation frame): it loads at once.
        "document.addEventListener('visibilitychange',function(){if(document.hidden){begin();}});"
        "window.addEventListener('load',function(){requestAnimationFrame(begin);"
        "setTimeout(begin,1000);});"
        "try{new PerformanceObserver(function(list){"
        "if(list.getEntriesByName('first-contentful-paint').length){begin();}})"
        ".observe({type:'paint',buffered:true});}catch(e){begin();}"
        "})();</script>"
    )
    return kept, held + loader
