"""The board's own table of wall-screen heartbeats (``wall_screens``, migration 0007).

Written through the board's own read-write engine (never the read-only board engine, and
never the intake system's tables): one row per screen, updated at most once a minute.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from data_access.schema import UTCDateTime
from data_access.values import ScreenBeat

board_metadata = MetaData()

wall_screens = Table(
    "wall_screens",
    board_metadata,
    Column("name", String(64), primary_key=True),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_poll", UTCDateTime(), nullable=False),
    Column("page_age_seconds", Integer),
    Column("heap_mb", Float),
    Column("options", String(200)),
)


def record_screen(conn: Connection, row: ScreenBeat) -> None:
    """Insert or update one screen's row (keeps its first_seen)."""
    values = {
        "last_poll": row.last_poll,
        "page_age_seconds": row.page_age_seconds,
        "heap_mb": row.heap_mb,
        "options": row.options,
    }
    c = wall_screens.c
    updated = conn.execute(update(wall_screens).where(c.name == row.name).values(**values))
    if updated.rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(
                wall_screens.insert().values(name=row.name, first_seen=row.first_seen, **values)
            )
    except IntegrityError:  # another process inserted it meanwhile
        conn.execute(update(wall_screens).where(c.name == row.name).values(**values))


def list_screens(conn: Connection, limit: int = 500) -> tuple[ScreenBeat, ...]:
    """The recorded screens, most recently seen first."""
    c = wall_screens.c
    query = select(wall_screens).order_by(c.last_poll.desc(), c.name).limit(limit)
    return tuple(
        ScreenBeat(
            r.name,
            r.first_seen,
            r.last_poll,
            None if r.page_age_seconds is None else int(r.page_age_seconds),
            None if r.heap_mb is None else float(r.heap_mb),
            r.options,
        )
        for r in conn.execute(query)
    )
