"""Realistic demo history for the board (SPEC section 2: volumes, mix, timing).

Each ticket gets a whole life (intake, classification, forwarding, handling,
closing) drawn from the mix below; only the part of it that has happened by
``now`` is written, so the history looks exactly as the database would at
``now``. The same seed and the same ``now`` give the same rows.
"""

from __future__ import annotations

import logging
import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from dashboard.arrivals import arrival_factor
from dashboard.settings import Settings
from dashboard.shifts import ShiftCalendar, Window, utc_now
from data_access.reference import (
    ReferenceDataError,
    list_operators,
    read_category_slas,
    read_reference_file,
)
from data_access.writes import (
    EventDraft,
    count_tickets,
    insert_tickets,
    list_area_codes,
    list_codes_received_between,
)

log = logging.getLogger(__name__)

# Monday first; weekends are quieter. Normalised so the week averages per_day.
WEEKDAY_WEIGHTS: tuple[float, ...] = (1.1, 1.05, 1.05, 1.05, 1.0, 0.85, 0.7)
_MEAN_WEEKDAY = sum(WEEKDAY_WEIGHTS) / len(WEEKDAY_WEIGHTS)

# Share of reports by field (percent), after October 2025: administration ~43%,
# infrastructure (power, flooding, water, trees, traffic) ~18%, noise ~9%, buses ~7.5%.
CATEGORY_WEIGHTS: dict[str, float] = {
    "hanh_chinh": 43.0,
    "dien": 5.0,
    "thoat_nuoc": 4.0,
    "cap_nuoc": 4.0,
    "giao_thong": 3.0,
    "cay_xanh": 2.0,
    "moi_truong": 9.0,
    "xe_buyt": 7.5,
    "trat_tu_do_thi": 8.0,
    "y_te": 4.0,
    "an_ninh": 3.5,
    "xay_dung_dang": 0.5,
    "tham_nhung": 0.5,
    "khac": 6.0,
}
# What a heavy afternoon rain brings in on top of the usual mix.
RAIN_CATEGORY_WEIGHTS: dict[str, float] = {
    "thoat_nuoc": 62.0,
    "cay_xanh": 25.0,
    "giao_thong": 7.0,
    "dien": 6.0,
}
# Which line a report of a field arrives on; Party matters go to the Party Committee's line.
LINE_WEIGHTS_PARTY: dict[str, float] = {"thanh_uy": 80.0, "1022": 14.0, "ubnd": 6.0}
LINE_WEIGHTS_DEFAULT: dict[str, float] = {"1022": 88.0, "ubnd": 8.0, "thanh_uy": 4.0}
PARTY_CATEGORIES = frozenset({"xay_dung_dang", "tham_nhung"})
CHANNEL_WEIGHTS: dict[str, dict[str, float]] = {
    "1022": {"call": 72.0, "web": 14.0, "sms": 9.0, "email": 5.0},
    "thanh_uy": {"call": 55.0, "web": 20.0, "email": 15.0, "sms": 10.0},
    "ubnd": {"call": 60.0, "web": 22.0, "email": 10.0, "sms": 8.0},
}
# Urgency 1-4: questions about procedures are mostly level 1; level 4 is rare.
URGENCY_WEIGHTS_ADMIN: tuple[float, ...] = (80.0, 15.0, 5.0, 0.0)
URGENCY_WEIGHTS_DEFAULT: tuple[float, ...] = (30.0, 55.0, 14.0, 0.9)
URGENCY_WEIGHTS_PARTY: tuple[float, ...] = (10.0, 55.0, 30.0, 5.0)
# Who takes a report of each channel (operator roles of the reference data).
CHANNEL_ROLES: dict[str, str] = {
    "call": "phone",
    "sms": "sms",
    "email": "email",
    "web": "consolidation",
}
SATISFACTION_WEIGHTS: tuple[float, ...] = (4.0, 6.0, 12.0, 33.0, 45.0)
SATISFACTION_WEIGHTS_LATE: tuple[float, ...] = (15.0, 20.0, 30.0, 22.0, 13.0)

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Thu")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Linh", "Nam", "Phong", "Vy")
_CONTENT: dict[str, tuple[str, ...]] = {
    "hanh_chinh": (
        "Hỏi thủ tục cấp đổi căn cước.",
        "Hỏi hồ sơ đăng ký kinh doanh hộ cá thể.",
        "Hỏi thời hạn giải quyết hồ sơ cấp phép xây dựng.",
    ),
    "dien": ("Khu phố mất điện từ sáng, đề nghị kiểm tra.", "Dây điện bị đứt trước nhà."),
    "thoat_nuoc": ("Đường ngập sâu sau mưa, xe chết máy.", "Cống thoát nước bị nghẹt."),
    "cap_nuoc": ("Nhà không có nước sinh hoạt hai ngày.", "Ống nước bể, nước chảy ra đường."),
    "giao_thong": ("Đèn tín hiệu giao lộ không hoạt động.", "Ùn tắc kéo dài tại vòng xoay."),
    "cay_xanh": ("Cây đổ chắn ngang đường.", "Cành cây gãy có nguy cơ rơi."),
    "moi_truong": ("Quán karaoke hát lớn sau 22 giờ.", "Rác thải tập kết bốc mùi."),
    "xe_buyt": ("Xe buýt không dừng đón khách tại trạm.", "Tài xế xe buýt chạy ẩu."),
    "trat_tu_do_thi": ("Công trình xây dựng lấn chiếm vỉa hè.", "Buôn bán lấn chiếm lòng đường."),
    "y_te": ("Phản ánh thái độ phục vụ tại bệnh viện.", "Hỏi lịch tiêm chủng cho trẻ."),
    "an_ninh": ("Nhóm thanh niên tụ tập gây rối ban đêm.", "Nghi có trộm cắp trong hẻm."),
    "xay_dung_dang": ("Góp ý về công tác xây dựng Đảng ở cơ sở.",),
    "tham_nhung": ("Phản ánh dấu hiệu nhũng nhiễu khi làm hồ sơ.",),
    "khac": ("Góp ý chung về dịch vụ công.", "Đề nghị được hướng dẫn thêm."),
}
# Hostile text in a few tickets' personal columns: proves it is never shown or executed.
_HOSTILE_CONTENT = (
    "<script>alert('1022')</script>",
    "'; DROP TABLE tickets; --",
    "Ｚａｌｇｏ t̷̢͎ḛ̸x̴t \u202e đảo chiều " + "rất dài " * 200,
)
_CODE_PATTERN = re.compile(r"^(?P<prefix>.+-\d{6})-(?P<number>\d+)$")


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


