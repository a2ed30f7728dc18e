"""The SQL building blocks every query module shares (one home each).

Bound timestamps and half-open windows, conditional counts, the nullable IN of a filter,
the WHERE of a set of :class:`~data_access.values.Filters`, and the balanced CASE tree
that tells time buckets apart. The same expressions on SQLite and PostgreSQL. (Migration
0003 keeps a frozen copy of the CASE tree: a migration never imports code that may change.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, literal_column, or_, true
from sqlalchemy.sql.expression import ColumnCollection

from data_access.codes import UNASSIGNED, UNCLASSIFIED
from data_access.schema import UTCDateTime
from data_access.values import Filters


def ts(value: datetime) -> ColumnElement[Any]:
    """A bound UTC timestamp (stored the same way as the columns it is compared with)."""
    return literal(value, UTCDateTime())


def in_window(column: ColumnElement[Any], start: datetime, end: datetime) -> ColumnElement[bool]:
    """``start <= column < end``: a half-open window between bound timestamps."""
    return and_(column >= ts(start), column < ts(end))


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)``: rows meeting a condition (NULL on none)."""
    return func.sum(case((condition, 1), else_=0))


def nullable_in(
    column: ColumnElement[Any],
    values: Sequence[str],
    null_code: str,
    *,
    convert: Callable[[str], object] = str,
    null_value: object = None,
) -> ColumnElement[bool]:
    """``column`` among ``values``, where ``null_code`` stands for NULL.

    ``null_value``: what the column stores for "none" (None: SQL NULL; a rollup stores a
    sentinel such as '' or 0 instead, so the test stays one IN list).
    """
    codes: list[object] = [convert(value) for value in values if value != null_code]
    if null_value is not None:
        if null_code in values:
            codes.append(null_value)
        return column.in_(codes)
    parts: list[ColumnElement[bool]] = []
    if codes:
        parts.append(column.in_(codes))
    if null_code in values:
        parts.append(column.is_(None))
    return or_(*parts)


def filters_where(
    columns: ColumnCollection[str, Any], filters: Filters, *, sentinels: bool = False
) -> ColumnElement[bool]:
    """The WHERE condition of a set of filters on ``tickets`` or a table with its dimensions.

    ``sentinels``: the table stores a missing category or agency as '' and a missing
    urgency as 0 (the rollups), not as NULL.
    """
    c = columns
    text_null: object = "" if sentinels else None
    parts: list[ColumnElement[bool]] = []
    if filters.channels:
        parts.append(c.channel.in_(filters.channels))
    if filters.lines:
        parts.append(c.line.in_(filters.lines))
    if filters.categories:
        parts.append(
            nullable_in(c.category, filters.categories, UNCLASSIFIED, null_value=text_null)
        )
    if filters.urgencies:
        parts.append(
            nullable_in(
                c.urgency,
                filters.urgencies,
                UNCLASSIFIED,
                convert=int,
                null_value=0 if sentinels else None,
            )
        )
    if filters.agencies:
        parts.append(nullable_in(c.agency, filters.agencies, UNASSIGNED, null_value=text_null))
    return and_(true(), *parts)


def case_tree(column: ColumnElement[Any], boundaries: Sequence[datetime]) -> ColumnElement[Any]:
    """The i with boundaries[i] <= column < boundaries[i+1], as a balanced CASE tree.

    Rows must already be restricted to [boundaries[0], boundaries[-1]). A tree of depth
    log2(n) costs a few comparisons per row where a flat CASE over 180 days would cost
    up to 180.
    """
    if len(boundaries) < 2:
        raise ValueError("at least one bucket is needed")

    def build(low: int, high: int) -> ColumnElement[Any]:
        if high - low == 1:
            return literal_column(str(low))
        middle = (low + high) // 2
        return case(
            (column < ts(boundaries[middle]), build(low, middle)), else_=build(middle, high)
        )

    return build(0, len(boundaries) - 1)
