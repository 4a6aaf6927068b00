"""On PostgreSQL, 50 concurrent payment requests for one award — 25 sharing one idempotency key, 25 with fresh
keys — make exactly one payment, and every caller with the shared key gets the same answer.

This needs real commits from real threads, so it runs on its own freshly migrated database.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from services import db as dbmod
from services import migrate
from services.aid import service
from services.aid.models import AidAward, AidPayment, AidPaymentRequest, AwardStatus
from services.orgs import service as orgs_service
from services.orgs.models import OrgUnit
from services.security.models import Role, User
from services.security.principal import Principal
from tests.aid import factories as f
from tests.conftest import World, create_pg_database, drop_pg_database

REQUESTS = 50
AFTER_NOTICE = date(2023, 10, 16)


@pytest.fixture
def pg_engine(pg_server_url: str) -> Iterator[Engine]:
    name, url = create_pg_database(pg_server_url)
    engine = dbmod.make_engine(url)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_pg_database(pg_server_url, name)


def _world(session: Session) -> World:
    w = World()
    orgs_service.load_tree(session, rows=orgs_service.read_tree())
    for unit in session.scalars(select(OrgUnit)):
        w.orgs[unit.code] = unit.id
    for key, role, org in (
        ("city", Role.UNION_CITY, "BZ"),
        ("county_a", Role.UNION_COUNTY, "BZ-MC"),
        ("county_b", Role.UNION_COUNTY, "BZ-GY"),
    ):
        user = User(username=key, display_name=key, password_hash="x", role=role, org_unit_id=w.orgs[org])
        session.add(user)
        session.flush()
        w.users[key], w.roles[key] = user.id, role
    return w


@pytest.mark.postgres
def test_fifty_concurrent_requests_pay_once(pg_engine: Engine) -> None:
    factory = sessionmaker(bind=pg_engine, expire_on_commit=False)
    with factory.begin() as session:
        world = _world(session)
        f.setup_year(session, world)
        award, _ = f.approved_award(session, world)
        f.noticed(session, world, [award])
        award_id = award.id
        clerk = f.principal(session, world, "county_a")

    shared = f"shared-{uuid.uuid4().hex}"
    keys = [shared] * (REQUESTS // 2) + [f"fresh-{uuid.uuid4().hex}" for _ in range(REQUESTS // 2)]
    barrier = threading.Barrier(REQUESTS)
    answers: list[tuple[str, service.PaymentAnswer]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def call(key: str, who: Principal) -> None:
        try:
            barrier.wait(timeout=30)
            with factory.begin() as s:
                answer = service.request_payment(
                    s, principal=who, award_id=award_id, idempotency_key=key, today=AFTER_NOTICE
                )
            with lock:
                answers.append((key, answer))
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=call, args=(key, clerk)) for key in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(answers) == REQUESTS

    with factory() as s:
        payments = list(s.scalars(select(AidPayment).where(AidPayment.award_id == award_id)))
        assert len(payments) == 1
        assert s.scalar(select(func.count()).select_from(AidPaymentRequest)) == REQUESTS // 2 + 1
        award_status = s.scalar(select(AidAward.status).where(AidAward.id == award_id))
        assert award_status == AwardStatus.PAYING
    payment = payments[0]

    same = [a for k, a in answers if k == shared]
    assert len({(a.status_code, repr(sorted(a.body.items()))) for a in same}) == 1
    fresh_created = [a for k, a in answers if k != shared and a.status_code == 201]
    if same[0].status_code == 201:  # the shared key won: every fresh key was refused
        assert fresh_created == []
    else:  # one fresh key won: the shared key was refused, the same way every time
        assert len(fresh_created) == 1
    assert {a.status_code for _, a in answers} <= {201, 409}
    for _, a in answers:
        assert a.body["payment_id"] == payment.id