@dataclass(frozen=True)
class _Choice:
    """A weighted choice prepared once (cumulative weights), drawn many times."""

    options: tuple[Any, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[Any, float]) -> _Choice:
        total = 0.0
        cumulative = []
        for weight in weights.values():
            total += weight
            cumulative.append(total)
        return cls(tuple(weights), tuple(cumulative))

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.options, cum_weights=self.cumulative)[0]


def _line_weights(category: str) -> dict[str, float]:
    return LINE_WEIGHTS_PARTY if category in PARTY_CATEGORIES else LINE_WEIGHTS_DEFAULT


@dataclass(frozen=True)
class DemoReference:
    """The reference data the generators draw from: SLAs, areas, operators by shift."""

    slas: dict[str, tuple[str | None, int]]
    areas: tuple[str, ...]
    # shift number -> role -> operator codes
    operators: dict[int, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection, reference_file: Path, shift_count: int) -> DemoReference:
        """Read the reference tables; operators' shifts come from the reference file."""
        slas = read_category_slas(conn)
        if not slas:
            raise ReferenceDataError(
                "no categories in the database: run `python -m dashboard init-db` first"
            )
        shifts_by_code: dict[str, int] = {}
        try:
            document = read_reference_file(reference_file)
            for row in document.get("operators", []):
                if isinstance(row.get("shift"), int):
                    shifts_by_code[str(row["code"])] = row["shift"]
        except ReferenceDataError as exc:
            log.warning("operators spread evenly over the shifts: %s", exc)
        grouped: dict[int, dict[str, list[str]]] = {}
        unplaced = 0
        for row in sorted(list_operators(conn), key=lambda item: str(item["code"])):
            code = str(row["code"])
            shift = shifts_by_code.get(code)
            if shift is None or not 1 <= shift <= shift_count:
                # No shift known for this operator: deal them out over the shifts in turn.
                shift = unplaced % shift_count + 1
                unplaced += 1
            role = str(row.get("role") or "phone")
            grouped.setdefault(shift, {}).setdefault(role, []).append(code)
        operators = {
            shift: {role: tuple(codes) for role, codes in roles.items()}
            for shift, roles in grouped.items()
        }
        return cls(slas=slas, areas=tuple(list_area_codes(conn)), operators=operators)


