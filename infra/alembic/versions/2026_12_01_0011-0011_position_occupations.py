"""catalog: how a position's occupations were set

``position`` gains ``occupation_state`` ("suggested" when inferred from the title, "confirmed" when the poster
chose them, "" when none) and ``occupation_confidence`` (the classifier's confidence of a suggestion). Rows that
already name occupations were written by their posters, so they start confirmed; the others are filled by the
backfill job (``sunshine matches backfill-occupations`` or the nightly task).

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-01 23:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0008"
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


def downgrade() -> None:
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_column("occupation_confidence")
        batch_op.drop_column("occupation_state")
