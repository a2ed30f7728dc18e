"""A demo PBX: writes a realistic Asterisk queue_log for the demo history and the live feed.

Callers arrive by the same daily curve as the demo tickets, on the three
hotlines' queues; five phone operators a shift answer them (most within
seconds, a few after a wait at the peaks), some callers hang up first (a few
within seconds), operators pause now and then, and the shifts hand over with
REMOVEMEMBER/ADDMEMBER. ENTERQUEUE carries a made-up caller number in data2, as
a PBX would, so that the follower's dropping of it is exercised.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dashboard.arrivals import arrival_factor
from dashboard.shifts import ShiftCalendar
from dashboard.switchboard.queue_log import format_line

QUEUE_WEIGHTS = {"hotline1022": 0.86, "thanhuy": 0.07, "ubnd": 0.07}
CALLS_PER_TICKET = 0.6  # calls reaching the queue per ticket of the demo feed's rate
MEAN_TALK_SECONDS = 100.0
MEAN_PATIENCE_SECONDS = 75.0
QUEUE_TIMEOUT_SECONDS = 300
WRAP_UP_SECONDS = 8
PAUSES_PER_SHIFT = 2
TAIL_BYTES = 2 << 20


@dataclass
class _Operator:
    code: str
    free_at: float = 0.0
    paused_until: float = 0.0


@dataclass
class DemoPbx:
    """A small queue simulation that emits queue_log lines in time order."""

    calendar: ShiftCalendar
    operators_by_shift: dict[int, list[str]]
    calls_per_hour: float
    rng: random.Random
    cursor: float
    pending: list[tuple[float, int, str]] = field(default_factory=list)
    staff: dict[str, _Operator] = field(default_factory=dict)
    shift: int | None = None
    sequence: int = 0

    def _push(self, epoch: float, line: str) -> None:
        self.sequence += 1
        heapq.heappush(self.pending, (epoch, self.sequence, line))

    def _member(self, epoch: float, code: str, event: str, *data: object) -> None:
        self._push(
            epoch, format_line(int(epoch), "NONE", "hotline1022", f"PJSIP/{code}", event, *data)
        )

    def _hand_over(self, epoch: float) -> None:
        """At a shift change the leaving operators log off after their call; the next log in."""
        _, number = self.calendar.locate(datetime.fromtimestamp(epoch, UTC))
        if number == self.shift:
            return
        for operator in self.staff.values():
            self._member(max(epoch, operator.free_at) + 1, operator.code, "REMOVEMEMBER", "")
        self.shift = number
        codes = self.operators_by_shift.get(number, [])
        self.staff = {code: _Operator(code, free_at=epoch + 2) for code in codes}
        shift_end = self.calendar.window(
            self.calendar.locate(datetime.fromtimestamp(epoch, UTC))[0], number
        ).end.timestamp()
        for code in codes:
            self._member(epoch + 1, code, "ADDMEMBER", "")
            for _ in range(PAUSES_PER_SHIFT):
                start = self.rng.uniform(epoch + 600, max(epoch + 700, shift_end - 900))
                length = self.rng.uniform(300, 900)
                self._push(start, f"pause|{code}|{length:.0f}")

    def _arrival(self, epoch: float) -> None:
        self.sequence += 1
        call_id = f"{int(epoch)}.{self.sequence}"
        queue = self.rng.choices(tuple(QUEUE_WEIGHTS), weights=tuple(QUEUE_WEIGHTS.values()))[0]
        caller = "09" + "".join(self.rng.choice("0123456789") for _ in range(8))
        self._push(
            epoch, format_line(int(epoch), call_id, queue, "NONE", "ENTERQUEUE", "", caller, 1)
        )
        ring = self.rng.uniform(2, 7)
        candidates = [o for o in self.staff.values() if o.paused_until <= epoch]
        patience = self.rng.expovariate(1 / MEAN_PATIENCE_SECONDS)
        if self.rng.random() < 0.04:
            patience = self.rng.uniform(1, 4.5)  # a caller who hangs up at once
        best = min(candidates, key=lambda o: o.free_at) if candidates else None
        answer = max(epoch + ring, best.free_at + ring) if best is not None else math.inf
        wait_limit = min(patience, QUEUE_TIMEOUT_SECONDS)
        if best is None or answer - epoch > wait_limit:
            gone = epoch + wait_limit
            wait = int(gone - epoch)
            event = "EXITWITHTIMEOUT" if patience >= QUEUE_TIMEOUT_SECONDS else "ABANDON"
            self._push(gone, format_line(int(gone), call_id, queue, "NONE", event, 1, 1, wait))
            return
        hold = int(answer) - int(epoch)
        if self.rng.random() < 0.1 and len(candidates) > 1:
            other = self.rng.choice([o for o in candidates if o is not best])
            self._push(
                answer - 1,
                format_line(
                    int(answer - 1), call_id, queue, f"PJSIP/{other.code}", "RINGNOANSWER", 15000
                ),
            )
        agent = f"PJSIP/{best.code}"
        self._push(
            answer,
            format_line(
                int(answer), call_id, queue, agent, "CONNECT", hold, call_id + "a", int(ring)
            ),
        )
        talk = max(15, int(self.rng.lognormvariate(math.log(MEAN_TALK_SECONDS) - 0.18, 0.6)))
        end = int(answer) + talk
        if self.rng.random() < 0.05:
            line = format_line(
                end, call_id, queue, agent, "TRANSFER", "2001", "internal", hold, talk, 1
            )
        else:
            kind = "COMPLETECALLER" if self.rng.random() < 0.7 else "COMPLETEAGENT"
            line = format_line(end, call_id, queue, agent, kind, hold, talk, 1)
        self._push(end, line)
        best.free_at = end + WRAP_UP_SECONDS

    def _pause(self, epoch: float, code: str, length: float) -> None:
        operator = self.staff.get(code)
        if operator is None:
            return
        start = max(epoch, operator.free_at)
        operator.paused_until = start + length
        operator.free_at = max(operator.free_at, start + length)
        self._member(start, code, "PAUSE", "break")
        self._member(start + length, code, "UNPAUSE", "")

    def advance(self, until: float) -> list[str]:
        """The queue_log lines up to ``until`` (epoch seconds), in time order."""
        out: list[str] = []
        while self.cursor < until:
            moment = datetime.fromtimestamp(self.cursor, UTC)
            self._hand_over(self.cursor)
            # Constant rate within a local hour and a shift: arrivals are a Poisson process.
            hour_end = (math.floor(self.cursor / 3600) + 1) * 3600
            shift_end = self.calendar.current_window(moment).end.timestamp()
            segment_end = min(hour_end, shift_end, until)
            local_hour = moment.astimezone(self.calendar.zone).hour
            rate = self.calls_per_hour * arrival_factor(local_hour) / 3600
            arrival = self.cursor + (self.rng.expovariate(rate) if rate > 0 else math.inf)
            while arrival < segment_end:
                self._release(arrival, out)
                self._arrival(arrival)
                arrival += self.rng.expovariate(rate)
            self.cursor = segment_end
            self._release(self.cursor, out)
        return out

    def _release(self, until: float, out: list[str]) -> None:
        """Move the planned lines up to ``until`` to ``out`` (pauses start when they come)."""
        while self.pending and self.pending[0][0] <= until:
            epoch, _, line = heapq.heappop(self.pending)
            if line.startswith("pause|"):
                _, code, length = line.strip().split("|")
                self._pause(epoch, code, float(length))
            else:
                out.append(line)

    def flush(self) -> list[str]:
        """Every planned line (the history ends with no call left hanging)."""
        lines = []
        while self.pending:
            _, _, line = heapq.heappop(self.pending)
            if not line.startswith("pause|"):
                lines.append(line)
        return lines


def phone_operators(reference_operators: list[dict], shift_count: int) -> dict[int, list[str]]:
    """The phone operators of each shift (five a shift in the reference data)."""
    result: dict[int, list[str]] = {number: [] for number in range(1, shift_count + 1)}
    for row in reference_operators:
        if row.get("role", "phone") == "phone" and row.get("shift") in result:
            result[int(row["shift"])].append(str(row["code"]))
    return result


def close_open_calls(path: Path, epoch: float) -> list[str]:
    """End lines for calls a previous demo run left open in the file (read from its tail)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read().decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    open_calls: dict[str, tuple[str, str | None, float, float | None]] = {}
    for line in tail:
        fields = line.split("|")
        if len(fields) < 5 or fields[1] in ("", "NONE"):
            continue
        try:
            at = float(fields[0])
        except ValueError:
            continue
        call_id, queue, agent, event = fields[1], fields[2], fields[3], fields[4]
        if event == "ENTERQUEUE":
            open_calls[call_id] = (queue, None, at, None)
        elif event == "CONNECT" and call_id in open_calls:
            queue, _, entered, _ = open_calls[call_id]
            open_calls[call_id] = (queue, agent, entered, at)
        elif event not in ("RINGNOANSWER",):
            open_calls.pop(call_id, None)
    lines = []
    stamp = int(epoch)
    for call_id, (name, member, entered, answered) in open_calls.items():
        if member is None or answered is None:
            wait = max(0, stamp - int(entered))
            lines.append(format_line(stamp, call_id, name, "NONE", "ABANDON", 1, 1, wait))
        else:
            hold, talk = int(answered - entered), max(0, stamp - int(answered))
            lines.append(format_line(stamp, call_id, name, member, "COMPLETEAGENT", hold, talk, 1))
    return lines


