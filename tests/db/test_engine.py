"""Engines: psycopg2 for plain postgresql:// URLs, read-only board, bounded statements."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from data_access.engine import make_engine, normalise_url
from data_access.schema import tickets
from tests.support.db import make_ticket


def test_plain_postgresql_url_uses_psycopg2():
    assert normalise_url("postgresql://postgres@127.0.0.1:5432/test").startswith(
        "postgresql+psycopg2://"
    )
    assert normalise_url("postgres://u:p@h/db").startswith("postgresql+psycopg2://u:p@")
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_board_engine_cannot_write(database_url):
    reader = make_engine(database_url, readonly=True)
    with pytest.raises(DBAPIError), reader.begin() as conn:
        conn.execute(tickets.insert().values(make_ticket()))
    reader.dispose()


def test_sqlite_pragmas(sqlite_url):
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()


def test_postgresql_session_settings(pg_url):
    reader = make_engine(pg_url, readonly=True, statement_timeout_ms=1234)
    with reader.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
        assert conn.execute(text("SHOW transaction_read_only")).scalar() == "on"
        assert conn.execute(text("SHOW application_name")).scalar() == "hotline-wallboard-board"
    reader.dispose()


def test_a_long_statement_is_interrupted(database_url):
    engine = make_engine(database_url, readonly=True, statement_timeout_ms=200)
    if engine.dialect.name == "sqlite":
        slow = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)"
            " SELECT count(*) FROM n"
        )
    else:
        slow = "SELECT pg_sleep(5)"
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text(slow))
    # The connection is usable again afterwards.
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
