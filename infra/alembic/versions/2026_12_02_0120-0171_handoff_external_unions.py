"""tracking: handoffs to unions anywhere in China, with the receiving union's answer and outcome

A union outside the loaded tree is an org unit of kind ``external`` with a ``tracking_external_union`` row (its
division code, level and contact person, the phone sealed like every phone). A handoff keeps who recorded the
receiving union's acknowledgement and its outcome, and whether the sending side recorded them on its behalf.

Revision ID: 0171
Revises: 0009
Create Date: 2026-12-02 01:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0171"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracking_external_union",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_phone_enc", sa.String(length=300), nullable=True),
        sa.Column("contact_phone_bidx", sa.String(length=64), nullable=True),
        sa.Column("contact_phone_masked", sa.String(length=20), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_tracking_external_union_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_external_union_org_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_external_union")),
        sa.UniqueConstraint("division_code", name=op.f("uq_tracking_external_union_division_code")),
        sa.UniqueConstraint("org_unit_id", name=op.f("uq_tracking_external_union_org_unit_id")),
    )
    with op.batch_alter_table("tracking_external_union", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracking_external_union_contact_phone_bidx"), ["contact_phone_bidx"], unique=False
        )
    with op.batch_alter_table("tracking_handoff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decided_on_behalf", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("outcome_employer", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("outcome_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("outcome_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome_on_behalf", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("outcome_recorded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tracking_handoff_outcome_by_id_user_account"), "user_account", ["outcome_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("tracking_handoff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tracking_handoff_outcome_by_id_user_account"), type_="foreignkey")
        for name in (
            "outcome_recorded_at",
            "outcome_on_behalf",
            "outcome_by_id",
            "outcome_note",
            "outcome_employer",
            "outcome_on",
            "outcome",
            "decided_on_behalf",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("tracking_external_union", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_external_union_contact_phone_bidx"))
    op.drop_table("tracking_external_union")
