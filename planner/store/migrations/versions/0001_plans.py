"""Plans with versions, and estimates (groups of 2-5 plans).

Revision ID: 0001_plans
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_plans"
down_revision = None
branch_labels = None
depends_on = None


def _totals() -> list[sa.Column[object]]:
    return [
        sa.Column("upfront_usd", sa.Float, nullable=True),
        sa.Column("monthly_usd", sa.Float, nullable=True),
        sa.Column("first_year_usd", sa.Float, nullable=True),
        sa.Column("duration_total_usd", sa.Float, nullable=True),
        sa.Column("on_demand_equivalent_usd", sa.Float, nullable=True),
        sa.Column("prices_complete", sa.Boolean, nullable=True),
        sa.Column("snapshot_as_of", sa.String(10), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("duration_months", sa.Integer, nullable=False),
        sa.Column("hours_per_month", sa.Float, nullable=False),
        sa.Column("item_count", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        *_totals(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False, server_default=""),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_plans_name", "plans", ["name"])
    op.create_table(
        "plan_versions",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        *_totals(),
        sa.Column("author", sa.String(80), nullable=False, server_default=""),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
    )
    op.create_table(
        "estimates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.String(80), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_estimates_name", "estimates", ["name"])
    op.create_table(
        "estimate_plans",
        sa.Column("estimate_id", sa.Integer, sa.ForeignKey("estimates.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"),
                  nullable=False),
    )


def downgrade() -> None:
    op.drop_table("estimate_plans")
    op.drop_index("ix_estimates_name", table_name="estimates")
    op.drop_table("estimates")
    op.drop_table("plan_versions")
    op.drop_index("ix_plans_name", table_name="plans")
    op.drop_table("plans")
