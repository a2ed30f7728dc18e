"""The leaders' overview: a range of operating days against the previous range of the same length.

``compute_overview`` reads the two ranges in five queries on one connection
(reference codes, one ``received_at`` scan, one ``resolved_at`` scan, the medians,
the open backlog) and ``build_overview`` folds them into frozen values (pure).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from dashboard.formatting import ratio
from dashboard.intelligence.repeats import agency_rereport_rates
from dashboard.shifts import ShiftCalendar, Window
from data_access.codes import UNASSIGNED, UNCLASSIFIED, URGENCY_KEYS
from data_access.overview import (
    HandlingMedians,
    OpenCell,
    ReceivedCell,
    ResolvedCell,
    count_open_cells,
    count_received_cells,
    count_resolved_cells,
    list_tickets,
    measure_handling_medians,
    read_ticket_history,
    tune_for_range_reads,
)
from data_access.overview_rollups import (
    handling_rollup_exists,
    read_handling_medians,
    read_received_cells,
    read_resolved_cells,
    rollups_ready,
)
from data_access.queries import list_reference_codes
from data_access.values import MEASURES, Filters, ReferenceCodes, TicketHistory, TicketPage

DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class ResolvedRates:
    """The counts and rates of resolved tickets, shared by a period's totals and an agency's row."""

    forwarded: int
    resolved: int
    with_due: int
    on_time: int
    rated: int
    satisfaction_sum: int
    median_handling_minutes: float | None

    @property
    def on_time_rate(self) -> float | None:
        """Of the resolved tickets with a deadline, the share resolved by it."""
        return ratio(self.on_time, self.with_due)

    @property
    def average_satisfaction(self) -> float | None:
        """Average citizen rating (1-5) of the resolved tickets that were rated."""
        return ratio(self.satisfaction_sum, self.rated, 2)


@dataclass(frozen=True)
class PeriodTotals(ResolvedRates):
    """The totals of one range of operating days."""

    first_day: date
    last_day: date
    received: int

    @property
    def days(self) -> int:
        """How many operating days the range holds."""
        return (self.last_day - self.first_day).days + 1

    @property
    def forwarded_rate(self) -> float | None:
        """Share of the received tickets that were forwarded."""
        return ratio(self.forwarded, self.received)


@dataclass(frozen=True)
class AgencyRow(ResolvedRates):
    """One line of the accountability table."""

    agency: str
    open_now: int
    overdue_now: int
    overdue_by_level: dict[str, int]

    @property
    def overdue_serious(self) -> int:
        """Overdue level-3 and level-4 tickets it holds now (the table marks these agencies)."""
        return self.overdue_by_level.get("3", 0) + self.overdue_by_level.get("4", 0)

    @property
    def is_empty(self) -> bool:
        """Whether the agency has nothing in the range and nothing open."""
        return not (self.forwarded or self.resolved or self.open_now)


@dataclass(frozen=True)
class DayPoint:
    """One operating day of the trend."""

    day: date
    received: int
    forwarded: int
    resolved: int


@dataclass(frozen=True)
class Overview:
    """Everything the overview shows. Mappings are not to be mutated."""

    window: Window
    previous_window: Window
    timezone: str
    now: datetime
    filters: Filters
    current: PeriodTotals
    previous: PeriodTotals
    agencies: tuple[AgencyRow, ...]
    daily: tuple[DayPoint, ...]
    categories: tuple[str, ...]
    heatmap: dict[str, dict[str, int]]  # category -> urgency -> received
    open_now: int
    overdue_now: int
    overdue_serious_now: int
    # Re-report rate per agency code (issue 13; UNASSIGNED for none): see docs/VIEWS.md.
    rereport_rates: dict[str, float | None] = field(default_factory=dict)

    @property
    def first_day(self) -> date:
        """The first operating day of the range."""
        return self.current.first_day

    @property
    def last_day(self) -> date:
        """The last operating day of the range."""
        return self.current.last_day


def previous_range(first_day: date, last_day: date) -> tuple[date, date]:
    """The range of the same length just before [first_day, last_day]."""
    length = (last_day - first_day).days + 1
    return first_day - timedelta(days=length), first_day - timedelta(days=1)


def default_range(
    calendar: ShiftCalendar, now: datetime, days: int = DEFAULT_DAYS
) -> tuple[date, date]:
    """The last ``days`` operating days, today included."""
    today = calendar.operating_day(now)
    return today - timedelta(days=days - 1), today


def day_boundaries(calendar: ShiftCalendar, first_day: date, last_day: date) -> list[datetime]:
    """The start of each operating day from ``first_day`` and the end of ``last_day``."""
    count = (last_day - first_day).days + 1
    starts = [calendar.window(first_day + timedelta(days=i)).start for i in range(count)]
    return [*starts, calendar.window(last_day).end]


def _code(value: str | None, null_code: str) -> str:
    return null_code if value is None else str(value)


def _urgency(value: int | None) -> str:
    return UNCLASSIFIED if value is None else str(int(value))


def _agency_rows(
    reference: ReferenceCodes,
    agency_forwarded: Counter[str],
    agency_resolved: dict[str, Counter[str]],
    open_by_agency: Counter[str],
    overdue_by_agency: dict[str, Counter[str]],
    medians: HandlingMedians | None,
) -> list[AgencyRow]:
    """The accountability table's rows: known agencies, then others found, then unassigned."""
    current_medians = (
        {_code(key, UNASSIGNED): value for key, value in medians.by_agency.items()}
        if medians is not None
        else {}
    )
    known = list(reference.agencies)
    found = set(agency_forwarded) | set(agency_resolved) | set(open_by_agency)
    extra = sorted(code for code in found if code not in known and code != UNASSIGNED)
    codes = [*known, *extra]
    if UNASSIGNED in found:
        codes.append(UNASSIGNED)
    rows = []
    for code in codes:
        counts = agency_resolved.get(code, Counter())
        overdue = overdue_by_agency.get(code, Counter())
        rows.append(
            AgencyRow(
                agency=code,
                forwarded=agency_forwarded.get(code, 0),
                resolved=counts["resolved"],
                with_due=counts["with_due"],
                on_time=counts["on_time"],
                rated=counts["rated"],
                satisfaction_sum=counts["satisfaction_sum"],
                open_now=open_by_agency.get(code, 0),
                overdue_now=sum(overdue.values()),
                overdue_by_level={key: int(overdue.get(key, 0)) for key in URGENCY_KEYS},
                median_handling_minutes=current_medians.get(code),
            )
        )

    return rows


