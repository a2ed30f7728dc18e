"""How arrivals follow the day: the shape shared by the demo tickets and the demo switchboard."""

from __future__ import annotations

# Relative arrivals by local hour 00..23: quiet nights, a morning peak (08-11)
# and an early-afternoon peak (13-16), as at the 1022 centre.
HOURLY_WEIGHTS: tuple[float, ...] = (
    0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.8, 3.5, 6.0, 7.5, 7.5, 6.2,
    3.8, 5.6, 6.8, 6.5, 5.0, 3.8, 2.8, 2.5, 2.2, 1.8, 1.4, 1.0,
)  # fmt: skip
_MEAN_WEIGHT = sum(HOURLY_WEIGHTS) / len(HOURLY_WEIGHTS)


def arrival_factor(local_hour: int) -> float:
    """How busy a local hour is relative to the day's average (1.0 = average)."""
    return HOURLY_WEIGHTS[local_hour % 24] / _MEAN_WEIGHT
