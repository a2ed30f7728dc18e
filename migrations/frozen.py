"""What several revisions build alike: a column type and the tickets' statement triggers.

Frozen as the revisions themselves are: only ``migrations/versions/`` imports this module
(never the board's code, which may change), and nothing here changes once a revision
uses it, so a revision creates the same schema however old it is. A revision that needs
something else writes its own or adds a new helper here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

OPERATIONS = ("INSERT", "UPDATE", "DELETE")

# The transition tables of each operation's statement trigger.
REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def timestamp() -> sa.types.TypeEngine:
    """UTC timestamps as in revision 0001: timestamptz, or UTC text on SQLite."""
    return sa.DateTime(timezone=True).with_variant(sa.String(32), "sqlite")


def on_postgresql() -> bool:
    """Whether the revision runs on PostgreSQL (the rollups exist there only)."""
    return op.get_bind().dialect.name == "postgresql"


def changed_rows(columns: str, operation: str) -> str:
    """The ticket rows a statement changed, a FROM item with a column "sign": +1 new, -1 old."""
    new = f"SELECT {columns}, 1 AS sign FROM new_rows"
    old = f"SELECT {columns}, -1 AS sign FROM old_rows"
    return {"INSERT": f"({new})", "DELETE": f"({old})", "UPDATE": f"({new} UNION ALL {old})"}[
        operation
    ]


def trigger_function(function: str, statements: Sequence[str]) -> str:
    """A trigger function running ``statements`` with the rollups' ``tz`` and ``start_minutes``.

    It does nothing while ``rollup_state`` has no time zone.
    """
    body = "".join(f"  {statement}\n" for statement in statements)
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
LANGUAGE plpgsql
-- The intake system's role needs no rights on the rollups: the function runs as their owner,
-- with the schema it was created in (never one a caller put first in its search_path).
SECURITY DEFINER SET search_path FROM CURRENT
AS $$
DECLARE
  tz text;
  start_minutes integer;
BEGIN
  SELECT timezone, day_start_minutes INTO tz, start_minutes FROM rollup_state WHERE id = 1;
  IF tz IS NULL THEN
    RETURN NULL;
  END IF;
{body}  RETURN NULL;
END
$$
"""


def create_ticket_triggers(name: str, columns: str, upserts: Sequence[str]) -> None:
    """Statement triggers ``tickets_{name}_*`` on each write to the tickets, run as one upsert.

    Each upsert reads the changed rows (their ``columns`` and "sign") from ``{changes}``;
    the triggers call the functions ``hotline_{name}_insert()`` ... ``_delete()``.
    """
    for operation in OPERATIONS:
        function = f"hotline_{name}_{operation.lower()}"
        changes = changed_rows(columns, operation)
        op.execute(trigger_function(function, [sql.format(changes=changes) for sql in upserts]))
        op.execute(
            f"CREATE TRIGGER tickets_{name}_{operation.lower()} AFTER {operation} ON tickets "
            f"REFERENCING {REFERENCING[operation]} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {function}()"
        )


def drop_ticket_triggers(name: str) -> None:
    """Drop what :func:`create_ticket_triggers` created under ``name``."""
    for operation in OPERATIONS:
        op.execute(f"DROP TRIGGER IF EXISTS tickets_{name}_{operation.lower()} ON tickets")
        op.execute(f"DROP FUNCTION IF EXISTS hotline_{name}_{operation.lower()}()")
