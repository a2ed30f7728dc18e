"""Layout pieces of operations intelligence: incident banner, /screens, repeat candidates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dash import dcc, html

from dashboard.i18n import text
from dashboard.intelligence.values import RepeatLink, ScreenStatus

INCIDENT_BANNER = "wall-incidents"
INCIDENT_TEXT = "wall-incidents-text"
SCREENS_TABLE = "screens-table"
SCREENS_POLL = "screens-poll"
SCREENS_BODY = "screens-body"
REPEATS_PANEL = "shift-repeats"
MAX_INCIDENT_LINES = 1


def _attrs(values: dict[str, str]) -> dict[str, Any]:
    """Attributes with dashes (data-*, aria-*), which Dash takes as keyword arguments."""
    return values


def incident_banner_class(lines: Sequence[str]) -> str:
    """The banner's class: hidden when there is no incident."""
    return "wall-incidents" if lines else "wall-incidents wall-incidents--hidden"


def build_incident_banner(intel: Mapping[str, Any] | None) -> html.Div:
    """The incident banner of the wall (the browser refreshes it from each poll's meta)."""
    lines = list((intel or {}).get("incidents") or [])
    return html.Div(
        [
            html.I(className="bi bi-cloud-rain-heavy-fill"),
            # One text, a line per incident (white-space: pre-line): the browser sets it.
            html.Div("\n".join(lines), id=INCIDENT_TEXT, className="incident-lines"),
        ],
        id=INCIDENT_BANNER,
        className=incident_banner_class(lines),
        role="alert",
        **_attrs({"aria-live": "polite"}),
    )


def incident_lines(lines: Sequence[str], lang: str) -> list[str]:
    """The biggest incident on the wall (it may wrap to two lines); the others counted."""
    shown = list(lines[:MAX_INCIDENT_LINES])
    if len(lines) > MAX_INCIDENT_LINES:
        more = text(lang, "intel.incident.more", count=len(lines) - MAX_INCIDENT_LINES)
        shown[-1] = f"{shown[-1]} ({more})"
    return shown


# --- /screens --------------------------------------------------------------------------------
def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%d/%m %H:%M:%S")


def build_screen_rows(statuses: Sequence[ScreenStatus], lang: str, zone: ZoneInfo) -> list[html.Tr]:
    """The rows of the /screens table (silent first)."""
    if not statuses:
        return [html.Tr(html.Td(text(lang, "intel.screens.none"), colSpan=6))]
    rows = []
    for status in statuses:
        beat = status.beat
        state = text(lang, "intel.screens.silent" if status.silent else "intel.screens.alive")
        age = beat.page_age_seconds
        rows.append(
            html.Tr(
                [
                    html.Td(beat.name, className="screen-name"),
                    html.Td(
                        html.Span(
                            state,
                            className="badge "
                            + ("text-bg-danger" if status.silent else "text-bg-success"),
                        ),
                        className="screen-state",
                    ),
                    html.Td(
                        [
                            _local(beat.last_poll, zone),
                            html.Br(),
                            html.Small(
                                text(lang, "intel.screens.ago", seconds=status.silent_for_seconds),
                                className="text-body-secondary",
                            ),
                        ]
                    ),
                    html.Td(
                        text(lang, "intel.screens.unknown")
                        if age is None
                        else text(lang, "intel.screens.minutes", minutes=age // 60)
                    ),
                    html.Td(
                        text(lang, "intel.screens.unknown")
                        if beat.heap_mb is None
                        else f"{beat.heap_mb:.1f} MB"
                    ),
                    html.Td(beat.options or "", className="screen-options"),
                ],
                className="screen-row screen-row--silent" if status.silent else "screen-row",
                **_attrs({"data-screen": beat.name}),
            )
        )
    return rows


def build_screens_page(
    statuses: Sequence[ScreenStatus],
    lang: str,
    zone: ZoneInfo,
    *,
    intervals: int,
    refresh_ms: int,
) -> html.Div:
    """The /screens page: every wall screen, alive or silent."""
    head = [
        "intel.screens.name",
        "intel.screens.state",
        "intel.screens.last_poll",
        "intel.screens.page_age",
        "intel.screens.heap",
        "intel.screens.path",
    ]
    return html.Div(
        [
            dcc.Interval(id=SCREENS_POLL, interval=refresh_ms),
            html.H1(text(lang, "intel.screens.title"), className="h3 mt-3"),
            html.P(text(lang, "intel.screens.intro", intervals=intervals)),
            html.Table(
                [
                    html.Thead(html.Tr([html.Th(text(lang, key)) for key in head])),
                    html.Tbody(build_screen_rows(statuses, lang, zone), id=SCREENS_BODY),
                ],
                id=SCREENS_TABLE,
                className="table table-sm align-middle",
            ),
        ],
        className="container-fluid screens-page",
        lang=lang,
    )


# --- repeats (the shift view and the drill-down) ---------------------------------------------
def build_repeat_candidates(
    candidates: Sequence[RepeatLink],
    lang: str,
    names: Mapping[str, Mapping[str, str]],
    *,
    window_days: int,
    limit: int = 20,
) -> html.Section:
    """The level 3 candidates of a shift: code, field · ward, the linked earlier codes."""
    categories = names.get("categories", {})
    areas = names.get("areas", {})
    if candidates:
        body: Any = html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(text(lang, "intel.repeats.code")),
                            html.Th(text(lang, "intel.repeats.field")),
                            html.Th(text(lang, "intel.repeats.linked")),
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(link.code),
                                html.Td(
                                    f"{categories.get(link.category, link.category)} · "
                                    f"{areas.get(link.area, link.area)}"
                                ),
                                html.Td(", ".join(link.linked[-8:]), className="repeat-linked"),
                            ],
                            **_attrs({"data-code": link.code}),
                        )
                        for link in candidates[:limit]
                    ]
                ),
            ],
            className="table table-sm repeat-table",
        )
    else:
        body = html.P(text(lang, "intel.repeats.none"), className="text-body-secondary")
    return html.Section(
        [
            html.H2(text(lang, "intel.repeats.title"), className="h5"),
            html.P(text(lang, "intel.repeats.intro", days=window_days), className="small"),
            body,
        ],
        id=REPEATS_PANEL,
        className="repeat-candidates mt-3",
    )


def build_linked_reports(codes: Sequence[str], lang: str) -> html.Div | None:
    """A ticket's linked reports in the drill-down (None when it has none)."""
    if not codes:
        return None
    return html.Div(
        [
            html.Strong(text(lang, "intel.repeats.linked_title") + ": "),
            html.Span(", ".join(codes), className="repeat-linked"),
        ],
        className="repeat-drilldown small",
    )


def format_rereport_rate(rate: float | None) -> str:
    """A re-report rate as a percentage (— when nothing ended)."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


def rereport_column(lang: str) -> dict[str, Any]:
    """The overview's re-report rate column (beside the on-time rate)."""
    from dash.dash_table.Format import Format, Scheme

    return {
        "id": "rereport_rate",
        "name": text(lang, "intel.repeats.rate"),
        "type": "numeric",
        "format": Format(precision=1, scheme=Scheme.percentage),
    }


def rereport_cell(rates: Mapping[str, float | None], agency: str) -> dict[str, float | None]:
    """An agency row's re-report rate (None when nothing of it ended in the range)."""
    return {"rereport_rate": rates.get(agency)}
