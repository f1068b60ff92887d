"""Indicator targets: the catalogue reference, direction, frozen baseline, target and milestones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indikator") as batch:
        batch.add_column(sa.Column("katalog", sa.String(), nullable=True))
        batch.add_column(sa.Column("katalog_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("retning", sa.String(), nullable=True))
        batch.add_column(sa.Column("maalstyring", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indikator") as batch:
        batch.drop_column("maalstyring")
        batch.drop_column("retning")
        batch.drop_column("katalog_version")
        batch.drop_column("katalog")
