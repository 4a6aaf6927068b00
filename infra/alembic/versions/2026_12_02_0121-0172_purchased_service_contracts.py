"""catalog: purchased-service providers and contracts (购买服务)

HR and employment-service agencies the unions buy 定向就业援助 from, and the contracts: the purchasing union, the
period, the amount and fund, the service content and the number of graduates to serve.

Revision ID: 0172
Revises: 0011
Create Date: 2026-12-02 01:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0172"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_service_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_phone_enc", sa.String(length=300), nullable=True),
        sa.Column("contact_phone_bidx", sa.String(length=64), nullable=True),
        sa.Column("contact_phone_masked", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_catalog_service_provider_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_service_provider")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_catalog_service_provider_credit_code")),
    )
    with op.batch_alter_table("catalog_service_provider", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_service_provider_contact_phone_bidx"), ["contact_phone_bidx"], unique=False
        )
    op.create_table(
        "catalog_service_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("service_content", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("fund", sa.String(length=20), nullable=False),
        sa.Column("graduates_to_serve", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_catalog_service_contract_amount_not_negative")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_catalog_service_contract_period")),
        sa.CheckConstraint(
            "graduates_to_serve >= 1", name=op.f("ck_catalog_service_contract_graduates_to_serve_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_catalog_service_contract_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_catalog_service_contract_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["catalog_service_provider.id"],
            name=op.f("fk_catalog_service_contract_provider_id_catalog_service_provider"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_service_contract")),
        sa.UniqueConstraint("number", name=op.f("uq_catalog_service_contract_number")),
    )
    with op.batch_alter_table("catalog_service_contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_service_contract_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_service_contract_provider_id"), ["provider_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("catalog_service_contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_service_contract_provider_id"))
        batch_op.drop_index(batch_op.f("ix_catalog_service_contract_org_unit_id"))
    op.drop_table("catalog_service_contract")
    with op.batch_alter_table("catalog_service_provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_service_provider_contact_phone_bidx"))
    op.drop_table("catalog_service_provider")
