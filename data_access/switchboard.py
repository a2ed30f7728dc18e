"""The switchboard's tables (SPEC section 10): the follower's writes and the figures' queries.

Every window and instant is a bound parameter, so the SQL is the same on SQLite
and PostgreSQL. The caller's number has no column anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, and_, bindparam, case, func, insert, select, update

from data_access.schema import calls, operator_states, queue_log_positions
from data_access.values import CallTargets, OperatorFigures

# A call still "waiting" after this long lost its end in the log (no PBX holds a caller so
# long); it no longer counts as waiting now, so one lost line cannot freeze the wall.
LOST_WAIT = timedelta(hours=4)
# Rows read or written per statement (bound-parameter limits of SQLite and psycopg2).
CHUNK = 500


# One operator's state and calls in a window: the figures' own value (no copy on the way up).
OperatorCalls = OperatorFigures


@dataclass(frozen=True)
class SwitchboardCounts:
    """The raw counts behind the switchboard figures of one window at one instant."""

    waiting: int
    oldest_waiting_entered_at: datetime | None
    offered: int
    answered: int
    answered_within_target: int
    abandoned: int
    abandoned_short: int
    timeout: int
    transferred: int
    wait_seconds_answered: int
    talk_seconds_completed: int
    completed: int
    operators: tuple[OperatorCalls, ...]


def _int(value: Any) -> int:
    return int(value or 0)


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _switchboard_statements() -> tuple[Any, Any, Any, Any]:
    """The four reads of the figures, built once: every window, instant and target is a bound
    parameter, so a refresh binds values instead of building the statements again.

    They share the calls' conditions (answered, abandoned, short, completed), written once
    here, so the window's totals and the operators' counts cannot drift apart.
    """
    entered = calls.c.entered_at
    waiting = select(func.count(), func.min(entered)).where(
        calls.c.answered_at.is_(None),
        calls.c.ended_at.is_(None),
        entered >= bindparam("lost_since"),
        entered <= bindparam("now"),
    )
    answered = calls.c.answered_at.is_not(None)
    abandoned = calls.c.outcome == "abandoned"
    short_wait = bindparam("short_abandon_seconds", type_=Integer)
    short = func.coalesce(calls.c.wait_seconds, short_wait) < short_wait
    completed = calls.c.outcome.in_(("answered", "transferred"))
    talk = func.sum(case((completed, func.coalesce(calls.c.talk_seconds, 0)), else_=0))
    in_window = and_(entered >= bindparam("start"), entered < bindparam("end"))
    totals = select(
        func.count(),
        _count_if(answered),
        _count_if(and_(answered, calls.c.wait_seconds <= bindparam("service_level_seconds"))),
        _count_if(and_(abandoned, ~short)),
        _count_if(and_(abandoned, short)),
        _count_if(calls.c.outcome == "timeout"),
        _count_if(calls.c.outcome == "transferred"),
        func.sum(case((answered, func.coalesce(calls.c.wait_seconds, 0)), else_=0)),
        talk,
        _count_if(and_(completed, calls.c.talk_seconds.is_not(None))),
    ).where(in_window)
    per_operator = (
        select(calls.c.operator, _count_if(answered).label("answered"), talk.label("talk"))
        .where(in_window, calls.c.operator.is_not(None))
        .group_by(calls.c.operator)
    )
    states = select(operator_states.c.operator, operator_states.c.state, operator_states.c.since)
    return waiting, totals, per_operator, states


WAITING_QUERY, TOTALS_QUERY, PER_OPERATOR_QUERY, STATES_QUERY = _switchboard_statements()


def read_switchboard_counts(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    targets: CallTargets,
) -> SwitchboardCounts:
    """Counts of the calls that entered the queue in [start, end) and of the queue at ``now``
    (four reads on one connection: the statements above)."""
    waiting_row = conn.execute(WAITING_QUERY, {"lost_since": now - LOST_WAIT, "now": now}).one()
    window = {
        "start": start,
        "end": end,
        "service_level_seconds": targets.service_level_seconds,
        "short_abandon_seconds": targets.short_abandon_seconds,
    }
    row = conn.execute(TOTALS_QUERY, window).one()
    per_operator = {
        r.operator: (_int(r.answered), _int(r.talk))
        for r in conn.execute(PER_OPERATOR_QUERY, {"start": start, "end": end})
    }
    states = {r.operator: (r.state, r.since) for r in conn.execute(STATES_QUERY)}
    shown = sorted(
        {code for code, (state, _) in states.items() if state != "logged_off"}
        | {code for code, (count, _) in per_operator.items() if count}
    )
    operators = tuple(
        OperatorCalls(
            operator=code,
            state=states.get(code, ("logged_off", None))[0],
            since=states.get(code, ("logged_off", None))[1],
            answered=per_operator.get(code, (0, 0))[0],
            talk_seconds=per_operator.get(code, (0, 0))[1],
        )
        for code in shown
    )
    return SwitchboardCounts(
        waiting=_int(waiting_row[0]),
        oldest_waiting_entered_at=waiting_row[1],
        offered=_int(row[0]),
        answered=_int(row[1]),
        answered_within_target=_int(row[2]),
        abandoned=_int(row[3]),
        abandoned_short=_int(row[4]),
        timeout=_int(row[5]),
        transferred=_int(row[6]),
        wait_seconds_answered=_int(row[7]),
        talk_seconds_completed=_int(row[8]),
        completed=_int(row[9]),
        operators=operators,
    )


# --- the follower's writes ----------------------------------------------------------------------
CALL_COLUMNS = (
    "call_id",
    "queue",
    "line",
    "entered_at",
    "answered_at",
    "ended_at",
    "outcome",
    "operator",
    "wait_seconds",
    "talk_seconds",
)


@dataclass(frozen=True)
class Position:
    """Where a follower stands in a queue_log: the file's identity and the next byte."""

    inode: str
    offset: int
    lines: int
    malformed: int


