"""A raw read of the database (and of pg_dump on PostgreSQL) finds no plaintext of seeded protected values.

Each domain adds a seeder to SEEDERS that stores protected values through its own service and returns the
plaintexts it stored.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from services.security import service as security
from services.security.models import User
from tests.conftest import World

Seeder = Callable[[Session, World], list[str]]
SEEDERS: list[Seeder] = []


def seeds(fn: Seeder) -> Seeder:
    SEEDERS.append(fn)
    return fn


@seeds
def _user_phones(db: Session, world: World) -> list[str]:
    user = db.get(User, world.users["graduate_a"])
    assert user is not None
    security.set_phone(user, "13905671234")
    return ["13905671234"]


def _load_domain_seeders() -> None:
    import importlib
    import pkgutil

    import tests

    for mod in pkgutil.walk_packages(tests.__path__, "tests."):
        if mod.name.endswith(".at_rest_seeds"):
            importlib.import_module(mod.name)


_load_domain_seeders()


def _dump_all_text(db: Session) -> str:
    parts = []
    for table in inspect(db.connection()).get_table_names():
        for row in db.execute(text(f'SELECT * FROM "{table}"')):
            parts.append(" ".join(str(v) for v in row))
    return "\n".join(parts)


def test_no_plaintext_in_any_table(db: Session, world: World) -> None:
    secrets = [s for seeder in SEEDERS for s in seeder(db, world)]
    db.flush()
    dump = _dump_all_text(db)
    assert len(secrets) >= 1
    leaked = [s for s in secrets if s in dump]
    assert leaked == [], f"plaintext found at rest: {leaked}"


def test_no_plaintext_in_pg_dump(pg_server_url: str, world: World) -> None:
    """Seeds into a fresh committed database and scans pg_dump's output."""
    from services import migrate
    from services.db import make_engine
    from services.orgs import service as orgs
    from tests.conftest import create_pg_database, drop_pg_database

    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed")
    name, url = create_pg_database(pg_server_url)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            orgs.load_tree(session, rows=orgs.read_tree())
            from tests.conftest import _HASH

            local = World()
            for code, uid in session.execute(text("SELECT code, id FROM org_unit")):
                local.orgs[code] = uid
            for key, role, org in [
                ("graduate_a", "graduate", "BZ-MC-01"),
                ("counselor_a", "counselor", "BZ-MC"),
                ("admin", "admin", "BZ"),
                ("county_a", "union_county", "BZ-MC"),
                ("graduate_b", "graduate", "BZ-GY-01"),
                ("county_b", "union_county", "BZ-GY"),
                ("enterprise_a", "enterprise", "BZ-MC"),
                ("counselor_b", "counselor", "BZ-GY"),
                ("city", "union_city", "BZ"),
                ("enterprise_b", "enterprise", "BZ-GY"),
            ]:
                user = User(
                    username=key,
                    display_name=key,
                    password_hash=_HASH,
                    role=role,
                    org_unit_id=local.orgs[org],
                    token_version=1,
                )
                session.add(user)
                session.flush()
                local.users[key] = user.id
                local.roles[key] = role
            secrets = [s for seeder in SEEDERS for s in seeder(session, local)]
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        out = subprocess.run(["pg_dump", "--data-only", plain], capture_output=True, text=True, check=True)
        assert "user_account" in out.stdout
        leaked = [s for s in secrets if s in out.stdout]
        assert leaked == [], f"plaintext found in pg_dump: {leaked}"
    finally:
        engine.dispose()
        drop_pg_database(pg_server_url, name)
