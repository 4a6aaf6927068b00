"""registry: graduates' certificates as data

The ``registry_graduate_certificate`` table holds the certificates a graduate has (教师资格证 with subject and
level, 执业（助理）医师, 乡村医生执业证书, 护士执业证书, 驾驶证 …), which program rules (特岗计划, 乡村医生) require.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-01 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_graduate_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_registry_graduate_certificate_graduate_id_registry_graduate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_graduate_certificate")),
        sa.UniqueConstraint(
            "graduate_id", "kind", "subject", name=op.f("uq_registry_graduate_certificate_graduate_id_kind_subject")
        ),
    )
    with op.batch_alter_table("registry_graduate_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_graduate_certificate_graduate_id"), ["graduate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_graduate_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_graduate_certificate_graduate_id"))
    op.drop_table("registry_graduate_certificate")