class PositionMoved(RuntimeError):
    """Another follower advanced the position first; this batch is rolled back."""


def read_calls(conn: Connection, call_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of these calls, by call_id."""
    wanted = sorted(set(call_ids))
    result: dict[str, dict[str, Any]] = {}
    columns = [calls.c[name] for name in CALL_COLUMNS]
    for index in range(0, len(wanted), CHUNK):
        chunk = wanted[index : index + CHUNK]
        for row in conn.execute(select(*columns).where(calls.c.call_id.in_(chunk))):
            result[row.call_id] = dict(row._mapping)
    return result


def write_calls(
    conn: Connection, new: Iterable[Mapping[str, Any]], changed: Iterable[Mapping[str, Any]]
) -> None:
    """Insert new calls and update changed ones (by call_id)."""
    rows = [{name: row.get(name) for name in CALL_COLUMNS} for row in new]
    for index in range(0, len(rows), CHUNK):
        conn.execute(insert(calls), rows[index : index + CHUNK])
    # One executemany per batch: the statement is compiled once for all changed calls.
    updates = [
        {"key": row["call_id"], **{f"v_{n}": row.get(n) for n in CALL_COLUMNS}} for row in changed
    ]
    if updates:
        statement = (
            update(calls)
            .where(calls.c.call_id == bindparam("key"))
            .values({name: bindparam(f"v_{name}") for name in CALL_COLUMNS if name != "call_id"})
        )
        conn.execute(statement, updates)


def read_operator_states(conn: Connection) -> dict[str, tuple[str, datetime]]:
    """Every operator's state and since when."""
    return {
        r.operator: (r.state, r.since)
        for r in conn.execute(
            select(operator_states.c.operator, operator_states.c.state, operator_states.c.since)
        )
    }


def write_operator_states(
    conn: Connection,
    states: Mapping[str, tuple[str, datetime]],
    known: Iterable[str],
) -> None:
    """Store these operators' states (``known``: operators that already have a row)."""
    existing = set(known)
    rows = sorted(states.items())
    changed = [{"key": op, "v_state": st, "v_since": at} for op, (st, at) in rows if op in existing]
    new = [
        {"operator": op, "state": st, "since": at} for op, (st, at) in rows if op not in existing
    ]
    if changed:
        conn.execute(
            update(operator_states)
            .where(operator_states.c.operator == bindparam("key"))
            .values(state=bindparam("v_state"), since=bindparam("v_since")),
            changed,
        )
    if new:
        conn.execute(insert(operator_states), new)


def read_position(conn: Connection, path: str) -> Position | None:
    """The stored position of a followed file (None before its first line)."""
    row = conn.execute(
        select(
            queue_log_positions.c.inode,
            queue_log_positions.c.offset,
            queue_log_positions.c.lines,
            queue_log_positions.c.malformed,
        ).where(queue_log_positions.c.path == path)
    ).first()
    if row is None:
        return None
    return Position(str(row.inode), int(row.offset), int(row.lines), int(row.malformed))


def save_position(
    conn: Connection, path: str, old: Position | None, new: Position, at: datetime
) -> None:
    """Move the position from ``old`` to ``new``; PositionMoved when someone else moved it."""
    values = {
        "inode": new.inode,
        "offset": new.offset,
        "lines": new.lines,
        "malformed": new.malformed,
        "updated_at": at,
    }
    if old is None:
        conn.execute(insert(queue_log_positions).values(path=path, **values))
        return
    result = conn.execute(
        update(queue_log_positions)
        .where(
            queue_log_positions.c.path == path,
            queue_log_positions.c.inode == old.inode,
            queue_log_positions.c.offset == old.offset,
        )
        .values(values)
    )
    if result.rowcount != 1:
        raise PositionMoved(f"the position of {path} moved under this follower")
