"""Alembic's environment: run with the connection ``Database.upgrade`` hands over, or,
from the ``alembic`` command line, with ``sqlalchemy.url`` from its configuration."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from voicebot.data.schema import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as own:
        context.configure(connection=own, target_metadata=metadata,
                          render_as_batch=own.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
