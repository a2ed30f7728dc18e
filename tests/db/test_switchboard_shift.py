"""The shift's calls on /shift and in the hand-over report, from a followed queue_log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dashboard.settings import DEFAULT_REFERENCE_FILE
from dashboard.shift_view import compute_shift_view
from dashboard.shifts import ShiftCalendar
from dashboard.switchboard.follower import QueueLogFollower
from data_access.reference import read_queue_lines
from layouts.shift import build_operators_table, build_shift_report
from layouts.views import Names
from tests.support.db import insert_tickets, local, make_ticket


def texts(component: Any) -> list[str]:
    """Every string inside a Dash component tree."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif hasattr(node, "children"):
            walk(node.children)

    walk(component)
    return found


def test_each_operator_s_calls_beside_their_tickets(
    engine: Engine, calendar: ShiftCalendar, tmp_path: Path
) -> None:
    insert_tickets(
        engine,
        [
            make_ticket(received_at=local("2026-12-01 09:00"), operator="op01"),
            make_ticket(received_at=local("2026-12-01 09:30"), operator="op02"),
        ],
    )
    t = int(local("2026-12-01 09:00").timestamp())
    lines = [
        f"{t}|NONE|hotline1022|PJSIP/op01|ADDMEMBER|",
        f"{t + 10}|k1|hotline1022|NONE|ENTERQUEUE||0901112223|1",
        f"{t + 14}|k1|hotline1022|PJSIP/op01|CONNECT|4|x|1",
        f"{t + 134}|k1|hotline1022|PJSIP/op01|COMPLETECALLER|4|120|1",
        f"{t + 200}|k2|hotline1022|NONE|ENTERQUEUE||0901112224|1",
        f"{t + 230}|k2|hotline1022|PJSIP/op01|CONNECT|30|x|1",
        f"{t + 290}|k2|hotline1022|PJSIP/op01|COMPLETEAGENT|30|60|1",
        f"{t + 300}|k3|ubnd|NONE|ENTERQUEUE||0901112225|1",
        f"{t + 310}|k3|ubnd|NONE|ABANDON|1|1|10",
        f"{t + 320}|NONE|hotline1022|PJSIP/op01|PAUSE|break",
    ]
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    QueueLogFollower(engine, path, read_queue_lines(DEFAULT_REFERENCE_FILE)).follow_once()
    now = local("2026-12-01 15:00")
    view = compute_shift_view(engine, calendar, calendar.locate(now)[0], 1, now)
    calls = view.snapshot.switchboard
    assert (calls.offered, calls.answered, calls.abandoned, calls.service_level) == (
        3,
        2,
        1,
        0.3333,
    )
    names = Names("vi", operators={"op01": "Nguyễn Thị Hương"})
    table = texts(build_operators_table(view, names))
    assert "Cuộc gọi · Đàm thoại" in table
    assert "2 · 3:00" in table  # op01: two calls, 120 + 60 s
    assert table.count("0") >= 1  # op02 took tickets but no calls
    report = texts(
        build_shift_report(view, names, user="sup", generated_at=now, back_href="/shift")
    )
    assert "3. Cuộc gọi của ca" in report and "Nghe ≤ 20 giây" in report
    assert "33,3%" in report
    dumped = json.dumps(report, ensure_ascii=False)
    assert "0901112223" not in dumped
