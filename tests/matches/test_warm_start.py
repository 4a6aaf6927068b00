"""A worker started with ``SUNSHINE_WARM_START`` (as ``sunshine serve`` starts it) builds its match index before
it takes requests: the first graduate after a restart is ranked at once, not after a build nor refused."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services import heap
from services.app import create_app
from services.config import get_settings
from services.matches import holder as holder_module
from tests.conftest import World
from tests.matches.factories import make_graduate, make_position


@pytest.fixture
def warm_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SUNSHINE_WARM_START", "1")
    monkeypatch.setattr(heap, "_settled", False)
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SUNSHINE_WARM_START")
    get_settings.cache_clear()
    gc.unfreeze()  # the worker's settled heap is this test process's: later tests start unsettled


@pytest.mark.usefixtures("warm_settings")
def test_the_index_is_built_before_the_first_request(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_position = make_position(db, world)
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    db.commit()
    monkeypatch.setattr(holder_module, "_holders", {})
    app = create_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        holder = holder_module.holder_for(db)
        assert holder.stamp is not None, "the index was built when the worker started"
        assert app.openapi_schema is not None, "every route's models were built when the worker started"
        assert gc.get_freeze_count() > 0, "what it built to serve with is out of the garbage collector's way"
        built_at = holder.stamp
        r = client.get(f"/api/v1/graduates/{me.id}/matches", headers=world.headers("graduate_a"))
        assert r.status_code == 200, r.text
        assert open_position.id in [m["position_id"] for m in r.json()["items"]]
        assert holder.last_sync.rebuilt is False, "the first request used the index built at start"
        assert holder.stamp == built_at


def test_without_it_the_index_waits_for_the_first_request(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_position(db, world)
    db.commit()
    monkeypatch.setattr(holder_module, "_holders", {})
    with TestClient(create_app(), raise_server_exceptions=False):
        assert holder_module.holder_for(db).stamp is None
