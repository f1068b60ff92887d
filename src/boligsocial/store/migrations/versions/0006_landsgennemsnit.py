"""National conviction averages per plan and list year, entered in the browser.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-11 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Exact decimals (models.ExactDecimal): NUMERIC on PostgreSQL, the decimal text elsewhere.
EXACT = sa.String().with_variant(sa.Numeric(), "postgresql")

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "landsgennemsnit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("listeaar", sa.Integer(), nullable=False),
        sa.Column("doemte_pct", EXACT, nullable=False),
        sa.Column("kilde", sa.Text(), nullable=False),
        sa.Column("kilde_dato", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_landsgennemsnit_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_landsgennemsnit")),
        sa.UniqueConstraint("plan_id", "listeaar", name=op.f("uq_landsgennemsnit_plan_id_listeaar")),
    )
    op.create_index(op.f("ix_landsgennemsnit_plan_id"), "landsgennemsnit", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_landsgennemsnit_plan_id"), table_name="landsgennemsnit")
    op.drop_table("landsgennemsnit")
