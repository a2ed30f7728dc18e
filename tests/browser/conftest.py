"""Real-browser fixtures (the harness itself is ``tests.support.browser``)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    PG_BIN,
    LiveWall,
    PrivatePostgres,
    chrome_driver,
    require_browser,
    serve_history,
)
from tests.support.db import IN_CI


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "console_errors_expected: the test makes the page log errors on purpose"
    )


@pytest.fixture(scope="module")
def live_wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWall]:
    """The wall on an SQLite file with eight days of demo history."""
    require_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp('wall') / 'tickets.db'}"
    with serve_history(url) as wall:
        yield wall


@pytest.fixture(scope="module")
def postgres_wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveWall, Any]]:
    """The wall on a private PostgreSQL that the test may stop and start again."""
    require_browser()
    if not PrivatePostgres.available():
        message = (
            f"the stale test needs PostgreSQL binaries in {PG_BIN} (apt-get install postgresql)"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    # Not under pytest's tmp dir: user postgres must be able to reach the directory.
    directory = Path(tempfile.mkdtemp(prefix="hotline-wall-pg-"))
    directory.chmod(0o755)
    cluster = PrivatePostgres(directory / "cluster")
    try:
        cluster.init()
        cluster.start()
        with serve_history(cluster.url, days=2, per_day=200) as wall:
            yield wall, cluster
    finally:
        try:
            cluster.stop()
        except RuntimeError:
            pass
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium with its network (performance) and console logs captured."""
    require_browser()
    driver = chrome_driver(tmp_path_factory.mktemp("chromium"), window_size="1920,1080", logs=True)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
