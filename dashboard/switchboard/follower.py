"""The queue_log follower: ``python -m dashboard follow-queue-log PATH [--once]``.

It reads complete lines from where it stopped (the file's inode and byte offset,
stored in the same transaction as the rows those lines produced, so a restart
neither loses nor repeats a line), waits for the newline of a half-written last
line, finishes a rotated file before starting the new one at 0, and skips and
counts malformed lines. Applying an event sets values (never adds to them), so
even a line read twice could not count a call twice.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from dashboard.switchboard.queue_log import MEMBER_EVENTS, MalformedLine, QueueEvent, parse_line
from data_access.switchboard import (
    Position,
    PositionMoved,
    read_calls,
    read_operator_states,
    read_position,
    save_position,
    write_calls,
    write_operator_states,
)

log = logging.getLogger(__name__)

READ_BYTES = 1 << 20
BATCH_LINES = 5000

ABANDONED_EVENTS = {"ABANDON": "abandoned", "EXITWITHKEY": "abandoned"}
TIMEOUT_EVENTS = {"EXITWITHTIMEOUT": "timeout", "EXITEMPTY": "timeout"}


@dataclass(frozen=True)
class FollowResult:
    """What one pass over the file did."""

    lines: int
    malformed: int
    events: int
    rotated: bool


def _seconds(value: timedelta) -> int:
    return max(0, round(value.total_seconds()))


def _new_call(event: QueueEvent, entered_at: datetime, queue_lines: dict[str, str]) -> dict:
    queue = event.queue or "?"
    return {
        "call_id": event.call_id,
        "queue": queue,
        "line": queue_lines.get(queue),
        "entered_at": entered_at,
        "answered_at": None,
        "ended_at": None,
        "outcome": None,
        "operator": None,
        "wait_seconds": None,
        "talk_seconds": None,
    }


def apply_call_event(
    event: QueueEvent, call: dict[str, Any] | None, queue_lines: dict[str, str]
) -> dict[str, Any] | None:
    """The call row after ``event`` (a new dict; ``call`` is None when not seen before)."""
    at = event.at
    kind = event.event
    hold = event.number("holdtime")
    talk = event.number("calltime")
    wait = event.number("waittime")
    if kind == "RINGNOANSWER":
        return call
    if call is None:
        # The call entered before the first line this follower read: rebuild its start.
        back = timedelta(seconds=(hold or wait or 0) + (talk or 0))
        call = _new_call(event, at - back, queue_lines)
    else:
        call = dict(call)
    if kind == "ENTERQUEUE":
        call["entered_at"] = min(call["entered_at"], at)
    elif kind == "CONNECT":
        call["answered_at"] = at
        call["operator"] = event.operator or call["operator"]
        call["wait_seconds"] = hold if hold is not None else _seconds(at - call["entered_at"])
    elif kind in ("COMPLETECALLER", "COMPLETEAGENT", "TRANSFER"):
        if call["answered_at"] is None:
            call["answered_at"] = at - timedelta(seconds=talk or 0)
        if call["wait_seconds"] is None:
            call["wait_seconds"] = (
                hold if hold is not None else _seconds(call["answered_at"] - call["entered_at"])
            )
        call["operator"] = call["operator"] or event.operator
        call["ended_at"] = at
        call["talk_seconds"] = talk if talk is not None else _seconds(at - call["answered_at"])
        call["outcome"] = "transferred" if kind == "TRANSFER" else "answered"
    elif kind in ABANDONED_EVENTS or kind in TIMEOUT_EVENTS:
        if call["answered_at"] is None:
            call["ended_at"] = at
            call["outcome"] = ABANDONED_EVENTS.get(kind) or TIMEOUT_EVENTS[kind]
            call["wait_seconds"] = wait if wait is not None else _seconds(at - call["entered_at"])
    return call


def operator_state_after(event: QueueEvent, current: tuple[str, datetime] | None) -> str | None:
    """The operator's state after ``event`` (None: unchanged)."""
    kind = event.event
    if kind in MEMBER_EVENTS:
        return MEMBER_EVENTS[kind]
    if kind == "CONNECT":
        return "on_call"
    if kind in ("COMPLETECALLER", "COMPLETEAGENT", "TRANSFER"):
        # Paused during the call (a PAUSE line while on_call) stays paused.
        return "available" if current is None or current[0] == "on_call" else None
    return None


