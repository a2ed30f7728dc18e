"""The queue_log follower and the switchboard figures, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from dashboard.settings import DEFAULT_REFERENCE_FILE
from dashboard.switchboard.figures import SwitchboardFigures, make_switchboard_figures
from dashboard.switchboard.follower import QueueLogFollower
from data_access.reference import read_queue_lines
from data_access.schema import calls
from data_access.switchboard import read_position, read_switchboard_counts
from data_access.values import CallTargets

T = int(datetime(2026, 12, 3, 2, 0, tzinfo=UTC).timestamp())
NOW = datetime.fromtimestamp(T + 430, UTC)
START = datetime.fromtimestamp(T - 3600, UTC)
END = datetime.fromtimestamp(T + 3600, UTC)
CALLER_NUMBERS = ("0901234567", "0912345678", "0987654321", "0900000004", "0977777777")


def q(offset: int, call: str, queue: str, agent: str, event: str, *data: object) -> str:
    return "|".join([str(T + offset), call, queue, agent, event, *(str(d) for d in data)]) + "\n"


# Every event kind the follower reads, with the figures it must give (worked out by hand).
FRAGMENT = [
    q(0, "NONE", "hotline1022", "PJSIP/op01", "ADDMEMBER", ""),
    q(0, "NONE", "hotline1022", "PJSIP/op02", "AGENTLOGIN", "PJSIP/op02"),
    q(0, "NONE", "hotline1022", "PJSIP/op03", "ADDMEMBER", ""),
    q(0, "NONE", "hotline1022", "PJSIP/op04", "ADDMEMBER", ""),
    q(1, "NONE", "hotline1022", "PJSIP/op03", "PAUSE", "lunch"),
    # c1: answered after 12 s (a ring not answered first), 120 s of talk, by op01.
    q(10, "c1", "hotline1022", "NONE", "ENTERQUEUE", "", CALLER_NUMBERS[0], 1),
    q(18, "c1", "hotline1022", "PJSIP/op02", "RINGNOANSWER", 8000),
    q(20, "c2", "hotline1022", "NONE", "ENTERQUEUE", "", CALLER_NUMBERS[1], 2),
    q(22, "c1", "hotline1022", "PJSIP/op01", "CONNECT", 12, "c1-agent", 3),
    # c3: a short abandon (3 s).
    q(30, "c3", "hotline1022", "NONE", "ENTERQUEUE", "", CALLER_NUMBERS[2], 2),
    q(33, "c3", "hotline1022", "NONE", "ABANDON", 2, 2, 3),
    # c4: abandoned after 60 s on the Thanh uy line.
    q(40, "c4", "thanhuy", "NONE", "ENTERQUEUE", "", CALLER_NUMBERS[3], 1),
    # c2: answered after 30 s (beyond the 20 s target), 60 s of talk, by op02.
    q(50, "c2", "hotline1022", "PJSIP/op02", "CONNECT", 30, "c2-agent", 2),
    # c5: the PBX's timeout after 300 s; c6: no operator in the queue (EXITEMPTY).
    q(60, "c5", "ubnd", "NONE", "ENTERQUEUE", "", "", 1),
    q(70, "c6", "ubnd", "NONE", "ENTERQUEUE", "", "", 2),
    q(75, "c6", "ubnd", "NONE", "EXITEMPTY", 2, 2, 5),
    # c7: left by pressing a key after 15 s: an abandon.
    q(80, "c7", "hotline1022", "NONE", "ENTERQUEUE", "", CALLER_NUMBERS[4], 2),
    q(95, "c7", "hotline1022", "NONE", "EXITWITHKEY", 5, 2, 2, 15),
    q(100, "c4", "thanhuy", "NONE", "ABANDON", 1, 1, 60),
    q(110, "c2", "hotline1022", "PJSIP/op02", "COMPLETEAGENT", 30, 60, 2),
    q(142, "c1", "hotline1022", "PJSIP/op01", "COMPLETECALLER", 12, 120, 1),
    # c8: answered after 5 s, transferred after 60 s of talk.
    q(150, "c8", "hotline1022", "NONE", "ENTERQUEUE", "", "", 1),
    q(155, "c8", "hotline1022", "PJSIP/op01", "CONNECT", 5, "c8-agent", 1),
    q(200, "NONE", "hotline1022", "PJSIP/op04", "AGENTLOGOFF", "PJSIP/op04", 200),
    q(215, "c8", "hotline1022", "PJSIP/op01", "TRANSFER", "200", "internal", 5, 60, 1),
    q(300, "NONE", "hotline1022", "PJSIP/op03", "UNPAUSE", ""),
    q(301, "NONE", "hotline1022", "PJSIP/op03", "PAUSE", "meeting"),
    q(320, "NONE", "hotline1022", "PJSIP/op05", "ADDMEMBER", ""),
    q(330, "NONE", "hotline1022", "PJSIP/op05", "REMOVEMEMBER", ""),
    q(360, "c5", "ubnd", "NONE", "EXITWITHTIMEOUT", 1, 1, 300),
    # c9 still waits at now (30 s); c10 is being answered by op02.
    q(400, "c9", "hotline1022", "NONE", "ENTERQUEUE", "", "", 1),
    q(410, "c10", "hotline1022", "NONE", "ENTERQUEUE", "", "", 2),
    q(415, "c10", "hotline1022", "PJSIP/op02", "CONNECT", 5, "c10-agent", 1),
]


def at(offset: int) -> datetime:
    return datetime.fromtimestamp(T + offset, UTC)


EXPECTED = {
    "waiting": 1,
    "longest_wait_seconds": 30,
    "offered": 10,
    "answered": 4,
    "abandoned": 2,
    "abandoned_short": 1,
    "timeout": 2,
    "service_level": 0.375,  # 3 within 20 s / (4 answered + 2 abandoned + 2 timed out)
    "average_speed_of_answer_seconds": 13.0,  # (12 + 30 + 5 + 5) / 4
    "average_handle_seconds": 80.0,  # (120 + 60 + 60) / 3 completed
}
EXPECTED_OPERATORS = [
    ("op01", "available", at(215), 2, 180),
    ("op02", "on_call", at(415), 2, 60),
    ("op03", "paused", at(301), 0, 0),
]


def follower(engine: Engine, path: Path, batch_lines: int = 5000) -> QueueLogFollower:
    return QueueLogFollower(
        engine,
        path,
        read_queue_lines(DEFAULT_REFERENCE_FILE),
        clock=lambda: NOW,
        batch_lines=batch_lines,
    )


def figures(engine: Engine, service_level: int = 20, short_abandon: int = 5) -> SwitchboardFigures:
    with engine.connect() as conn:
        targets = CallTargets(service_level, short_abandon)
        counts = read_switchboard_counts(conn, start=START, end=END, now=NOW, targets=targets)
    return make_switchboard_figures(counts, NOW)


def check(result: SwitchboardFigures) -> None:
    for name, value in EXPECTED.items():
        assert getattr(result, name) == value, name
    assert [
        (o.operator, o.state, o.since, o.answered, o.talk_seconds) for o in result.operators
    ] == EXPECTED_OPERATORS


def stored_calls(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(
                    calls.c.call_id,
                    calls.c.queue,
                    calls.c.line,
                    calls.c.entered_at,
                    calls.c.answered_at,
                    calls.c.ended_at,
                    calls.c.outcome,
                    calls.c.operator,
                    calls.c.wait_seconds,
                    calls.c.talk_seconds,
                ).order_by(calls.c.call_id)
            )
        ]


def test_every_event_kind_gives_the_exact_figures(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(FRAGMENT), encoding="utf-8")
    result = follower(engine, path).follow_once()
    assert (result.lines, result.malformed) == (len(FRAGMENT), 0)
    check(figures(engine))
    rows = {row[0]: row for row in stored_calls(engine)}
    assert rows["c4"][1:3] == ("thanhuy", "thanh_uy")
    assert rows["c5"][6] == "timeout" and rows["c5"][8] == 300
    assert rows["c8"][6:] == ("transferred", "op01", 5, 60)
    assert rows["c1"][3:6] == (at(10), at(22), at(142))
    assert rows["c9"][4:] == (None, None, None, None, None, None)


def test_the_targets_are_those_asked_for(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(FRAGMENT), encoding="utf-8")
    follower(engine, path).follow_once()
    # A 30 s target takes c2 (answered after 30 s) in: 4 within target of 8 outcomes.
    assert figures(engine, service_level=30).service_level == 0.5
    # Under 2 s only is short: c3 (3 s) is a plain abandon, counted in the service level.
    wider = figures(engine, short_abandon=2)
    assert (wider.abandoned, wider.abandoned_short) == (3, 0)
    assert wider.service_level == 0.3333  # 3 within 20 s / (4 + 3 + 2), to 4 places
    # The same statements, bound again with the defaults, give the defaults' figures.
    check(figures(engine))


def test_restart_in_small_batches_and_a_second_pass_change_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(FRAGMENT[:12]), encoding="utf-8")
    follower(engine, path, batch_lines=5).follow_once()
    # A restart: a new follower (a new process) resumes from the stored position.
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(FRAGMENT[12:]))
    second = follower(engine, path, batch_lines=7).follow_once()
    assert second.lines == len(FRAGMENT) - 12
    again = follower(engine, path).follow_once()
    assert again.lines == 0
    check(figures(engine))
    with engine.connect() as conn:
        position = read_position(conn, str(path.resolve()))
    assert position is not None
    assert position.offset == path.stat().st_size
    assert position.lines == len(FRAGMENT)


def test_a_half_written_line_waits_for_its_newline(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    line = q(5, "p1", "hotline1022", "NONE", "ENTERQUEUE", "", "", 1)
    path.write_text(line[:15], encoding="utf-8")
    assert follower(engine, path).follow_once().lines == 0
    assert stored_calls(engine) == []
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line[15:])
    assert follower(engine, path).follow_once().lines == 1
    assert [row[0] for row in stored_calls(engine)] == ["p1"]


def test_rotation_finishes_the_old_file_then_reads_the_new_from_zero(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(FRAGMENT[:10]), encoding="utf-8")
    follower(engine, path).follow_once()
    # Lines written after the last pass, then the file is renamed (logrotate) and a new one
    # started: the follower must read the rest of the old file before the new one.
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(FRAGMENT[10:20]))
    os.rename(path, tmp_path / "queue_log.1")
    path.write_text("".join(FRAGMENT[20:28]), encoding="utf-8")
    result = follower(engine, path).follow_once()
    assert result.rotated and result.lines == 18
    # copytruncate: the same file emptied, then written again.
    with path.open("r+", encoding="utf-8") as handle:
        handle.truncate(0)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(FRAGMENT[28:]))
    result = follower(engine, path).follow_once()
    assert result.rotated and result.lines == len(FRAGMENT) - 28
    check(figures(engine))


def test_malformed_lines_are_skipped_counted_and_logged_without_content(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = [
        "garbage without pipes 0909999999\n",
        "notanumber|c1|hotline1022|NONE|ENTERQUEUE||0909999999|1\n",
        f"{T + 23}|c1|hotline1022|PJSIP/op01|CONNECT|soon|x|1\n",
        f"{T + 24}|NONE|hotline1022|NONE|ABANDON|1|1|2\n",
        "\xff\xfe|broken\n",
    ]
    lines = [*FRAGMENT[:8], *bad[:3], *FRAGMENT[8:20], *bad[3:], *FRAGMENT[20:]]
    path = tmp_path / "queue_log"
    path.write_text("".join(lines), encoding="utf-8")
    caplog.set_level(logging.WARNING)
    result = follower(engine, path, batch_lines=6).follow_once()
    assert (result.lines, result.malformed) == (len(lines), len(bad))
    check(figures(engine))
    messages = [r.getMessage() for r in caplog.records if "malformed" in r.getMessage()]
    assert len(messages) == len(bad)
    assert all("0909999999" not in message for message in messages)
    with engine.connect() as conn:
        position = read_position(conn, str(path.resolve()))
    assert position is not None and position.malformed == len(bad)


def dump(engine: Engine) -> str:
    """Every row of every table of the database, as text."""
    inspector = inspect(engine)
    parts: list[str] = []
    with engine.connect() as conn:
        for table in inspector.get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_no_caller_number_is_stored_anywhere(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text("".join(FRAGMENT), encoding="utf-8")
    follower(engine, path).follow_once()
    everything = dump(engine)
    assert "c1" in everything and "op01" in everything  # the dump does read the rows
    for number in CALLER_NUMBERS:
        assert number not in everything
    if engine.dialect.name == "sqlite":
        database = Path(str(engine.url.database))
        engine.dispose()
        for file in database.parent.glob(database.name + "*"):
            assert not any(n.encode() in file.read_bytes() for n in CALLER_NUMBERS), file


def test_a_call_seen_only_from_its_connect_is_rebuilt(engine: Engine, tmp_path: Path) -> None:
    # The follower started after the caller entered (an old log rotated away).
    path = tmp_path / "queue_log"
    path.write_text(
        q(100, "late", "ubnd", "PJSIP/op01", "CONNECT", 40, "x", 1)
        + q(160, "late", "ubnd", "PJSIP/op01", "COMPLETECALLER", 40, 60, 1),
        encoding="utf-8",
    )
    follower(engine, path).follow_once()
    (row,) = stored_calls(engine)
    assert row == ("late", "ubnd", "ubnd", at(60), at(100), at(160), "answered", "op01", 40, 60)


def test_empty_database_gives_zeros_and_nulls(engine: Engine) -> None:
    result = figures(engine)
    assert result == SwitchboardFigures()
    assert result.to_json(lambda value: value.isoformat()) == {
        "waiting": 0,
        "longest_wait_seconds": 0,
        "offered": 0,
        "answered": 0,
        "abandoned": 0,
        "abandoned_short": 0,
        "service_level": None,
        "average_speed_of_answer_seconds": None,
        "average_handle_seconds": None,
        "operators": [],
    }


def test_waiting_calls_older_than_the_lost_limit_are_not_waiting_now(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "queue_log"
    path.write_text(
        q(-5 * 3600, "lost", "hotline1022", "NONE", "ENTERQUEUE", "", "", 1)
        + q(420, "fresh", "hotline1022", "NONE", "ENTERQUEUE", "", "", 1),
        encoding="utf-8",
    )
    follower(engine, path).follow_once()
    with engine.connect() as conn:
        counts = read_switchboard_counts(
            conn,
            start=START - timedelta(hours=6),
            end=END,
            now=NOW,
            targets=CallTargets(),
        )
    assert (counts.waiting, make_switchboard_figures(counts, NOW).longest_wait_seconds) == (1, 10)
