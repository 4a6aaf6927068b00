"""On PostgreSQL, allocations from one donation fund made at the same moment are judged one after the other: with
the balance for one, two at once give one allocation and one refusal naming the balance, and the fund's allocated
total equals what was kept. Real commits from real threads, on a freshly migrated database of its own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from services import db as dbmod
from services import migrate
from services.aid import donations
from services.aid.donation_models import AidDonationAllocation, AidDonationFund
from services.errors import ValidationFailed
from tests.aid import factories as f
from tests.aid.test_payment_concurrency import _world
from tests.conftest import create_pg_database, drop_pg_database

CALLERS = 2


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


@pytest.mark.postgres
@pytest.mark.parametrize("same_student", [True, False])
def test_two_allocations_at_once_never_overdraw_the_fund(pg_engine: Engine, same_student: bool) -> None:
    factory = sessionmaker(bind=pg_engine, expire_on_commit=False)
    with factory.begin() as session:
        world = _world(session)
        clerk = f.principal(session, world, "county_a")
        fund = donations.create_fund(
            session,
            principal=clerk,
            data=donations.FundInput(
                year=2023,
                name="爱心企业助学金",
                donor_name="蒙城某纺织有限公司",
                donor_kind="enterprise",
                pledged=Decimal("3000.00"),
                received=Decimal("3000.00"),
            ),
        )
        first, _ = f.seeded_student(session, world)
        second = first if same_student else f.seeded_student(session, world)[0]
        students = [first.id, second.id]
        fund_id = fund.id

    barrier = threading.Barrier(CALLERS)
    kept: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def call(student_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            with factory.begin() as s:
                row = donations.allocate(
                    s, principal=clerk, fund_id=fund_id, student_id=student_id, amount=Decimal("2000.00")
                )
            with lock:
                kept.append(row.id)
        except ValidationFailed as exc:
            with lock:
                refused.append(exc.detail)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=call, args=(sid,)) for sid in students]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(kept) == 1
    assert refused == ["捐款余额不足：余额 1000.00 元，本次 2000.00 元"]
    with factory() as s:
        row = s.get(AidDonationFund, fund_id)
        assert row is not None and row.allocated == Decimal("2000.00")
        rows = list(s.scalars(select(AidDonationAllocation).where(AidDonationAllocation.fund_id == fund_id)))
        assert [r.id for r in rows] == kept
