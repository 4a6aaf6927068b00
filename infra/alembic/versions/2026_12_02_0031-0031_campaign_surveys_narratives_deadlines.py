"""reports: the county 摸排 surveys, the stage report and summary with 典型经验, the campaign deadlines

Revision ID: 0031
Revises: 0007
Create Date: 2026-12-02 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "report_county_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("aid_persons", sa.JSON(), nullable=False),
        sa.Column("archived_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("nonarchived_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("job_seekers", sa.Integer(), nullable=False),
        sa.Column("internship_need", sa.Integer(), nullable=False),
        sa.Column("training_need", sa.Integer(), nullable=False),
        sa.Column("entrepreneurship_need", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.CheckConstraint("archived_amount >= 0", name=op.f("ck_report_county_survey_archived_amount_nonnegative")),
        sa.CheckConstraint(
            "nonarchived_amount >= 0", name=op.f("ck_report_county_survey_nonarchived_amount_nonnegative")
        ),
        sa.CheckConstraint(
            "job_seekers >= 0 AND internship_need >= 0 AND training_need >= 0 AND entrepreneurship_need >= 0",
            name=op.f("ck_report_county_survey_employment_need_nonnegative"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_report_county_survey_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_report_county_survey_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["user_account.id"], name=op.f("fk_report_county_survey_submitted_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_county_survey")),
        sa.UniqueConstraint("org_unit_id", "year", name=op.f("uq_report_county_survey_org_unit_id_year")),
    )
    op.create_index(op.f("ix_report_county_survey_org_unit_id"), "report_county_survey", ["org_unit_id"])
    op.create_index(op.f("ix_report_county_survey_year"), "report_county_survey", ["year"])

    op.create_table(
        "report_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_report_narrative_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["report_snapshot.id"], name=op.f("fk_report_narrative_snapshot_id_report_snapshot")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_report_narrative_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["user_account.id"], name=op.f("fk_report_narrative_submitted_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_narrative")),
        sa.UniqueConstraint("org_unit_id", "year", "kind", name=op.f("uq_report_narrative_org_unit_id_year_kind")),
    )
    op.create_index(op.f("ix_report_narrative_org_unit_id"), "report_narrative", ["org_unit_id"])
    op.create_index(op.f("ix_report_narrative_year"), "report_narrative", ["year"])

    op.create_table(
        "report_typical_experience",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_report_typical_experience_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_report_typical_experience_created_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_typical_experience")),
    )
    op.create_index(op.f("ix_report_typical_experience_org_unit_id"), "report_typical_experience", ["org_unit_id"])
    op.create_index(op.f("ix_report_typical_experience_year"), "report_typical_experience", ["year"])

    op.create_table(
        "report_campaign_deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("remind_days_before", sa.Integer(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "remind_days_before >= 0 AND remind_days_before <= 60",
            name=op.f("ck_report_campaign_deadline_remind_days_in_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_campaign_deadline")),
        sa.UniqueConstraint("year", "code", name=op.f("uq_report_campaign_deadline_year_code")),
    )
    op.create_index(op.f("ix_report_campaign_deadline_year"), "report_campaign_deadline", ["year"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_campaign_deadline_year"), table_name="report_campaign_deadline")
    op.drop_table("report_campaign_deadline")
    op.drop_index(op.f("ix_report_typical_experience_year"), table_name="report_typical_experience")
    op.drop_index(op.f("ix_report_typical_experience_org_unit_id"), table_name="report_typical_experience")
    op.drop_table("report_typical_experience")
    op.drop_index(op.f("ix_report_narrative_year"), table_name="report_narrative")
    op.drop_index(op.f("ix_report_narrative_org_unit_id"), table_name="report_narrative")
    op.drop_table("report_narrative")
    op.drop_index(op.f("ix_report_county_survey_year"), table_name="report_county_survey")
    op.drop_index(op.f("ix_report_county_survey_org_unit_id"), table_name="report_county_survey")
    op.drop_table("report_county_survey")
