"""The snapshot codec's registry and the table of pages."""

import dataclasses
import typing
from dataclasses import dataclass

import pytest

from callbacks.pages import BUILDERS
from callbacks.router import check_builders
from dashboard import routes
from dashboard.live_store import LiveState, LiveStore, MemoryStore
from dashboard.snapshot_codec import (
    REGISTRY,
    CodecError,
    decode_tagged,
    encode_tagged,
    encode_value,
)
from dashboard.store import RedisStore


def _dataclasses_reachable(kind, seen):
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if kind in seen:
            return
        seen.add(kind)
        for hint in typing.get_type_hints(kind).values():
            _dataclasses_reachable(hint, seen)
        return
    for arg in typing.get_args(kind):
        _dataclasses_reachable(arg, seen)


def test_every_value_type_the_live_state_holds_is_registered():
    seen: set[type] = set()
    _dataclasses_reachable(LiveState, seen)
    assert seen and all(REGISTRY.get(kind.__name__) is kind for kind in seen)


def test_an_unregistered_value_type_is_refused_both_ways():
    @dataclass(frozen=True)
    class Stranger:
        x: int

    with pytest.raises(CodecError):
        encode_value({"a": Stranger(1)})
    with pytest.raises(CodecError):
        encode_tagged(Stranger(1))
    with pytest.raises(ValueError):
        decode_tagged({"type": "Stranger", "value": {"x": 1}})


def test_the_round_trip_keeps_tuples_and_keys():
    state = LiveState(computations=3)
    assert decode_tagged(encode_tagged(state)) == state


def test_both_stores_implement_the_one_interface():
    assert issubclass(MemoryStore, LiveStore) and issubclass(RedisStore, LiveStore)
    assert not MemoryStore.shared and RedisStore.shared


def test_every_declared_page_has_a_builder_and_nothing_else_does():
    check_builders(BUILDERS)
    with pytest.raises(RuntimeError, match="/nowhere"):
        check_builders({**BUILDERS, "/nowhere": BUILDERS["/"]})


def test_adding_a_page_is_one_entry(monkeypatch):
    page = routes.Page(
        "/tra-cuu", "app.title", None, nav=routes.NavEntry("lookup", "nav.wall", "bi-search", 15)
    )
    monkeypatch.setattr(routes, "PAGES", (*routes.PAGES, page))
    assert routes.path_area("/tra-cuu") is None and routes.find_page("/tra-cuu/") is page
    assert [nav.name for nav, _ in routes.nav_entries()] == [
        "wall",
        "lookup",
        "shift",
        "overview",
        "alerts",
    ]
    with pytest.raises(RuntimeError, match="tra-cuu"):
        check_builders(BUILDERS)  # its builder is the second half of the entry


def test_the_table_drives_areas_themes_and_callback_prefixes():
    assert routes.path_area("/shift/report") == routes.path_area("/shift/") == "shift"
    assert routes.path_area("/overview") == routes.path_area("/export/x.csv") == "overview"
    assert routes.path_area("/") == routes.path_area("/api/snapshot") == "wall"
    assert routes.path_area("/shiftless") is None and routes.path_area("/healthz") is None
    # Flask routes: the longest prefix decides (the signed acknowledge link is open)
    assert routes.path_area("/alerts") == routes.path_area("/alerts.csv") == "shift"
    assert routes.path_area("/alerts/ack/abc.def") is None
    assert routes.path_area("/api/alerts") == "wall"
    (alerts,) = [item for nav, item in routes.nav_entries() if nav.name == "alerts"]
    assert alerts.path == "/alerts" and alerts.area == "shift"
    assert routes.is_light_page("/shift/report") and not routes.is_light_page("/")
    assert routes.callback_prefixes() == {
        "shift-": "shift",
        "overview-": "overview",
        "screens-": "shift",
    }
