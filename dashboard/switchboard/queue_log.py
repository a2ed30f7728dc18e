"""Asterisk's queue_log: lines ``epoch|callid|queue|agent|event|data1|data2|...``.

The data fields of each event follow Asterisk's queue_log documentation
(docs.asterisk.org, Operation > Logging > Queue Logs). ENTERQUEUE's data2 is the
caller id: personal data, dropped here, so no later step ever holds it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

# Events that move a call, with the index (in data) of each number the follower reads.
CALL_EVENTS: dict[str, dict[str, int]] = {
    "ENTERQUEUE": {},  # url|callerid[|position]: only the time is kept
    "CONNECT": {"holdtime": 0},  # holdtime|bridgedchanneluniqueid|ringtime
    "COMPLETECALLER": {"holdtime": 0, "calltime": 1},  # holdtime|calltime|origposition
    "COMPLETEAGENT": {"holdtime": 0, "calltime": 1},
    "TRANSFER": {"holdtime": 2, "calltime": 3},  # extension|context|holdtime|calltime|origpos
    "ABANDON": {"waittime": 2},  # position|origposition|waittime
    "EXITWITHTIMEOUT": {"waittime": 2},  # position|origposition|waittime
    "EXITEMPTY": {"waittime": 2},  # position|origposition|waittime
    "EXITWITHKEY": {"waittime": 3},  # key|position|origposition|waittime (older: key|position)
    "RINGNOANSWER": {},  # ringtime (ms): the call stays in the queue
}
# Events that change an operator's state, with the state they lead to.
MEMBER_EVENTS: dict[str, str] = {
    "ADDMEMBER": "available",
    "REMOVEMEMBER": "logged_off",
    "PAUSE": "paused",
    "PAUSEALL": "paused",
    "UNPAUSE": "available",
    "UNPAUSEALL": "available",
    "AGENTLOGIN": "available",
    "AGENTLOGOFF": "logged_off",
}
# Fields that must be numbers when present (a missing optional field is fine).
REQUIRED_NUMBERS: dict[str, tuple[str, ...]] = {
    "CONNECT": ("holdtime",),
    "COMPLETECALLER": ("holdtime", "calltime"),
    "COMPLETEAGENT": ("holdtime", "calltime"),
    "TRANSFER": ("holdtime", "calltime"),
    "ABANDON": ("waittime",),
    "EXITWITHTIMEOUT": ("waittime",),
    "EXITEMPTY": ("waittime",),
}
NO_VALUE = {"", "NONE"}


class MalformedLine(ValueError):
    """A queue_log line that cannot be read (the message says why, never the line)."""


@dataclass(frozen=True)
class QueueEvent:
    """One queue_log line, without any caller data."""

    at: datetime
    call_id: str | None
    queue: str | None
    operator: str | None
    event: str
    numbers: tuple[tuple[str, int], ...]

    def number(self, name: str) -> int | None:
        """A number field of the event (None when the line does not carry it)."""
        for key, value in self.numbers:
            if key == name:
                return value
        return None


def operator_code(agent: str) -> str | None:
    """The operator id of a member interface: ``PJSIP/op01`` and ``Local/op01@agents`` give op01."""
    agent = agent.strip()
    if agent in NO_VALUE:
        return None
    if "/" in agent:
        agent = agent.split("/", 1)[1]
    agent = agent.split("@", 1)[0]
    return agent or None


def parse_line(line: str) -> QueueEvent | None:
    """One line as an event; None for events the board does not use; MalformedLine if unreadable."""
    fields = line.rstrip("\r\n").split("|")
    if len(fields) < 5:
        raise MalformedLine(f"{len(fields)} fields, at least 5 expected")
    epoch_text, call_id, queue, agent, event = (field.strip() for field in fields[:5])
    try:
        epoch = float(epoch_text)
    except ValueError:
        raise MalformedLine("the time is not a number") from None
    if not math.isfinite(epoch) or epoch <= 0 or epoch > 32_503_680_000:
        raise MalformedLine("the time is out of range")
    if not event:
        raise MalformedLine("no event name")
    event = event.upper()
    if event not in CALL_EVENTS and event not in MEMBER_EVENTS:
        return None
    data = fields[5:]
    numbers: list[tuple[str, int]] = []
    for name, index in CALL_EVENTS.get(event, {}).items():
        raw = data[index].strip() if index < len(data) else ""
        if raw == "":
            if name in REQUIRED_NUMBERS.get(event, ()):
                raise MalformedLine(f"{event} without its {name}")
            continue
        try:
            value = int(raw)
        except ValueError:
            raise MalformedLine(f"{event}'s {name} is not a whole number") from None
        if value < 0:
            raise MalformedLine(f"{event}'s {name} is negative")
        numbers.append((name, value))
    if event in CALL_EVENTS and call_id in NO_VALUE:
        raise MalformedLine(f"{event} without a call id")
    if event in MEMBER_EVENTS and operator_code(agent) is None:
        raise MalformedLine(f"{event} without an agent")
    return QueueEvent(
        at=datetime.fromtimestamp(epoch, UTC),
        call_id=None if call_id in NO_VALUE else call_id,
        queue=None if queue in NO_VALUE else queue,
        operator=operator_code(agent),
        event=event,
        numbers=tuple(numbers),
    )


def format_line(
    epoch: float, call_id: str, queue: str, agent: str, event: str, *data: object
) -> str:
    """A queue_log line as Asterisk writes it (used by the demo feed and the tests)."""
    stamp = str(int(epoch)) if float(epoch).is_integer() else f"{epoch:.3f}"
    return "|".join([stamp, call_id, queue, agent, event, *(str(item) for item in data)]) + "\n"