def _heatmap(
    reference: ReferenceCodes, heat: dict[str, Counter[str]]
) -> tuple[list[str], dict[str, dict[str, int]]]:
    """The categories in order and the received count of each (category, urgency)."""
    category_keys = [*reference.categories]
    category_keys += sorted(key for key in heat if key not in category_keys and key != UNCLASSIFIED)
    category_keys.append(UNCLASSIFIED)
    heatmap = {
        category: {key: int(heat.get(category, Counter()).get(key, 0)) for key in URGENCY_KEYS}
        for category in category_keys
    }
    return category_keys, heatmap


def _period(day_index: int, length: int) -> int:
    """0 for a day of the previous range, 1 for one of the requested range (``length`` days)."""
    return 1 if day_index >= length else 0


@dataclass
class _ReceivedFold:
    """The received cells added up: both ranges' totals (index 0 the previous range, 1 the
    requested one), and for the requested range its days, its heatmap and each agency's
    forwards. An accumulator: its lists and counters are filled in place by the fold."""

    received: list[int]
    forwarded: list[int]
    daily_received: list[int]
    daily_forwarded: list[int]
    heat: dict[str, Counter[str]]
    agency_forwarded: Counter[str]


def _fold_received(received: Sequence[ReceivedCell], length: int) -> _ReceivedFold:
    """Add up the received cells of both ranges (``length`` days each)."""
    fold = _ReceivedFold([0, 0], [0, 0], [0] * length, [0] * length, {}, Counter())
    for cell in received:
        period = _period(cell.day_index, length)
        if cell.part in ("all", "day"):
            fold.received[period] += cell.received
            fold.forwarded[period] += cell.forwarded
        if not period:
            continue
        if cell.part in ("all", "day"):
            index = cell.day_index - length
            fold.daily_received[index] += cell.received
            fold.daily_forwarded[index] += cell.forwarded
        if cell.part in ("all", "heat"):
            category = _code(cell.category, UNCLASSIFIED)
            fold.heat.setdefault(category, Counter())[_urgency(cell.urgency)] += cell.received
        if cell.part in ("all", "agency") and cell.forwarded:
            fold.agency_forwarded[_code(cell.agency, UNASSIGNED)] += cell.forwarded
    return fold


@dataclass
class _ResolvedFold:
    """The resolved cells added up: both ranges' counts (index 0 the previous range), and for
    the requested range its resolved tickets by day and each agency's counts. An accumulator:
    filled in place by the fold."""

    totals: list[Counter[str]]
    daily: list[int]
    by_agency: dict[str, Counter[str]]


