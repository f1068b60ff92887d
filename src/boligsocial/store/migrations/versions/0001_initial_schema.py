"""Initial schema: plans, organisations, afdelinger, omraader, key figures, indicators and their
values, prose files, audit events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 10:20:53.111634
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Exact decimals (models.ExactDecimal): NUMERIC on PostgreSQL, the decimal text elsewhere.
EXACT = sa.String().with_variant(sa.Numeric(), "postgresql")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_at"), "audit_event", ["at"], unique=False)
    op.create_index("ix_audit_event_plan_at", "audit_event", ["plan_id", "at"], unique=False)

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("navn", sa.String(), nullable=False),
        sa.Column("kommune", sa.String(), nullable=False),
        sa.Column("ansoeger", sa.String(), nullable=False),
        sa.Column("periode_start", sa.Date(), nullable=False),
        sa.Column("periode_slut", sa.Date(), nullable=False),
        sa.Column("liste_aar", sa.Integer(), nullable=True),
        sa.Column("beboere_dato", sa.Date(), nullable=True),
        sa.Column("noegletal", sa.String(), nullable=True),
        sa.Column("baggrund", sa.Text(), nullable=True),
        sa.Column("kriterier_tekst", sa.Text(), nullable=True),
        sa.Column("dokument", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    op.create_table(
        "boligorganisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kortnavn", sa.String(), nullable=False),
        sa.Column("navn", sa.String(), nullable=False),
        sa.Column("administrator", sa.String(), nullable=True),
        sa.Column("aliaser", sa.JSON(), nullable=False),
        sa.Column("noter", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_boligorganisation_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boligorganisation")),
        sa.UniqueConstraint("plan_id", "kortnavn", name=op.f("uq_boligorganisation_plan_id_kortnavn")),
    )
    op.create_index(op.f("ix_boligorganisation_plan_id"), "boligorganisation", ["plan_id"], unique=False)

    op.create_table(
        "indikator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ident", sa.String(), nullable=False),
        sa.Column("navn", sa.String(), nullable=False),
        sa.Column("enhed", sa.String(), nullable=False),
        sa.Column("gaelder", sa.String(), nullable=False),
        sa.Column("indsatsomraade", sa.String(), nullable=True),
        sa.Column("kilde", sa.Text(), nullable=True),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("afsnit", sa.String(), nullable=True),
        sa.Column("afdelinger", sa.JSON(), nullable=False),
        sa.Column("noter", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_indikator_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indikator")),
        sa.UniqueConstraint("plan_id", "ident", name=op.f("uq_indikator_plan_id_ident")),
    )
    op.create_index(op.f("ix_indikator_plan_id"), "indikator", ["plan_id"], unique=False)

    op.create_table(
        "omraade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("navn", sa.String(), nullable=False),
        sa.Column("afdelinger", sa.JSON(), nullable=False),
        sa.Column("afgraensning", sa.Text(), nullable=True),
        sa.Column("oplyst_paa_lister", sa.JSON(), nullable=False),
        sa.Column("noter", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_omraade_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_omraade")),
        sa.UniqueConstraint("plan_id", "navn", name=op.f("uq_omraade_plan_id_navn")),
    )
    op.create_index(op.f("ix_omraade_plan_id"), "omraade", ["plan_id"], unique=False)

    op.create_table(
        "tekst",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("navn", sa.String(), nullable=False),
        sa.Column("indhold", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_tekst_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tekst")),
        sa.UniqueConstraint("plan_id", "navn", name=op.f("uq_tekst_plan_id_navn")),
    )
    op.create_index(op.f("ix_tekst_plan_id"), "tekst", ["plan_id"], unique=False)

    op.create_table(
        "afdeling",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("boligorganisation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("navn", sa.String(), nullable=False),
        sa.Column("afdelingsnummer", sa.String(), nullable=True),
        sa.Column("boliger", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("betingelse", sa.Text(), nullable=True),
        sa.Column("aliaser", sa.JSON(), nullable=False),
        sa.Column("oplyst_paa_lister", sa.JSON(), nullable=False),
        sa.Column("noter", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["boligorganisation_id"],
            ["boligorganisation.id"],
            name=op.f("fk_afdeling_boligorganisation_id_boligorganisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_afdeling_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_afdeling")),
        sa.UniqueConstraint("boligorganisation_id", "navn", name=op.f("uq_afdeling_boligorganisation_id_navn")),
    )
    op.create_index(op.f("ix_afdeling_boligorganisation_id"), "afdeling", ["boligorganisation_id"], unique=False)
    op.create_index(op.f("ix_afdeling_plan_id"), "afdeling", ["plan_id"], unique=False)

    op.create_table(
        "maaling",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indikator_id", sa.Integer(), nullable=False),
        sa.Column("art", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("betegnelse", sa.String(), nullable=True),
        sa.Column("vaerdi", EXACT, nullable=False),
        sa.Column("aar", sa.Integer(), nullable=True),
        sa.Column("til_aar", sa.Integer(), nullable=True),
        sa.Column("kvalifikator", sa.String(), nullable=True),
        sa.Column("kilde", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indikator_id"], ["indikator.id"], name=op.f("fk_maaling_indikator_id_indikator"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maaling")),
    )
    op.create_index(op.f("ix_maaling_indikator_id"), "maaling", ["indikator_id"], unique=False)

    op.create_table(
        "noegletal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("afdeling_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("listeaar", sa.Integer(), nullable=True),
        sa.Column("beboere", sa.Integer(), nullable=True),
        sa.Column("boliger", sa.Integer(), nullable=True),
        sa.Column("afdelingsnummer", sa.String(), nullable=True),
        sa.Column("omraade", sa.String(), nullable=True),
        sa.Column("kommune", sa.String(), nullable=True),
        sa.Column("uden_for_arbejdsmarked_pct", EXACT, nullable=True),
        sa.Column("ikke_vestlige_pct", EXACT, nullable=True),
        sa.Column("doemte_pct", EXACT, nullable=True),
        sa.Column("kun_grundskole_pct", EXACT, nullable=True),
        sa.Column("indkomst_pct_af_region", EXACT, nullable=True),
        sa.Column("uden_for_arbejdsmarked_taeller", EXACT, nullable=True),
        sa.Column("uden_for_arbejdsmarked_naevner", EXACT, nullable=True),
        sa.Column("ikke_vestlige_taeller", EXACT, nullable=True),
        sa.Column("ikke_vestlige_naevner", EXACT, nullable=True),
        sa.Column("doemte_taeller", EXACT, nullable=True),
        sa.Column("doemte_naevner", EXACT, nullable=True),
        sa.Column("kun_grundskole_taeller", EXACT, nullable=True),
        sa.Column("kun_grundskole_naevner", EXACT, nullable=True),
        sa.Column("indkomst_taeller", EXACT, nullable=True),
        sa.Column("indkomst_naevner", EXACT, nullable=True),
        sa.Column("indkomst_region_gns", EXACT, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["afdeling_id"], ["afdeling.id"], name=op.f("fk_noegletal_afdeling_id_afdeling"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_noegletal_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_noegletal")),
        sa.UniqueConstraint("afdeling_id", "listeaar", name=op.f("uq_noegletal_afdeling_id_listeaar")),
    )
    op.create_index(op.f("ix_noegletal_afdeling_id"), "noegletal", ["afdeling_id"], unique=False)
    op.create_index(op.f("ix_noegletal_plan_id"), "noegletal", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_noegletal_plan_id"), table_name="noegletal")
    op.drop_index(op.f("ix_noegletal_afdeling_id"), table_name="noegletal")

    op.drop_table("noegletal")
    op.drop_index(op.f("ix_maaling_indikator_id"), table_name="maaling")

    op.drop_table("maaling")
    op.drop_index(op.f("ix_afdeling_plan_id"), table_name="afdeling")
    op.drop_index(op.f("ix_afdeling_boligorganisation_id"), table_name="afdeling")

    op.drop_table("afdeling")
    op.drop_index(op.f("ix_tekst_plan_id"), table_name="tekst")

    op.drop_table("tekst")
    op.drop_index(op.f("ix_omraade_plan_id"), table_name="omraade")

    op.drop_table("omraade")
    op.drop_index(op.f("ix_indikator_plan_id"), table_name="indikator")

    op.drop_table("indikator")
    op.drop_index(op.f("ix_boligorganisation_plan_id"), table_name="boligorganisation")

    op.drop_table("boligorganisation")
    op.drop_table("plan")
    op.drop_index("ix_audit_event_plan_at", table_name="audit_event")
    op.drop_index(op.f("ix_audit_event_at"), table_name="audit_event")

    op.drop_table("audit_event")