def append_lines(path: Path, lines: list[str]) -> None:
    """Append whole lines (one write, so a reader never sees half a batch's line)."""
    if not lines:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("".join(lines))


class DemoQueueLog:
    """The live feed's PBX: each tick appends the lines that happened since the last."""

    def __init__(
        self,
        path: Path,
        calendar: ShiftCalendar,
        operators_by_shift: dict[int, list[str]],
        calls_per_hour: float,
        *,
        seed: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.calendar = calendar
        self.operators_by_shift = operators_by_shift
        self.calls_per_hour = calls_per_hour
        self.seed = seed
        self.pbx: DemoPbx | None = None

    def tick(self, now: datetime) -> int:
        """Append what happened up to ``now``; returns the lines written."""
        epoch = now.timestamp()
        if self.pbx is None:
            # A new run: end the calls a previous run left open, then start the day's staff.
            append_lines(self.path, close_open_calls(self.path, epoch))
            self.pbx = DemoPbx(
                self.calendar,
                self.operators_by_shift,
                self.calls_per_hour,
                random.Random(self.seed),
                cursor=epoch,
            )
        elif epoch - self.pbx.cursor > 900:
            self.pbx.cursor = epoch - 900  # a paused process catches up a quarter hour at most
        lines = self.pbx.advance(epoch)
        append_lines(self.path, lines)
        return len(lines)


def write_history_queue_log(
    path: Path,
    calendar: ShiftCalendar,
    operators_by_shift: dict[int, list[str]],
    calls_per_day: float,
    *,
    start: datetime,
    end: datetime,
    seed: int,
) -> int:
    """Write a queue_log of [start, end) to a new file (none is overwritten); lines written."""
    if path.exists():
        return 0
    pbx = DemoPbx(
        calendar, operators_by_shift, calls_per_day / 24, random.Random(seed), start.timestamp()
    )
    lines = pbx.advance(end.timestamp())
    lines += pbx.flush()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".writing")
    temporary.write_text("".join(lines), encoding="utf-8")
    temporary.rename(path)
    return len(lines)


def history_span(end: datetime, days: int) -> tuple[datetime, datetime]:
    """The span of the demo history's queue_log: the last days (a week at most)."""
    return end - timedelta(days=min(days, 7)), end


def demo_queue_log_from_settings(settings: Any, rng: random.Random) -> DemoQueueLog | None:
    """The live feed's PBX writing the settings' queue_log at the demo feed's rate (or None)."""
    from data_access.reference import read_reference_file

    if settings.queue_log_file is None:
        return None
    calendar = ShiftCalendar.from_spec(settings.timezone, settings.shifts)
    operators = phone_operators(
        read_reference_file(settings.reference_file)["operators"], len(calendar.shifts)
    )
    return DemoQueueLog(
        settings.queue_log_file,
        calendar,
        operators,
        settings.simulate_per_hour * CALLS_PER_TICKET,
        seed=rng.randrange(1 << 30),
    )
