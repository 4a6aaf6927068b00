"""Run the Alembic migrations in ``infra/alembic`` against the configured database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

INFRA = Path(__file__).resolve().parents[1] / "infra"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(INFRA / "alembic.ini"))
    cfg.set_main_option("script_location", str(INFRA / "alembic"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine | None = None, revision: str = "heads") -> None:
    cfg = alembic_config()
    if engine is None:
        command.upgrade(cfg, revision)
        return
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
