"""aid: employment policies as versioned data, fund budgets, policy claims paid like awards, national student aid

Policies (求职创业补贴, 就业见习补贴, 基层就业学费补偿, 助学贷款代偿, 技能培训 and 职业介绍 subsidies) with their
rule versions, per-fund county budgets, claims (applied → granted → paid) and the 奖助贷勤减免 a student received.
A payment (and its idempotency record) now belongs to an award or to a claim, exactly one of the two.

Revision ID: 0180
Revises: 0173
Create Date: 2026-12-02 04:27:05.763001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0180"
down_revision: str | Sequence[str] | None = "0190"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aid_fund_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("committed", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_aid_fund_budget_amount_nonneg")),
        sa.CheckConstraint(
            "committed >= 0 AND committed <= amount", name=op.f("ck_aid_fund_budget_committed_within_amount")
        ),
        sa.CheckConstraint("paid >= 0 AND paid <= committed", name=op.f("ck_aid_fund_budget_paid_within_committed")),
        sa.ForeignKeyConstraint(
            ["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_fund_budget_county_org_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_fund_budget")),
        sa.UniqueConstraint("county_org_id", "year", "fund", name=op.f("uq_aid_fund_budget_county_org_id_year_fund")),
    )
    with op.batch_alter_table("aid_fund_budget", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_fund_budget_county_org_id"), ["county_org_id"], unique=False)

    op.create_table(
        "aid_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_aid_policy_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_policy")),
        sa.UniqueConstraint("code", name=op.f("uq_aid_policy_code")),
    )
    op.create_table(
        "aid_policy_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("fund", sa.String(length=24), nullable=False),
        sa.Column("basis", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("proofs", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sa.String(length=400), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_aid_policy_version_amount_positive")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_aid_policy_version_period_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_aid_policy_version_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["aid_policy.id"], name=op.f("fk_aid_policy_version_policy_id_aid_policy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_policy_version")),
        sa.UniqueConstraint("policy_id", "version", name=op.f("uq_aid_policy_version_policy_id_version")),
    )
    with op.batch_alter_table("aid_policy_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_policy_version_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_policy_version_status"), ["status"], unique=False)

    op.create_table(
        "aid_national_aid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_aid_national_aid_amount_nonneg")),
        sa.ForeignKeyConstraint(
            ["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_national_aid_county_org_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_national_aid_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["user_account.id"], name=op.f("fk_aid_national_aid_recorded_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["registry_graduate.id"], name=op.f("fk_aid_national_aid_student_id_registry_graduate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_national_aid")),
        sa.UniqueConstraint(
            "student_id", "kind", "year", "source", name=op.f("uq_aid_national_aid_student_id_kind_year_source")
        ),
    )
    with op.batch_alter_table("aid_national_aid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_national_aid_county_org_id"), ["county_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_national_aid_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_national_aid_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_national_aid_student_id"), ["student_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_national_aid_year"), ["year"], unique=False)

    op.create_table(
        "aid_policy_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("budget_id", sa.Integer(), nullable=True),
        sa.Column("employer_name", sa.String(length=200), nullable=True),
        sa.Column("employer_kind", sa.String(length=24), nullable=True),
        sa.Column("employer_place", sa.String(length=6), nullable=True),
        sa.Column("proofs", sa.JSON(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("payee_name", sa.String(length=50), nullable=False),
        sa.Column("payee_bank", sa.String(length=100), nullable=False),
        sa.Column("payee_card_enc", sa.String(length=300), nullable=False),
        sa.Column("payee_card_bidx", sa.String(length=64), nullable=False),
        sa.Column("payee_card_masked", sa.String(length=30), nullable=False),
        sa.Column("applied_by", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusal_reason", sa.String(length=500), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount IS NULL OR amount > 0", name=op.f("ck_aid_policy_claim_amount_positive")),
        sa.CheckConstraint("requested_amount > 0", name=op.f("ck_aid_policy_claim_requested_positive")),
        sa.ForeignKeyConstraint(
            ["applied_by"], ["user_account.id"], name=op.f("fk_aid_policy_claim_applied_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["aid_fund_budget.id"], name=op.f("fk_aid_policy_claim_budget_id_aid_fund_budget")
        ),
        sa.ForeignKeyConstraint(
            ["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_policy_claim_county_org_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["user_account.id"], name=op.f("fk_aid_policy_claim_decided_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_policy_claim_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["aid_policy.id"], name=op.f("fk_aid_policy_claim_policy_id_aid_policy")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["registry_graduate.id"], name=op.f("fk_aid_policy_claim_student_id_registry_graduate")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["aid_policy_version.id"], name=op.f("fk_aid_policy_claim_version_id_aid_policy_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_policy_claim")),
    )
    with op.batch_alter_table("aid_policy_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_policy_claim_budget_id"), ["budget_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_policy_claim_county_org_id"), ["county_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_policy_claim_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_policy_claim_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_policy_claim_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_policy_claim_student_id"), ["student_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_policy_claim_version_id"), ["version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_policy_claim_year"), ["year"], unique=False)

    with op.batch_alter_table("aid_payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch_op.alter_column("award_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_aid_payment_claim_id"), ["claim_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_aid_payment_claim_id_aid_policy_claim"), "aid_policy_claim", ["claim_id"], ["id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_aid_payment_one_subject"), "(award_id IS NULL) <> (claim_id IS NULL)"
        )

    with op.batch_alter_table("aid_payment_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))
        batch_op.alter_column("award_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_aid_payment_request_claim_id"), ["claim_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_aid_payment_request_claim_id_aid_policy_claim"), "aid_policy_claim", ["claim_id"], ["id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM aid_payment_request WHERE award_id IS NULL")
    op.execute("DELETE FROM aid_payment WHERE award_id IS NULL")
    with op.batch_alter_table("aid_payment_request", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_aid_payment_request_claim_id_aid_policy_claim"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_aid_payment_request_claim_id"))
        batch_op.alter_column("award_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("claim_id")

    with op.batch_alter_table("aid_payment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_aid_payment_one_subject"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_aid_payment_claim_id_aid_policy_claim"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_aid_payment_claim_id"), type_="unique")
        batch_op.alter_column("award_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("claim_id")

    with op.batch_alter_table("aid_policy_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_policy_claim_year"))
        batch_op.drop_index(batch_op.f("ix_aid_policy_claim_version_id"))
        batch_op.drop_index(batch_op.f("ix_aid_policy_claim_student_id"))
        batch_op.drop_index(batch_op.f("ix_aid_policy_claim_status"))
        batch_op.drop_index(batch_op.f("ix_aid_policy_claim_policy_id"))
        batch_op.drop_index(batch_op.f("ix_aid_policy_claim_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_policy_claim_county_org_id"))
        batch_op.drop_index(batch_op.f("ix_aid_policy_claim_budget_id"))

    op.drop_table("aid_policy_claim")
    with op.batch_alter_table("aid_national_aid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_national_aid_year"))
        batch_op.drop_index(batch_op.f("ix_aid_national_aid_student_id"))
        batch_op.drop_index(batch_op.f("ix_aid_national_aid_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_national_aid_kind"))
        batch_op.drop_index(batch_op.f("ix_aid_national_aid_county_org_id"))

    op.drop_table("aid_national_aid")
    with op.batch_alter_table("aid_policy_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_policy_version_status"))
        batch_op.drop_index(batch_op.f("ix_aid_policy_version_policy_id"))

    op.drop_table("aid_policy_version")
    op.drop_table("aid_policy")
    with op.batch_alter_table("aid_fund_budget", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_fund_budget_county_org_id"))

    op.drop_table("aid_fund_budget")
