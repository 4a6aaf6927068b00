"""registry, catalog, tracking: the 两后生 vocational path and 金牌蓝领 school–enterprise pairings

A 两后生's steps (技能培训, 中职/技工学校, 学徒) in the registry; the pairing agreements in the catalog; the students
of a pairing, their internships and the enterprise's aid in tracking.

Revision ID: 0190
Revises: 0173
Create Date: 2026-12-02 04:30:05.628907
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0190"
down_revision: str | Sequence[str] | None = "0174"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_golden_pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("school_name", sa.String(length=200), nullable=False),
        sa.Column("school_kind", sa.String(length=4), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("majors", sa.String(length=300), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("aid_per_student", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("aid_per_student >= 0", name=op.f("ck_catalog_golden_pairing_aid_not_negative")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_catalog_golden_pairing_period")),
        sa.CheckConstraint("headcount >= 1", name=op.f("ck_catalog_golden_pairing_headcount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_catalog_golden_pairing_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employer.id"], name=op.f("fk_catalog_golden_pairing_employer_id_employer")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_catalog_golden_pairing_org_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_golden_pairing")),
        sa.UniqueConstraint("number", name=op.f("uq_catalog_golden_pairing_number")),
    )
    with op.batch_alter_table("catalog_golden_pairing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_golden_pairing_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_golden_pairing_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_golden_pairing_school_name"), ["school_name"], unique=False)

    op.create_table(
        "registry_vocational_track",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("programme", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("school_type", sa.String(length=24), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("certificate", sa.String(length=200), nullable=True),
        sa.Column("certificate_no", sa.String(length=60), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_registry_vocational_track_period")),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_registry_vocational_track_graduate_id_registry_graduate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_registry_vocational_track_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_registry_vocational_track_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_registry_vocational_track_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_vocational_track")),
    )
    with op.batch_alter_table("registry_vocational_track", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_vocational_track_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_vocational_track_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_vocational_track_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_vocational_track_status"), ["status"], unique=False)

    op.create_table(
        "tracking_pairing_student",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=True),
        sa.Column("placed_post", sa.String(length=100), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("employment_event_id", sa.Integer(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("left_reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user_account.id"], name=op.f("fk_tracking_pairing_student_added_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["tracking_application.id"],
            name=op.f("fk_tracking_pairing_student_application_id_tracking_application"),
        ),
        sa.ForeignKeyConstraint(
            ["employment_event_id"],
            ["tracking_event.id"],
            name=op.f("fk_tracking_pairing_student_employment_event_id_tracking_event"),
        ),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_tracking_pairing_student_graduate_id_registry_graduate"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_pairing_student_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["catalog_golden_pairing.id"],
            name=op.f("fk_tracking_pairing_student_pairing_id_catalog_golden_pairing"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_tracking_pairing_student_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_pairing_student")),
        sa.UniqueConstraint(
            "pairing_id", "graduate_id", name=op.f("uq_tracking_pairing_student_pairing_id_graduate_id")
        ),
    )
    with op.batch_alter_table("tracking_pairing_student", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_pairing_student_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_pairing_student_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_pairing_student_pairing_id"), ["pairing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_pairing_student_state"), ["state"], unique=False)

    op.create_table(
        "tracking_pairing_aid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_tracking_pairing_aid_amount_positive")),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_pairing_aid_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_tracking_pairing_aid_recorded_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["tracking_pairing_student.id"],
            name=op.f("fk_tracking_pairing_aid_student_id_tracking_pairing_student"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_pairing_aid")),
    )
    with op.batch_alter_table("tracking_pairing_aid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_pairing_aid_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_pairing_aid_paid_on"), ["paid_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_pairing_aid_student_id"), ["student_id"], unique=False)

    op.create_table(
        "tracking_pairing_internship",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("assessment", sa.String(length=300), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_tracking_pairing_internship_period")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["tracking_event.id"], name=op.f("fk_tracking_pairing_internship_event_id_tracking_event")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_pairing_internship_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_tracking_pairing_internship_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["tracking_pairing_student.id"],
            name=op.f("fk_tracking_pairing_internship_student_id_tracking_pairing_student"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_pairing_internship")),
    )
    with op.batch_alter_table("tracking_pairing_internship", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_pairing_internship_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_pairing_internship_student_id"), ["student_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracking_pairing_internship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_internship_student_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_internship_org_unit_id"))

    op.drop_table("tracking_pairing_internship")
    with op.batch_alter_table("tracking_pairing_aid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_aid_student_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_aid_paid_on"))
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_aid_org_unit_id"))

    op.drop_table("tracking_pairing_aid")
    with op.batch_alter_table("tracking_pairing_student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_student_state"))
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_student_pairing_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_student_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_pairing_student_graduate_id"))

    op.drop_table("tracking_pairing_student")
    with op.batch_alter_table("registry_vocational_track", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_vocational_track_status"))
        batch_op.drop_index(batch_op.f("ix_registry_vocational_track_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_registry_vocational_track_kind"))
        batch_op.drop_index(batch_op.f("ix_registry_vocational_track_graduate_id"))

    op.drop_table("registry_vocational_track")
    with op.batch_alter_table("catalog_golden_pairing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_golden_pairing_school_name"))
        batch_op.drop_index(batch_op.f("ix_catalog_golden_pairing_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_catalog_golden_pairing_employer_id"))

    op.drop_table("catalog_golden_pairing")
