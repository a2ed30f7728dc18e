"""The ticket database contract (SPEC section 3) in SQLAlchemy Core."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    text,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

metadata = MetaData()


def format_sqlite_timestamp(value: datetime) -> str:
    """Format a UTC instant as SQLite text, dropping a zero fraction.

    Rows written by another program may hold ``2026-12-01 06:00:00`` without a
    fraction. Text comparison of ``... 06:00:00`` with ``... 06:00:00.000000``
    would put them apart, so a bound without fraction keeps both forms right.
    """
    if value.tzinfo is None:
        raise ValueError("naive datetime given; timestamps must be timezone-aware")
    value = value.astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.strftime("%Y-%m-%d %H:%M:%S")


def parse_sqlite_timestamp(value: str) -> datetime:
    """Parse SQLite UTC text (with or without fraction, 'T' or space) as aware UTC."""
    parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp: timestamptz on PostgreSQL, UTC text on SQLite."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; timestamps must be timezone-aware")
        if dialect.name == "sqlite":
            return format_sqlite_timestamp(value)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return parse_sqlite_timestamp(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class comparable_timestamp(FunctionElement[Any]):
    """A timestamp column in a form that compares exactly with another column.

    On SQLite, ``... 06:00:00`` and ``... 06:00:00.000000`` are the same instant
    but not the same text; padding the fraction to six digits makes two columns
    comparable. On PostgreSQL the column itself.
    """

    inherit_cache = True
    name = "comparable_timestamp"


@compiles(comparable_timestamp)
def _comparable_default(element: comparable_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(comparable_timestamp, "sqlite")
def _comparable_sqlite(element: comparable_timestamp, compiler: SQLCompiler, **kw: Any) -> str:
    return _padded_sqlite(compiler.process(element.clauses, **kw))


def _padded_sqlite(column: str) -> str:
    """SQLite's timestamp text with its fraction padded to six digits (26 characters)."""
    return (
        f"substr({column} || CASE WHEN length({column}) = 19 THEN '.' ELSE '' END"
        " || '000000', 1, 26)"
    )


class later_by(FunctionElement[Any]):
    """A timestamp column moved ``seconds`` later, comparable with ``comparable_timestamp``.

    PostgreSQL adds an interval. SQLite moves the whole seconds with ``strftime`` and keeps
    the fraction as written (SQLite's date functions round to milliseconds, so the fraction
    never goes through them): exact to the microsecond on both. Whole seconds only.
    """

    inherit_cache = True
    name = "later_by"

    def __init__(self, column: Any, seconds: int) -> None:
        if int(seconds) != seconds:
            raise ValueError("later_by takes whole seconds")
        self.seconds = int(seconds)
        super().__init__(column)


@compiles(later_by)
def _later_by_default(element: later_by, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"({column} + interval '{element.seconds} seconds')"


@compiles(later_by, "sqlite")
def _later_by_sqlite(element: later_by, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    padded = _padded_sqlite(column)
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', substr({column}, 1, 19), '+{element.seconds} seconds')"
        f" || substr({padded}, 20))"
    )


class minutes_between(FunctionElement[Any]):
    """Whole minutes from ``earlier`` to ``later`` (rounded down; ``later`` not before it).

    PostgreSQL reads the interval's seconds. SQLite counts microseconds in integers: whole
    seconds from ``strftime('%s')`` and the fraction as written (SQLite's date functions
    round to milliseconds): exact to the microsecond on both, so a ticket handled in
    59.9999 s is in minute 0 on both.
    """

    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between)
def _minutes_default(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"floor(date_part('epoch', {later} - {earlier}) / 60)"


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)

    def micros(column: str) -> str:
        whole = f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
        return f"({whole} + CAST(substr({_padded_sqlite(column)}, 21, 6) AS INTEGER))"

    return f"(({micros(later)} - {micros(earlier)}) / 60000000)"


class binary_text(FunctionElement[Any]):
    """A text column sorted byte by byte: ``COLLATE "C"`` on PostgreSQL (SQLite's default).

    For partitions and groupings where only equality matters: a locale's collation makes
    PostgreSQL's sorts several times slower.
    """

    inherit_cache = True
    name = "binary_text"


