"""The switchboard figures of a window (SPEC section 10): frozen values, plain fields.

Definitions (README, "Switchboard figures"): a call counts in the window it
entered the queue. ``offered`` is every such call (still waiting included).
``abandoned`` counts callers who hung up or left by key after waiting at least
the short-abandon seconds; ``abandoned_short`` those who left sooner (counted
apart, and in neither side of the service level). ``service_level`` is the
share of calls answered within the target among the calls that reached an
outcome, short abandons excepted: answered within target / (answered +
abandoned + timed out); null with no such call. The average speed of answer
is the mean wait of the answered calls; the average handle time the mean talk
time of the completed ones; both null without calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dashboard.formatting import ratio
from data_access.values import DEFAULT_CALL_TARGETS, CallTargets, OperatorFigures

__all__ = ["OperatorFigures", "SwitchboardFigures", "make_switchboard_figures"]

if TYPE_CHECKING:  # the figures stay free of SQLAlchemy: layouts import this module
    from data_access.switchboard import SwitchboardCounts


@dataclass(frozen=True)
class SwitchboardFigures:
    """The queue now and the calls of a window."""

    waiting: int = 0
    longest_wait_seconds: int = 0
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    abandoned_short: int = 0
    timeout: int = 0
    service_level: float | None = None
    average_speed_of_answer_seconds: float | None = None
    average_handle_seconds: float | None = None
    operators: tuple[OperatorFigures, ...] = ()
    # The targets these figures were computed with (not in the API document).
    targets: CallTargets = DEFAULT_CALL_TARGETS

    def to_json(self, iso: Any) -> dict[str, Any]:
        """The ``switchboard`` key of ``GET /api/snapshot`` (``iso`` formats instants)."""
        return {
            "waiting": self.waiting,
            "longest_wait_seconds": self.longest_wait_seconds,
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "abandoned_short": self.abandoned_short,
            "service_level": self.service_level,
            "average_speed_of_answer_seconds": self.average_speed_of_answer_seconds,
            "average_handle_seconds": self.average_handle_seconds,
            "operators": [
                {
                    "operator": item.operator,
                    "state": item.state,
                    "since": iso(item.since) if item.since is not None else None,
                    "answered": item.answered,
                    "talk_seconds": item.talk_seconds,
                }
                for item in self.operators
            ],
        }


def make_switchboard_figures(
    counts: SwitchboardCounts,
    now: datetime,
    targets: CallTargets = DEFAULT_CALL_TARGETS,
) -> SwitchboardFigures:
    """Fold the database counts into the figures (pure; tested directly)."""
    oldest = counts.oldest_waiting_entered_at
    longest = max(0, int((now - oldest).total_seconds())) if oldest is not None else 0
    outcome_calls = counts.answered + counts.abandoned + counts.timeout
    service_level = ratio(counts.answered_within_target, outcome_calls)
    asa = ratio(counts.wait_seconds_answered, counts.answered, 1)
    aht = ratio(counts.talk_seconds_completed, counts.completed, 1)
    return SwitchboardFigures(
        waiting=counts.waiting,
        longest_wait_seconds=longest,
        offered=counts.offered,
        answered=counts.answered,
        abandoned=counts.abandoned,
        abandoned_short=counts.abandoned_short,
        timeout=counts.timeout,
        service_level=service_level,
        average_speed_of_answer_seconds=asa,
        average_handle_seconds=aht,
        operators=counts.operators,
        targets=targets,
    )
