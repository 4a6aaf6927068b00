"""Walks every route × every role × own / same-scope / other-scope object (see matrix.py)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import tests.authz as authz_pkg
from services.routers import ROUTERS
from tests.authz.matrix import ACTORS, CASES, Case
from tests.conftest import World

PUBLIC = {
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/metrics"),
    ("POST", "/api/v1/employers/signup"),  # an enterprise signs up before it has an account
    ("POST", "/api/v1/invitations/activate"),  # the one-time code is the credential
}

for mod in pkgutil.iter_modules(authz_pkg.__path__):
    if mod.name.startswith("cases_"):
        importlib.import_module(f"tests.authz.{mod.name}")


def app_routes() -> set[tuple[str, str]]:
    out = set()
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for method in route.methods:
                    out.add((method, route.path))
    return out


def test_every_route_is_in_the_matrix() -> None:
    missing = sorted(app_routes() - PUBLIC - set(CASES))
    assert not missing, f"routes missing from the authorization matrix: {missing}"
    stale = sorted(set(CASES) - app_routes())
    assert not stale, f"matrix entries for routes that do not exist: {stale}"


def _params() -> list[object]:
    out = []
    for key, c in sorted(CASES.items()):
        for actor in ACTORS:
            for rel in c.relations:
                out.append(pytest.param(key, actor, rel, id=f"{key[0]} {key[1]} {actor} {rel}"))
    return out


@pytest.mark.parametrize(("key", "actor", "relation"), _params())
def test_matrix(key: tuple[str, str], actor: str, relation: str, client: TestClient, db: Session, world: World) -> None:
    c: Case = CASES[key]
    call = c.build(db, world, actor, relation) if c.build else None  # type: ignore[arg-type]
    db.commit()
    path = c.path.format(**call.path_params) if call else c.path
    kwargs = {}
    if call is not None:
        kwargs = {
            k: v
            for k, v in {"json": call.json, "data": call.data, "files": call.files, "params": call.params}.items()
            if v is not None
        }
    resp = client.request(c.method, path, headers=world.headers(actor), **kwargs)
    granted = relation in c.allowed.get(actor, frozenset())
    assert resp.status_code < 500, resp.text
    if granted:
        ok = call.ok if call else frozenset({200, 201, 202, 204})
        assert resp.status_code in ok, f"{actor} should be allowed ({relation}): {resp.status_code} {resp.text}"
    else:
        assert resp.status_code in {403, 404}, f"{actor} must be refused ({relation}): {resp.status_code}"
    # without a token every one of these routes answers 401
    anon = client.request(c.method, path, **kwargs)
    assert anon.status_code == 401
