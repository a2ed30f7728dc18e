"""The switchboard's pure parts: queue_log parsing, the figures, the wall strip, the demo PBX."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.shifts import ShiftCalendar
from dashboard.store import decode_tagged, encode_tagged
from dashboard.switchboard.demo_log import DemoPbx, close_open_calls
from dashboard.switchboard.figures import (
    OperatorFigures,
    SwitchboardFigures,
    make_switchboard_figures,
)
from dashboard.switchboard.follower import apply_call_event, read_complete_lines
from dashboard.switchboard.queue_log import MalformedLine, operator_code, parse_line
from data_access.switchboard import OperatorCalls, SwitchboardCounts
from layouts.switchboard import Thresholds, format_wait, make_switchboard_cells

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def test_enterqueue_keeps_no_trace_of_the_caller_number() -> None:
    event = parse_line("1796263210|c1|hotline1022|NONE|ENTERQUEUE||0901234567|1\n")
    assert event is not None
    assert (event.event, event.call_id, event.queue, event.operator) == (
        "ENTERQUEUE",
        "c1",
        "hotline1022",
        None,
    )
    assert "0901234567" not in repr(event)


@pytest.mark.parametrize(
    ("line", "numbers"),
    [
        ("1|c|q|PJSIP/op01|CONNECT|12|c-a|3", {"holdtime": 12}),
        ("1|c|q|PJSIP/op01|COMPLETECALLER|12|120|1", {"holdtime": 12, "calltime": 120}),
        ("1|c|q|PJSIP/op01|COMPLETEAGENT|7|30|1", {"holdtime": 7, "calltime": 30}),
        ("1|c|q|PJSIP/op01|TRANSFER|200|ctx|5|60|1", {"holdtime": 5, "calltime": 60}),
        ("1|c|q|NONE|ABANDON|2|2|3", {"waittime": 3}),
        ("1|c|q|NONE|EXITWITHTIMEOUT|1|1|300", {"waittime": 300}),
        ("1|c|q|NONE|EXITEMPTY|1|1|5", {"waittime": 5}),
        ("1|c|q|NONE|EXITWITHKEY|5|2|2|15", {"waittime": 15}),
        ("1|c|q|NONE|EXITWITHKEY|5|2", {}),  # the older form without a wait
        ("1|c|q|PJSIP/op02|RINGNOANSWER|8000", {}),
    ],
)
def test_each_event_reads_its_documented_fields(line: str, numbers: dict[str, int]) -> None:
    event = parse_line(line)
    assert event is not None
    assert dict(event.numbers) == numbers


@pytest.mark.parametrize(
    "line",
    [
        "",
        "1|c|q|NONE",
        "x|c|q|NONE|ENTERQUEUE||1",
        "-5|c|q|NONE|ENTERQUEUE||1",
        "1|c|q|NONE||",
        "1|c|q|PJSIP/op01|CONNECT|soon|x|1",
        "1|c|q|PJSIP/op01|CONNECT|-3|x|1",
        "1|c|q|PJSIP/op01|COMPLETECALLER|12",
        "1|NONE|q|NONE|ABANDON|1|1|3",
        "1|NONE|q|NONE|PAUSE|lunch",
    ],
)
def test_malformed_lines_raise(line: str) -> None:
    with pytest.raises(MalformedLine):
        parse_line(line)


def test_other_events_are_ignored_not_malformed() -> None:
    assert parse_line("1|NONE|NONE|NONE|QUEUESTART||") is None
    assert parse_line("1|c|q|NONE|DID|1022") is None


def test_operator_codes_from_member_interfaces() -> None:
    assert operator_code("PJSIP/op01") == "op01"
    assert operator_code("Local/op02@agents") == "op02"
    assert operator_code("Agent/1001") == "1001"
    assert operator_code("NONE") is None


def test_a_half_written_line_is_left_for_later(tmp_path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"1|a|q|NONE|ENTERQUEUE||\n2|b|q|NONE|ENTER")
    with path.open("rb") as handle:
        lines, offset = read_complete_lines(handle, 0)
    assert [raw for _, raw in lines] == [b"1|a|q|NONE|ENTERQUEUE||\n"]
    assert offset == len(b"1|a|q|NONE|ENTERQUEUE||\n")


def test_an_end_after_an_answer_never_turns_the_call_into_an_abandon() -> None:
    entered = parse_line("100|c|q|NONE|ENTERQUEUE||")
    connect = parse_line("110|c|q|PJSIP/op01|CONNECT|10|x|1")
    abandon = parse_line("130|c|q|NONE|ABANDON|1|1|30")
    assert entered and connect and abandon
    call = apply_call_event(entered, None, {"q": "1022"})
    call = apply_call_event(connect, call, {})
    call = apply_call_event(abandon, call, {})
    assert call is not None
    assert (call["outcome"], call["wait_seconds"], call["line"]) == (None, 10, "1022")


def counts(**values: int) -> SwitchboardCounts:
    base = dict.fromkeys(
        (
            "waiting",
            "offered",
            "answered",
            "answered_within_target",
            "abandoned",
            "abandoned_short",
            "timeout",
            "transferred",
            "wait_seconds_answered",
            "talk_seconds_completed",
            "completed",
        ),
        0,
    )
    base.update(values)
    return SwitchboardCounts(oldest_waiting_entered_at=None, operators=(), **base)


def test_service_level_counts_outcomes_but_not_short_abandons() -> None:
    figures = make_switchboard_figures(
        counts(
            offered=20,
            answered=10,
            answered_within_target=8,
            abandoned=4,
            abandoned_short=5,
            timeout=2,
            wait_seconds_answered=95,
            talk_seconds_completed=900,
            completed=9,
        ),
        NOW,
    )
    assert figures.service_level == 0.5  # 8 / (10 + 4 + 2)
    assert figures.average_speed_of_answer_seconds == 9.5
    assert figures.average_handle_seconds == 100.0


def test_rates_are_null_without_calls_and_the_longest_wait_follows_now() -> None:
    figures = make_switchboard_figures(
        replace(counts(waiting=2), oldest_waiting_entered_at=NOW - timedelta(seconds=75)), NOW
    )
    assert (figures.service_level, figures.average_speed_of_answer_seconds) == (None, None)
    assert (figures.waiting, figures.longest_wait_seconds) == (2, 75)


def test_the_strip_alarms_over_its_thresholds_only() -> None:
    thresholds = Thresholds(waiting=3, longest_wait_seconds=60)
    calm = {
        c.key: c
        for c in make_switchboard_cells(
            SwitchboardFigures(waiting=2, longest_wait_seconds=59), thresholds, "vi"
        )
    }
    assert not calm["waiting"].alarm and not calm["longest"].alarm
    busy = {
        c.key: c
        for c in make_switchboard_cells(
            SwitchboardFigures(waiting=3, longest_wait_seconds=60), thresholds, "en"
        )
    }
    assert busy["waiting"].alarm and busy["longest"].alarm
    assert busy["longest"].value == "1:00" and busy["waiting"].label == "Waiting"
    empty = {c.key: c for c in make_switchboard_cells(SwitchboardFigures(), thresholds, "vi")}
    assert empty["longest"].value == "—" and not empty["longest"].alarm


def test_format_wait() -> None:
    assert [format_wait(v) for v in (0, 5, 65, 3725, None)] == [
        "0:00",
        "0:05",
        "1:05",
        "1:02:05",
        "—",
    ]


def test_the_figures_travel_through_the_store_codec() -> None:
    figures = SwitchboardFigures(
        waiting=1,
        longest_wait_seconds=30,
        service_level=0.375,
        operators=(OperatorFigures("op01", "paused", NOW, 2, 180),),
    )
    copy = decode_tagged(json.loads(json.dumps(encode_tagged(figures))))
    assert copy == figures
    OperatorCalls("op01", "paused", NOW, 2, 180)  # the data_access twin has the same fields


def test_the_demo_pbx_looks_like_a_switchboard() -> None:
    calendar = ShiftCalendar.from_spec("Asia/Ho_Chi_Minh", "06:00-14:00,14:00-22:00,22:00-06:00")
    staff = {n: [f"op{n}{i}" for i in range(5)] for n in (1, 2, 3)}
    start = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 06:00 local
    pbx = DemoPbx(calendar, staff, 72.0, random.Random(5), start.timestamp())
    lines = pbx.advance((start + timedelta(days=1)).timestamp()) + pbx.flush()
    kinds = Counter(line.split("|")[4] for line in lines)
    entered = kinds["ENTERQUEUE"]
    answered = kinds["CONNECT"]
    assert 1000 < entered < 2500
    assert answered / entered > 0.8  # most answered
    assert 0.01 < (kinds["ABANDON"] + kinds["EXITWITHTIMEOUT"]) / entered < 0.2  # some not
    assert kinds["PAUSE"] >= 15 and kinds["PAUSE"] == kinds["UNPAUSE"]
    assert kinds["ADDMEMBER"] == 15  # five operators a shift, three shifts
    holds = [int(line.split("|")[5]) for line in lines if "|CONNECT|" in line]
    assert sorted(holds)[len(holds) // 2] <= 10  # answered within seconds
    times = [int(line.split("|")[0]) for line in lines]
    assert times == sorted(times)
    hours = Counter(
        datetime.fromtimestamp(t, calendar.zone).hour
        for t, line in zip(times, lines)
        if "ENTERQUEUE" in line
    )
    assert hours[9] > 3 * hours[3]  # arrivals follow the day


def test_a_new_demo_run_ends_the_calls_a_previous_one_left_open(tmp_path) -> None:
    path = tmp_path / "queue_log"
    path.write_text(
        "100|a|q|NONE|ENTERQUEUE||0901|1\n"
        "101|b|q|NONE|ENTERQUEUE||0902|1\n"
        "105|b|q|PJSIP/op01|CONNECT|4|x|1\n"
        "102|c|q|NONE|ENTERQUEUE||0903|1\n"
        "110|c|q|NONE|ABANDON|1|1|8\n",
        encoding="utf-8",
    )
    lines = close_open_calls(path, 200)
    assert lines == ["200|a|q|NONE|ABANDON|1|1|100\n", "200|b|q|PJSIP/op01|COMPLETEAGENT|4|95|1\n"]
