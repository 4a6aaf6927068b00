"""The scope lint: a query on a scoped table that skips ``scoped(...)`` fails ``make lint``; a scoped one passes."""

from __future__ import annotations

from pathlib import Path

from infra import lint_scope

UNSCOPED = """
from sqlalchemy import select
from services.registry.models import Graduate


def list_everyone(session, principal):
    return list(session.scalars(select(Graduate).order_by(Graduate.id)))
"""

SCOPED = """
from sqlalchemy import select
from services.registry.models import Graduate
from services.security.scope import scoped


def list_mine(session, principal):
    stmt = select(Graduate).order_by(Graduate.id)
    stmt = scoped(stmt, principal, org=Graduate.org_unit_id, graduate=Graduate.id, session=session)
    return list(session.scalars(stmt))


def count_mine(session, principal):
    return session.scalar(scoped(select(Graduate.id), principal, org=Graduate.org_unit_id))


def relock(session, graduate):
    return session.scalar(select(Graduate.id).where(Graduate.id == graduate.id).with_for_update())
"""


def _write(tmp_path: Path, name: str, source: str) -> Path:
    folder = tmp_path / "services" / "probe"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(source, "utf-8")
    return path


def test_an_unscoped_query_in_a_service_module_is_reported(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, "service.py", UNSCOPED)
    assert lint_scope.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "query on Graduate in list_everyone does not go through scoped(...)" in out


def test_a_labelled_column_of_a_scoped_model_is_a_query_on_it() -> None:
    source = UNSCOPED.replace("select(Graduate)", 'select(Graduate.id.label("graduate_id"), Graduate.name)')
    found = lint_scope.check_source(source, path=Path("x.py"), module="services.probe.service", allowed=frozenset())
    assert [(f.function, f.model) for f in found] == [("list_everyone", "Graduate")]


def test_scoped_queries_and_rereads_of_a_held_record_pass(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, "router.py", SCOPED)
    assert lint_scope.main([str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_an_allow_listed_function_is_excused_and_only_that_one() -> None:
    source = UNSCOPED + UNSCOPED.replace("list_everyone", "list_all_again").split("\n\n\n")[1]
    allowed = frozenset({("services.probe.service", "list_everyone")})
    found = lint_scope.check_source(source, path=Path("x.py"), module="services.probe.service", allowed=allowed)
    assert [f.function for f in found] == ["list_all_again"]


def test_the_tree_passes_as_it_stands() -> None:
    assert lint_scope.main([]) == 0
