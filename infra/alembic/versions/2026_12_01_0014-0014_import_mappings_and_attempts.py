"""registry import: confirmed option wordings per org, run attempts, the duplicate rule, unmapped wordings

``registry_import_mapping`` remembers the option wordings a clerk confirmed for an org; ``registry_import_job``
gains ``existing`` (update or skip people already registered), ``attempts`` (runs started, so that a redelivered
task after a lost worker is counted and bounded) and ``unmapped`` (the distinct wordings a run did not
understand, with their row counts). Uploads still stored as plaintext are dropped: a job that has not run yet is
failed with a message asking for the file again.

Revision ID: 0014
Revises: 0003
Create Date: 2026-12-01 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registry_import_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("existing", sa.String(length=8), nullable=False, server_default="update"))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("unmapped", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    job = sa.table(
        "registry_import_job",
        sa.column("status", sa.String),
        sa.column("content", sa.LargeBinary),
        sa.column("message", sa.String),
    )
    op.execute(
        job.update()
        .where(job.c.status.in_(["queued", "running"]))
        .values(status="failed", message="导入未完成，上传的文件已按新的保存规则删除，请重新上传")
    )
    op.execute(job.update().values(content=None))
    op.create_table(
        "registry_import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("enumeration", sa.String(length=40), nullable=False),
        sa.Column("wording", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_registry_import_mapping_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_registry_import_mapping_confirmed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["registry_import_job.id"],
            name=op.f("fk_registry_import_mapping_job_id_registry_import_job"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_import_mapping")),
        sa.UniqueConstraint(
            "org_unit_id",
            "enumeration",
            "wording",
            name=op.f("uq_registry_import_mapping_org_unit_id_enumeration_wording"),
        ),
    )
    with op.batch_alter_table("registry_import_mapping", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_import_mapping_org_unit_id"), ["org_unit_id"], unique=False)


def downgrade() -> None:
    op.drop_table("registry_import_mapping")
    with op.batch_alter_table("registry_import_job", schema=None) as batch_op:
        batch_op.drop_column("unmapped")
        batch_op.drop_column("attempts")
        batch_op.drop_column("existing")
