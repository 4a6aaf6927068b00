"""Property tests of the pipeline: the transition table on its own, and a state machine driving the service with
random moves by random roles against a model of what must happen."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.models import Position
from services.errors import Conflict, DomainError, Forbidden, NotFound
from services.security.principal import Principal
from services.tracking import pipeline, service
from services.tracking.models import Application, Transition
from services.tracking.pipeline import Actor, AppState
from tests.conftest import World
from tests.tracking.factories import (
    enterprise_position,
    make_employer,
    make_graduate,
    make_position,
    make_user,
    own_graduate,
    principal,
    principal_of,
)

STATES = list(AppState)

# The moves the pipeline must allow, stated here rather than read from the production table: (from, to) → who may
# make it. ``None`` is "no application yet". The service is checked against this, and so is the table itself.
_G, _E, _C, _S = Actor.GRADUATE, Actor.ENTERPRISE, Actor.COUNSELOR, Actor.SYSTEM
_R, _A, _I, _O = AppState.RECOMMENDED, AppState.APPLIED, AppState.INTERVIEWING, AppState.OFFERED
EXPECTED_MOVES: dict[tuple[AppState | None, AppState], frozenset[Actor]] = {
    (None, _R): frozenset({_C}),
    (None, _A): frozenset({_G, _C}),
    (_R, _A): frozenset({_G, _C}),
    (_A, _I): frozenset({_E, _C}),
    (_A, _O): frozenset({_E, _C}),
    (_I, _O): frozenset({_E, _C}),
    (_A, AppState.REJECTED): frozenset({_E, _C}),
    (_I, AppState.REJECTED): frozenset({_E, _C}),
    (_O, AppState.REJECTED): frozenset({_E, _C}),
    (_O, AppState.SIGNED): frozenset({_G, _E, _C}),
    (AppState.SIGNED, AppState.EMPLOYED): frozenset({_E, _C}),
    (_R, AppState.WITHDRAWN): frozenset({_G, _C}),
    (_A, AppState.WITHDRAWN): frozenset({_G, _C}),
    (_I, AppState.WITHDRAWN): frozenset({_G, _C}),
    (_O, AppState.WITHDRAWN): frozenset({_G, _C}),
    (_R, AppState.EXPIRED): frozenset({_S, _C}),
    (_A, AppState.EXPIRED): frozenset({_S, _C}),
    (_I, AppState.EXPIRED): frozenset({_S, _C}),
    (_O, AppState.EXPIRED): frozenset({_S, _C}),
}
# applications still in play: a filled position expires these
OPEN_STATES = frozenset({_R, _A, _I, _O})


def test_the_transition_table_is_the_expected_one() -> None:
    assert pipeline.TRANSITIONS == EXPECTED_MOVES
    assert pipeline.ACTIVE == OPEN_STATES
    for (frm, to), actors in EXPECTED_MOVES.items():
        for actor in Actor:
            assert pipeline.allowed(frm, to, actor) == (actor in actors), (frm, to, actor)


@given(st.sampled_from([None, *STATES]), st.sampled_from(STATES), st.sampled_from(list(Actor)))
def test_table_never_leaves_a_terminal_state_and_only_the_system_or_counselor_expires(
    frm: AppState | None, to: AppState, actor: Actor
) -> None:
    ok = pipeline.allowed(frm, to, actor)
    if frm in pipeline.TERMINAL:
        assert not ok
    if ok and to == AppState.EXPIRED:
        assert actor in {Actor.SYSTEM, Actor.COUNSELOR}
    if ok and actor == Actor.GRADUATE:
        assert to in {AppState.APPLIED, AppState.WITHDRAWN, AppState.SIGNED}
    if ok and actor == Actor.ENTERPRISE:
        assert frm not in {None, AppState.RECOMMENDED}


@given(st.lists(st.tuples(st.sampled_from(STATES), st.sampled_from(list(pipeline.KIND_DESTINATION)))))
def test_derived_status_is_the_strongest_fact(facts: list[tuple[AppState, str]]) -> None:
    status = pipeline.derive([pipeline.AppFact(s, k) for s, k in facts])
    implied = {pipeline.status_of_application(pipeline.AppFact(s, k)) for s, k in facts} - {None}
    if not implied:
        assert status == pipeline.Status.UNEMPLOYED
    else:
        assert status in implied
        if any(s == AppState.EMPLOYED and k in {"job", "grassroots", "entrepreneurship"} for s, k in facts):
            assert status in pipeline.PLACED  # a real job outranks an internship or a mere application


def _attempt(action: Callable[[], object]) -> DomainError | None:
    try:
        action()
    except DomainError as exc:
        return exc
    return None


def _check(expected: type[DomainError] | None, err: DomainError | None, context: object = None) -> None:
    """The service refused exactly when (and how) the model says it must."""
    if expected is None:
        assert err is None, (context, err)
    else:
        assert isinstance(err, expected), (context, expected, err)


ACTOR_KEYS = ["owner", "other_graduate", "enterprise_a", "enterprise_b", "counselor_a", "counselor_b", "city"]


@dataclass
class AppModel:
    state: AppState
    steps: int = 1
    graduate_confirmed: bool = False
    employer_confirmed: bool = False
    applied: bool = False  # the enterprise only ever sees what the graduate applied to


@dataclass
class World2:
    graduates: list[int] = field(default_factory=list)
    owners: list[Principal] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    headcount: list[int | None] = field(default_factory=list)


class PipelineMachine(RuleBasedStateMachine):
    def __init__(self, db: Session, world: World) -> None:
        super().__init__()
        self.db = db
        self.savepoint = db.begin_nested()
        w = World2()
        first = own_graduate(db, world)
        second_user = make_user(db, world, role="graduate", org="BZ-MC-01")
        second = make_graduate(db, world, side="a", user_id=second_user.id)
        for grad, key in ((first, None), (second, second_user.id)):
            w.graduates.append(grad.id)
            w.owners.append(principal(db, world, "graduate_a") if key is None else principal_of(db, key))
        specs = [("job", None), ("job", 1), ("internship", 2)]
        for kind, headcount in specs:
            pos = enterprise_position(db, world, kind=kind, headcount=headcount)
            w.positions.append(pos.id)
            w.kinds.append(kind)
            w.headcount.append(headcount)
        make_position(db, world, employer=make_employer(db, world, side="b", account_key="enterprise_b"))
        self.w = w
        self.principals = {
            k: principal(db, world, k) for k in ("enterprise_a", "enterprise_b", "counselor_a", "counselor_b", "city")
        }
        self.apps: dict[tuple[int, int], AppModel] = {}
        self.filled = [0] * len(specs)

    def teardown(self) -> None:
        self.savepoint.rollback()
        self.db.expunge_all()

    # ---- helpers ----------------------------------------------------------------------------------------

    def _who(self, key: str, g: int) -> Principal:
        if key == "owner":
            return self.w.owners[g]
        if key == "other_graduate":
            return self.w.owners[1 - g]
        return self.principals[key]

    def _full(self, p: int) -> bool:
        head = self.w.headcount[p]
        return head is not None and self.filled[p] >= head

    def _app_id(self, g: int, p: int) -> int:
        app_id = self.db.scalar(
            select(Application.id).where(
                Application.graduate_id == self.w.graduates[g], Application.position_id == self.w.positions[p]
            )
        )
        assert app_id is not None
        return app_id

    def _expect_move(self, g: int, p: int, to: AppState, key: str) -> type[DomainError] | None:
        model = self.apps[(g, p)]
        if key in {"other_graduate", "enterprise_b", "counselor_b"}:
            return NotFound
        if key == "enterprise_a" and not model.applied:
            return NotFound
        actor = {"owner": Actor.GRADUATE, "enterprise_a": Actor.ENTERPRISE}.get(key, Actor.COUNSELOR)
        if (model.state, to) not in EXPECTED_MOVES:
            return Conflict
        if actor not in EXPECTED_MOVES[(model.state, to)]:
            return Forbidden
        if to == AppState.APPLIED and self._full(p):
            return Conflict
        if to in {AppState.OFFERED, AppState.SIGNED} and self._full(p):
            return Conflict
        if to == AppState.SIGNED and actor == Actor.GRADUATE and model.graduate_confirmed:
            return Conflict
        if to == AppState.SIGNED and actor == Actor.ENTERPRISE and model.employer_confirmed:
            return Conflict
        return None

    def _apply_move(self, g: int, p: int, to: AppState, key: str) -> None:
        model = self.apps[(g, p)]
        model.steps += 1
        if to == AppState.SIGNED and key in {"owner", "enterprise_a"}:
            if key == "owner":
                model.graduate_confirmed = True
            else:
                model.employer_confirmed = True
            if not (model.graduate_confirmed and model.employer_confirmed):
                return
        model.state = to
        model.applied = model.applied or to == AppState.APPLIED
        if to == AppState.SIGNED:
            self.filled[p] += 1
            if self._full(p):
                for (og, op), other in self.apps.items():
                    if op == p and (og, op) != (g, p) and other.state in OPEN_STATES:
                        other.state = AppState.EXPIRED
                        other.steps += 1

    # ---- rules ------------------------------------------------------------------------------------------

    @rule(g=st.integers(0, 1), p=st.integers(0, 2), by_counselor=st.booleans())
    def create(self, g: int, p: int, by_counselor: bool) -> None:
        existing = self.apps.get((g, p))
        if by_counselor:
            expected: type[DomainError] | None = Conflict if self._full(p) or existing is not None else None
            err = _attempt(
                lambda: service.recommend(
                    self.db,
                    principal=self.principals["counselor_a"],
                    graduate_id=self.w.graduates[g],
                    position_id=self.w.positions[p],
                )
            )
            _check(expected, err)
            if err is None:
                self.apps[(g, p)] = AppModel(AppState.RECOMMENDED)
            return
        if existing is not None:
            expected = (
                Conflict
                if existing.state != AppState.RECOMMENDED
                else self._expect_move(g, p, AppState.APPLIED, "owner")
            )
        else:
            expected = Conflict if self._full(p) else None
        err = _attempt(lambda: service.apply(self.db, principal=self.w.owners[g], position_id=self.w.positions[p]))
        _check(expected, err)
        if err is None:
            if existing is None:
                self.apps[(g, p)] = AppModel(AppState.APPLIED, applied=True)
            else:
                self._apply_move(g, p, AppState.APPLIED, "owner")

    @rule(
        g=st.integers(0, 1),
        p=st.integers(0, 2),
        to=st.sampled_from(STATES),
        key=st.sampled_from(ACTOR_KEYS),
    )
    def move(self, g: int, p: int, to: AppState, key: str) -> None:
        if (g, p) not in self.apps:
            return
        expected = self._expect_move(g, p, to, key)
        reason = next(iter(pipeline.CLOSING_REASONS[to])) if to in pipeline.CLOSING_REASONS else None
        err = _attempt(
            lambda: service.move(
                self.db,
                principal=self._who(key, g),
                application_id=self._app_id(g, p),
                to_state=to.value,
                reason=reason,
                note="线下核实" if key in {"counselor_a", "counselor_b", "city"} else None,
            )
        )
        _check(expected, err, (key, to, self.apps[(g, p)]))
        if err is None:
            self._apply_move(g, p, to, key)

    # ---- invariants -------------------------------------------------------------------------------------

    @invariant()
    def states_and_history_agree_with_the_model(self) -> None:
        for (g, p), model in self.apps.items():
            app = self.db.get(Application, self._app_id(g, p))
            assert app is not None and AppState(app.state) == model.state
            rows = list(
                self.db.scalars(select(Transition).where(Transition.application_id == app.id).order_by(Transition.id))
            )
            assert len(rows) == model.steps
            moves = [r for r in rows if not r.confirmation_only]
            assert moves[0].from_state is None
            for before, after in itertools.pairwise(moves):
                assert after.from_state == before.to_state
                assert (AppState(before.to_state), AppState(after.to_state)) in EXPECTED_MOVES
            assert moves[-1].to_state == app.state
            assert all(r.at is not None and r.actor_role for r in rows)

    @invariant()
    def status_is_derived_from_the_pipeline(self) -> None:
        for g, gid in enumerate(self.w.graduates):
            facts = [pipeline.AppFact(m.state, self.w.kinds[p]) for (mg, p), m in self.apps.items() if mg == g]
            assert service.current_status(self.db, graduate_id=gid) == pipeline.derive(facts).value

    @invariant()
    def filled_places_match_signings(self) -> None:
        for p, pid in enumerate(self.w.positions):
            position = self.db.get(Position, pid)
            assert position is not None and position.filled == self.filled[p]


def test_random_moves_by_random_roles(db: Session, world: World) -> None:
    run_state_machine_as_test(
        lambda: PipelineMachine(db, world),
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
