"""Expected rows of the tables from the generator's tallies, with the derived columns worked out by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.reports.generator import CATEGORIES, Expected

D0 = Decimal("0.00")


def _d(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def annex7(cells: dict[str, Any]) -> dict[str, Any]:
    out = dict(cells)
    for prefix in ("archived", "nonarchived"):
        out[f"{prefix}_persons"] = sum(int(cells.get(f"{prefix}_{c}", 0)) for c, _, _ in CATEGORIES)
        out[f"{prefix}_amount"] = _d(cells.get(f"{prefix}_amount", 0))
    out["total_persons"] = out["archived_persons"] + out["nonarchived_persons"]
    out["total_amount"] = out["archived_amount"] + out["nonarchived_amount"]
    return out


def annex9(cells: dict[str, Any]) -> dict[str, Any]:
    out = dict(cells)
    placed = sum(
        int(v)
        for k, v in cells.items()
        if k.startswith("grassroots_") or k in {"enterprise", "self_employed", "flexible", "further_study", "military"}
    )
    out["placed"] = placed
    registered = int(cells.get("registered", 0))
    out["employment_rate"] = (
        (Decimal(placed) * 100 / registered).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if registered else None
    )
    return out


def activity(cells: dict[str, Any]) -> dict[str, Any]:
    out = dict(cells)
    out["money_spent"] = _d(
        cells.get("entrepreneurship_funds", 0)
        + cells.get("internship_subsidy", 0)
        + cells.get("work_study_subsidy", 0)
        + cells.get("purchased_amount", 0)
        + cells.get("employment_subsidy", 0)
        + cells.get("venture_funds", 0)
    )
    return out


def rows_for(exp: Expected, table: str) -> dict[tuple[str, int | None], dict[str, Any]]:
    """(county code, cohort) -> expected cells; cells not named are zero."""
    if table == "annex7":
        return {(c, None): annex7(v) for c, v in exp.annex7.items()}
    if table == "annex8":
        return {(c, None): dict(v) for c, v in exp.annex8.items()}
    if table == "annex9":
        return {(c, cohort): annex9(v) for (c, cohort), v in exp.annex9.items()}
    return {(c, None): activity(v) for c, v in exp.activity.items()}


def same(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual in (None, "")
    return Decimal(str(expected)) == Decimal(str(actual))
