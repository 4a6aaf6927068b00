"""catalog and registry: how a position's occupations were set, and graduates' certificates as data

``position`` gains ``occupation_state`` ("suggested" when inferred from the title, "confirmed" when the poster
chose them, "" when none) and ``occupation_confidence`` (the classifier's confidence of a suggestion). Rows that
already name occupations were written by their posters, so they start confirmed; the others are filled by the
backfill job. The new ``registry_graduate_certificate`` table holds certificates (教师资格证 with subject and
level, 执业（助理）医师, 乡村医生执业证书, 护士执业证书, 驾驶证 …) that program rules require.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occupation_state", sa.String(length=10), server_default="", nullable=False))
        batch_op.add_column(sa.Column("occupation_confidence", sa.Float(), nullable=True))
    op.execute(
        "UPDATE \"position\" SET occupation_state = 'confirmed' "
        "WHERE occupations IS NOT NULL AND CAST(occupations AS TEXT) NOT IN ('[]', 'null', '')"
    )
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
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_column("occupation_confidence")
        batch_op.drop_column("occupation_state")
