"""The live demo feed: new tickets at the configured rate, and tickets moving along.

Each tick inserts the tickets that arrived since the last tick (Poisson, scaled
by the same daily curve as the demo history) and advances open tickets along
received → classified → forwarded → in_progress → resolved → closed, with an
event per change. A tick never raises: the scheduler must keep running while
the database is away, and the next good tick catches up.
"""

from __future__ import annotations

import logging
import math
import random
import time as clock
from datetime import UTC, datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from dashboard.demo import CodeAllocator, DemoReference, TicketFactory, arrival_factor
from dashboard.settings import Settings
from dashboard.shifts import ShiftCalendar, utc_now
from data_access.engine import make_engine
from data_access.reference import ReferenceDataError
from data_access.writes import (
    EventDraft,
    StatusChange,
    TicketState,
    advance_tickets,
    insert_tickets,
    list_codes_received_between,
    select_tickets_in_status,
)

log = logging.getLogger(__name__)

# A paused process (or a database that was away) catches up at most this much.
MAX_CATCH_UP = timedelta(minutes=15)
REFERENCE_RELOAD_SECONDS = 600
CANDIDATES_PER_STATUS = 500
ADVANCED_STATUSES = ("received", "classified", "forwarded", "in_progress", "resolved")
# Live rain bursts (issue 13: the wall's surge banner in `make run`): the first a few
# minutes after start, then every 1.5-3 hours, each 40 minutes at +50 % of the hourly rate,
# mostly flooding and fallen trees, 70 % of it in one ward.
RAIN_FIRST_AFTER = timedelta(minutes=2)
RAIN_EVERY_MINUTES = (90, 180)
RAIN_DURATION = timedelta(minutes=40)
RAIN_RATE_SHARE = 0.5
RAIN_WARD_SHARE = 0.7


def draw_poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (normal approximation for large means)."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _fires(
    rng: random.Random, elapsed: float, waited: float, min_wait: float, mean_seconds: float
) -> bool:
    """Whether a change possible after ``min_wait`` (then exponential) happens this tick."""
    exposure = min(elapsed, waited - min_wait)
    if exposure <= 0:
        return False
    return rng.random() < 1 - math.exp(-exposure / max(mean_seconds, 1.0))


