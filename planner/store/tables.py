"""The plan store's tables (SQLAlchemy Core). Migrations in ``migrations/versions`` create them;
this module is the code's view of their current shape and must match the newest migration.

- ``plans``: one row per plan, holding its latest version: the validated plan JSON plus the
  searchable columns (name, region, duration, totals, snapshot date, created/updated, deleted).
- ``plan_versions``: every save of every plan (append-only), with its author and totals.
- ``estimates`` and ``estimate_plans``: named groups of 2-5 plans, in order.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

NAME_CHARS = 120
"""Longest plan or estimate name [characters] (the plan file's limit)."""


def _totals_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("upfront_usd", sa.Float, nullable=True),
        sa.Column("monthly_usd", sa.Float, nullable=True),
        sa.Column("first_year_usd", sa.Float, nullable=True),
        sa.Column("duration_total_usd", sa.Float, nullable=True),
        sa.Column("on_demand_equivalent_usd", sa.Float, nullable=True),
        sa.Column("prices_complete", sa.Boolean, nullable=True),
        sa.Column("snapshot_as_of", sa.String(10), nullable=True),
    ]


plans = sa.Table(
    "plans", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(NAME_CHARS), nullable=False, index=True),
    sa.Column("region", sa.String(40), nullable=False),
    sa.Column("duration_months", sa.Integer, nullable=False),
    sa.Column("hours_per_month", sa.Float, nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    *_totals_columns(),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(80), nullable=False, server_default=""),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
)

plan_versions = sa.Table(
    "plan_versions", metadata,
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(NAME_CHARS), nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    *_totals_columns(),
    sa.Column("author", sa.String(80), nullable=False, server_default=""),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.String(200), nullable=False, server_default=""),
)

estimates = sa.Table(
    "estimates", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(NAME_CHARS), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("author", sa.String(80), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
)

estimate_plans = sa.Table(
    "estimate_plans", metadata,
    sa.Column("estimate_id", sa.Integer, sa.ForeignKey("estimates.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
)

TOTALS_COLUMNS = (
    "upfront_usd", "monthly_usd", "first_year_usd", "duration_total_usd",
    "on_demand_equivalent_usd", "prices_complete", "snapshot_as_of",
)