class TicketFactory:
    """Draws what a ticket is about and who took it, from the mix of SPEC section 2."""

    def __init__(self, reference: DemoReference, rng: random.Random) -> None:
        self.reference = reference
        self.rng = rng
        known = set(reference.slas)
        self._categories = {c: w for c, w in CATEGORY_WEIGHTS.items() if c in known}
        # Categories of a deployment that the mix does not know get a small share.
        for code in sorted(known - set(self._categories)):
            self._categories[code] = 0.5
        self._rain = {c: w for c, w in RAIN_CATEGORY_WEIGHTS.items() if c in known}
        self._category_choice = _Choice.of(self._categories)
        self._rain_choice = _Choice.of(self._rain or self._categories)
        self._line_choices = {c: _Choice.of(_line_weights(c)) for c in self._categories}
        self._channel_choices = {line: _Choice.of(w) for line, w in CHANNEL_WEIGHTS.items()}
        self._urgency_choices = {
            weights: _Choice.of(dict(zip((1, 2, 3, 4), weights, strict=True)))
            for weights in (URGENCY_WEIGHTS_ADMIN, URGENCY_WEIGHTS_DEFAULT, URGENCY_WEIGHTS_PARTY)
        }
        self._satisfaction_choices = {
            late: _Choice.of(dict(zip((1, 2, 3, 4, 5), weights, strict=True)))
            for late, weights in ((False, SATISFACTION_WEIGHTS), (True, SATISFACTION_WEIGHTS_LATE))
        }
        self._serial = 0

    def draw_category(self, *, rain: bool = False, line: str | None = None) -> str:
        """A field; during rain bursts mostly flooding and trees; given a line, as on that line."""
        if line is None:
            return (self._rain_choice if rain else self._category_choice).draw(self.rng)
        weights = self._rain if rain and self._rain else self._categories
        weights = {c: w * _line_weights(c).get(line, 0.0) for c, w in weights.items()}
        if not any(weights.values()):
            weights = self._categories
        return _weighted(self.rng, weights)

    def draw_line(self, category: str | None = None) -> str:
        """The line a report arrives on (for a known field, the line that field uses)."""
        if category is None:
            marginal: dict[str, float] = {}
            for code, weight in self._categories.items():
                for line, share in _line_weights(code).items():
                    marginal[line] = marginal.get(line, 0.0) + weight * share
            return _weighted(self.rng, marginal)
        choice = self._line_choices.get(category) or _Choice.of(_line_weights(category))
        return choice.draw(self.rng)

    def draw_channel(self, line: str) -> str:
        """The channel: mostly calls, then web, SMS and email."""
        return self._channel_choices.get(line, self._channel_choices["1022"]).draw(self.rng)

    def draw_urgency(self, category: str) -> int:
        """The urgency level 1-4 given the field."""
        if category == "hanh_chinh":
            weights = URGENCY_WEIGHTS_ADMIN
        elif category in PARTY_CATEGORIES:
            weights = URGENCY_WEIGHTS_PARTY
        else:
            weights = URGENCY_WEIGHTS_DEFAULT
        return self._urgency_choices[weights].draw(self.rng)

    def draw_operator(self, shift: int, channel: str) -> str | None:
        """An operator of the shift on duty whose role fits the channel."""
        roles = self.reference.operators.get(shift)
        if not roles:
            roles = next(iter(self.reference.operators.values()), {})
        if not roles:
            return None
        codes = roles.get(CHANNEL_ROLES.get(channel, "phone")) or roles.get("phone")
        if not codes:
            codes = tuple(code for group in roles.values() for code in group)
        return self.rng.choice(codes)

    def draw_area(self) -> str | None:
        """A ward or district."""
        return self.rng.choice(self.reference.areas) if self.reference.areas else None

    def draw_satisfaction(self, late: bool) -> int:
        """A citizen's 1-5 rating, mostly 4-5, lower when the handling was late."""
        return self._satisfaction_choices[late].draw(self.rng)

    def personal_data(self, category: str) -> dict[str, str]:
        """Obviously fake citizen data: it exists to prove it never leaks."""
        rng = self.rng
        self._serial += 1
        name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)} (mẫu)"
        if rng.random() < 0.003:
            content = rng.choice(_HOSTILE_CONTENT)
        else:
            content = "[DỮ LIỆU MẪU] " + rng.choice(_CONTENT.get(category, _CONTENT["khac"]))
        return {
            "citizen_name": name,
            "citizen_phone": f"0999{rng.randrange(1_000_000):06d}",
            "citizen_email": f"congdan.mau{self._serial:05d}@example.com",
            "content": content,
        }


