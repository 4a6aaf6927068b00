"""notifications: one inbox for every source — aid's deadline warnings join tracking's messages

The ``notification`` table gains ``source`` (the domain that wrote the message) and ``key`` (unique per recipient
when set, so a message can be written once); the rows of ``aid_notification`` move into it and that table goes.
Downgrade moves them back.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0004"

# the titles of services.aid's DEADLINES when this migration was written (a migration keeps its own copy)
DEADLINE_TITLES = {
    "archives": "建立完善助学档案并上报金秋助学资金需求汇总表",
    "paper_files": "报送纸质申报材料至职工服务中心",
    "stage_report": "报送活动阶段性情况报告",
    "final_report": "报送活动总结",
}

notification = sa.table(
    "notification",
    sa.column("id", sa.Integer()),
    sa.column("recipient_id", sa.Integer()),
    sa.column("org_unit_id", sa.Integer()),
    sa.column("source", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("title", sa.String()),
    sa.column("body", sa.Text()),
    sa.column("link", sa.String()),
    sa.column("key", sa.String()),
    sa.column("is_read", sa.Boolean()),
    sa.column("read_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
aid_notification = sa.table(
    "aid_notification",
    sa.column("id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("year", sa.Integer()),
    sa.column("deadline", sa.String()),
    sa.column("due_on", sa.Date()),
    sa.column("day", sa.Date()),
    sa.column("message", sa.String()),
    sa.column("read_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
campaign = sa.table(
    "aid_campaign",
    sa.column("year", sa.Integer()),
    *(sa.column(f"{code}_due", sa.Date()) for code in DEADLINE_TITLES),
)
user_account = sa.table("user_account", sa.column("id", sa.Integer()), sa.column("org_unit_id", sa.Integer()))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="tracking"))
        batch_op.add_column(sa.Column("key", sa.String(length=120), nullable=True))
        batch_op.create_index("uq_notification_recipient_key", ["recipient_id", "key"], unique=True)

    bind = op.get_bind()
    orgs = dict(bind.execute(sa.select(user_account.c.id, user_account.c.org_unit_id)).all())
    rows = bind.execute(sa.select(aid_notification).order_by(aid_notification.c.id)).mappings().all()
    if rows:
        op.bulk_insert(
            notification,
            [
                {
                    "recipient_id": r["user_id"],
                    "org_unit_id": orgs.get(r["user_id"]),
                    "source": "aid",
                    "kind": "deadline",
                    "title": "截止日期提醒：" + DEADLINE_TITLES.get(r["deadline"], r["deadline"]),
                    "body": r["message"],
                    "link": f"/api/v1/aid/campaigns/{r['year']}/deadlines",
                    "key": f"aid:{r['year']}:{r['deadline']}:{_day(r['day']).isoformat()}",
                    "is_read": r["read_at"] is not None,
                    "read_at": r["read_at"],
                    "created_at": r["created_at"],
                }
                for r in rows
            ],
        )

    with op.batch_alter_table("aid_notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_notification_user_id"))
    op.drop_table("aid_notification")


def downgrade() -> None:
    op.create_table(
        "aid_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(length=24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_aid_notification_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_notification")),
        sa.UniqueConstraint(
            "user_id", "year", "deadline", "day", name=op.f("uq_aid_notification_user_id_year_deadline_day")
        ),
    )
    with op.batch_alter_table("aid_notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_notification_user_id"), ["user_id"], unique=False)

    bind = op.get_bind()
    aid = (
        bind.execute(sa.select(notification).where(notification.c.source == "aid").order_by(notification.c.id))
        .mappings()
        .all()
    )
    back = []
    for r in aid:
        _, year, deadline, day = str(r["key"]).split(":")
        column = campaign.c.get(f"{deadline}_due")
        due = (
            bind.execute(sa.select(column).where(campaign.c.year == int(year))).scalar() if column is not None else None
        )
        back.append(
            {
                "user_id": r["recipient_id"],
                "year": int(year),
                "deadline": deadline,
                "due_on": _day(due) if due is not None else date.fromisoformat(day),
                "day": date.fromisoformat(day),
                "message": r["body"][:300],
                "read_at": r["read_at"],
                "created_at": r["created_at"],
            }
        )
    if back:
        op.bulk_insert(aid_notification, back)
    bind.execute(sa.delete(notification).where(notification.c.source == "aid"))

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("uq_notification_recipient_key")
        batch_op.drop_column("key")
        batch_op.drop_column("source")
