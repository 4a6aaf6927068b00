"""Who may see and act on what: the role sets and the one query filter every scoped table goes through.

A principal sees the records of the org units in ``principal.scope`` (``None`` = the whole city). Graduates add
two things on top of the org unit: a graduate sees their own record, and an accepted handoff (异地求职) moves the
right to serve a graduate from the home union to the receiving union while the home union keeps reading it.

``scoped(stmt, principal, org=..., graduate=..., session=...)`` is the filter; ``graduate_scope`` is the same
decision in memory (``can_read`` / ``can_serve``) for code that already holds a row; ``within_units`` is the filter
of work done for a set of units with no principal (a report). The handoff table is read
here through a column-only view of ``tracking_handoff`` so that this module imports no domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Select,
    Update,
    bindparam,
    column,
    false,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.security.models import Role
from services.security.roles import CASELOAD as CASELOAD
from services.security.roles import STAFF as STAFF
from services.security.roles import UNION_SIDE as UNION_SIDE

if TYPE_CHECKING:
    from services.security.principal import Principal


HANDOFF_ACCEPTED: Final = "accepted"  # tracking's HandoffState.ACCEPTED

Col = ColumnElement[Any] | InstrumentedAttribute[Any]
ScopeShape = tuple[bool, bool, bool]  # GraduateScope.shape: the whole city, some units, some graduates by id
Stmt = TypeVar("Stmt", bound="Select[*tuple[Any, ...]] | Update | Delete")

_handoff = table(
    "tracking_handoff",
    column("graduate_id"),
    column("org_unit_id"),
    column("to_org_unit_id"),
    column("state"),
)
_graduate = table("registry_graduate", column("id"), column("user_id"))
_employer_account = table("employer_account", column("user_id"), column("employer_id"))


@dataclass(frozen=True, slots=True)
class GraduateScope:
    """The graduates a principal may see: those of ``org_unit_ids`` (None = all) plus handed-in and own ones.

    ``handed_in`` are graduates of other unions accepted by the principal's union (served here);
    ``handed_out`` are graduates of the principal's own scope currently served elsewhere (read only here).
    """

    org_unit_ids: frozenset[int] | None
    handed_in: frozenset[int] = frozenset()
    handed_out: frozenset[int] = frozenset()
    own_ids: frozenset[int] = frozenset()  # a graduate's own record

    def can_read(self, graduate_id: int, org_unit_id: int) -> bool:
        if self.org_unit_ids is None or graduate_id in self.handed_in or graduate_id in self.own_ids:
            return True
        return org_unit_id in self.org_unit_ids

    def can_serve(self, graduate_id: int, org_unit_id: int) -> bool:
        """Union-side writes: the home union while not handed out, the receiving union while accepted."""
        if self.org_unit_ids is None or graduate_id in self.handed_in:
            return True
        return org_unit_id in self.org_unit_ids and graduate_id not in self.handed_out

    def clause(self, graduate_id: Col, org_unit_id: Col) -> ColumnElement[bool]:
        """A SQL condition for rows keyed by a graduate id and its home org unit."""
        ids = self.params()
        return _scope_clause(
            self.shape, graduate_id, org_unit_id, units=ids["scope_units"], graduates=ids["scope_graduates"]
        )

    @staticmethod
    def bound_clause(shape: ScopeShape, graduate_id: Col, org_unit_id: Col) -> ColumnElement[bool]:
        """:meth:`clause` of every scope of ``shape``, its ids the named parameters of :meth:`params`: a statement
        built on it once serves them all, and refuses to run without the ids."""
        units: BindParameter[list[int]] = bindparam("scope_units", expanding=True)
        graduates: BindParameter[list[int]] = bindparam("scope_graduates", expanding=True)
        return _scope_clause(shape, graduate_id, org_unit_id, units=units, graduates=graduates)

    @property
    def shape(self) -> ScopeShape:
        """What the structure of :meth:`clause` depends on: the whole city, some units, some graduates by id."""
        return (self.org_unit_ids is None, bool(self.org_unit_ids), bool(self.handed_in | self.own_ids))

    def params(self) -> dict[str, list[int]]:
        """The ids of :meth:`clause`, by the names :meth:`bound_clause` gives them."""
        return {
            "scope_units": sorted(self.org_unit_ids or ()),
            "scope_graduates": sorted(self.handed_in | self.own_ids),
        }


def _scope_clause(
    shape: ScopeShape,
    graduate_id: Col,
    org_unit_id: Col,
    *,
    units: list[int] | BindParameter[list[int]],
    graduates: list[int] | BindParameter[list[int]],
) -> ColumnElement[bool]:
    """The scope condition of ``shape``: ``units`` and ``graduates`` are the ids, or the parameters that hold them."""
    city, some_units, some_graduates = shape
    if city:
        return true()
    parts: list[ColumnElement[bool]] = []
    if some_units:
        parts.append(org_unit_id.in_(units))
    if some_graduates:
        parts.append(graduate_id.in_(graduates))
    return or_(*parts) if parts else false()


def handoffs_of(session: Session, *, org_unit_ids: frozenset[int]) -> tuple[frozenset[int], frozenset[int]]:
    """Graduates handed in to and handed out of the org units ``org_unit_ids`` by accepted handoffs."""
    if not org_unit_ids:
        return frozenset(), frozenset()
    units = sorted(org_unit_ids)
    accepted = select(_handoff.c.graduate_id, _handoff.c.org_unit_id, _handoff.c.to_org_unit_id).where(
        _handoff.c.state == HANDOFF_ACCEPTED,
        or_(_handoff.c.to_org_unit_id.in_(units), _handoff.c.org_unit_id.in_(units)),
    )
    handed_in: set[int] = set()
    handed_out: set[int] = set()
    for graduate_id, home, dest in session.execute(accepted):
        if dest in org_unit_ids and home not in org_unit_ids:
            handed_in.add(int(graduate_id))
        elif home in org_unit_ids and dest not in org_unit_ids:
            handed_out.add(int(graduate_id))
    return frozenset(handed_in), frozenset(handed_out)


def graduate_scope(session: Session, *, principal: Principal) -> GraduateScope:
    """The graduates ``principal`` may see and serve (registry, tracking and matching answer alike)."""
    if principal.role == Role.GRADUATE:
        own = session.scalar(select(_graduate.c.id).where(_graduate.c.user_id == principal.user_id))
        return GraduateScope(org_unit_ids=frozenset(), own_ids=frozenset({int(own)}) if own else frozenset())
    if principal.role not in UNION_SIDE:
        return GraduateScope(org_unit_ids=frozenset())
    if principal.scope is None:
        return GraduateScope(org_unit_ids=None)
    handed_in, handed_out = handoffs_of(session, org_unit_ids=principal.scope)
    return GraduateScope(org_unit_ids=principal.scope, handed_in=handed_in, handed_out=handed_out)


def can_read_graduate(
    session: Session, *, principal: Principal, graduate_id: int, org_unit_id: int, user_id: int | None
) -> bool:
    """``graduate_scope(session, principal=principal).can_read(graduate_id, org_unit_id)`` for one graduate
    whose account (``user_id``) is already read, reading only what the answer needs: a graduate's own record is
    the one tied to their account; the union side reads a graduate of its own units without the handoffs."""
    if principal.role == Role.GRADUATE:
        own = user_id is not None and user_id == principal.user_id
        scope = GraduateScope(org_unit_ids=frozenset(), own_ids=frozenset({graduate_id}) if own else frozenset())
    elif principal.role in UNION_SIDE and principal.scope is not None and org_unit_id in principal.scope:
        scope = GraduateScope(org_unit_ids=principal.scope)
    else:
        scope = graduate_scope(session, principal=principal)
    return scope.can_read(graduate_id, org_unit_id)


def org_clause(principal: Principal, org: Col) -> ColumnElement[bool]:
    """Rows whose org unit column ``org`` lies in the principal's scope."""
    return true() if principal.scope is None else org.in_(sorted(principal.scope))


