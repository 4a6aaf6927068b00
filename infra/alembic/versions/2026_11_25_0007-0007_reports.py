"""reports: stage snapshots and report jobs

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-25 17:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_report_snapshot_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_report_snapshot_org_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshot")),
    )
    with op.batch_alter_table("report_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_snapshot_as_of"), ["as_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_snapshot_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "report_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("report", sa.String(length=16), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("scope_ids", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("file_path", sa.String(length=400), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_report_job_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["user_account.id"], name=op.f("fk_report_job_requested_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_job")),
    )
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_job_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_job_requested_by_id"), ["requested_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_job_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_job_status"))
        batch_op.drop_index(batch_op.f("ix_report_job_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_report_job_org_unit_id"))
    op.drop_table("report_job")
    with op.batch_alter_table("report_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_snapshot_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_report_snapshot_as_of"))
    op.drop_table("report_snapshot")
