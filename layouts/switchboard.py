"""The switchboard on the wall (the queue strip) and in the supervisor's view (SPEC section 10)."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.formatting import PLACEHOLDER, format_count, format_rate
from dashboard.i18n import text
from dashboard.switchboard.figures import SwitchboardFigures

SWITCHBOARD_PANEL = "wall-switchboard"
SWITCHBOARD_BODY = "wall-switchboard-body"
SWITCHBOARD_SHOWN = "wall-switchboard-shown"  # the digest of what the strip shows
STATES = ("available", "on_call", "paused", "logged_off")


@dataclass(frozen=True)
class Thresholds:
    """When the wall shows the queue in alarm (the targets travel with the figures)."""

    waiting: int = 3
    longest_wait_seconds: int = 60


@dataclass(frozen=True)
class Cell:
    """One figure of the strip."""

    key: str
    label: str
    value: str
    note: str = ""
    alarm: bool = False


def format_wait(seconds: int | float | None) -> str:
    """A wait as m:ss (1:05), or h:mm:ss beyond an hour; a dash when unknown."""
    if seconds is None:
        return PLACEHOLDER
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def make_switchboard_cells(
    figures: SwitchboardFigures | None, thresholds: Thresholds, lang: str
) -> tuple[Cell, ...]:
    """The strip's figures (pure; tested directly). None: not computed yet (dashes)."""
    if figures is None:
        keys = ("waiting", "longest", "answered", "abandoned", "service_level")
        return tuple(Cell(key, text(lang, f"sb.{key}", seconds=""), PLACEHOLDER) for key in keys)
    short, targets = figures.abandoned_short, figures.targets
    return (
        Cell(
            "waiting",
            text(lang, "sb.waiting"),
            format_count(figures.waiting, lang),
            alarm=figures.waiting >= thresholds.waiting,
        ),
        Cell(
            "longest",
            text(lang, "sb.longest"),
            format_wait(figures.longest_wait_seconds) if figures.waiting else PLACEHOLDER,
            alarm=figures.waiting > 0
            and figures.longest_wait_seconds >= thresholds.longest_wait_seconds,
        ),
        Cell("answered", text(lang, "sb.answered"), format_count(figures.answered, lang)),
        Cell(
            "abandoned",
            text(lang, "sb.abandoned"),
            format_count(figures.abandoned, lang),
            note=text(
                lang, "sb.abandoned_short", count=short, seconds=targets.short_abandon_seconds
            )
            if short
            else "",
        ),
        Cell(
            "service_level",
            text(lang, "sb.service_level", seconds=targets.service_level_seconds),
            format_rate(figures.service_level, lang),
        ),
    )


def operator_counts(figures: SwitchboardFigures | None) -> dict[str, int]:
    """How many operators are in each state (logged off ones are not listed)."""
    counts = dict.fromkeys(STATES[:3], 0)
    for item in figures.operators if figures is not None else ():
        if item.state in counts:
            counts[item.state] += 1
    return counts


def build_switchboard_body(
    figures: SwitchboardFigures | None, thresholds: Thresholds, lang: str
) -> list[html.Div]:
    """The strip's content: the figures, then the operators by state."""
    cells = [
        html.Div(
            [
                html.Div(cell.label, className="sb-label"),
                html.Div(cell.value, className="sb-value", id=f"sb-{cell.key}"),
                html.Div(cell.note, className="sb-note") if cell.note else None,
            ],
            className="sb-cell" + (" sb-cell--alarm" if cell.alarm else ""),
            id=f"sb-cell-{cell.key}",
        )
        for cell in make_switchboard_cells(figures, thresholds, lang)
    ]
    counts = operator_counts(figures)
    states = html.Div(
        [
            html.Div(
                [
                    html.Span(className=f"sb-dot sb-dot--{state}"),
                    html.Span(format_count(count, lang), className="sb-state-count"),
                    html.Span(text(lang, f"sb.state.{state}"), className="sb-state-name"),
                ],
                className="sb-state",
            )
            for state, count in counts.items()
        ],
        className="sb-cell sb-operators",
        title=text(lang, "sb.operators"),
    )
    return [*cells, states]