def read_complete_lines(
    handle: Any, offset: int, limit: int = BATCH_LINES
) -> tuple[list[tuple[int, bytes]], int]:
    """Up to ``limit`` complete lines from ``offset``: (line start, bytes) and the next offset.

    A last line without its newline is still being written: it is left for the next pass.
    """
    handle.seek(offset)
    lines: list[tuple[int, bytes]] = []
    position = offset
    pending = b""
    while len(lines) < limit:
        chunk = handle.read(READ_BYTES)
        if not chunk:
            break
        pending += chunk
        start = 0
        while len(lines) < limit:
            newline = pending.find(b"\n", start)
            if newline < 0:
                break
            lines.append((position + start, pending[start : newline + 1]))
            start = newline + 1
        position += start
        pending = pending[start:]
        if len(lines) >= limit:
            break
    return lines, position


class QueueLogFollower:
    """Follows one queue_log path into the calls and operator_states tables."""

    def __init__(
        self,
        engine: Engine,
        path: Path,
        queue_lines: dict[str, str],
        *,
        clock: Callable[[], datetime] | None = None,
        batch_lines: int = BATCH_LINES,
    ) -> None:
        self.engine = engine
        self.path = Path(path)
        self.key = str(self.path.resolve())
        self.queue_lines = dict(queue_lines)
        self.batch_lines = batch_lines
        from dashboard.shifts import utc_now

        self.clock = clock or utc_now
        self._missing_logged = False

    # --- one pass ---------------------------------------------------------------------------
    def follow_once(self) -> FollowResult:
        """Read every complete line there is now (of a rotated-away file first); then return."""
        lines = malformed = events = 0
        rotated = False
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            if not self._missing_logged:
                log.warning("queue_log %s does not exist (yet); waiting for it", self.path)
                self._missing_logged = True
            return FollowResult(0, 0, 0, False)
        self._missing_logged = False
        inode = f"{stat.st_dev}:{stat.st_ino}"
        with self.engine.connect() as conn:
            position = read_position(conn, self.key)
        if position is not None and position.inode != inode:
            rotated = True
            old = self._find_rotated(position.inode)
            if old is not None:
                done = self._drain(old, position)
                lines, malformed, events = done.lines, done.malformed, done.events
                with self.engine.connect() as conn:
                    position = read_position(conn, self.key)
            else:
                log.warning(
                    "queue_log %s was replaced and the old file is gone; "
                    "lines written to it after byte %d were not read",
                    self.path,
                    position.offset if position else 0,
                )
            assert position is not None
            position = self._move(position, replace(position, inode=inode, offset=0))
            log.info("queue_log %s rotated: reading the new file from its start", self.path)
        elif position is not None and stat.st_size < position.offset:
            rotated = True
            log.warning(
                "queue_log %s was truncated (now %d bytes, had read %d): reading it from 0",
                self.path,
                stat.st_size,
                position.offset,
            )
            position = self._move(position, replace(position, offset=0))
        done = self._drain(self.path, position, inode=inode)
        return FollowResult(
            lines + done.lines, malformed + done.malformed, events + done.events, rotated
        )

    def _move(self, old: Position, new: Position) -> Position:
        with self.engine.begin() as conn:
            save_position(conn, self.key, old, new, self.clock())
        return new

    def _find_rotated(self, inode: str) -> Path | None:
        """The renamed old file (``queue_log.1``, ``queue_log-20261203``...) by its inode."""
        folder = self.path.parent
        try:
            candidates = [p for p in folder.iterdir() if p.name.startswith(self.path.name)]
        except OSError:
            return None
        for candidate in sorted(candidates):
            try:
                stat = candidate.stat()
            except OSError:
                continue
            if f"{stat.st_dev}:{stat.st_ino}" == inode and candidate != self.path:
                return candidate
        return None

    def _drain(
        self, path: Path, position: Position | None, inode: str | None = None
    ) -> FollowResult:
        """Read ``path`` from the position to its last complete line, batch by batch."""
        total_lines = total_malformed = total_events = 0
        with open(path, "rb") as handle:
            if inode is None:
                stat = os.fstat(handle.fileno())
                inode = f"{stat.st_dev}:{stat.st_ino}"
            while True:
                offset = position.offset if position is not None else 0
                chunk, next_offset = read_complete_lines(handle, offset, self.batch_lines)
                if not chunk:
                    break
                parsed: list[QueueEvent] = []
                bad = 0
                for start, raw in chunk:
                    try:
                        event = parse_line(raw.decode("utf-8", errors="replace"))
                    except MalformedLine as exc:
                        bad += 1
                        # The reason and the place only: a line may hold a caller's number.
                        log.warning(
                            "queue_log %s: skipped a malformed line at byte %d: %s",
                            path,
                            start,
                            exc,
                        )
                        continue
                    if event is not None:
                        parsed.append(event)
                new_position = Position(
                    inode=inode,
                    offset=next_offset,
                    lines=(position.lines if position else 0) + len(chunk),
                    malformed=(position.malformed if position else 0) + bad,
                )
                try:
                    with self.engine.begin() as conn:
                        self._apply(conn, parsed)
                        save_position(conn, self.key, position, new_position, self.clock())
                except (PositionMoved, IntegrityError):
                    # Another follower took these lines: start again from its position.
                    log.warning("queue_log %s: another follower moved on; re-reading", path)
                    with self.engine.connect() as conn:
                        position = read_position(conn, self.key)
                    if position is None or position.inode != inode:
                        break
                    continue
                position = new_position
                total_lines += len(chunk)
                total_malformed += bad
                total_events += len(parsed)
        return FollowResult(total_lines, total_malformed, total_events, False)

    def _apply(self, conn: Any, events: Iterable[QueueEvent]) -> None:
        events = list(events)
        stored = read_calls(conn, {e.call_id for e in events if e.call_id and _is_call(e)})
        current: dict[str, dict[str, Any]] = dict(stored)
        known_states = read_operator_states(conn)
        states = dict(known_states)
        changed_states: dict[str, tuple[str, datetime]] = {}
        for event in events:
            if _is_call(event) and event.call_id:
                after = apply_call_event(event, current.get(event.call_id), self.queue_lines)
                if after is not None:
                    current[event.call_id] = after
            if event.operator:
                state = operator_state_after(event, states.get(event.operator))
                previous = states.get(event.operator)
                if state is not None and (previous is None or event.at >= previous[1]):
                    if previous is None or previous[0] != state:
                        states[event.operator] = (state, event.at)
                        changed_states[event.operator] = states[event.operator]
        new = [row for call_id, row in current.items() if call_id not in stored]
        changed = [
            row for call_id, row in current.items() if call_id in stored and row != stored[call_id]
        ]
        write_calls(conn, new, changed)
        write_operator_states(conn, changed_states, known_states)

    # --- running ----------------------------------------------------------------------------
    def run(self, *, poll_seconds: float = 1.0, stop: threading.Event | None = None) -> None:
        """Follow until stopped (Ctrl-C or ``stop`` set), a pass every ``poll_seconds``."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.follow_once()
            except Exception as exc:  # noqa: BLE001 - a database hiccup: retry next pass
                log.error("queue_log %s: pass failed: %s", self.path, str(exc).splitlines()[0])
            stop.wait(poll_seconds)


def _is_call(event: QueueEvent) -> bool:
    return event.event not in MEMBER_EVENTS


def make_follower(settings: Any, path: Path | None = None) -> QueueLogFollower:
    """A follower of ``path`` (default: the settings' queue_log) with a writer engine of its own."""
    from data_access.engine import make_engine
    from data_access.reference import read_queue_lines

    path = path or settings.queue_log_file
    if path is None:
        raise ValueError("no queue_log: set HOTLINE_QUEUE_LOG")
    engine = make_engine(settings.database_url, statement_timeout_ms=60_000, pool_size=1)
    return QueueLogFollower(engine, path, read_queue_lines(settings.reference_file))


def follow_from_settings(settings: Any, path: Path, *, once: bool, poll: float) -> int:
    """The CLI command: one pass (``--once``) or follow until Ctrl-C; returns the exit status."""
    follower = make_follower(settings, path)
    try:
        if once:
            result = follower.follow_once()
            print(
                f"queue_log {path}: {result.lines} lines read, {result.events} events, "
                f"{result.malformed} malformed skipped"
            )
            return 0
        follower.run(poll_seconds=max(0.1, poll))
        return 0
    finally:
        follower.engine.dispose()
