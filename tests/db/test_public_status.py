"""Public-status queries and the public flag of categories (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from dashboard.settings import DEFAULT_REFERENCE_FILE
from data_access.public import find_public_ticket, list_public_tickets, read_public_categories
from data_access.reference import load_reference_data, read_reference_file
from data_access.schema import categories
from data_access.values import RequestsQuery
from tests.support.db import insert_tickets, make_ticket
from tests.web.public_helpers import NOW


def test_protected_categories_are_flagged_by_the_reference_data(engine):
    with engine.connect() as conn:
        flags = {c.code: c.public for c in read_public_categories(conn)}
    assert {code for code, public in flags.items() if not public} == {
        "xay_dung_dang",
        "tham_nhung",
    }
    assert len(flags) == 14


def test_loader_protects_anything_but_true_and_resets_a_removed_flag(engine, tmp_path):
    document = read_reference_file(DEFAULT_REFERENCE_FILE)
    document["categories"][0]["public"] = "false"  # a string is not true: protected
    with engine.begin() as conn:
        load_reference_data(conn, document)
        assert conn.execute(
            select(categories.c.public).where(categories.c.code == "hanh_chinh")
        ).scalar_one() in (False, 0)
    document = json.loads(DEFAULT_REFERENCE_FILE.read_text(encoding="utf-8"))
    for row in document["categories"]:
        row.pop("public", None)  # no flag at all: public again
    with engine.begin() as conn:
        load_reference_data(conn, document)
        assert all(row.public for row in read_public_categories(conn))


def test_list_is_newest_first_and_at_most_1000(engine):
    rows = [
        make_ticket(
            received_at=NOW - timedelta(minutes=n), category="dien" if n % 3 else "tham_nhung"
        )
        for n in range(1, 1600)
    ]
    insert_tickets(engine, rows)
    with engine.connect() as conn:
        public = frozenset(c.code for c in read_public_categories(conn) if c.public)
        found = list_public_tickets(
            conn, RequestsQuery(start=NOW - timedelta(days=90), end=NOW), public
        )
    assert len(found) == 1000
    assert all(t.category == "dien" and not t.protected for t in found)
    times = [t.received_at for t in found]
    assert times == sorted(times, reverse=True)
    assert times[0] == NOW - timedelta(minutes=1)


def test_lookup_of_a_protected_or_unclassified_ticket_has_no_field_agency_or_ward(engine):
    insert_tickets(
        engine,
        [
            make_ticket(code="P-1", category="tham_nhung", agency="noi_chinh", status="forwarded"),
            make_ticket(code="P-2", category=None, status="received"),
            make_ticket(code="P-3", category="not_in_reference", status="received"),
        ],
    )
    with engine.connect() as conn:
        public = frozenset(c.code for c in read_public_categories(conn) if c.public)
        for code in ("P-1", "P-2", "P-3"):
            ticket = find_public_ticket(conn, code, public)
            assert ticket is not None and ticket.protected
            assert (ticket.category, ticket.agency, ticket.area) == (None, None, None)
        assert find_public_ticket(conn, "P-404", public) is None
