"""tracking: referrals of unemployed graduates to purchased-service contracts (定向就业援助)

One row per graduate and contract: referred → accepted → placed / not placed, with the outcome date and employer.

Revision ID: 0173
Revises: 0171
Create Date: 2026-12-02 01:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0173"
down_revision: str | Sequence[str] | None = "0171"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0172"


def upgrade() -> None:
    op.create_table(
        "tracking_service_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("referred_by_id", sa.Integer(), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("employer_name", sa.String(length=200), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["catalog_service_contract.id"],
            name=op.f("fk_tracking_service_referral_contract_id_catalog_service_contract"),
        ),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_tracking_service_referral_graduate_id_registry_graduate"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_service_referral_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_id"],
            ["user_account.id"],
            name=op.f("fk_tracking_service_referral_referred_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_tracking_service_referral_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_service_referral")),
        sa.UniqueConstraint(
            "contract_id", "graduate_id", name=op.f("uq_tracking_service_referral_contract_id_graduate_id")
        ),
    )
    with op.batch_alter_table("tracking_service_referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_service_referral_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_service_referral_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_service_referral_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_service_referral_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracking_service_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_service_referral_state"))
        batch_op.drop_index(batch_op.f("ix_tracking_service_referral_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_service_referral_graduate_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_service_referral_contract_id"))
    op.drop_table("tracking_service_referral")