@dataclass(frozen=True)
class PlannedStep:
    """One status change of a planned ticket life, with the columns it sets."""

    at: datetime
    status: str
    actor: str | None
    note: str | None
    values: Mapping[str, Any]


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=max(1, round(value)))


def _minutes(rng: random.Random, low: float, mean: float) -> float:
    """A delay of at least ``low`` minutes plus an exponential part, in seconds."""
    return 60 * (low + rng.expovariate(1 / mean))


def _answered_question(
    factory: TicketFactory,
    steps: list[PlannedStep],
    classify_at: datetime,
    classified: Mapping[str, Any],
    *,
    channel: str,
    operator: str | None,
) -> list[PlannedStep] | None:
    """A level-1 question answered by the hotline itself, on the line or in writing; None
    when it goes on to an agency instead (``steps`` untouched, one number drawn from
    ``factory.rng``: the chance of an answer on the spot for a call, in writing otherwise).

    ``steps`` holds the intake; ``classified``, the columns the classification sets (the
    category and the deadline, ``due_at``).
    """
    rng = factory.rng
    received_at = steps[0].at
    # A question answered on the spot: straight to resolved, or answered in writing.
    on_the_spot = 0.75 if classified["category"] == "hanh_chinh" else 0.5
    if channel == "call" and rng.random() < on_the_spot:
        resolved_at = received_at + _seconds(_minutes(rng, 3, 5))
        steps.append(
            PlannedStep(
                resolved_at,
                "resolved",
                operator,
                "Trả lời trực tiếp cho công dân",
                {**classified, "resolved_at": resolved_at},
            )
        )
        return _close(factory, steps, operator, resolved_at, late=False)
    if channel != "call" and rng.random() < 0.35:
        steps.append(PlannedStep(classify_at, "classified", operator, "Đã phân loại", classified))
        resolved_at = classify_at + _seconds(_minutes(rng, 15, 90))
        steps.append(
            PlannedStep(
                resolved_at,
                "resolved",
                operator,
                "Đã trả lời công dân",
                {"resolved_at": resolved_at},
            )
        )
        return _close(
            factory, steps, operator, resolved_at, late=resolved_at > classified["due_at"]
        )
    return None


