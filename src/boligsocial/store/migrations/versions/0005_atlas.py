"""The atlas: national list statuses and criteria per unit and list year, by source.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "atlas_kilde",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("navn", sa.String(), nullable=False),
        sa.Column("beskrivelse", sa.Text(), nullable=False),
        sa.Column("listeaar", sa.JSON(), nullable=False),
        sa.Column("noter", sa.JSON(), nullable=False),
        sa.Column("enheder", sa.Integer(), nullable=False),
        sa.Column("indlaest_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("indlaest_af", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atlas_kilde")),
        sa.UniqueConstraint("navn", name=op.f("uq_atlas_kilde_navn")),
    )
    op.create_table(
        "atlas_enhed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kilde_id", sa.Integer(), nullable=False),
        sa.Column("enhedstype", sa.String(), nullable=False),
        sa.Column("navn", sa.String(), nullable=False),
        sa.Column("listeaar", sa.Integer(), nullable=False),
        sa.Column("boligorganisation", sa.String(), nullable=True),
        sa.Column("omraade", sa.String(), nullable=True),
        sa.Column("kommune", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("beboere", sa.Integer(), nullable=True),
        sa.Column("vurderet", sa.Boolean(), nullable=True),
        sa.Column("lister", sa.JSON(), nullable=False),
        sa.Column("kriterier", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kilde_id"], ["atlas_kilde.id"], name=op.f("fk_atlas_enhed_kilde_id_atlas_kilde"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atlas_enhed")),
    )
    op.create_index("ix_atlas_enhed_kilde_type_navn", "atlas_enhed", ["kilde_id", "enhedstype", "navn"])


def downgrade() -> None:
    op.drop_index("ix_atlas_enhed_kilde_type_navn", table_name="atlas_enhed")
    op.drop_table("atlas_enhed")
    op.drop_table("atlas_kilde")
