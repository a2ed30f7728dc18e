"""CSV exports: the tickets received in a range and the agency accountability table.

Files that Excel opens as they are: UTF-8 with a byte-order mark, CRLF, every
field quoted when it holds the separator, a quote or a line break (``csv``
module), and cells that Excel would run as a formula (``=``, ``+``, ``-``,
``@``) prefixed with an apostrophe. The ticket export streams: rows are read
in keyset pages and written as they come. No export holds a citizen's name,
phone, e-mail or the report content: only :data:`data_access.overview.PUBLIC_COLUMNS`.
"""

from __future__ import annotations

import csv
import io
import logging
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial, update_wrapper
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, request, stream_with_context

from dashboard.api import json_error
from dashboard.i18n import code_name
from dashboard.i18n_views import vtext
from dashboard.overview import Overview
from dashboard.params import ParameterError
from dashboard.service import ServiceBusy, SnapshotService
from dashboard.shifts import ShiftCalendar, utc_now
from dashboard.view_params import RangeParams, parse_range_params
from data_access.codes import UNASSIGNED, UNCLASSIFIED
from data_access.overview import TicketRow
from data_access.reference import Labels

log = logging.getLogger(__name__)

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = {",": ".", ";": ","}  # separator -> decimal mark that Excel expects with it
ROWS_PER_CHUNK = 500

TICKET_COLUMNS: tuple[str, ...] = (
    "code",
    "received_at",
    "operating_day",
    "shift",
    "channel",
    "line",
    "category",
    "urgency",
    "status",
    "agency",
    "area",
    "operator",
    "forwarded_at",
    "due_at",
    "resolved_at",
    "closed_at",
    "overdue",
    "satisfaction",
)

AGENCY_COLUMNS: tuple[str, ...] = (
    "agency_code",
    "agency",
    "forwarded",
    "resolved",
    "with_due",
    "on_time",
    "on_time_percent",
    "open_now",
    "overdue_now",
    "overdue_level3",
    "overdue_level4",
    "median_hours",
    "satisfaction",
)
AGENCY_HEADER_KEYS = {
    "forwarded": "agency.forwarded",
    "resolved": "agency.resolved",
    "overdue_now": "agency.overdue_now",
    "agency": "agency.name",
}


