"""aid: campaigns, standards, applications (附件1/2), attachments, reviews, awards, budgets, notices (附件6),
objections, payments with idempotency keys, work-study, deadline notifications

Revision ID: 0004
Revises: 0001
Depends on: 0003 (registry families and students)
Create Date: 2026-11-25 17:26:51.160211
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0003"


def upgrade() -> None:
    op.create_table(
        "aid_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("notice_working_days", sa.Integer(), nullable=False),
        sa.Column("archives_due", sa.Date(), nullable=False),
        sa.Column("paper_files_due", sa.Date(), nullable=False),
        sa.Column("stage_report_due", sa.Date(), nullable=False),
        sa.Column("final_report_due", sa.Date(), nullable=False),
        sa.Column("warn_days_before", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("notice_working_days >= 1", name=op.f("ck_aid_campaign_notice_days_positive")),
        sa.CheckConstraint("warn_days_before >= 0", name=op.f("ck_aid_campaign_warn_days_nonnegative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_campaign")),
        sa.UniqueConstraint("year", name=op.f("uq_aid_campaign_year")),
    )
    op.create_table(
        "aid_standard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fund_source", sa.String(length=16), nullable=False),
        sa.Column("archived_family", sa.Boolean(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("cap", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("max_awards_per_year", sa.Integer(), nullable=False),
        sa.Column("new_enrolment_first", sa.Boolean(), nullable=False),
        sa.Column("donor", sa.String(length=200), nullable=True),
        sa.Column("legal_basis", sa.String(length=400), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cap > 0", name=op.f("ck_aid_standard_cap_positive")),
        sa.CheckConstraint("max_awards_per_year >= 1", name=op.f("ck_aid_standard_max_awards_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_standard")),
        sa.UniqueConstraint("year", "code", name=op.f("uq_aid_standard_year_code")),
    )
    with op.batch_alter_table("aid_standard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_standard_year"), ["year"], unique=False)

    op.create_table(
        "aid_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund_source", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("committed", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_aid_budget_amount_nonneg")),
        sa.CheckConstraint(
            "committed >= 0 AND committed <= amount", name=op.f("ck_aid_budget_committed_within_amount")
        ),
        sa.CheckConstraint("paid >= 0 AND paid <= committed", name=op.f("ck_aid_budget_paid_within_committed")),
        sa.ForeignKeyConstraint(["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_budget_county_org_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_budget")),
        sa.UniqueConstraint(
            "county_org_id", "year", "fund_source", name=op.f("uq_aid_budget_county_org_id_year_fund_source")
        ),
    )
    with op.batch_alter_table("aid_budget", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_budget_county_org_id"), ["county_org_id"], unique=False)

    op.create_table(
        "aid_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("supervision_phone", sa.String(length=30), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("taken_down_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_aid_notice_period_ordered")),
        sa.CheckConstraint("working_days >= 1", name=op.f("ck_aid_notice_working_days_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_aid_notice_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_notice_org_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_notice")),
    )
    with op.batch_alter_table("aid_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_notice_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "aid_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(length=24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_aid_notification_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_notification")),
        sa.UniqueConstraint(
            "user_id", "year", "deadline", "day", name=op.f("uq_aid_notification_user_id_year_deadline_day")
        ),
    )
    with op.batch_alter_table("aid_notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_notification_user_id"), ["user_id"], unique=False)

    op.create_table(
        "aid_payment_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_payment_batch_county_org_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_aid_payment_batch_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_payment_batch")),
        sa.UniqueConstraint("reference", name=op.f("uq_aid_payment_batch_reference")),
    )
    with op.batch_alter_table("aid_payment_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_payment_batch_county_org_id"), ["county_org_id"], unique=False)

    op.create_table(
        "aid_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("family_archived", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("counselor_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("education_stage", sa.String(length=24), nullable=False),
        sa.Column("worker_name", sa.String(length=50), nullable=True),
        sa.Column("worker_employer", sa.String(length=200), nullable=True),
        sa.Column("worker_id_enc", sa.String(length=300), nullable=True),
        sa.Column("worker_id_bidx", sa.String(length=64), nullable=True),
        sa.Column("worker_id_masked", sa.String(length=24), nullable=True),
        sa.Column("student_name", sa.String(length=50), nullable=False),
        sa.Column("student_id_enc", sa.String(length=300), nullable=False),
        sa.Column("student_id_bidx", sa.String(length=64), nullable=False),
        sa.Column("student_id_masked", sa.String(length=24), nullable=False),
        sa.Column("sex", sa.String(length=2), nullable=True),
        sa.Column("ethnicity", sa.String(length=20), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("address_enc", sa.String(length=1000), nullable=False),
        sa.Column("address_masked", sa.String(length=20), nullable=False),
        sa.Column("school_kind", sa.String(length=40), nullable=True),
        sa.Column("school_name", sa.String(length=200), nullable=False),
        sa.Column("enrolment_date", sa.Date(), nullable=False),
        sa.Column("length_of_study", sa.Integer(), nullable=False),
        sa.Column("major", sa.String(length=200), nullable=True),
        sa.Column("reason_enc", sa.Text(), nullable=False),
        sa.Column("hardship_reason", sa.String(length=100), nullable=False),
        sa.Column("tuition_invoice_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("requested_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("payee_name", sa.String(length=50), nullable=False),
        sa.Column("payee_bank", sa.String(length=100), nullable=False),
        sa.Column("payee_card_enc", sa.String(length=300), nullable=False),
        sa.Column("payee_card_bidx", sa.String(length=64), nullable=False),
        sa.Column("payee_card_masked", sa.String(length=30), nullable=False),
        sa.Column("refusal_reason", sa.String(length=500), nullable=True),
        sa.Column("return_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length_of_study BETWEEN 1 AND 9", name=op.f("ck_aid_application_length_of_study_range")),
        sa.CheckConstraint(
            "requested_amount IS NULL OR requested_amount > 0", name=op.f("ck_aid_application_requested_positive")
        ),
        sa.CheckConstraint(
            "tuition_invoice_amount IS NULL OR tuition_invoice_amount >= 0",
            name=op.f("ck_aid_application_tuition_nonneg"),
        ),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["user_account.id"], name=op.f("fk_aid_application_counselor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_application_county_org_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_aid_application_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["registry_family.id"], name=op.f("fk_aid_application_family_id_registry_family")
        ),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_application_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["aid_standard.id"], name=op.f("fk_aid_application_standard_id_aid_standard")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["registry_graduate.id"], name=op.f("fk_aid_application_student_id_registry_graduate")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_aid_application_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_application")),
    )
    with op.batch_alter_table("aid_application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_application_counselor_id"), ["counselor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_county_org_id"), ["county_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_standard_id"), ["standard_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_student_id"), ["student_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_student_id_bidx"), ["student_id_bidx"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_worker_id_bidx"), ["worker_id_bidx"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_application_year"), ["year"], unique=False)

    op.create_table(
        "aid_work_study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("post_title", sa.String(length=200), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("summer_special", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("subsidy_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("fund_source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_aid_work_study_period_ordered")),
        sa.CheckConstraint("subsidy_amount >= 0", name=op.f("ck_aid_work_study_subsidy_nonneg")),
        sa.ForeignKeyConstraint(
            ["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_work_study_county_org_id_org_unit")
        ),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_work_study_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["student_id"], ["registry_graduate.id"], name=op.f("fk_aid_work_study_student_id_registry_graduate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_work_study")),
    )
    with op.batch_alter_table("aid_work_study", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_work_study_county_org_id"), ["county_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_work_study_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_work_study_student_id"), ["student_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_work_study_year"), ["year"], unique=False)

    op.create_table(
        "aid_application_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("phone_enc", sa.String(length=300), nullable=True),
        sa.Column("phone_masked", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["aid_application.id"],
            name=op.f("fk_aid_application_member_application_id_aid_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_application_member")),
    )
    with op.batch_alter_table("aid_application_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_application_member_application_id"), ["application_id"], unique=False)

    op.create_table(
        "aid_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_path", sa.String(length=400), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("checked_by", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["aid_application.id"], name=op.f("fk_aid_attachment_application_id_aid_application")
        ),
        sa.ForeignKeyConstraint(
            ["checked_by"], ["user_account.id"], name=op.f("fk_aid_attachment_checked_by_user_account")
        ),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_attachment_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["user_account.id"], name=op.f("fk_aid_attachment_uploaded_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_attachment")),
    )
    with op.batch_alter_table("aid_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_attachment_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_attachment_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "aid_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund_source", sa.String(length=16), nullable=False),
        sa.Column("award_seq", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("cap", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status = 'revoked' OR award_seq IS NOT NULL", name=op.f("ck_aid_award_live_award_numbered")
        ),
        sa.CheckConstraint("amount > 0 AND amount <= cap", name=op.f("ck_aid_award_amount_within_cap")),
        sa.CheckConstraint("award_seq IS NULL OR award_seq >= 1", name=op.f("ck_aid_award_award_seq_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["aid_application.id"], name=op.f("fk_aid_award_application_id_aid_application")
        ),
        sa.ForeignKeyConstraint(["budget_id"], ["aid_budget.id"], name=op.f("fk_aid_award_budget_id_aid_budget")),
        sa.ForeignKeyConstraint(["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_award_county_org_id_org_unit")),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_award_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["aid_standard.id"], name=op.f("fk_aid_award_standard_id_aid_standard")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["registry_graduate.id"], name=op.f("fk_aid_award_student_id_registry_graduate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_award")),
        sa.UniqueConstraint("application_id", name=op.f("uq_aid_award_application_id")),
        sa.UniqueConstraint(
            "student_id",
            "year",
            "fund_source",
            "award_seq",
            name=op.f("uq_aid_award_student_id_year_fund_source_award_seq"),
        ),
    )
    with op.batch_alter_table("aid_award", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_award_budget_id"), ["budget_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_award_county_org_id"), ["county_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_award_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_award_standard_id"), ["standard_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_award_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_award_student_id"), ["student_id"], unique=False)

    op.create_table(
        "aid_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("opinion", sa.String(length=500), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["aid_application.id"], name=op.f("fk_aid_review_application_id_aid_application")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user_account.id"], name=op.f("fk_aid_review_reviewer_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_review")),
    )
    with op.batch_alter_table("aid_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_review_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_review_reviewer_id"), ["reviewer_id"], unique=False)

    op.create_table(
        "aid_notice_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["aid_award.id"], name=op.f("fk_aid_notice_entry_award_id_aid_award")),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["aid_notice.id"], name=op.f("fk_aid_notice_entry_notice_id_aid_notice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_notice_entry")),
        sa.UniqueConstraint("award_id", name=op.f("uq_aid_notice_entry_award_id")),
    )
    with op.batch_alter_table("aid_notice_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_notice_entry_notice_id"), ["notice_id"], unique=False)

    op.create_table(
        "aid_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.String(length=1000), nullable=False),
        sa.Column("lodged_by", sa.Integer(), nullable=True),
        sa.Column("lodged_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=1000), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["aid_award.id"], name=op.f("fk_aid_objection_award_id_aid_award")),
        sa.ForeignKeyConstraint(
            ["lodged_by"], ["user_account.id"], name=op.f("fk_aid_objection_lodged_by_user_account")
        ),
        sa.ForeignKeyConstraint(["notice_id"], ["aid_notice.id"], name=op.f("fk_aid_objection_notice_id_aid_notice")),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_objection_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["user_account.id"], name=op.f("fk_aid_objection_resolved_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_objection")),
    )
    with op.batch_alter_table("aid_objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_objection_award_id"), ["award_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_objection_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_objection_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_objection_status"), ["status"], unique=False)

    op.create_table(
        "aid_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("payee_name", sa.String(length=50), nullable=False),
        sa.Column("payee_bank", sa.String(length=100), nullable=False),
        sa.Column("payee_card_enc", sa.String(length=300), nullable=False),
        sa.Column("payee_card_masked", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("bank_message", sa.String(length=300), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_aid_payment_amount_positive")),
        sa.ForeignKeyConstraint(["award_id"], ["aid_award.id"], name=op.f("fk_aid_payment_award_id_aid_award")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["aid_payment_batch.id"], name=op.f("fk_aid_payment_batch_id_aid_payment_batch")
        ),
        sa.ForeignKeyConstraint(["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_payment_county_org_id_org_unit")),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_payment_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["user_account.id"], name=op.f("fk_aid_payment_requested_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_payment")),
        sa.UniqueConstraint("award_id", name=op.f("uq_aid_payment_award_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_aid_payment_reference")),
    )
    with op.batch_alter_table("aid_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_payment_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_payment_county_org_id"), ["county_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_payment_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_payment_status"), ["status"], unique=False)

    op.create_table(
        "aid_payment_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["aid_award.id"], name=op.f("fk_aid_payment_request_award_id_aid_award")),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["user_account.id"], name=op.f("fk_aid_payment_request_requested_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_payment_request")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_aid_payment_request_idempotency_key")),
    )
    with op.batch_alter_table("aid_payment_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_payment_request_award_id"), ["award_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("aid_payment_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_payment_request_award_id"))

    op.drop_table("aid_payment_request")
    with op.batch_alter_table("aid_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_payment_status"))
        batch_op.drop_index(batch_op.f("ix_aid_payment_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_payment_county_org_id"))
        batch_op.drop_index(batch_op.f("ix_aid_payment_batch_id"))

    op.drop_table("aid_payment")
    with op.batch_alter_table("aid_objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_objection_status"))
        batch_op.drop_index(batch_op.f("ix_aid_objection_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_objection_notice_id"))
        batch_op.drop_index(batch_op.f("ix_aid_objection_award_id"))

    op.drop_table("aid_objection")
    with op.batch_alter_table("aid_notice_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_notice_entry_notice_id"))

    op.drop_table("aid_notice_entry")
    with op.batch_alter_table("aid_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_review_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_aid_review_application_id"))

    op.drop_table("aid_review")
    with op.batch_alter_table("aid_award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_award_student_id"))
        batch_op.drop_index(batch_op.f("ix_aid_award_status"))
        batch_op.drop_index(batch_op.f("ix_aid_award_standard_id"))
        batch_op.drop_index(batch_op.f("ix_aid_award_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_award_county_org_id"))
        batch_op.drop_index(batch_op.f("ix_aid_award_budget_id"))

    op.drop_table("aid_award")
    with op.batch_alter_table("aid_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_attachment_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_attachment_application_id"))

    op.drop_table("aid_attachment")
    with op.batch_alter_table("aid_application_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_application_member_application_id"))

    op.drop_table("aid_application_member")
    with op.batch_alter_table("aid_work_study", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_work_study_year"))
        batch_op.drop_index(batch_op.f("ix_aid_work_study_student_id"))
        batch_op.drop_index(batch_op.f("ix_aid_work_study_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_work_study_county_org_id"))

    op.drop_table("aid_work_study")
    with op.batch_alter_table("aid_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_application_year"))
        batch_op.drop_index(batch_op.f("ix_aid_application_worker_id_bidx"))
        batch_op.drop_index(batch_op.f("ix_aid_application_user_id"))
        batch_op.drop_index(batch_op.f("ix_aid_application_student_id_bidx"))
        batch_op.drop_index(batch_op.f("ix_aid_application_student_id"))
        batch_op.drop_index(batch_op.f("ix_aid_application_status"))
        batch_op.drop_index(batch_op.f("ix_aid_application_standard_id"))
        batch_op.drop_index(batch_op.f("ix_aid_application_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_application_family_id"))
        batch_op.drop_index(batch_op.f("ix_aid_application_county_org_id"))
        batch_op.drop_index(batch_op.f("ix_aid_application_counselor_id"))

    op.drop_table("aid_application")
    with op.batch_alter_table("aid_payment_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_payment_batch_county_org_id"))

    op.drop_table("aid_payment_batch")
    with op.batch_alter_table("aid_notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_notification_user_id"))

    op.drop_table("aid_notification")
    with op.batch_alter_table("aid_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_notice_org_unit_id"))

    op.drop_table("aid_notice")
    with op.batch_alter_table("aid_budget", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_budget_county_org_id"))

    op.drop_table("aid_budget")
    with op.batch_alter_table("aid_standard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_standard_year"))

    op.drop_table("aid_standard")
    op.drop_table("aid_campaign")
