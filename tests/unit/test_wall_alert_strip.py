"""The wall's alert strip: unacknowledged alerts first, two of them, then the count of the rest."""

from __future__ import annotations

from dashboard.alerts.view import AlertItem, AlertsView
from layouts.alerts import WALL_ITEMS, build_wall_alert_items


def item(number: int, state: str) -> AlertItem:
    return AlertItem(
        id=number,
        rule="overdue",
        rule_label="Quá hạn xử lý",
        state=state,
        state_label=state,
        escalated=False,
        agency_label="Sở Xây dựng",
        tickets_text=f"1022-{number:04d}",
        level=2,
        age_text="1 giờ",
        acked_text="",
    )


def test_unacknowledged_alerts_come_first_and_the_rest_is_counted() -> None:
    items = (
        item(1, "acknowledged"),
        item(2, "firing"),
        item(3, "acknowledged"),
        item(4, "pending"),
    )
    shown = build_wall_alert_items(AlertsView(items, unacknowledged=2, chime=""), "vi")
    assert WALL_ITEMS == 2
    assert [part.id for part in shown[:WALL_ITEMS]] == ["wall-alert-2", "wall-alert-4"]
    assert shown[-1].children == "+2 cảnh báo khác"


def test_the_age_has_its_own_part_that_is_never_cut() -> None:
    (chip,) = build_wall_alert_items(AlertsView((item(5, "firing"),), 1, ""), "vi")
    classes = [getattr(part, "className", "") for part in chip.children]
    assert classes[-1] == "wall-alert-age" and chip.children[-1].children == "1 giờ"