class Simulator:
    """Feeds the ticket database like a busy intake system would."""

    tick_seconds: float = 2

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        seed: int | None = None,
        tick_seconds: float = 2,
        rain: bool = False,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.tick_seconds = tick_seconds
        self.calendar = ShiftCalendar.from_spec(settings.timezone, settings.shifts)
        self.rng = random.Random(seed)
        self.codes = CodeAllocator(self.calendar.zone)
        self._factory: TicketFactory | None = None
        self._loaded_at = 0.0
        self._last_tick: datetime | None = None
        # What new tickets are about, until an operator classifies them.
        self._topics: dict[int, str] = {}
        self._switchboard: Any = None
        self.rain = rain
        self._rain_start: datetime | None = None
        self._rain_area: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, seed: int | None = None) -> Simulator:
        """A simulator with its own writer engine on the configured database (rain bursts on)."""
        return cls(make_engine(settings.database_url), settings, seed=seed, rain=True)

    # --- the tick ------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> dict[str, Any]:
        """Insert new tickets and advance open ones; reports what happened, never raises."""
        now = (now or utc_now()).astimezone(UTC)
        elapsed = self._elapsed(now)
        self._tick_switchboard(now)
        try:
            with self.engine.begin() as conn:
                factory = self._load_factory(conn)
                inserted = self._insert_arrivals(conn, factory, now, elapsed)
                advanced = self._advance(conn, factory, now, elapsed)
        except IntegrityError as exc:
            # Another writer took a code this process had counted: count again next time.
            self.codes.forget()
            log.warning("simulator tick skipped (code clash): %s", exc.orig)
            return {"ok": False, "at": now, "error": "code clash"}
        except (SQLAlchemyError, ReferenceDataError) as exc:
            self._factory = None
            log.warning("simulator tick failed, will retry: %s", str(exc).splitlines()[0])
            return {"ok": False, "at": now, "error": type(exc).__name__}
        except Exception:
            log.exception("simulator tick failed")
            return {"ok": False, "at": now, "error": "unexpected"}
        self._last_tick = now
        log.debug("simulator tick: %d new, %s advanced", inserted, advanced)
        return {"ok": True, "at": now, "inserted": inserted, "advanced": advanced}

    def _tick_switchboard(self, now: datetime) -> None:
        """The demo PBX (issue 12): append this tick's queue_log lines; never raises."""
        try:
            if self._switchboard is None:
                from dashboard.switchboard.demo_log import demo_queue_log_from_settings

                self._switchboard = demo_queue_log_from_settings(self.settings, self.rng) or False
            if self._switchboard:
                self._switchboard.tick(now)
        except (OSError, ReferenceDataError, KeyError, ValueError) as exc:
            log.warning("demo queue_log tick failed, will retry: %s", exc)

    def _elapsed(self, now: datetime) -> float:
        """Seconds of simulated time this tick covers."""
        if self._last_tick is None:
            return float(self.tick_seconds)
        span = min(max(now - self._last_tick, timedelta()), MAX_CATCH_UP)
        return span.total_seconds()

    def _load_factory(self, conn: Connection) -> TicketFactory:
        """The ticket factory on fresh reference data (re-read every few minutes)."""
        stale = clock.monotonic() - self._loaded_at > REFERENCE_RELOAD_SECONDS
        if self._factory is None or stale:
            reference = DemoReference.load(
                conn, self.settings.reference_file, len(self.calendar.shifts)
            )
            self._factory = TicketFactory(reference, self.rng)
            self._loaded_at = clock.monotonic()
        return self._factory

    # --- arrivals --------------------------------------------------------------------------
    def _insert_arrivals(
        self, conn: Connection, factory: TicketFactory, now: datetime, elapsed: float
    ) -> int:
        """Insert the tickets that arrived during the last ``elapsed`` seconds."""
        local_hour = now.astimezone(self.calendar.zone).hour
        mean = self.settings.simulate_per_hour * elapsed / 3600 * arrival_factor(local_hour)
        count = draw_poisson(self.rng, mean)
        raining = self._raining(factory, now)
        rain_count = (
            draw_poisson(
                self.rng, self.settings.simulate_per_hour * RAIN_RATE_SHARE * elapsed / 3600
            )
            if raining
            else 0
        )
        count += rain_count
        if count == 0:
            return 0
        offsets = sorted((self.rng.uniform(0, elapsed) for _ in range(count)), reverse=True)
        rainy = set(self.rng.sample(range(count), rain_count))
        rows: list[dict[str, Any]] = []
        events: list[list[EventDraft]] = []
        topics: list[str] = []
        for index, offset in enumerate(offsets):
            received_at = now - timedelta(seconds=offset)
            rain = index in rainy
            category = factory.draw_category(rain=rain)
            area = factory.draw_area()
            if rain and self._rain_area is not None and self.rng.random() < RAIN_WARD_SHARE:
                area = self._rain_area
            line = factory.draw_line(category)
            channel = factory.draw_channel(line)
            _, shift = self.calendar.locate(received_at)
            operator = factory.draw_operator(shift, channel)
            rows.append(
                {
                    "code": self._next_code(conn, line, received_at),
                    "received_at": received_at,
                    "channel": channel,
                    "line": line,
                    "status": "received",
                    "operator": operator,
                    "area": area,
                    **factory.personal_data(category),
                }
            )
            events.append(
                [EventDraft(received_at, "received", operator, f"Tiếp nhận qua kênh {channel}")]
            )
            topics.append(category)
        ids = insert_tickets(conn, rows, events)
        if len(self._topics) > 10_000:
            self._topics.clear()
        self._topics.update(zip(ids, topics, strict=True))
        return count

    def _raining(self, factory: TicketFactory, now: datetime) -> bool:
        """Whether a live rain burst is on now (schedules the next one when it is over)."""
        if not self.rain:
            return False
        if self._rain_start is None:
            self._rain_start = now + RAIN_FIRST_AFTER
        if now >= self._rain_start + RAIN_DURATION:
            self._rain_start = now + timedelta(minutes=self.rng.uniform(*RAIN_EVERY_MINUTES))
            self._rain_area = None
        if now < self._rain_start:
            return False
        if self._rain_area is None:
            self._rain_area = factory.draw_area()
            log.info("simulator: a rain burst starts (ward %s)", self._rain_area)
        return True

    def _next_code(self, conn: Connection, line: str, received_at: datetime) -> str:
        """The next tracking code, counting on from the codes of that line and local date."""
        prefix = self.codes.prefix(line, received_at)
        if not self.codes.known(prefix):
            local_day = received_at.astimezone(self.calendar.zone).date()
            start = datetime.combine(local_day, time(0), tzinfo=self.calendar.zone)
            end = datetime.combine(
                local_day + timedelta(days=1), time(0), tzinfo=self.calendar.zone
            )
            self.codes.reserve(
                list_codes_received_between(conn, start.astimezone(UTC), end.astimezone(UTC), line)
            )
        return self.codes.allocate(line, received_at)

    # --- status changes --------------------------------------------------------------------
    def _advance(
        self, conn: Connection, factory: TicketFactory, now: datetime, elapsed: float
    ) -> dict[str, int]:
        """Move open tickets one step where their waiting time is up; counts per new status."""
        changes: list[StatusChange] = []
        for status in ADVANCED_STATUSES:
            since = now - timedelta(days=3) if status == "resolved" else None
            candidates = select_tickets_in_status(
                conn, status, limit=CANDIDATES_PER_STATUS, resolved_since=since
            )
            for ticket in candidates:
                step = self._next_step(factory, ticket, now, elapsed)
                if step is not None:
                    to_status, values, actor, note = step
                    changes.append(
                        StatusChange(ticket.id, status, to_status, now, values, actor, note)
                    )
        moved: dict[str, int] = {}
        for change in advance_tickets(conn, changes):
            moved[change.to_status] = moved.get(change.to_status, 0) + 1
        return moved

    def _next_step(
        self, factory: TicketFactory, ticket: TicketState, now: datetime, elapsed: float
    ) -> tuple[str, dict[str, Any], str | None, str] | None:
        """The change due for a ticket now, or None when it keeps waiting."""
        rng = self.rng
        age = (now - ticket.received_at).total_seconds()
        if ticket.status == "received":
            quick = ticket.channel == "call"
            if not _fires(rng, elapsed, age, 20 if quick else 60, 90 if quick else 480):
                return None
            category = self._topics.pop(ticket.id, None) or factory.draw_category(line=ticket.line)
            urgency = factory.draw_urgency(category)
            agency, sla_hours = factory.reference.slas.get(category, (None, 120))
            values: dict[str, Any] = {
                "category": category,
                "urgency": urgency,
                "due_at": ticket.received_at + timedelta(hours=sla_hours),
            }
            on_the_spot = 0.75 if category == "hanh_chinh" else 0.5
            if urgency == 1 and quick and rng.random() < on_the_spot:
                values["resolved_at"] = now
                return "resolved", values, ticket.operator, "Trả lời trực tiếp cho công dân"
            return "classified", values, ticket.operator, "Đã phân loại"
        if ticket.category is None:
            return None
        agency, sla_hours = factory.reference.slas.get(ticket.category, (None, 120))
        sla_seconds = sla_hours * 3600
        if ticket.status == "classified":
            if not _fires(rng, elapsed, age, 180, 480):
                return None
            if ticket.urgency == 1 and ticket.channel != "call" and rng.random() < 0.35:
                return "resolved", {"resolved_at": now}, ticket.operator, "Đã trả lời công dân"
            values = {
                "agency": agency,
                "forwarded_at": now,
                "due_at": now + timedelta(seconds=sla_seconds),
            }
            note = f"Chuyển {agency}" if agency else "Chuyển xử lý"
            return "forwarded", values, ticket.operator, note
        if ticket.status == "forwarded":
            waited = (now - (ticket.forwarded_at or ticket.received_at)).total_seconds()
            if not _fires(rng, elapsed, waited, 60, min(1500, sla_seconds / 3)):
                return None
            return "in_progress", {}, ticket.agency, "Đơn vị đang xử lý"
        if ticket.status == "in_progress":
            waited = (now - (ticket.forwarded_at or ticket.received_at)).total_seconds()
            if not _fires(rng, elapsed, waited, 300, 0.35 * sla_seconds):
                return None
            return "resolved", {"resolved_at": now}, ticket.agency, "Đơn vị báo cáo đã xử lý"
        if ticket.status == "resolved" and ticket.resolved_at is not None:
            waited = (now - ticket.resolved_at).total_seconds()
            if not _fires(rng, elapsed, waited, 600, 3 * 3600):
                return None
            values = {"closed_at": now}
            if rng.random() < 0.45:
                late = ticket.due_at is not None and ticket.resolved_at > ticket.due_at
                values["satisfaction"] = factory.draw_satisfaction(late)
            return "closed", values, ticket.operator, "Đóng phiếu"
        return None

    # --- running ---------------------------------------------------------------------------
    def run_forever(self, max_ticks: int | None = None) -> None:
        """Tick every ``tick_seconds`` until stopped (or ``max_ticks`` ticks have run)."""
        log.info(
            "simulator: about %d tickets/hour, a tick every %ss",
            self.settings.simulate_per_hour,
            self.tick_seconds,
        )
        try:
            if max_ticks is not None:
                for number in range(max_ticks):
                    started = clock.monotonic()
                    self.tick()
                    if number + 1 < max_ticks:
                        clock.sleep(max(0.0, self.tick_seconds - (clock.monotonic() - started)))
                return
            # APScheduler logs every run at INFO: one line every two seconds drowns the log.
            executor_log = logging.getLogger("apscheduler.executors.default")
            if executor_log.level == logging.NOTSET:
                executor_log.setLevel(logging.WARNING)
            scheduler = BlockingScheduler(timezone=self.settings.timezone)
            scheduler.add_job(
                self.tick,
                "interval",
                seconds=self.tick_seconds,
                id="simulate",
                max_instances=1,
                coalesce=True,
                next_run_time=datetime.now(self.settings.zone),
            )
            scheduler.start()
        finally:
            self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
