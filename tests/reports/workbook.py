"""Reading a rendered report workbook back: each table sheet's data block as written."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from services.reports.render import FIRST_DATA_ROW


def read_xlsx_values(content: bytes) -> dict[str, list[list[Any]]]:
    """Each table sheet's data block (rows and the 合计 row, dims first) as written: for round-trip checks."""
    wb = load_workbook(io.BytesIO(content))
    out: dict[str, list[list[Any]]] = {}
    for ws in wb.worksheets:
        if ws.title == "指标说明":
            continue
        rows: list[list[Any]] = []
        for values in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True):
            if values[0] is None or str(values[0]).startswith("单位负责人"):
                break
            rows.append(list(values))
        out[ws.title] = rows
    return out
