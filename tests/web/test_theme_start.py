"""A broken palette in assets/wall.css stops the board's start, with its message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from layouts import theme


@pytest.fixture
def broken_stylesheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The wall's stylesheet with its light theme's grid colour gone (read afresh)."""
    css = theme.WALL_CSS.read_text(encoding="utf-8")
    start = css.index(".wall--light {")
    broken = tmp_path / "wall.css"
    broken.write_text(css[:start] + css[start:].replace("  --c-grid:", "  --c-gone:", 1))
    monkeypatch.setattr(theme, "WALL_CSS", broken)
    theme.palettes.cache_clear()
    yield
    monkeypatch.undo()
    theme.palettes.cache_clear()


@pytest.mark.usefixtures("broken_stylesheet")
def test_the_start_fails_naming_the_missing_colour(settings: Settings) -> None:
    with pytest.raises(theme.ThemeCssError, match=r"\.wall--light sets no --c-grid"):
        create_app(settings, start_jobs=False)