def plan_ticket_life(
    factory: TicketFactory,
    *,
    received_at: datetime,
    channel: str,
    category: str,
    urgency: int,
    operator: str | None,
) -> list[PlannedStep]:
    """The whole life of a ticket from intake to closing (some of it may lie after now)."""
    rng = factory.rng
    agency, sla_hours = factory.reference.slas.get(category, (None, 120))
    sla = timedelta(hours=sla_hours)
    steps = [PlannedStep(received_at, "received", operator, f"Tiếp nhận qua kênh {channel}", {})]
    # Calls are classified while on the line; written reports wait in a queue.
    if channel == "call":
        classify_at = received_at + _seconds(_minutes(rng, 0.5, 1.5))
    else:
        classify_at = received_at + _seconds(_minutes(rng, 2, 10))
    classified = {"category": category, "urgency": urgency, "due_at": received_at + sla}

    if urgency == 1:
        answered = _answered_question(
            factory, steps, classify_at, classified, channel=channel, operator=operator
        )
        if answered is not None:
            return answered

    steps.append(PlannedStep(classify_at, "classified", operator, "Đã phân loại", classified))
    # Forwarding: mostly 5-30 minutes after intake, a few slow ones take hours.
    roll = rng.random()
    if roll < 0.85:
        forwarded_at = classify_at + _seconds(_minutes(rng, 3, 8))
    elif roll < 0.97:
        forwarded_at = classify_at + _seconds(_minutes(rng, 20, 40))
    else:
        forwarded_at = classify_at + _seconds(_minutes(rng, 90, 240))
    due_at = forwarded_at + sla
    steps.append(
        PlannedStep(
            forwarded_at,
            "forwarded",
            operator,
            f"Chuyển {agency}" if agency else "Chuyển xử lý",
            {"agency": agency, "forwarded_at": forwarded_at, "due_at": due_at},
        )
    )
    sla_seconds = sla.total_seconds()
    # The agency takes it up within minutes to a couple of hours (never past a third of the SLA).
    start_at = forwarded_at + _seconds(min(_minutes(rng, 2, 25), sla_seconds / 3))
    steps.append(PlannedStep(start_at, "in_progress", agency, "Đơn vị đang xử lý", {}))
    # Handling time as a share of the SLA: most on time, some late, a few very late.
    roll = rng.random()
    late_share = 0.12 if urgency >= 3 else 0.08
    if roll < late_share:
        share = 1.0 + rng.expovariate(1 / 0.5)
    elif roll < late_share + 0.045:
        share = 1.0 + rng.expovariate(1 / 4.0)
    else:
        share = rng.betavariate(2.0, 4.0)
    resolved_at = max(start_at + timedelta(minutes=5), forwarded_at + _seconds(share * sla_seconds))
    steps.append(
        PlannedStep(
            resolved_at,
            "resolved",
            agency,
            "Đơn vị báo cáo đã xử lý",
            {"resolved_at": resolved_at},
        )
    )
    return _close(factory, steps, operator, resolved_at, late=resolved_at > due_at)


def _close(
    factory: TicketFactory,
    steps: list[PlannedStep],
    operator: str | None,
    resolved_at: datetime,
    *,
    late: bool,
) -> list[PlannedStep]:
    """Append the closing: some hours after resolution, a rating on some of them."""
    rng = factory.rng
    closed_at = resolved_at + _seconds(_minutes(rng, 30, 300))
    values: dict[str, Any] = {"closed_at": closed_at}
    if rng.random() < 0.45:
        values["satisfaction"] = factory.draw_satisfaction(late)
    steps.append(PlannedStep(closed_at, "closed", operator, "Đóng phiếu", values))
    return steps


_EMPTY_TICKET: dict[str, Any] = {
    "category": None,
    "urgency": None,
    "status": "received",
    "agency": None,
    "forwarded_at": None,
    "due_at": None,
    "resolved_at": None,
    "closed_at": None,
    "satisfaction": None,
}


