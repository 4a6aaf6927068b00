"""catalog: a position's filled count never exceeds its headcount

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # rows written before the guard existed are brought within their headcount first
    op.execute('UPDATE "position" SET filled = headcount WHERE headcount IS NOT NULL AND filled > headcount')
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_position_filled_within_headcount"), "headcount IS NULL OR filled <= headcount"
        )


def downgrade() -> None:
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_position_filled_within_headcount"), type_="check")
