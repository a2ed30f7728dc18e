"""Reference data (categories, agencies, areas, operators): a data file a deployment edits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from data_access.schema import agencies, areas, categories, operators

TABLES: dict[str, tuple[Table, tuple[str, ...]]] = {
    "categories": (categories, ("code", "name_vi", "name_en", "default_agency", "sla_hours")),
    "agencies": (agencies, ("code", "name_vi", "name_en")),
    "areas": (areas, ("code", "name_vi", "name_en", "kind")),
    "operators": (operators, ("code", "name", "role")),
}


class ReferenceDataError(ValueError):
    """The reference data file is malformed."""


def read_reference_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read and check the reference data file."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReferenceDataError(f"cannot read reference data {path}: {exc}") from exc
    result: dict[str, list[dict[str, Any]]] = {}
    for name, (_, columns) in TABLES.items():
        rows = document.get(name, [])
        if not isinstance(rows, list):
            raise ReferenceDataError(f"{path}: '{name}' must be a list")
        for index, row in enumerate(rows):
            if not isinstance(row, dict) or not row.get("code"):
                raise ReferenceDataError(f"{path}: {name}[{index}] needs a 'code'")
            missing = [column for column in columns if column not in row and column != "kind"]
            if missing and name != "operators":
                raise ReferenceDataError(f"{path}: {name}[{index}] lacks {', '.join(missing)}")
        result[name] = rows
    return result


def load_reference_data(
    conn: Connection, document: dict[str, list[dict[str, Any]]]
) -> dict[str, int]:
    """Insert or update every row of the document by code; returns rows per table."""
    written: dict[str, int] = {}
    for name, (table, columns) in TABLES.items():
        existing = {row[0] for row in conn.execute(select(table.c.code))}
        rows = document.get(name, [])
        for order, row in enumerate(rows):
            values = {column: row[column] for column in columns if column in row}
            if name == "categories":  # issue 10: public unless set; anything but true protects
                values["public"] = row.get("public", True) is True
            if "sort_order" in table.c:
                values["sort_order"] = order
            if row["code"] in existing:
                conn.execute(table.update().where(table.c.code == row["code"]).values(values))
            else:
                conn.execute(table.insert().values(values))
        written[name] = len(rows)
    return written


@dataclass(frozen=True)
class Labels:
    """Names of reference codes in Vietnamese and English."""

    vi: dict[str, str]
    en: dict[str, str]


def read_category_slas(conn: Connection) -> dict[str, tuple[str | None, int]]:
    """Each category's default agency and SLA hours."""
    rows = conn.execute(
        select(categories.c.code, categories.c.default_agency, categories.c.sla_hours)
    )
    return {row.code: (row.default_agency, int(row.sla_hours)) for row in rows}


def read_names(conn: Connection) -> dict[str, Labels]:
    """Vietnamese and English names of categories, agencies and areas, and operator names."""
    result: dict[str, Labels] = {}
    for name, table in (("categories", categories), ("agencies", agencies), ("areas", areas)):
        rows = conn.execute(select(table.c.code, table.c.name_vi, table.c.name_en)).all()
        result[name] = Labels({r.code: r.name_vi for r in rows}, {r.code: r.name_en for r in rows})
    operator_rows = conn.execute(select(operators.c.code, operators.c.name)).all()
    names = {r.code: r.name for r in operator_rows}
    result["operators"] = Labels(names, names)
    return result


def list_operators(conn: Connection) -> list[dict[str, Any]]:
    """Operators with their role."""
    return [dict(row._mapping) for row in conn.execute(select(operators))]


def read_queue_lines(path: Path) -> dict[str, str]:
    """The ``queues`` list of the reference data file: each PBX queue's line (SPEC section 10)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReferenceDataError(f"cannot read reference data {path}: {exc}") from exc
    rows = document.get("queues", [])
    if not isinstance(rows, list):
        raise ReferenceDataError(f"{path}: 'queues' must be a list")
    result: dict[str, str] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("code") or not row.get("line"):
            raise ReferenceDataError(f"{path}: queues[{index}] needs a 'code' and a 'line'")
        result[str(row["code"])] = str(row["line"])
    return result
