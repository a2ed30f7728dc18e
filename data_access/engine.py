"""Engines for the ticket database: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

APPLICATION_NAME = "hotline-wallboard"


def normalise_url(url: str) -> str:
    """Map a plain ``postgresql://`` URL to psycopg2.

    SQLAlchemy 2.1 maps the bare scheme to psycopg 3, which is not installed.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def _install_sqlite_timeout(engine: Engine, timeout_ms: int) -> None:
    """Abort SQLite statements that run longer than ``timeout_ms``.

    SQLite has no statement timeout; a progress handler that returns non-zero
    interrupts the running statement with an OperationalError.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn: Any, cursor: Any, statement: Any, params: Any, context: Any, many: Any) -> None:
        conn.info["deadline"] = time.monotonic() + timeout_ms / 1000

    @event.listens_for(engine, "connect")
    def _handler(dbapi_conn: Any, record: Any) -> None:
        def check() -> int:
            deadline = record.info.get("deadline")
            return 1 if deadline is not None and time.monotonic() > deadline else 0

        dbapi_conn.set_progress_handler(check, 10_000)

    @event.listens_for(engine, "checkout")
    def _bind(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        record.info.pop("deadline", None)

    # The connection's info dict is the pool record's, so _arm reaches check().


def make_engine(
    url: str,
    *,
    readonly: bool = False,
    statement_timeout_ms: int = 5000,
    pool_size: int = 5,
) -> Engine:
    """Create an engine configured for the board (readonly) or for writers."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            # Error messages never carry row values (they may hold personal data).
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 5},
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA foreign_keys=ON")
            if readonly:
                cursor.execute("PRAGMA query_only=ON")
            cursor.close()

        _install_sqlite_timeout(engine, statement_timeout_ms)
        return engine

    # Options given in the URL (e.g. a search_path for tests) are kept.
    extra = parsed.query.get("options", "")
    if not isinstance(extra, str):
        extra = " ".join(extra)
    url = parsed.difference_update_query(["options"]).render_as_string(hide_password=False)
    options = f"{extra} -c statement_timeout={int(statement_timeout_ms)}".strip()
    if readonly:
        options += " -c default_transaction_read_only=on"
    engine = create_engine(
        url,
        # Error messages never carry row values (they may hold personal data).
        hide_parameters=True,
        # One consistent view of the data for all the queries of a snapshot.
        isolation_level="REPEATABLE READ" if readonly else "READ COMMITTED",
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=10,
        connect_args={
            "application_name": APPLICATION_NAME + ("-board" if readonly else "-writer"),
            "options": options,
            "connect_timeout": 5,
        },
    )
    return engine
