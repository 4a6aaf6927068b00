"""The same figures whether asked for as JSON, CSV or xlsx; the xlsx is a form a clerk can hand in."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from services.reports import render
from tests.conftest import World
from tests.reports import workbook
from tests.reports.generator import AS_OF, YEAR, Expected

PARAMS = {"as_of": AS_OF.isoformat(), "year": YEAR}


def fetch(client: TestClient, world: World, report: str, fmt: str, actor: str = "city", **extra: Any) -> Any:
    resp = client.get(
        f"/api/v1/reports/{report}", params={**PARAMS, "format": fmt, **extra}, headers=world.headers(actor)
    )
    assert resp.status_code == 200, resp.text
    return resp


def json_grid(body: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Per table: each row (then the 合计 row) as its values in column order."""
    out = {}
    for t in body["tables"]:
        keys = [c["key"] for c in t["columns"]]
        out[t["code"]] = [[r["values"][k] for k in keys] for r in [*t["rows"], t["total"]]]
    return out


def csv_blocks(content: bytes) -> list[list[list[str]]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    blocks: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        if not row:
            blocks.append([])
        else:
            blocks[-1].append(row)
    return blocks


def as_number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_json_csv_and_xlsx_agree_cell_by_cell(client: TestClient, world: World, generated: Expected) -> None:
    for report in ("annex7", "annex8", "annex9"):
        _agree(client, world, report)


def _agree(client: TestClient, world: World, report: str) -> None:
    body = fetch(client, world, report, "json").json()
    grid = json_grid(body)
    csv_resp = fetch(client, world, report, "csv")
    assert csv_resp.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''" in csv_resp.headers["content-disposition"]
    blocks = csv_blocks(csv_resp.content)
    xlsx = workbook.read_xlsx_values(fetch(client, world, report, "xlsx").content)
    assert list(xlsx) == list(grid)
    for i, table in enumerate(body["tables"]):
        code = table["code"]
        dims = len(table["row_dims"])
        title, header, *rows = blocks[i]
        assert title[0] == table["title"]
        assert len(header) == dims + len(table["columns"])
        assert len(rows) == len(grid[code]) == len(xlsx[code])
        for j, values in enumerate(grid[code]):
            json_row = [as_number(v) for v in values]
            assert [as_number(v) for v in rows[j][dims:]] == json_row, f"{code} csv row {j}"
            assert [as_number(v) for v in xlsx[code][j][dims:]] == json_row, f"{code} xlsx row {j}"
            assert rows[j][0] == xlsx[code][j][0]  # the same county label in both files
        assert rows[-1][0] == "合计"


def test_xlsx_looks_like_a_form(client: TestClient, world: World, generated: Expected) -> None:
    content = fetch(client, world, "annex9", "xlsx", chart="true").content
    wb = load_workbook(io.BytesIO(content))
    ws = wb["annex9"]
    assert ws["A1"].value == "困难职工家庭高校毕业生阳光就业暖心行动统计表"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert any(r.startswith("A1:") for r in merged)  # the title spans the table
    assert "A3:A4" in merged and "B3:B4" in merged  # county and cohort span both header rows
    assert ws["A2"].value.startswith("填报单位（盖章）：亳州市总工会")
    assert "2023年8月29日" in ws["A2"].value
    assert ws.protection.sheet is True
    assert len(ws._charts) == 1  # the employment-rate chart
    rate_col = 2 + [c.key for c in _spec_columns(client, world)].index("employment_rate") + 1
    assert ws.cell(render.FIRST_DATA_ROW, rate_col).number_format == '0.00"%"'
    assert ws.cell(render.FIRST_DATA_ROW, 3).number_format == "#,##0"
    totals = [row for row in ws.iter_rows(min_row=render.FIRST_DATA_ROW, values_only=True) if row[0] == "合计"]
    assert len(totals) == 1
    assert "指标说明" in wb.sheetnames
    money = load_workbook(io.BytesIO(fetch(client, world, "annex8", "xlsx").content))["annex8"]
    assert money.cell(render.FIRST_DATA_ROW, 3).number_format == "#,##0.00"


def _spec_columns(client: TestClient, world: World) -> list[Any]:
    from types import SimpleNamespace

    resp = client.get("/api/v1/reports/columns", params={"report": "annex9"}, headers=world.headers("city"))
    return [SimpleNamespace(**c) for c in resp.json()[0]["columns"]]
