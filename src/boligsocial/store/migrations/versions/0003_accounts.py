"""Accounts: users who sign in (argon2 password hashes) and their role per plan.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bruger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bruger")),
        sa.UniqueConstraint("email", name=op.f("uq_bruger_email")),
    )
    op.create_table(
        "plan_rolle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["bruger.id"], name=op.f("fk_plan_rolle_user_id_bruger"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_plan_rolle_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_rolle")),
    )
    op.create_index(op.f("ix_plan_rolle_user_id"), "plan_rolle", ["user_id"])
    op.create_index(op.f("ix_plan_rolle_plan_id"), "plan_rolle", ["plan_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_rolle_plan_id"), table_name="plan_rolle")
    op.drop_index(op.f("ix_plan_rolle_user_id"), table_name="plan_rolle")
    op.drop_table("plan_rolle")
    op.drop_table("bruger")