def _fold_resolved(resolved: Sequence[ResolvedCell], length: int) -> _ResolvedFold:
    """Add up the resolved cells of both ranges (``length`` days each)."""
    fold = _ResolvedFold([Counter(), Counter()], [0] * length, {})
    for cell in resolved:
        period = _period(cell.day_index, length)
        values = {
            "resolved": cell.resolved,
            "with_due": cell.with_due,
            "on_time": cell.on_time,
            "rated": cell.rated,
            "satisfaction_sum": cell.satisfaction_sum,
        }
        if cell.part in ("all", "day"):
            fold.totals[period].update(values)
            if period:
                fold.daily[cell.day_index - length] += cell.resolved
        if period and cell.part in ("all", "agency"):
            fold.by_agency.setdefault(_code(cell.agency, UNASSIGNED), Counter()).update(values)
    return fold


def _fold_open(open_cells: Sequence[OpenCell]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """The backlog now: open tickets by agency, and overdue ones by agency and urgency."""
    open_by_agency: Counter[str] = Counter()
    overdue_by_agency: dict[str, Counter[str]] = {}
    for cell in open_cells:
        agency = _code(cell.agency, UNASSIGNED)
        open_by_agency[agency] += cell.open
        if cell.overdue:
            overdue_by_agency.setdefault(agency, Counter())[_urgency(cell.urgency)] += cell.overdue
    return open_by_agency, overdue_by_agency


def _period_totals(
    received: _ReceivedFold,
    resolved: _ResolvedFold,
    medians: HandlingMedians | None,
    period: int,
    first: date,
    last: date,
) -> PeriodTotals:
    """The totals of one range (``period`` 0 the previous range, 1 the requested one)."""
    counts = resolved.totals[period]
    return PeriodTotals(
        first_day=first,
        last_day=last,
        received=received.received[period],
        forwarded=received.forwarded[period],
        resolved=counts["resolved"],
        with_due=counts["with_due"],
        on_time=counts["on_time"],
        rated=counts["rated"],
        satisfaction_sum=counts["satisfaction_sum"],
        # Only the requested range's median is computed (one scan); the previous has none.
        median_handling_minutes=medians.overall if medians is not None and period else None,
    )


def _daily(
    first_day: date, received: _ReceivedFold, resolved: _ResolvedFold
) -> tuple[DayPoint, ...]:
    """The trend: each operating day of the requested range from ``first_day``."""
    return tuple(
        DayPoint(
            first_day + timedelta(days=i),
            received.daily_received[i],
            received.daily_forwarded[i],
            resolved.daily[i],
        )
        for i in range(len(resolved.daily))
    )


def build_overview(
    *,
    calendar: ShiftCalendar,
    first_day: date,
    last_day: date,
    now: datetime,
    filters: Filters,
    reference: ReferenceCodes,
    received: Sequence[ReceivedCell],
    resolved: Sequence[ResolvedCell],
    medians: HandlingMedians | None,
    open_cells: Sequence[OpenCell],
) -> Overview:
    """Fold the query results of both ranges into an overview (pure; tested directly).

    Day index 0 .. n-1 is the previous range, n .. 2n-1 the requested one.
    """
    previous_first, previous_last = previous_range(first_day, last_day)
    length = (last_day - first_day).days + 1
    received_fold = _fold_received(received, length)
    resolved_fold = _fold_resolved(resolved, length)
    open_by_agency, overdue_by_agency = _fold_open(open_cells)
    rows = _agency_rows(
        reference,
        received_fold.agency_forwarded,
        resolved_fold.by_agency,
        open_by_agency,
        overdue_by_agency,
        medians,
    )
    category_keys, heatmap = _heatmap(reference, received_fold.heat)
    return Overview(
        window=calendar.range_window(first_day, last_day),
        previous_window=calendar.range_window(previous_first, previous_last),
        timezone=calendar.zone.key,
        now=now,
        filters=filters,
        current=_period_totals(received_fold, resolved_fold, medians, 1, first_day, last_day),
        previous=_period_totals(
            received_fold, resolved_fold, medians, 0, previous_first, previous_last
        ),
        agencies=tuple(rows),
        daily=_daily(first_day, received_fold, resolved_fold),
        categories=tuple(category_keys),
        heatmap=heatmap,
        open_now=sum(open_by_agency.values()),
        overdue_now=sum(sum(c.values()) for c in overdue_by_agency.values()),
        overdue_serious_now=sum(row.overdue_serious for row in rows),
    )


def compute_overview(
    engine: Engine,
    calendar: ShiftCalendar,
    first_day: date,
    last_day: date,
    now: datetime,
    filters: Filters | None = None,
    *,
    use_rollups: bool = True,
    repeat_window_days: int | None = None,
    rereport: Callable[[datetime, datetime], dict[str, float | None]] | None = None,
) -> Overview:
    """The overview of operating days ``first_day`` .. ``last_day`` (inclusive) at ``now``.

    On PostgreSQL with the rollups of migration 0003 (built for this calendar),
    the counts come from the daily rollups; otherwise from the tickets. Either
    way: five queries in one transaction, and the same numbers.
    """
    if last_day < first_day:
        raise ValueError("the range ends before it starts")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise ValueError(f"a range holds at most {MAX_DAYS} days")
    filters = filters or Filters()
    previous_first, _ = previous_range(first_day, last_day)
    boundaries = day_boundaries(calendar, previous_first, last_day)
    length = (last_day - first_day).days + 1  # boundaries[length] starts the requested range
    start_minutes = calendar.day_start.hour * 60 + calendar.day_start.minute
    with engine.connect() as conn:
        tune_for_range_reads(conn)
        reference = list_reference_codes(conn)
        medians = None
        if use_rollups and rollups_ready(conn, calendar.zone.key, start_minutes):
            received = read_received_cells(conn, previous_first, first_day, last_day, filters)
            resolved = read_resolved_cells(conn, previous_first, first_day, last_day, filters)
            if handling_rollup_exists(conn):  # migration 0008: the exact distribution
                medians = read_handling_medians(
                    conn, first_day, last_day, boundaries[length], boundaries[-1], filters
                )
        else:
            received = count_received_cells(conn, boundaries, filters)
            resolved = count_resolved_cells(conn, boundaries, filters)
        if medians is None:
            medians = measure_handling_medians(conn, boundaries[length], boundaries[-1], filters)
        open_cells = count_open_cells(conn, now, filters)
    overview = build_overview(
        calendar=calendar,
        first_day=first_day,
        last_day=last_day,
        now=now,
        filters=filters,
        reference=reference,
        received=received,
        resolved=resolved,
        medians=medians,
        open_cells=open_cells,
    )
    # Issue 13: the re-report rates (``rereport``: the service's cache, off the request path)
    if rereport is not None:
        rates = rereport(boundaries[length], boundaries[-1])
    elif repeat_window_days is not None:
        start, end = boundaries[length], boundaries[-1]
        rates = agency_rereport_rates(engine, start, end, repeat_window_days)
    else:
        return overview
    return replace(overview, rereport_rates=rates)


# --- drill-down -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Drill:
    """A count that was clicked: which measure, over which days, narrowed to which cell."""

    measure: str
    first_day: date
    last_day: date
    agency: str | None = None
    category: str | None = None
    urgency: str | None = None
    urgencies: tuple[str, ...] = ()  # several levels at once (overdue levels 3 and 4)


def _narrow(allowed: tuple[str, ...], value: str | None) -> tuple[str, ...] | None:
    """The filter values once narrowed to ``value``; None when nothing can match."""
    if value is None:
        return allowed
    if allowed and value not in allowed:
        return None
    return (value,)


def drill_filters(filters: Filters, drill: Drill) -> Filters | None:
    """The page's filters narrowed to the drilled cell; None when the cell is filtered out."""
    agencies = _narrow(filters.agencies, drill.agency)
    categories = _narrow(filters.categories, drill.category)
    urgencies = _narrow(filters.urgencies, drill.urgency)
    if urgencies is not None and drill.urgencies:
        urgencies = tuple(u for u in drill.urgencies if not urgencies or u in urgencies) or None
    if agencies is None or categories is None or urgencies is None:
        return None
    return Filters(
        channels=filters.channels,
        lines=filters.lines,
        categories=categories,
        urgencies=urgencies,
        agencies=agencies,
    )


def list_drill(
    engine: Engine,
    calendar: ShiftCalendar,
    drill: Drill,
    now: datetime,
    filters: Filters | None = None,
    *,
    page: int = 1,
    page_size: int = 25,
) -> TicketPage:
    """The page of tickets behind a drilled count (its ``total`` is the count shown)."""
    if drill.measure not in MEASURES:
        raise ValueError(f"unknown measure {drill.measure!r}")
    if drill.last_day < drill.first_day:
        raise ValueError("the range ends before it starts")
    narrowed = drill_filters(filters or Filters(), drill)
    if narrowed is None:
        return TicketPage((), 0, 1, page_size)
    window = calendar.range_window(drill.first_day, drill.last_day)
    with engine.connect() as conn:
        return list_tickets(
            conn,
            measure=drill.measure,
            start=window.start,
            end=window.end,
            now=now,
            filters=narrowed,
            page=page,
            page_size=page_size,
        )


def read_history(engine: Engine, code: str) -> TicketHistory | None:
    """A ticket's public fields and its status changes; None for an unknown code."""
    with engine.connect() as conn:
        return read_ticket_history(conn, code)
