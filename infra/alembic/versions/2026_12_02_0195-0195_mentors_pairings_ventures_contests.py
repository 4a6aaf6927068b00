"""tracking: mentors, one-to-one pairings and their contact log; entrepreneurship projects, 创新创业大赛 entries and
their screening, and the support a project was given

Revision ID: 0195
Revises: 0173
Create Date: 2026-12-02 04:25:36.755521
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0195"
down_revision: str | Sequence[str] | None = "0180"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracking_contest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("entries_close_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_tracking_contest_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_contest_org_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_contest")),
        sa.UniqueConstraint("org_unit_id", "year", "name", name=op.f("uq_tracking_contest_org_unit_id_year_name")),
    )
    with op.batch_alter_table("tracking_contest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_contest_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "tracking_mentor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("contact_phone_enc", sa.String(length=300), nullable=True),
        sa.Column("contact_phone_bidx", sa.String(length=64), nullable=True),
        sa.Column("contact_phone_masked", sa.String(length=20), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_tracking_mentor_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_mentor_org_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_mentor")),
    )
    with op.batch_alter_table("tracking_mentor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_mentor_contact_phone_bidx"), ["contact_phone_bidx"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_mentor_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_mentor_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "tracking_venture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_tracking_venture_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["graduate_id"], ["registry_graduate.id"], name=op.f("fk_tracking_venture_graduate_id_registry_graduate")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_venture_org_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_venture")),
    )
    with op.batch_alter_table("tracking_venture", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_venture_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_venture_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_venture_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "tracking_contest_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("venture_id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("criterion", sa.String(length=32), nullable=True),
        sa.Column("screening_note", sa.Text(), nullable=True),
        sa.Column("screened_on", sa.Date(), nullable=True),
        sa.Column("screened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["tracking_contest.id"], name=op.f("fk_tracking_contest_entry_contest_id_tracking_contest")
        ),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_tracking_contest_entry_graduate_id_registry_graduate"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_contest_entry_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["screened_by_id"], ["user_account.id"], name=op.f("fk_tracking_contest_entry_screened_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user_account.id"],
            name=op.f("fk_tracking_contest_entry_submitted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["venture_id"], ["tracking_venture.id"], name=op.f("fk_tracking_contest_entry_venture_id_tracking_venture")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_contest_entry")),
        sa.UniqueConstraint("contest_id", "venture_id", name=op.f("uq_tracking_contest_entry_contest_id_venture_id")),
    )
    with op.batch_alter_table("tracking_contest_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_contest_entry_contest_id"), ["contest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_contest_entry_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_contest_entry_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_contest_entry_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_contest_entry_venture_id"), ["venture_id"], unique=False)

    op.create_table(
        "tracking_mentor_pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("venture_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("employer_name", sa.String(length=200), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_tracking_mentor_pairing_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_tracking_mentor_pairing_graduate_id_registry_graduate"),
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["tracking_mentor.id"], name=op.f("fk_tracking_mentor_pairing_mentor_id_tracking_mentor")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_mentor_pairing_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_tracking_mentor_pairing_updated_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["venture_id"], ["tracking_venture.id"], name=op.f("fk_tracking_mentor_pairing_venture_id_tracking_venture")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_mentor_pairing")),
    )
    with op.batch_alter_table("tracking_mentor_pairing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_mentor_pairing_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_mentor_pairing_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_mentor_pairing_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_mentor_pairing_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_mentor_pairing_venture_id"), ["venture_id"], unique=False)

    op.create_table(
        "tracking_mentor_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_tracking_mentor_contact_graduate_id_registry_graduate"),
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_mentor_contact_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["tracking_mentor_pairing.id"],
            name=op.f("fk_tracking_mentor_contact_pairing_id_tracking_mentor_pairing"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_tracking_mentor_contact_recorded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_mentor_contact")),
    )
    with op.batch_alter_table("tracking_mentor_contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_mentor_contact_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_mentor_contact_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_mentor_contact_pairing_id"), ["pairing_id"], unique=False)

    op.create_table(
        "tracking_venture_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venture_id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["tracking_contest_entry.id"],
            name=op.f("fk_tracking_venture_support_entry_id_tracking_contest_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["graduate_id"],
            ["registry_graduate.id"],
            name=op.f("fk_tracking_venture_support_graduate_id_registry_graduate"),
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["tracking_mentor.id"], name=op.f("fk_tracking_venture_support_mentor_id_tracking_mentor")
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_tracking_venture_support_org_unit_id_org_unit")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_tracking_venture_support_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["venture_id"],
            ["tracking_venture.id"],
            name=op.f("fk_tracking_venture_support_venture_id_tracking_venture"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_venture_support")),
    )
    with op.batch_alter_table("tracking_venture_support", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_venture_support_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_venture_support_given_on"), ["given_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_venture_support_graduate_id"), ["graduate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_venture_support_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_venture_support_venture_id"), ["venture_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracking_venture_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_venture_support_venture_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_venture_support_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_venture_support_graduate_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_venture_support_given_on"))
        batch_op.drop_index(batch_op.f("ix_tracking_venture_support_entry_id"))

    op.drop_table("tracking_venture_support")
    with op.batch_alter_table("tracking_mentor_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_contact_pairing_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_contact_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_contact_graduate_id"))

    op.drop_table("tracking_mentor_contact")
    with op.batch_alter_table("tracking_mentor_pairing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_pairing_venture_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_pairing_state"))
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_pairing_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_pairing_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_pairing_graduate_id"))

    op.drop_table("tracking_mentor_pairing")
    with op.batch_alter_table("tracking_contest_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_contest_entry_venture_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_contest_entry_state"))
        batch_op.drop_index(batch_op.f("ix_tracking_contest_entry_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_contest_entry_graduate_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_contest_entry_contest_id"))

    op.drop_table("tracking_contest_entry")
    with op.batch_alter_table("tracking_venture", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_venture_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_venture_kind"))
        batch_op.drop_index(batch_op.f("ix_tracking_venture_graduate_id"))

    op.drop_table("tracking_venture")
    with op.batch_alter_table("tracking_mentor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_kind"))
        batch_op.drop_index(batch_op.f("ix_tracking_mentor_contact_phone_bidx"))

    op.drop_table("tracking_mentor")
    with op.batch_alter_table("tracking_contest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_contest_org_unit_id"))

    op.drop_table("tracking_contest")
