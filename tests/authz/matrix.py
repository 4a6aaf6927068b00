"""The authorization matrix: every route × every role × own / same-scope / other-scope object.

Each domain declares its routes in a ``cases_<domain>.py`` module beside this one with :func:`case`.
A case names, per role, the relations under which access is granted. ``build`` makes the target object for
a relation and returns the request to send; routes without a target object use relation ``"none"``.

Relations (the actor always sits in county A):
- ``own``: the actor's own record (own account, own graduate profile, own employer's position);
- ``same``: someone else's record inside the actor's scope (county A);
- ``other``: a record in county B.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from tests.conftest import World

Relation = Literal["own", "same", "other", "none"]
ACTORS = ("admin", "city", "county_a", "counselor_a", "graduate_a", "enterprise_a")


@dataclass
class Call:
    path_params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    data: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    ok: frozenset[int] = frozenset({200, 201, 202, 204})


Builder = Callable[[Session, World, str, Relation], Call]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    allowed: Mapping[str, frozenset[Relation]]
    relations: tuple[Relation, ...]
    build: Builder | None


CASES: dict[tuple[str, str], Case] = {}


def case(
    method: str,
    path: str,
    *,
    allowed: Mapping[str, set[Relation] | str],
    relations: tuple[Relation, ...] = ("own", "same", "other"),
    build: Builder | None = None,
) -> None:
    """Declare a route. ``allowed`` maps actor keys (see ACTORS) to relations, or "*" for all of them."""
    rels: tuple[Relation, ...] = relations if build is not None else ("none",)
    norm = {actor: frozenset(rels) if v == "*" else frozenset(v) for actor, v in allowed.items()}
    unknown = set(norm) - set(ACTORS)
    if unknown:
        raise ValueError(f"unknown actors {unknown}")
    CASES[(method.upper(), path)] = Case(method.upper(), path, norm, rels, build)


def all_roles(*, except_: tuple[str, ...] = ()) -> dict[str, str]:
    return {a: "*" for a in ACTORS if a not in except_}


STAFF = ("admin", "city", "county_a")