def materialise(
    base: Mapping[str, Any], steps: Sequence[PlannedStep], now: datetime
) -> tuple[dict[str, Any], list[EventDraft]]:
    """The ticket row and events as they stand at ``now`` (later steps have not happened)."""
    row = {**_EMPTY_TICKET, **base}
    events: list[EventDraft] = []
    for step in steps:
        if step.at > now:
            break
        row.update(step.values)
        row["status"] = step.status
        events.append(EventDraft(step.at, step.status, step.actor, step.note))
    return row, events


class CodeAllocator:
    """Tracking codes ``{line}-{yymmdd}-{n:04d}``, n counting per line and local date."""

    def __init__(self, zone: Any) -> None:
        self.zone = zone
        self._next: dict[str, int] = {}

    def prefix(self, line: str, received_at: datetime) -> str:
        """The code prefix of a ticket received on a line at an instant."""
        return f"{line}-{received_at.astimezone(self.zone):%y%m%d}"

    def reserve(self, codes: Sequence[str]) -> None:
        """Make the allocator continue after codes that already exist."""
        for code in codes:
            match = _CODE_PATTERN.match(code)
            if match:
                prefix, number = match["prefix"], int(match["number"])
                self._next[prefix] = max(self._next.get(prefix, 1), number + 1)

    def known(self, prefix: str) -> bool:
        """Whether the allocator has counted this prefix already."""
        return prefix in self._next

    def allocate(self, line: str, received_at: datetime) -> str:
        """The next free code."""
        prefix = self.prefix(line, received_at)
        number = self._next.get(prefix, 1)
        self._next[prefix] = number + 1
        return f"{prefix}-{number:04d}"

    def forget(self) -> None:
        """Drop every counter (after a clash with another writer)."""
        self._next.clear()


def _draw_arrivals(
    rng: random.Random, calendar: ShiftCalendar, window: Window, count: int
) -> list[datetime]:
    """``count`` instants in the window following the hourly curve."""
    if count <= 0:
        return []
    starts = calendar.hour_starts(window)
    weights = [arrival_factor(start.astimezone(calendar.zone).hour) for start in starts]
    chosen = rng.choices(starts, weights=weights, k=count)
    result = []
    for start in chosen:
        span = int(min(3600, (window.end - start).total_seconds()))
        result.append(start + timedelta(seconds=rng.randrange(span)))
    return result


def _rain_burst(
    rng: random.Random, calendar: ShiftCalendar, day: date, per_day: int
) -> list[datetime]:
    """Arrivals of a heavy afternoon rain: a burst of 8-20% of a day over 1.5-3 hours."""
    local_start = datetime.combine(day, time(14, 0), tzinfo=calendar.zone)
    start = local_start.astimezone(UTC) + timedelta(minutes=rng.uniform(0, 210))
    duration = rng.uniform(90, 180) * 60
    count = round(per_day * rng.uniform(0.08, 0.2))
    return [
        start + timedelta(seconds=round(rng.triangular(0, duration, duration * 0.25)))
        for _ in range(count)
    ]


def _rainy_days(rng: random.Random, days: Sequence[date]) -> set[date]:
    """A few rainy afternoons: about one day in five, at least one in a week or more."""
    rainy = {day for day in days if rng.random() < 0.2}
    if not rainy and len(days) >= 7:
        rainy.add(rng.choice(days[:-1]))
    return rainy