def safe_cell(value: Any) -> str:
    """A cell as text; one that Excel would evaluate as a formula is made literal."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _writer(buffer: io.StringIO, separator: str) -> Any:
    return csv.writer(buffer, delimiter=separator, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")


def encode_rows(rows: Iterable[Sequence[Any]], separator: str = ",") -> str:
    """CSV text of rows (each cell made safe)."""
    buffer = io.StringIO()
    writer = _writer(buffer, separator)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


class ShiftLocator:
    """Operating day and shift of instants inside a range, by bisection (fast per row)."""

    def __init__(self, calendar: ShiftCalendar, first_day: date, last_day: date) -> None:
        self.starts: list[datetime] = []
        self.labels: list[tuple[date, int]] = []
        day = first_day - timedelta(days=1)
        while day <= last_day + timedelta(days=1):
            for shift in calendar.shifts:
                self.starts.append(calendar.window(day, shift.number).start)
                self.labels.append((day, shift.number))
            day += timedelta(days=1)

    def locate(self, instant: datetime) -> tuple[date, int]:
        """The (operating day, shift) of an instant within the range."""
        index = bisect_right(self.starts, instant) - 1
        return self.labels[max(index, 0)]


@dataclass(frozen=True)
class TicketFormatter:
    """Turns ticket rows into CSV cells in one language and time zone."""

    lang: str
    zone: ZoneInfo
    names: dict[str, Labels]
    locator: ShiftLocator
    now: datetime

    def header(self) -> list[str]:
        """The column titles."""
        return [vtext(self.lang, f"col.{column}") for column in TICKET_COLUMNS]

    def _time(self, value: datetime | None) -> str:
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""

    def _name(self, kind: str, code: str | None, null_key: str) -> str:
        if code is None:
            return vtext(self.lang, null_key) if null_key else ""
        labels = self.names.get(kind)
        table = (labels.vi if self.lang == "vi" else labels.en) if labels else {}
        return table.get(code, code)

    def cells(self, row: TicketRow) -> list[Any]:
        """The cells of one ticket."""
        day, shift = self.locator.locate(row.received_at)
        urgency = UNCLASSIFIED if row.urgency is None else str(row.urgency)
        overdue = (
            row.status not in ("resolved", "closed")
            and row.due_at is not None
            and row.due_at < self.now
        )
        return [
            row.code,
            self._time(row.received_at),
            day.isoformat(),
            shift,
            code_name(self.lang, "channel", row.channel),
            code_name(self.lang, "line", row.line),
            self._name("categories", row.category, "")
            or code_name(self.lang, "category", UNCLASSIFIED),
            code_name(self.lang, "urgency", urgency)
            if row.urgency is None
            else f"{row.urgency} — {code_name(self.lang, 'urgency', urgency)}",
            code_name(self.lang, "status", row.status),
            self._name("agencies", row.agency, "") or code_name(self.lang, "agency", UNASSIGNED),
            self._name("areas", row.area, ""),
            self._name("operators", row.operator, ""),
            self._time(row.forwarded_at),
            self._time(row.due_at),
            self._time(row.resolved_at),
            self._time(row.closed_at),
            vtext(self.lang, "value.yes" if overdue else "value.no"),
            row.satisfaction,
        ]


def stream_ticket_csv(
    rows: Iterator[TicketRow], formatter: TicketFormatter, separator: str = ","
) -> Iterator[str]:
    """The CSV text of a ticket export, chunk by chunk (BOM and header first)."""
    yield BOM + encode_rows([formatter.header()], separator)
    chunk: list[list[Any]] = []
    try:
        for row in rows:
            chunk.append(formatter.cells(row))
            if len(chunk) >= ROWS_PER_CHUNK:
                yield encode_rows(chunk, separator)
                chunk = []
    except Exception as exc:  # noqa: BLE001 - the headers are gone: say so inside the file
        log.error("ticket export interrupted: %s", exc.__class__.__name__)
        chunk.append([vtext(formatter.lang, "export.incomplete")])
    if chunk:
        yield encode_rows(chunk, separator)


def _decimal(value: float | None, digits: int, mark: str) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}".replace(".", mark)


def agency_csv(
    overview: Overview, names: dict[str, Labels], lang: str, separator: str = ","
) -> str:
    """The agency accountability table as CSV text (BOM, header, one row per agency)."""
    mark = SEPARATORS[separator]
    labels = names.get("agencies")
    table = (labels.vi if lang == "vi" else labels.en) if labels else {}
    header = [
        vtext(lang, AGENCY_HEADER_KEYS.get(column, f"col.{column}")) for column in AGENCY_COLUMNS
    ]
    rows: list[list[Any]] = [header]
    for row in overview.agencies:
        name = (
            code_name(lang, "agency", UNASSIGNED)
            if row.agency == UNASSIGNED
            else table.get(row.agency, row.agency)
        )
        rate = None if row.on_time_rate is None else row.on_time_rate * 100
        hours = None if row.median_handling_minutes is None else row.median_handling_minutes / 60
        rows.append(
            [
                row.agency,
                name,
                row.forwarded,
                row.resolved,
                row.with_due,
                row.on_time,
                _decimal(rate, 1, mark),
                row.open_now,
                row.overdue_now,
                row.overdue_by_level.get("3", 0),
                row.overdue_by_level.get("4", 0),
                _decimal(hours, 1, mark),
                _decimal(row.average_satisfaction, 2, mark),
            ]
        )
    return BOM + encode_rows(rows, separator)


def export_filename(kind: str, params: RangeParams) -> str:
    """``tickets_2026-11-01_2026-11-30.csv``."""
    return f"{kind}_{params.first_day.isoformat()}_{params.last_day.isoformat()}.csv"


def _separator(value: str | None) -> str:
    if value in (None, "", ","):
        return ","
    if value in (";", "semicolon"):
        return ";"
    raise ParameterError("sep", "'sep' must be , or ;")


def _csv_response(body: Iterable[bytes] | bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _database_failed(kind: str, exc: Exception) -> Response:
    """The answer when the service could not read: 429 when busy, else 503 (never a file)."""
    if isinstance(exc, ServiceBusy):
        return json_error(None, "the board is busy; retry in a few seconds", 429)
    log.error("%s export failed: %s", kind, exc.__class__.__name__)
    return json_error(None, "the ticket database is not answering", 503)


def _read_request(calendar: ShiftCalendar, now: datetime) -> tuple[RangeParams, str]:
    """The range, filters, language and separator of an export request (ParameterError)."""
    params = parse_range_params(request.args, calendar, now)
    return params, _separator(request.args.get("sep"))


def tickets_csv(service: SnapshotService) -> Response:
    """``/export/tickets.csv``: every ticket received in the range, streamed."""
    calendar = service.calendar
    now = utc_now()
    try:
        params, separator = _read_request(calendar, now)
    except ParameterError as exc:
        return json_error(exc.field, exc.message)
    try:
        names, _ = service.reference(now)
        rows = service.export_rows(params.first_day, params.last_day, params.filters)
    except Exception as exc:  # noqa: BLE001 - say the database failed, never an empty file
        return _database_failed("ticket", exc)
    formatter = TicketFormatter(
        params.lang,
        calendar.zone,
        names,
        ShiftLocator(calendar, params.first_day, params.last_day),
        now,
    )
    body = (text.encode("utf-8") for text in stream_ticket_csv(rows, formatter, separator))
    return _csv_response(stream_with_context(body), export_filename("tickets", params))


def agencies_csv(service: SnapshotService) -> Response:
    """``/export/agencies.csv``: the agency accountability table of the range."""
    now = utc_now()
    try:
        params, separator = _read_request(service.calendar, now)
    except ParameterError as exc:
        return json_error(exc.field, exc.message)
    try:
        overview = service.overview(params.first_day, params.last_day, params.filters)
        names, _ = service.reference(now)
    except Exception as exc:  # noqa: BLE001
        return _database_failed("agency", exc)
    body = agency_csv(overview, names, params.lang, separator).encode("utf-8")
    return _csv_response(body, export_filename("agencies", params))


def register_export(server: Flask, service: SnapshotService) -> None:
    """Attach ``/export/tickets.csv`` and ``/export/agencies.csv`` to the Flask server."""
    export = Blueprint("export", __name__)
    # update_wrapper: Flask-Limiter names every view by ``__name__`` (a bare partial has none)
    for view in (tickets_csv, agencies_csv):
        bound = update_wrapper(partial(view, service), view)
        export.add_url_rule(f"/export/{view.__name__[:-4]}.csv", view.__name__, bound)
    server.register_blueprint(export)
