"""Alembic environment: runs against the connection handed over by data_access.migrate."""

from __future__ import annotations

from alembic import context

from data_access.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via `alembic` on the command line
    from sqlalchemy import create_engine

    from data_access.engine import normalise_url

    url = context.config.get_main_option("sqlalchemy.url") or ""
    connectable = create_engine(normalise_url(url))
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
