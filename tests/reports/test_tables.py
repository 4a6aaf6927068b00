"""附件7, 8 and 9 against a generated registry with known outcomes: every cell, on both backends."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import World
from tests.reports import expect
from tests.reports.generator import AS_OF, YEAR, Expected

PARAMS = {"as_of": AS_OF.isoformat(), "year": YEAR}


def get_report(client: TestClient, world: World, actor: str, report: str, **params: Any) -> dict[str, Any]:
    resp = client.get(f"/api/v1/reports/{report}", params={**PARAMS, **params}, headers=world.headers(actor))
    assert resp.status_code == 200, resp.text
    return resp.json()


def check_table(table: dict[str, Any], expected: dict[tuple[str, int | None], dict[str, Any]]) -> int:
    """Compare every cell; returns how many non-zero cells were checked."""
    keys = [c["key"] for c in table["columns"]]
    seen = set()
    checked = 0
    for row in table["rows"]:
        key = (row["county_code"], row["cohort"])
        seen.add(key)
        want = expected.get(key, {})
        for column in keys:
            value = want.get(column, 0)
            if column == "employment_rate" and not want:
                value = None
            got = row["values"][column]
            assert expect.same(value, got), f"{table['code']} {key} {column}: expected {value}, got {got}"
            checked += bool(value)
    missing = {k for k, v in expected.items() if any(v.values())} - seen
    assert not missing, f"rows missing from {table['code']}: {missing}"
    return checked


def test_every_cell_matches_the_generated_registry(client: TestClient, world: World, generated: Expected) -> None:
    for report, codes in (("annex7", ["annex7"]), ("annex8", ["annex8"]), ("annex9", ["annex9", "annex9_activity"])):
        body = get_report(client, world, "city", report)
        assert [t["code"] for t in body["tables"]] == codes
        for table in body["tables"]:
            checked = check_table(table, expect.rows_for(generated, table["code"]))
            assert checked > 20, f"{table['code']}: the generator should exercise the table ({checked} cells)"


def _rows_and_columns(client: TestClient, world: World) -> None:
    table = get_report(client, world, "city", "annex9")["tables"][0]
    cohorts = {r["cohort"] for r in table["rows"]}
    assert cohorts == {2021, 2022, 2023, 2024}
    counties = {r["county_code"] for r in table["rows"]}
    assert {"BZ-QC", "BZ-GY", "BZ-MC", "BZ-LX", "BZ-GX", "BZ-BW", "BZ-SZ"} <= counties
    keys = [c["key"] for c in table["columns"]]
    # bundled programs, the one only a position names, and the rest
    assert {"grassroots_tegang", "grassroots_xibu", "grassroots_shequ_2025", "grassroots_other"} <= set(keys)
    only = get_report(client, world, "city", "annex9", cohort=[2023])["tables"][0]
    assert {r["cohort"] for r in only["rows"]} == {2023}


def _placed_plus_unplaced(client: TestClient, world: World) -> None:
    table = get_report(client, world, "city", "annex9")["tables"][0]
    for row in [*table["rows"], table["total"]]:
        v = row["values"]
        assert v["registered"] == v["placed"] + v["still_seeking"] + v["not_seeking"]
        assert v["standard_met"] <= v["standard_covered"] <= v["registered"]


def _totals(client: TestClient, world: World) -> None:
    for report in ("annex7", "annex8", "annex9"):
        for table in get_report(client, world, "city", report)["tables"]:
            for column in table["columns"]:
                if column["kind"] == "rate":
                    continue
                key = column["key"]
                total = sum(Decimal(str(r["values"][key])) for r in table["rows"])
                assert Decimal(str(table["total"]["values"][key])) == total, f"{table['code']}.{key}"
    annex9 = get_report(client, world, "city", "annex9")["tables"][0]["total"]["values"]
    assert Decimal(annex9["employment_rate"]) == (Decimal(annex9["placed"]) * 100 / annex9["registered"]).quantize(
        Decimal("0.01")
    )


def test_rows_columns_invariants_and_totals(client: TestClient, world: World, generated: Expected) -> None:
    """One row per county and cohort, a column per program; registered = placed + unplaced; city totals
    equal the sum of the counties (rates recomputed from the totals)."""
    _rows_and_columns(client, world)
    _placed_plus_unplaced(client, world)
    _totals(client, world)