@compiles(binary_text)
def _binary_default(element: binary_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'


@compiles(binary_text, "sqlite")
def _binary_sqlite(element: binary_text, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows where ``where`` holds (the same partial index on both databases)."""
    return Index(
        name, *columns, unique=unique, sqlite_where=text(where), postgresql_where=text(where)
    )


OPEN_STATUSES_SQL = "status NOT IN ('resolved', 'closed')"

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("line", String(16), nullable=False),
    Column("category", String(40)),
    Column("urgency", SmallInteger),
    Column("status", String(16), nullable=False),
    Column("agency", String(40)),
    Column("operator", String(64)),
    Column("area", String(64)),
    Column("forwarded_at", UTCDateTime()),
    Column("due_at", UTCDateTime()),
    Column("resolved_at", UTCDateTime()),
    Column("closed_at", UTCDateTime()),
    Column("satisfaction", SmallInteger),
    # Personal data: never selected by the board, the API or an export.
    Column("citizen_name", Text),
    Column("citizen_phone", Text),
    Column("citizen_email", Text),
    Column("content", Text),
    # Window queries scan received_at; filters narrow within it.
    Index("ix_tickets_received_at", "received_at"),
    Index("ix_tickets_resolved_at", "resolved_at"),
    # Repeat reports: one field and ward in time order (migration 0009).
    Index("ix_tickets_repeat", "category", "area", "received_at"),
    # Reports resolved since an instant but received before another: the backlog then.
    Index("ix_tickets_resolved_received", "resolved_at", "received_at"),
    # Open-ticket queries read only the backlog, not the history.
    partial_index("ix_tickets_open_due", "due_at", where=OPEN_STATUSES_SQL),
    partial_index("ix_tickets_open_status", "status", "received_at", where=OPEN_STATUSES_SQL),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("actor", String(64)),
    Column("note", Text),
    Index("ix_ticket_events_ticket_id_at", "ticket_id", "at"),
)

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("sort_order", Integer, nullable=False, server_default="0"),
)

categories = Table(
    "categories",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("default_agency", String(40)),
    Column("sla_hours", Integer, nullable=False),
    Column("sort_order", Integer, nullable=False, server_default="0"),
    # Issue 10: false for protected categories (whistle-blowers): never in a public list.
    Column("public", Boolean, nullable=False, server_default=true()),
)

areas = Table(
    "areas",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name_vi", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("kind", String(16), nullable=False, server_default="ward"),
)

operators = Table(
    "operators",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", String(16), nullable=False, server_default="phone"),
)

PERSONAL_COLUMNS = ("citizen_name", "citizen_phone", "citizen_email", "content")

# --- the switchboard (issue 12, SPEC section 10) ---------------------------------------------
# One row per queued call and the operators' current states: part of the database contract,
# written by the queue_log follower or directly by another system. The caller's number is
# personal data and has no column here.
CALL_OUTCOMES = ("answered", "abandoned", "timeout", "transferred")
OPERATOR_STATES = ("available", "on_call", "paused", "logged_off")
WAITING_CALLS_SQL = "answered_at IS NULL AND ended_at IS NULL"

calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("call_id", String(64), nullable=False, unique=True),
    Column("queue", String(64), nullable=False),
    Column("line", String(16)),
    Column("entered_at", UTCDateTime(), nullable=False),
    Column("answered_at", UTCDateTime()),
    Column("ended_at", UTCDateTime()),
    # NULL while the call waits or is being answered; set when it ends.
    Column("outcome", String(16)),
    Column("operator", String(64)),
    Column("wait_seconds", Integer),
    Column("talk_seconds", Integer),
    Index("ix_calls_entered_at", "entered_at"),
    # "Waiting now" reads only the calls still in the queue.
    partial_index("ix_calls_waiting", "entered_at", where=WAITING_CALLS_SQL),
)

operator_states = Table(
    "operator_states",
    metadata,
    Column("operator", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("since", UTCDateTime(), nullable=False),
)

# The follower's place in each queue_log it reads (the board's intake-side writer's own table).
queue_log_positions = Table(
    "queue_log_positions",
    metadata,
    Column("path", String(512), primary_key=True),
    Column("inode", String(64), nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("lines", BigInteger, nullable=False, server_default="0"),
    Column("malformed", BigInteger, nullable=False, server_default="0"),
    Column("updated_at", UTCDateTime(), nullable=False),
)
