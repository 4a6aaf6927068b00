"""Org tree: load from data, resolve subtrees for scopes."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from services.errors import NotFound, ValidationFailed
from services.orgs.models import OrgKind, OrgUnit

DEFAULT_TREE = "bozhou.csv"


def read_tree(path: Path | None = None) -> list[dict[str, str]]:
    if path is None:
        text = resources.files("services.orgs").joinpath("data", DEFAULT_TREE).read_text("utf-8")
    else:
        text = path.read_text("utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def load_tree(session: Session, *, rows: Iterable[dict[str, str]]) -> int:
    """Upsert org units by code; parents must come before children. Returns the number of rows written."""
    by_code = {u.code: u for u in session.scalars(select(OrgUnit))}
    kinds = {k.value for k in OrgKind}
    count = 0
    for line, row in enumerate(rows, start=2):
        code = row["code"].strip()
        if row["kind"] not in kinds:
            raise ValidationFailed(f"第{line}行：单位类别“{row['kind']}”无效", field="kind")
        div = row["division_code"].strip()
        if not (len(div) == 6 and div.isdigit()):
            raise ValidationFailed(f"第{line}行：行政区划代码应为6位数字", field="division_code")
        parent = by_code.get(row["parent_code"].strip()) if row.get("parent_code") else None
        if row.get("parent_code") and parent is None:
            raise ValidationFailed(f"第{line}行：上级单位“{row['parent_code']}”不存在", field="parent_code")
        unit = by_code.get(code)
        if unit is None:
            unit = OrgUnit(code=code, path="")
            session.add(unit)
            by_code[code] = unit
        unit.name, unit.kind, unit.division_code = row["name"].strip(), row["kind"], div
        unit.parent_id = parent.id if parent else None
        session.flush()
        unit.path = (parent.path if parent else "/") + f"{unit.id}/"
        count += 1
    session.flush()
    return count


def subtree_ids(session: Session, *, org_unit_id: int) -> frozenset[int]:
    """The unit and every unit under it, in one statement (a unit is in its own subtree, so none means no such
    unit)."""
    path = select(OrgUnit.path).where(OrgUnit.id == org_unit_id).scalar_subquery()
    ids = frozenset(session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(path))))
    if not ids:
        raise NotFound("单位不存在")
    return ids


def get_by_code(session: Session, *, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise NotFound(f"单位代码“{code}”不存在")
    return unit


COUNTY_KINDS: Final = frozenset({OrgKind.COUNTY, OrgKind.PARK, OrgKind.DIRECT})


def county_of(session: Session, *, org_unit_id: int) -> OrgUnit:
    """The county/park/direct unit a unit belongs to (itself when it is one); the city for the city."""
    unit = session.get(OrgUnit, org_unit_id)
    if unit is None:
        raise NotFound("单位不存在")
    ids = [int(p) for p in unit.path.strip("/").split("/")]
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    for uid in ids:
        if units[uid].kind in COUNTY_KINDS:
            return units[uid]
    return unit


def county_division_of(org_unit_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[str]:
    """The division code of :func:`county_of` the unit in column ``org_unit_id``, as a SQL expression: read in
    the same statement as the rows that name the unit (the ancestors are the units whose path starts the
    unit's path; the nearest to the root of the three kinds, else the unit itself)."""
    unit, ancestor = aliased(OrgUnit), aliased(OrgUnit)
    county = (
        select(ancestor.division_code)
        .where(unit.id == org_unit_id, unit.path.startswith(ancestor.path), ancestor.kind.in_(sorted(COUNTY_KINDS)))
        .order_by(func.length(ancestor.path))
        .limit(1)
        .scalar_subquery()
    )
    own = select(OrgUnit.division_code).where(OrgUnit.id == org_unit_id).scalar_subquery()
    return func.coalesce(county, own)


def list_units(session: Session, *, scope: frozenset[int] | None) -> list[OrgUnit]:
    stmt = select(OrgUnit).order_by(OrgUnit.path)
    if scope is not None:
        stmt = stmt.where(OrgUnit.id.in_(scope))
    return list(session.scalars(stmt))


EXTERNAL_CODE_PREFIX = "EXT-"


def external_unit(session: Session, *, division_code: str, name: str) -> OrgUnit:
    """The org unit of a union outside the loaded tree (kind ``external``, a root of its own), created on first use.

    It has no parent and no children, so an account given this unit sees only what is handed to it.
    """
    code = EXTERNAL_CODE_PREFIX + division_code
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        unit = OrgUnit(code=code, name=name, kind=OrgKind.EXTERNAL.value, division_code=division_code, path="")
        session.add(unit)
        session.flush()
        unit.path = f"/{unit.id}/"
        session.flush()
    return unit


def tree_units_of_division(session: Session, *, division_code: str) -> list[OrgUnit]:
    """Units of the loaded tree (not external ones) tied to ``division_code``."""
    stmt = select(OrgUnit).where(OrgUnit.division_code == division_code, OrgUnit.kind != OrgKind.EXTERNAL.value)
    return list(session.scalars(stmt.order_by(OrgUnit.path)))
