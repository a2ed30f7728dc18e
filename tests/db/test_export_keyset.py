"""The CSV export's keyset pages read every row exactly once, whatever the text form."""

from data_access.engine import make_engine
from data_access.overview import iter_received_tickets
from data_access.queries import Filters
from tests.support.db import local


def test_rows_sharing_a_second_in_any_text_form_come_once_each(database_url):
    engine = make_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    forms = [
        "2026-11-30 23:00:00.000000",
        "2026-11-30 23:00:00.000000",
        "2026-11-30 23:00:00.000000",
        "2026-11-30 23:00:00.000000",
        "2026-11-30 23:00:00.000000",
        "2026-11-30 23:00:01",
        "2026-11-30 23:00:01.000000",
        "2026-11-30 23:00:01.250000",
    ]
    with engine.begin() as conn:
        for index, form in enumerate(forms):
            value = form if sqlite else f"{form}+00"
            conn.exec_driver_sql(
                "INSERT INTO tickets (code, received_at, channel, line, status) "
                f"VALUES ('K{index}', '{value}', 'call', '1022', 'received')"
            )
    engine.dispose()
    reader = make_engine(database_url, readonly=True)
    with reader.connect() as conn:
        rows = list(
            iter_received_tickets(
                conn, local("2026-12-01 06:00"), local("2026-12-02 06:00"), Filters(), batch=2
            )
        )
    reader.dispose()
    assert sorted(row.code for row in rows) == [f"K{index}" for index in range(8)]
    assert [row.code for row in rows][-1] == "K7"
