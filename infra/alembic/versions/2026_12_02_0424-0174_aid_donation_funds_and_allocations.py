"""aid: donation funds (社会各界捐款), their named recipients and the allocations made from them

A fund per donor and year with the donor's conditions as data and the standard per person; allocations of aid
checked against them, each optionally linked to the aid award that pays it. ``allocated <= received`` keeps the
balance from going negative.

Revision ID: 0174
Revises: 0173
Create Date: 2026-12-02 04:24:20.146353
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0174"
down_revision: str | Sequence[str] | None = "0173"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "aid_donation_fund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("donor_name", sa.String(length=200), nullable=False),
        sa.Column("donor_kind", sa.String(length=20), nullable=False),
        sa.Column("pledged", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("received", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("allocated", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("standard_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("max_per_person", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "allocated >= 0 AND allocated <= received", name=op.f("ck_aid_donation_fund_allocated_within_received")
        ),
        sa.CheckConstraint(
            "max_per_person IS NULL OR max_per_person > 0", name=op.f("ck_aid_donation_fund_max_per_person_positive")
        ),
        sa.CheckConstraint("pledged >= 0", name=op.f("ck_aid_donation_fund_pledged_nonneg")),
        sa.CheckConstraint("received >= 0", name=op.f("ck_aid_donation_fund_received_nonneg")),
        sa.CheckConstraint(
            "standard_amount IS NULL OR standard_amount > 0", name=op.f("ck_aid_donation_fund_standard_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_aid_donation_fund_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_donation_fund_org_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_donation_fund")),
    )
    with op.batch_alter_table("aid_donation_fund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_donation_fund_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_donation_fund_year"), ["year"], unique=False)

    op.create_table(
        "aid_donation_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"],
            ["aid_donation_fund.id"],
            name=op.f("fk_aid_donation_recipient_fund_id_aid_donation_fund"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["registry_graduate.id"],
            name=op.f("fk_aid_donation_recipient_student_id_registry_graduate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_donation_recipient")),
        sa.UniqueConstraint("fund_id", "student_id", name=op.f("uq_aid_donation_recipient_fund_id_student_id")),
    )
    with op.batch_alter_table("aid_donation_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_donation_recipient_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_donation_recipient_student_id"), ["student_id"], unique=False)

    op.create_table(
        "aid_donation_allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("county_org_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("allocated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_aid_donation_allocation_amount_positive")),
        sa.ForeignKeyConstraint(
            ["award_id"], ["aid_award.id"], name=op.f("fk_aid_donation_allocation_award_id_aid_award")
        ),
        sa.ForeignKeyConstraint(
            ["county_org_id"], ["org_unit.id"], name=op.f("fk_aid_donation_allocation_county_org_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_aid_donation_allocation_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["aid_donation_fund.id"], name=op.f("fk_aid_donation_allocation_fund_id_aid_donation_fund")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_aid_donation_allocation_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["registry_graduate.id"],
            name=op.f("fk_aid_donation_allocation_student_id_registry_graduate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_donation_allocation")),
        sa.UniqueConstraint("award_id", name=op.f("uq_aid_donation_allocation_award_id")),
    )
    with op.batch_alter_table("aid_donation_allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_donation_allocation_county_org_id"), ["county_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_donation_allocation_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_donation_allocation_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_donation_allocation_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_aid_donation_allocation_student_id"), ["student_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("aid_donation_allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_donation_allocation_student_id"))
        batch_op.drop_index(batch_op.f("ix_aid_donation_allocation_status"))
        batch_op.drop_index(batch_op.f("ix_aid_donation_allocation_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_aid_donation_allocation_fund_id"))
        batch_op.drop_index(batch_op.f("ix_aid_donation_allocation_county_org_id"))

    op.drop_table("aid_donation_allocation")
    with op.batch_alter_table("aid_donation_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_donation_recipient_student_id"))
        batch_op.drop_index(batch_op.f("ix_aid_donation_recipient_fund_id"))

    op.drop_table("aid_donation_recipient")
    with op.batch_alter_table("aid_donation_fund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_donation_fund_year"))
        batch_op.drop_index(batch_op.f("ix_aid_donation_fund_org_unit_id"))

    op.drop_table("aid_donation_fund")