def handoffs_clause(principal: Principal, *, home: Col, receiving: Col) -> ColumnElement[bool]:
    """Handoff rows the principal may see: union side, either end inside the scope."""
    if principal.role not in UNION_SIDE:
        return false()
    if principal.scope is None:
        return true()
    units = sorted(principal.scope)
    return or_(home.in_(units), receiving.in_(units))


def employer_clause(principal: Principal, employer: Col) -> ColumnElement[bool]:
    """Rows whose employer column ``employer`` is the employer the enterprise principal manages."""
    managed = select(_employer_account.c.employer_id).where(_employer_account.c.user_id == principal.user_id)
    return employer.in_(managed)


def scoped(
    stmt: Stmt,
    principal: Principal,
    *,
    org: Col,
    graduate: Col | None = None,
    employer: Col | None = None,
    handoff_to: Col | None = None,
    session: Session | None = None,
    roles: frozenset[str] | None = None,
    public: ColumnElement[bool] | None = None,
    owner: Col | None = None,
) -> Stmt:
    """``stmt`` narrowed to the rows ``principal`` may see.

    ``org`` is the row's (home) org unit column. With ``graduate`` (the row's graduate id column) the graduate
    rules apply too — own record and accepted handoffs — which need ``session``. With ``employer`` (the row's
    employer column) an enterprise sees the rows of the employer it manages, and nothing else; without it an
    enterprise is judged by ``org`` like anyone. With ``handoff_to`` (a handoff's receiving org unit) the union
    side sees a handoff from either end. With ``roles`` a principal outside those roles sees nothing of its own.
    ``public`` marks the rows everyone sees besides (a published position of a verified employer). With ``owner``
    (the column of the account that filed the row) a graduate sees the rows they filed (their aid applications).
    """
    if roles is not None and principal.role not in roles:
        condition: ColumnElement[bool] = false()
    elif employer is not None and principal.role == Role.ENTERPRISE:
        condition = employer_clause(principal, employer)
    elif handoff_to is not None:
        condition = handoffs_clause(principal, home=org, receiving=handoff_to)
    elif graduate is None:
        condition = org_clause(principal, org)
    elif session is None:
        raise TypeError("scoped(..., graduate=...) needs the session to read handoffs")
    else:
        condition = graduate_scope(session, principal=principal).clause(graduate, org)
    if owner is not None and principal.role == Role.GRADUATE:
        condition = or_(condition, owner == principal.user_id)
    if public is not None:
        condition = or_(condition, public)
    return cast("Stmt", stmt.where(condition))


def within_units(stmt: Stmt, units: frozenset[int] | None, *, org: Col) -> Stmt:
    """``stmt`` narrowed to the rows whose org unit column ``org`` lies in ``units`` (None = every unit, empty =
    none): the filter of work done for a set of org units rather than for a principal — a report of a union's
    units, whose unit was checked against the requester's scope when the report was asked for."""
    if units is None:
        return stmt
    return cast("Stmt", stmt.where(org.in_(sorted(units)) if units else false()))
