"""The fixtures give a migrated database with reference data on both engines."""

from sqlalchemy import func, select

from data_access.schema import categories, tickets
from tests.support.db import insert_tickets, make_ticket


def test_fresh_database_has_reference_data_and_takes_tickets(engine):
    insert_tickets(engine, [make_ticket()])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(categories)).scalar() == 14
        assert conn.execute(select(func.count()).select_from(tickets)).scalar() == 1
