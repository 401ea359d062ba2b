"""Alembic environment: runs on the connection the Store hands over (no alembic.ini needed)."""

from alembic import context

from trellosync.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line, for writing new revisions
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///trellosync.db"
    with create_engine(url, hide_parameters=True).connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
