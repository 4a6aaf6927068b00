"""A real Celery worker on Redis runs ``rematch_all``: the fan-out chunks run on the worker and every graduate's
top-k is stored with the catalog version used."""

from __future__ import annotations

import subprocess

import pytest
from celery.result import AsyncResult
from sqlalchemy import func, select

from services import queue
from services.catalog import service as catalog
from services.db import get_sessionmaker
from services.matches.models import MatchResult, MatchSnapshot
from services.orgs import service as orgs_service
from services.orgs.models import OrgUnit
from tests.conftest import World
from tests.foundation.test_queue import redis_settings, worker  # noqa: F401 - fixtures
from tests.matches.factories import make_employer, make_graduate, make_position


@pytest.mark.slow
def test_real_worker_runs_rematch_all_in_chunks(worker: subprocess.Popen[bytes]) -> None:  # noqa: F811
    with get_sessionmaker()() as session:
        orgs_service.load_tree(session, rows=orgs_service.read_tree())
        world = World(orgs={u.code: u.id for u in session.scalars(select(OrgUnit))})
        employer = make_employer(session, world)
        make_position(session, world, employer=employer)
        make_position(session, world, employer=employer, kind="internship", title="软件测试见习")
        make_position(session, world, employer=make_employer(session, world, side="b"), side="b")
        ids = [make_graduate(session, world, side="a" if i % 2 else "b").id for i in range(7)]
        session.commit()
        version = catalog.current_version(session)

    result = queue.send_now("sunshine.matches.rematch_all", 3).get(timeout=120)
    assert result["chunks"] == 3 and result["graduates"] == 7
    app = queue.celery_app()
    chunks = [AsyncResult(task_id, app=app).get(timeout=120) for task_id in result["task_ids"]]
    assert sum(c["computed"] for c in chunks) == 7
    assert worker.poll() is None

    with get_sessionmaker()() as session:
        snapshots = list(session.scalars(select(MatchSnapshot).order_by(MatchSnapshot.graduate_id)))
        assert [s.graduate_id for s in snapshots] == sorted(ids)
        assert {s.catalog_version for s in snapshots} == {version}
        stored = session.scalar(select(func.count()).select_from(MatchResult))
        assert stored == sum(c["results"] for c in chunks) and stored >= 7
