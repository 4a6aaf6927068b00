"""附件9 benchmark: a scratch database filled with generated graduates, their status history, services, contacts
and placements (SQLAlchemy Core multi-row inserts), then the time to build 附件9 for the city and for one county.

``run_report_bench(graduates=100_000, database_url=None)`` measures SQLite (a scratch file) always, and
PostgreSQL when ``database_url`` names a server: a scratch database is created there and dropped afterwards.
Goal: the city-wide 附件9 for 100k graduates in ≤ 10 s on PostgreSQL.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.orm import Session

from services import db as dbmod
from services import migrate
from services.catalog.models import JobFair, Position
from services.orgs import service as orgs_service
from services.orgs.models import OrgKind, OrgUnit
from services.registry.models import Graduate
from services.reports import tables
from services.tracking.models import Application, Contact, ServiceRecord, StatusChange

GOAL_SECONDS = 10.0
CHUNK = 5_000
AS_OF = date(2023, 11, 28)
STATUSES = (
    ("unemployed", 14),
    ("seeking", 16),
    ("internship", 6),
    ("signed", 10),
    ("employed", 28),
    ("grassroots", 6),
    ("self_employed", 6),
    ("further_study", 8),
    ("military", 2),
    ("not_seeking", 4),
)
KINDS = (
    "policy_briefing",
    "career_guidance",
    "job_recommendation",
    "job_recommendation",
    "job_recommendation",
    "training_offer",
    "internship_offer",
    "interview_coaching",
    "entrepreneurship_guidance",
    "job_fair",
)
PROGRAMS = ("tegang", "sanzhi_yifu", "xibu", "chengxiang_shequ", "xiangcun_yisheng")


def _chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK) -> Iterator[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _insert(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> int:
    for part in _chunks(rows):
        session.execute(insert(model), list(part))
    return len(rows)


@contextmanager
def _scratch(database_url: str | None) -> Iterator[tuple[str, Engine]]:
    """A fresh, migrated database: a temporary SQLite file, or a new database on the given PostgreSQL server."""
    if database_url is None or database_url.startswith("sqlite"):
        folder = Path(tempfile.mkdtemp(prefix="sunshine-report-bench-"))
        engine = dbmod.make_engine(f"sqlite:///{folder / 'bench.db'}")
        try:
            migrate.upgrade(engine)
            yield "sqlite", engine
        finally:
            engine.dispose()
            for f in folder.iterdir():
                f.unlink()
            folder.rmdir()
        return
    name = f"sunshine_report_bench_{uuid.uuid4().hex[:8]}"
    server = database_url.rsplit("/", 1)[0]
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = dbmod.make_engine(f"{server}/{name}")
    try:
        migrate.upgrade(engine)
        yield "postgresql", engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _fill(session: Session, graduates: int, rng: random.Random) -> dict[str, int]:
    orgs_service.load_tree(session, rows=orgs_service.read_tree())
    units = list(session.scalars(select(OrgUnit).where(OrgUnit.kind == OrgKind.GRASSROOTS.value)))
    city = session.scalar(select(OrgUnit.id).where(OrgUnit.kind == OrgKind.CITY.value))
    start = datetime(2023, 1, 5, tzinfo=UTC)
    statuses = [s for s, w in STATUSES for _ in range(w)]
    grads: list[dict[str, Any]] = []
    for i in range(graduates):
        unit = units[i % len(units)]
        grads.append(
            {
                "org_unit_id": unit.id,
                "stage": "graduate",
                "service_category": "5",
                "name": f"毕业生{i}",
                "id_number_enc": "bench",
                "id_number_bidx": f"bench-{i:09d}",
                "id_number_masked": "341***********0000",
                "sex": "男" if i % 2 else "女",
                "birth_date": date(2000, 1, 1) + timedelta(days=i % 1500),
                "school_kind": "07",
                "school_name": "安徽大学",
                "education": ("21", "31", "14")[i % 3],
                "cohort": 2021 + i % 4,
                "employment_status": "unemployed",
                "created_at": start + timedelta(minutes=i % 200_000),
                "updated_at": start,
                "intentions": [],
                "preferred_places": [],
                "skills": [],
            }
        )
    _insert(session, Graduate, grads)
    rows = session.execute(select(Graduate.id, Graduate.org_unit_id).order_by(Graduate.id)).all()
    positions: list[dict[str, Any]] = []
    for p, program in enumerate([*PROGRAMS * 10, *[None] * 50]):
        kind = "grassroots" if program else "entrepreneurship"
        positions.append(
            {
                "org_unit_id": units[p % len(units)].id if p % 3 else city,
                "kind": kind,
                "title": f"{kind}-{p}",
                "source": "union_partner",
                "status": "open",
                "program": program,
                "headcount": 20,
                "published_at": start + timedelta(days=p),
                "fund_amount": None if program else Decimal("50000.00"),
                "created_at": start,
                "updated_at": start,
            }
        )
    for p in range(400):
        kind = ("job", "internship", "work_study")[p % 3]
        positions.append(
            {
                "org_unit_id": units[p % len(units)].id,
                "kind": kind,
                "title": f"{kind}-{p}",
                "source": "job_fair",
                "status": "open",
                "headcount": 1 + p % 9,
                "published_at": start + timedelta(days=p % 300),
                "subsidy": Decimal("1800.00") if kind == "internship" else None,
                "duration_months": 6 if kind == "internship" else None,
                "filled": min(p % 4, 1 + p % 9),
                "created_at": start,
                "updated_at": start,
            }
        )
    _insert(session, Position, positions)
    pos = session.execute(select(Position.id, Position.kind).order_by(Position.id)).all()
    grassroots = [pid for pid, kind in pos if kind == "grassroots"]
    ventures = [pid for pid, kind in pos if kind == "entrepreneurship"]
    _insert(
        session,
        JobFair,
        [
            {
                "title": f"招聘会{f}",
                "mode": "on_site",
                "starts_at": start + timedelta(days=f * 3),
                "organiser": "总工会",
                "org_unit_id": units[f % len(units)].id,
                "created_at": start,
                "updated_at": start,
            }
            for f in range(80)
        ],
    )
    changes: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    apps: list[dict[str, Any]] = []
    for gid, org in rows:
        filed = start + timedelta(days=rng.randrange(30))
        final = rng.choice(statuses)
        changes.append(
            {"graduate_id": gid, "org_unit_id": org, "status": "unemployed", "source": "registry", "at": filed}
        )
        if rng.random() < 0.5:
            changes.append(
                {
                    "graduate_id": gid,
                    "org_unit_id": org,
                    "status": "seeking",
                    "source": "pipeline",
                    "at": filed + timedelta(days=20),
                }
            )
        if final not in {"unemployed", "seeking"}:
            changes.append(
                {
                    "graduate_id": gid,
                    "org_unit_id": org,
                    "status": final,
                    "source": "event",
                    "at": filed + timedelta(days=60 + rng.randrange(200)),
                }
            )
        if final == "grassroots" and rng.random() < 0.8:
            apps.append(
                {"graduate_id": gid, "position_id": rng.choice(grassroots), "org_unit_id": org, "state": "employed"}
            )
        elif final == "self_employed" and rng.random() < 0.5:
            apps.append(
                {"graduate_id": gid, "position_id": rng.choice(ventures), "org_unit_id": org, "state": "signed"}
            )
        for _ in range(rng.randrange(8)):
            services.append(
                {
                    "graduate_id": gid,
                    "org_unit_id": org,
                    "kind": rng.choice(KINDS),
                    "delivered_on": (filed + timedelta(days=rng.randrange(300))).date(),
                    "created_at": filed,
                }
            )
        for _ in range(rng.randrange(4)):
            contacts.append(
                {
                    "graduate_id": gid,
                    "org_unit_id": org,
                    "channel": "phone",
                    "contacted_at": filed + timedelta(days=rng.randrange(300)),
                    "outcome": rng.choice(("reached", "reached", "not_reached", "needs_help")),
                    "summary": "电话回访",
                    "created_at": filed,
                }
            )
    now = datetime.now(UTC)
    for a in apps:
        a |= {"state_changed_at": now, "created_at": now, "updated_at": now}
    return {
        "graduates": graduates,
        "status_changes": _insert(session, StatusChange, changes),
        "services": _insert(session, ServiceRecord, services),
        "contacts": _insert(session, Contact, contacts),
        "applications": _insert(session, Application, apps),
        "positions": len(positions),
    }


def _measure(backend: str, engine: Engine, graduates: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    with Session(engine) as session, session.begin():
        counts = _fill(session, graduates, rng)
    fill_seconds = time.perf_counter() - t0
    if backend == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    with Session(engine) as session:
        t1 = time.perf_counter()
        report = tables.build_report(session, report="annex9", scope=None, unit_name="亳州市总工会", as_of=AS_OF)
        city_seconds = time.perf_counter() - t1
        county = session.scalar(select(OrgUnit).where(OrgUnit.code == "BZ-MC"))
        assert county is not None
        scope = orgs_service.subtree_ids(session, org_unit_id=county.id)
        t2 = time.perf_counter()
        tables.build_report(session, report="annex9", scope=scope, unit_name=county.name, as_of=AS_OF)
        county_seconds = time.perf_counter() - t2
    total = report.tables[0].total.values
    return {
        **counts,
        "fill_seconds": round(fill_seconds, 2),
        "annex9_city_seconds": round(city_seconds, 3),
        "annex9_county_seconds": round(county_seconds, 3),
        "rows": len(report.tables[0].rows),
        "registered": total["registered"],
        "employment_rate": str(total["employment_rate"]),
        "goal_seconds": GOAL_SECONDS,
        "within_goal": city_seconds <= GOAL_SECONDS,
    }


def run_report_bench(graduates: int = 100_000, database_url: str | None = None) -> dict[str, Any]:
    """Time 附件9 over ``graduates`` generated graduates on SQLite and, given a server URL, on PostgreSQL."""
    out: dict[str, Any] = {"graduates": graduates, "as_of": AS_OF.isoformat()}
    targets: list[str | None] = [None]
    if database_url and database_url.startswith("postgresql"):
        targets.insert(0, database_url)
    for url in targets:
        with _scratch(url) as (backend, engine):
            out[backend] = _measure(backend, engine, graduates, seed=2023)
    return out
