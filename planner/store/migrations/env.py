"""Alembic environment: runs on the connection :func:`planner.store.engine.migrate` passes in.

Run by hand (``alembic -x url=… upgrade head`` with a config naming this folder) it connects to the
URL given with ``-x url=``, else to ``PLANNER_DB_URL``.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from planner.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when run from the alembic command line
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ["PLANNER_DB_URL"]
    with sa.create_engine(url).begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
