"""security: one-time activation invitations tied to a graduate archive

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-01 21:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "graduate_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_graduate_invitation_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_graduate_invitation_graduate_id_registry_graduate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_graduate_invitation_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_graduate_invitation_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graduate_invitation")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_graduate_invitation_code_hash")),
    )
    with op.batch_alter_table("graduate_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_graduate_invitation_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_graduate_invitation_org_unit_id"), ["org_unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("graduate_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_graduate_invitation_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_graduate_invitation_graduate_id"))
    op.drop_table("graduate_invitation")
