"""Totals and rates: the totals row is the sum of the rows, money keeps its cents, rates round half up."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.reports import measures, tables
from services.reports.columns import ANNEX8, annex9
from services.reports.tables import Row

SPEC9 = annex9((("tegang", "特岗计划"),))
counts = st.integers(min_value=0, max_value=5000)
cents = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)


@given(st.lists(st.fixed_dictionaries({"registered": counts, "enterprise": counts, "military": counts}), max_size=8))
def test_annex9_totals_are_sums_and_the_rate_is_recomputed(rows: list[dict[str, int]]) -> None:
    built = []
    for i, raw in enumerate(rows):
        values = tables._fill(SPEC9, {**raw, "registered": raw["registered"] + raw["enterprise"] + raw["military"]})
        tables._derive("annex9", values)
        built.append(Row(i, f"C{i}", f"县{i}", 2023, values))
    total = tables._sum_rows(SPEC9, built)
    tables._derive("annex9", total)
    assert total["registered"] == sum(r.values["registered"] for r in built)  # type: ignore[misc]
    assert total["placed"] == sum(r.values["placed"] for r in built)  # type: ignore[misc]
    if total["registered"]:
        exact = Decimal(total["placed"]) * 100 / Decimal(total["registered"])  # type: ignore[arg-type]
        assert abs(total["employment_rate"] - exact) <= Decimal("0.005")  # type: ignore[operator]
    else:
        assert total["employment_rate"] is None


@given(st.lists(cents, max_size=10))
def test_money_totals_keep_every_cent(amounts: list[Decimal]) -> None:
    built = [Row(i, f"C{i}", f"县{i}", None, tables._fill(ANNEX8, {"paid_amount": a})) for i, a in enumerate(amounts)]
    total = tables._sum_rows(ANNEX8, built)
    assert total["paid_amount"] == sum(amounts, Decimal("0.00"))
    assert all(measures.money(float(a)) == a for a in amounts)  # SQLite hands sums back as floats