def build_switchboard_panel(lang: str) -> html.Section:
    """The wall's queue strip, its body built without figures: the wall's page
    (``callbacks.pages.wall_page``) sets the first one, the switchboard callback the next
    ones when they change."""
    return html.Section(
        [
            html.H2(text(lang, "sb.title"), className="sb-title"),
            html.Div(
                build_switchboard_body(None, Thresholds(), lang),
                id=SWITCHBOARD_BODY,
                className="sb-body",
            ),
            dcc.Store(id=SWITCHBOARD_SHOWN, data=None),
        ],
        id=SWITCHBOARD_PANEL,
        className="panel panel-switchboard",
        **{"aria-live": "polite"},  # type: ignore[arg-type]
    )


# --- the supervisor's view and the hand-over report ----------------------------------------------
def _call_items(figures: SwitchboardFigures, lang: str) -> list[tuple[str, str]]:
    """The shift's call figures as (label, formatted value), in reading order."""
    return [
        (text(lang, "sb.offered"), format_count(figures.offered, lang)),
        (text(lang, "sb.answered"), format_count(figures.answered, lang)),
        (text(lang, "sb.abandoned"), format_count(figures.abandoned, lang)),
        (
            text(lang, "sb.abandoned_short_head", seconds=figures.targets.short_abandon_seconds),
            format_count(figures.abandoned_short, lang),
        ),
        (text(lang, "sb.timeout"), format_count(figures.timeout, lang)),
        (
            text(lang, "sb.service_level", seconds=figures.targets.service_level_seconds),
            format_rate(figures.service_level, lang),
        ),
        (text(lang, "sb.asa"), format_wait(figures.average_speed_of_answer_seconds)),
        (text(lang, "sb.aht"), format_wait(figures.average_handle_seconds)),
    ]


def build_shift_calls(figures: SwitchboardFigures | None, lang: str) -> html.Div:
    """The shift's call figures (offered, answered, abandoned, service level, averages)."""
    figures = figures or SwitchboardFigures()
    items = [
        *_call_items(figures, lang),
        (text(lang, "sb.waiting"), format_count(figures.waiting, lang)),
    ]
    return html.Div(
        html.Dl(
            [
                part
                for label, value in items
                for part in (html.Dt(label), html.Dd(value, className="sb-shift-value"))
            ],
            className="sb-shift-figures",
        ),
        className="shift-switchboard",
        id="shift-switchboard",
    )


def build_report_calls(figures: SwitchboardFigures | None, lang: str) -> dbc.Table:
    """The shift's call figures for the hand-over report: one compact table, a third of A4.

    Those waiting now are left out: the report is about a shift, not the present moment.
    """
    rows = _call_items(figures or SwitchboardFigures(), lang)
    return dbc.Table(
        html.Tbody(
            [
                html.Tr([html.Th(label, scope="row"), html.Td(value, className="text-end")])
                for label, value in rows
            ]
        ),
        size="sm",
        class_name="hv-table hv-report-table",
        id="shift-report-calls",
    )


def build_operator_calls_head(lang: str) -> html.Th:
    """The column head of an operator's calls beside their tickets."""
    return html.Th(f"{text(lang, 'sb.calls')} · {text(lang, 'sb.talk')}", className="text-end")


def build_operator_calls_cell(
    figures: SwitchboardFigures | None, operator: str, lang: str, total: bool = False
) -> html.Td:
    """An operator's answered calls and talk time in the shift ("12 · 34:10"); the state on hover.

    ``total``: the whole shift's (the sum over every operator who answered calls).
    """
    if figures is None:
        return html.Td(PLACEHOLDER, className="text-end")
    if total:
        answered = sum(item.answered for item in figures.operators)
        talk = sum(item.talk_seconds for item in figures.operators)
        value = f"{format_count(answered, lang)} · {format_wait(talk)}"
        return html.Td(value, className="text-end sb-operator-calls")
    for item in figures.operators:
        if item.operator == operator:
            value = f"{format_count(item.answered, lang)} · {format_wait(item.talk_seconds)}"
            state = text(lang, f"sb.state.{item.state}") if item.state in STATES else item.state
            return html.Td(value, className="text-end sb-operator-calls", title=state)
    return html.Td(format_count(0, lang), className="text-end sb-operator-calls")
