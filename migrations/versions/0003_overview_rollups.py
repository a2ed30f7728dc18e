"""overview rollups (PostgreSQL): daily counts kept exact by statement triggers

The leaders' overview over 90 days (and the 90 before, to compare) would read
some 1.6 million tickets at 10 million; these two tables hold the same counts
per operating day and dimension, kept exact by statement-level triggers with
transition tables (one aggregated upsert per statement, so a bulk load costs
one pass). A covering partial index serves the median handling time without
touching the table. SQLite (the small embedded default) reads the tickets
directly and gets none of this.

Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

from alembic import op

from migrations.frozen import create_ticket_triggers, drop_ticket_triggers, on_postgresql

revision = "0003"
down_revision = "0001"

DIMENSIONS = "channel, line, category, urgency, agency"

# Operating day D = [D day_start, D+1 day_start) local: the local date of (local time - day_start).
OPERATING_DAY_FUNCTION = """
CREATE OR REPLACE FUNCTION hotline_operating_day(ts timestamptz, tz text, start_minutes integer)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ((ts AT TIME ZONE tz) - make_interval(mins => start_minutes))::date
$$
"""

# {changes} is a FROM item of ticket rows with a column "sign": +1 new, -1 old.
RECEIVED_UPSERT = """
INSERT INTO rollup_received_daily AS r (day, channel, line, category, urgency, agency,
                                        received, forwarded)
SELECT hotline_operating_day(c.received_at, tz, start_minutes), c.channel, c.line,
       coalesce(c.category, ''), coalesce(c.urgency, 0), coalesce(c.agency, ''),
       sum(c.sign), sum(CASE WHEN c.forwarded_at IS NOT NULL THEN c.sign ELSE 0 END)
FROM {changes} AS c
GROUP BY 1, 2, 3, 4, 5, 6
HAVING sum(c.sign) <> 0 OR sum(CASE WHEN c.forwarded_at IS NOT NULL THEN c.sign ELSE 0 END) <> 0
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (day, channel, line, category, urgency, agency) DO UPDATE
SET received = r.received + excluded.received, forwarded = r.forwarded + excluded.forwarded;
"""

RESOLVED_UPSERT = """
INSERT INTO rollup_resolved_daily AS r (day, channel, line, category, urgency, agency,
                                        resolved, with_due, on_time, rated, satisfaction_sum)
SELECT hotline_operating_day(c.resolved_at, tz, start_minutes), c.channel, c.line,
       coalesce(c.category, ''), coalesce(c.urgency, 0), coalesce(c.agency, ''),
       sum(c.sign),
       sum(CASE WHEN c.due_at IS NOT NULL THEN c.sign ELSE 0 END),
       sum(CASE WHEN c.due_at IS NOT NULL AND c.resolved_at <= c.due_at THEN c.sign ELSE 0 END),
       sum(CASE WHEN c.satisfaction IS NOT NULL THEN c.sign ELSE 0 END),
       sum(coalesce(c.satisfaction, 0) * c.sign)
FROM {changes} AS c
WHERE c.resolved_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
HAVING sum(c.sign) <> 0
    OR sum(CASE WHEN c.due_at IS NOT NULL THEN c.sign ELSE 0 END) <> 0
    OR sum(CASE WHEN c.due_at IS NOT NULL AND c.resolved_at <= c.due_at THEN c.sign ELSE 0 END) <> 0
    OR sum(CASE WHEN c.satisfaction IS NOT NULL THEN c.sign ELSE 0 END) <> 0
    OR sum(coalesce(c.satisfaction, 0) * c.sign) <> 0
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (day, channel, line, category, urgency, agency) DO UPDATE
SET resolved = r.resolved + excluded.resolved, with_due = r.with_due + excluded.with_due,
    on_time = r.on_time + excluded.on_time, rated = r.rated + excluded.rated,
    satisfaction_sum = r.satisfaction_sum + excluded.satisfaction_sum;
"""

# The columns of the changed ticket rows that the upserts read.
COLUMNS = (
    "received_at, channel, line, category, urgency, agency,"
    " forwarded_at, due_at, resolved_at, satisfaction"
)


BACKFILL = """
INSERT INTO rollup_received_daily (day, channel, line, category, urgency, agency,
                                   received, forwarded)
SELECT hotline_operating_day(received_at, s.timezone, s.day_start_minutes), channel, line,
       coalesce(category, ''), coalesce(urgency, 0), coalesce(agency, ''),
       count(*), count(forwarded_at)
FROM tickets, rollup_state AS s WHERE s.id = 1
GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO rollup_resolved_daily (day, channel, line, category, urgency, agency,
                                   resolved, with_due, on_time, rated, satisfaction_sum)
SELECT hotline_operating_day(resolved_at, s.timezone, s.day_start_minutes), channel, line,
       coalesce(category, ''), coalesce(urgency, 0), coalesce(agency, ''),
       count(*), count(due_at), count(*) FILTER (WHERE resolved_at <= due_at),
       count(satisfaction), coalesce(sum(satisfaction), 0)
FROM tickets, rollup_state AS s WHERE s.id = 1 AND resolved_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
"""


def upgrade() -> None:
    if not on_postgresql():
        return
    op.execute(
        "CREATE TABLE rollup_state ("
        " id smallint PRIMARY KEY CHECK (id = 1),"
        " timezone text NOT NULL,"
        " day_start_minutes integer NOT NULL CHECK (day_start_minutes BETWEEN 0 AND 1439),"
        " rebuilt_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute(
        "INSERT INTO rollup_state (id, timezone, day_start_minutes)"
        " VALUES (1, 'Asia/Ho_Chi_Minh', 360)"
    )
    keys = (
        "day date NOT NULL, channel text NOT NULL, line text NOT NULL,"
        " category text NOT NULL, urgency smallint NOT NULL, agency text NOT NULL"
    )
    primary_key = f"PRIMARY KEY (day, {DIMENSIONS})"
    op.execute(
        f"CREATE TABLE rollup_received_daily ({keys},"
        f" received integer NOT NULL, forwarded integer NOT NULL, {primary_key})"
    )
    op.execute(
        f"CREATE TABLE rollup_resolved_daily ({keys},"
        " resolved integer NOT NULL, with_due integer NOT NULL, on_time integer NOT NULL,"
        f" rated integer NOT NULL, satisfaction_sum integer NOT NULL, {primary_key})"
    )
    op.execute(OPERATING_DAY_FUNCTION)
    create_ticket_triggers("rollup", COLUMNS, (RECEIVED_UPSERT, RESOLVED_UPSERT))
    op.execute(BACKFILL)
    # Median handling time: an index-only scan of the forwarded tickets by resolved_at.
    op.execute(
        "CREATE INDEX ix_tickets_resolved_handling ON tickets (resolved_at)"
        " INCLUDE (forwarded_at, agency, channel, line, category, urgency)"
        " WHERE forwarded_at IS NOT NULL"
    )


def downgrade() -> None:
    if not on_postgresql():
        return
    op.execute("DROP INDEX IF EXISTS ix_tickets_resolved_handling")
    drop_ticket_triggers("rollup")
    op.execute("DROP FUNCTION IF EXISTS hotline_operating_day(timestamptz, text, integer)")
    op.execute("DROP TABLE IF EXISTS rollup_resolved_daily")
    op.execute("DROP TABLE IF EXISTS rollup_received_daily")
    op.execute("DROP TABLE IF EXISTS rollup_state")
