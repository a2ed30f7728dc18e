"""handling distribution (PostgreSQL): exact median handling time without reading the range

The overview's median handling time over 90 days read some 450 thousand index
entries at 10 million tickets. This migration keeps the distribution instead,
in two exact levels:

* ``rollup_handling_daily`` counts the handled tickets (forwarded, then
  resolved at or after the forward) per operating day of the resolution
  (``span`` 1) and per operating week, Monday to Sunday (``span`` 7, ``day``
  its Monday), dimension (channel, line, category, urgency, agency) and
  *bucket* of handling minutes; statement triggers with transition tables keep
  it exact in the writer's transaction (the pattern of migration 0003). A
  range reads its whole weeks from the week rows and only its ends from the
  day rows: a 90-day range reads some 100 thousand rows at 10 million tickets
  where the day rows alone would be twice that.
* ``ix_tickets_handling_bucket`` orders the same tickets by (bucket, agency,
  resolved_at), so the few tickets of the one bucket that holds a median are
  read in a contiguous range, with their exact minutes.

The rollup says which bucket holds the middle ticket(s) and how many tickets
come before that bucket; the index gives the minutes inside it. The buckets
are geometric (each about 10 % wider than the one before, one minute wide at
the start), so a bucket holds a few per cent of the tickets whatever the
shape of the distribution. SQLite computes the medians directly.

Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

from alembic import op

from migrations.frozen import create_ticket_triggers, drop_ticket_triggers, on_postgresql

revision = "0008"
down_revision = "0007"


def bucket_thresholds() -> list[int]:
    """The lower bounds of buckets 1.. (minutes); bucket 0 holds 0 minutes. Frozen here."""
    bounds = [1]
    while bounds[-1] < 1_051_200:  # two years of minutes; longer ones share the last bucket
        bounds.append(max(bounds[-1] + 1, round(bounds[-1] * 1.1)))
    return bounds


# Both bodies use built-in functions only: an index expression runs with the search_path of
# whoever writes the ticket (the intake system's role), which need not see this schema.
HANDLING_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION hotline_handling_minutes(forwarded timestamptz, resolved timestamptz)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT floor(date_part('epoch', resolved - forwarded) / 60)::integer
$$;
CREATE OR REPLACE FUNCTION hotline_handling_bucket(forwarded timestamptz, resolved timestamptz)
RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT width_bucket(floor(date_part('epoch', resolved - forwarded) / 60)::integer,
                      '{{{",".join(str(b) for b in bucket_thresholds())}}}'::integer[])::smallint
$$
"""

# Operating weeks start on Mondays (2000-01-03 was one).
WEEK_START = "(d.day - ((d.day - date '2000-01-03') % 7))"

# {changes} is a FROM item of ticket rows with a column "sign": +1 new, -1 old.
HANDLING_UPSERT = f"""
INSERT INTO rollup_handling_daily AS r (span, day, channel, line, category, urgency, agency,
                                        bucket, handled)
SELECT s.span, CASE WHEN s.span = 1 THEN d.day ELSE {WEEK_START} END, d.channel, d.line,
       d.category, d.urgency, d.agency, d.bucket, sum(d.handled)
FROM (SELECT hotline_operating_day(c.resolved_at, tz, start_minutes) AS day, c.channel, c.line,
             coalesce(c.category, '') AS category, coalesce(c.urgency, 0) AS urgency,
             coalesce(c.agency, '') AS agency,
             hotline_handling_bucket(c.forwarded_at, c.resolved_at) AS bucket,
             sum(c.sign) AS handled
      FROM {{changes}} AS c
      WHERE c.forwarded_at IS NOT NULL AND c.resolved_at >= c.forwarded_at
      GROUP BY 1, 2, 3, 4, 5, 6, 7) AS d,
     (VALUES (1::smallint), (7::smallint)) AS s (span)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
HAVING sum(d.handled) <> 0
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT (span, day, channel, line, category, urgency, agency, bucket) DO UPDATE
SET handled = r.handled + excluded.handled;
"""

# The columns of the changed ticket rows that the upsert reads.
COLUMNS = "channel, line, category, urgency, agency, forwarded_at, resolved_at"


# The same rows from the tickets (written in key order, so a range of days is a few pages).
HANDLING_SELECT = f"""
SELECT s.span, CASE WHEN s.span = 1 THEN d.day ELSE {WEEK_START} END AS day, d.channel, d.line,
       d.category, d.urgency, d.agency, d.bucket, sum(d.handled)::integer AS handled
FROM (SELECT hotline_operating_day(resolved_at, t.timezone, t.day_start_minutes) AS day,
             channel, line, coalesce(category, '') AS category, coalesce(urgency, 0) AS urgency,
             coalesce(agency, '') AS agency,
             hotline_handling_bucket(forwarded_at, resolved_at) AS bucket, count(*) AS handled
      FROM tickets, rollup_state AS t
      WHERE t.id = 1 AND forwarded_at IS NOT NULL AND resolved_at >= forwarded_at
      GROUP BY 1, 2, 3, 4, 5, 6, 7) AS d,
     (VALUES (1::smallint), (7::smallint)) AS s (span)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""
BACKFILL = (
    "INSERT INTO rollup_handling_daily"
    " (span, day, channel, line, category, urgency, agency, bucket, handled)"
    + HANDLING_SELECT
    + " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"
)


def upgrade() -> None:
    if not on_postgresql():
        return
    op.execute(
        "CREATE TABLE rollup_handling_daily ("
        " span smallint NOT NULL CHECK (span IN (1, 7)), day date NOT NULL,"
        " channel text NOT NULL, line text NOT NULL,"
        " category text NOT NULL, urgency smallint NOT NULL, agency text NOT NULL,"
        " bucket smallint NOT NULL, handled integer NOT NULL,"
        " PRIMARY KEY (span, day, channel, line, category, urgency, agency, bucket)"
        " INCLUDE (handled))"
    )
    for statement in HANDLING_FUNCTIONS.split(";\n"):
        op.execute(statement)
    create_ticket_triggers("handling", COLUMNS, (HANDLING_UPSERT,))
    op.execute(BACKFILL)
    op.execute(
        "CREATE INDEX ix_tickets_handling_bucket ON tickets"
        " (hotline_handling_bucket(forwarded_at, resolved_at), agency, resolved_at)"
        " INCLUDE (forwarded_at, channel, line, category, urgency)"
        " WHERE forwarded_at IS NOT NULL AND resolved_at >= forwarded_at"
    )


def downgrade() -> None:
    if not on_postgresql():
        return
    op.execute("DROP INDEX IF EXISTS ix_tickets_handling_bucket")
    drop_ticket_triggers("handling")
    op.execute("DROP FUNCTION IF EXISTS hotline_handling_bucket(timestamptz, timestamptz)")
    op.execute("DROP FUNCTION IF EXISTS hotline_handling_minutes(timestamptz, timestamptz)")
    op.execute("DROP TABLE IF EXISTS rollup_handling_daily")