def generate_demo_tickets(
    reference: DemoReference,
    calendar: ShiftCalendar,
    *,
    days: int,
    per_day: int,
    seed: int,
    now: datetime,
    codes: CodeAllocator | None = None,
) -> tuple[list[dict[str, Any]], list[list[EventDraft]]]:
    """Ticket rows and their events for ``days`` operating days up to ``now`` (pure)."""
    rng = random.Random(seed)
    factory = TicketFactory(reference, rng)
    codes = codes or CodeAllocator(calendar.zone)
    today = calendar.operating_day(now)
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    rainy = _rainy_days(rng, day_list)
    drafts: list[tuple[datetime, bool, date]] = []
    for day in day_list:
        window = calendar.window(day)
        mean = per_day * WEEKDAY_WEIGHTS[day.weekday()] / _MEAN_WEEKDAY
        mean *= max(0.5, rng.gauss(1.0, 0.06))
        count = max(0, round(rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0
        drafts.extend((at, False, day) for at in _draw_arrivals(rng, calendar, window, count))
        if day in rainy:
            burst = _rain_burst(rng, calendar, day, per_day)
            drafts.extend((at, True, day) for at in burst if window.contains(at))
    drafts = sorted((draft for draft in drafts if draft[0] <= now), key=lambda item: item[0])

    shift_windows = {
        day: [calendar.window(day, shift.number) for shift in calendar.shifts] for day in day_list
    }
    rows: list[dict[str, Any]] = []
    events: list[list[EventDraft]] = []
    for received_at, rain, day in drafts:
        shift = next((w.shift for w in shift_windows[day] if w.contains(received_at)), None) or 1
        category = factory.draw_category(rain=rain)
        line = factory.draw_line(category)
        channel = factory.draw_channel(line)
        urgency = factory.draw_urgency(category)
        if rain and urgency == 1:
            urgency = 2  # a flooded street is a grievance, not a question
        operator = factory.draw_operator(shift, channel)
        base = {
            "code": codes.allocate(line, received_at),
            "received_at": received_at,
            "channel": channel,
            "line": line,
            "operator": operator,
            "area": factory.draw_area(),
            **factory.personal_data(category),
        }
        steps = plan_ticket_life(
            factory,
            received_at=received_at,
            channel=channel,
            category=category,
            urgency=urgency,
            operator=operator,
        )
        row, ticket_events = materialise(base, steps, now)
        rows.append(row)
        events.append(ticket_events)
    return rows, events


def write_demo_history(
    engine: Engine,
    settings: Settings,
    *,
    days: int,
    per_day: int,
    seed: int,
    only_if_empty: bool = False,
    now: datetime | None = None,
) -> int:
    """Write ``days`` operating days of realistic history up to ``now``; returns tickets written."""
    now = now or utc_now()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    calendar = ShiftCalendar.from_spec(settings.timezone, settings.shifts)
    with engine.begin() as conn:
        if only_if_empty and count_tickets(conn) > 0:
            log.info("demo history skipped: the database already holds tickets")
            return 0
        if days <= 0 or per_day <= 0:
            return 0
        reference = DemoReference.load(conn, settings.reference_file, len(calendar.shifts))
        codes = CodeAllocator(calendar.zone)
        # Continue after codes already in the period so a second run never clashes.
        first = calendar.window(calendar.operating_day(now) - timedelta(days=days)).start
        codes.reserve(list_codes_received_between(conn, first, now + timedelta(days=2)))
        rows, events = generate_demo_tickets(
            reference, calendar, days=days, per_day=per_day, seed=seed, now=now, codes=codes
        )
        insert_tickets(conn, rows, events)
    log.info("demo history: %d tickets over %d days", len(rows), days)
    write_demo_queue_log(settings, calendar, days=days, per_day=per_day, seed=seed, now=now)
    return len(rows)


def write_demo_queue_log(
    settings: Settings,
    calendar: ShiftCalendar,
    *,
    days: int,
    per_day: int,
    seed: int,
    now: datetime,
) -> int:
    """The switchboard's history (issue 12): a queue_log of the last days, if none exists yet."""
    from dashboard.switchboard.demo_log import (
        CALLS_PER_TICKET,
        history_span,
        phone_operators,
        write_history_queue_log,
    )
    from data_access.reference import read_reference_file

    path = settings.queue_log_file
    if path is None:
        return 0
    operators = phone_operators(
        read_reference_file(settings.reference_file)["operators"], len(calendar.shifts)
    )
    # It ends a few minutes before now, so that its last calls have ended by now.
    start, end = history_span(now - timedelta(minutes=10), days)
    written = write_history_queue_log(
        path,
        calendar,
        operators,
        per_day * CALLS_PER_TICKET,
        start=start,
        end=end,
        seed=seed,
    )
    if written:
        log.info("demo queue_log: %d lines in %s", written, path)
    return written
