"""matches: each recommendation keeps where its application stands, so learning reads matches' own rows

Revision ID: 0020
Revises: 0006
Create Date: 2026-12-01 22:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("match_recommendation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=False, server_default="recommended"))
    op.execute(
        "UPDATE match_recommendation SET outcome = "
        "(SELECT a.state FROM tracking_application a WHERE a.id = match_recommendation.application_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("match_recommendation", schema=None) as batch_op:
        batch_op.drop_column("outcome")
