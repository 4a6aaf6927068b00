from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from services.db import get_engine, make_engine
from services.models import Base

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


url = config.get_main_option("sqlalchemy.url")
connectable = config.attributes.get("connection")
if connectable is not None:
    run(connectable)
else:
    engine = make_engine(url) if url else get_engine()
    with engine.connect() as conn:
        run(conn)
        conn.commit()
