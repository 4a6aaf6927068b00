"""The three faces of one report: JSON (the API and the snapshots), CSV and an xlsx form a clerk can hand in.

All three read the same :class:`~services.reports.tables.Report`; money is written with two decimals, rates
as percentages with two decimals, so a figure reads the same in every format.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.reports.columns import DIM_LABELS, Kind, TableSpec
from services.reports.tables import Number, Report, Row, Table

NUMBER_FORMATS = {Kind.COUNT: "#,##0", Kind.MONEY: "#,##0.00", Kind.RATE: '0.00"%"'}
COHORT_UNKNOWN = "届别未填"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
HEADER_ROWS = 2  # band row + label row
FIRST_DATA_ROW = 5  # title, unit line, two header rows


def cell_text(value: Number) -> str:
    if value is None:
        return ""
    return str(value)


def dim_value(dim: str, row: Row) -> Any:
    if dim == "county":
        return row.county_name
    return row.cohort if row.cohort is not None else ("" if row.county_id is None else COHORT_UNKNOWN)


def row_json(spec: TableSpec, row: Row) -> dict[str, Any]:
    return {
        "county_id": row.county_id,
        "county_code": row.county_code,
        "county_name": row.county_name,
        "cohort": row.cohort,
        "values": {
            c.key: None if row.values.get(c.key) is None else _json_number(row.values[c.key]) for c in spec.columns
        },
    }


def _json_number(value: Number) -> int | str | None:
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_json(table: Table) -> dict[str, Any]:
    spec = table.spec
    return {
        "code": spec.code,
        "title": spec.title,
        "note": spec.note,
        "row_dims": list(spec.row_dims),
        "columns": [
            {"key": c.key, "label": c.label, "group": c.group, "unit": c.unit, "kind": c.kind.value}
            for c in spec.columns
        ],
        "rows": [row_json(spec, r) for r in table.rows],
        "total": row_json(spec, table.total),
    }


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON values (money and rates as decimal strings): the API body and snapshot content."""
    return {
        "code": report.code,
        "title": report.title,
        "unit_name": report.unit_name,
        "as_of": report.as_of.isoformat(),
        "year": report.year,
        "cohorts": report.cohorts,
        "tables": [table_json(t) for t in report.tables],
    }


def header_label(spec: TableSpec, key: str) -> str:
    c = spec.column(key)
    head = f"{c.group}·{c.label}" if c.group else c.label
    return f"{head}（{c.unit}）"


def to_csv(report: Report) -> bytes:
    """UTF-8 with BOM (Excel opens it correctly): per table a title line, one header line, rows, 合计."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for i, table in enumerate(report.tables):
        spec = table.spec
        if i:
            writer.writerow([])
        writer.writerow([f"{spec.title}", f"填报单位：{report.unit_name}", f"统计日期：{report.as_of.isoformat()}"])
        writer.writerow([DIM_LABELS[d] for d in spec.row_dims] + [header_label(spec, k) for k in spec.keys])
        for row in [*table.rows, table.total]:
            writer.writerow([dim_value(d, row) for d in spec.row_dims] + [cell_text(row.values[k]) for k in spec.keys])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")


def _cn_date(report: Report) -> str:
    d = report.as_of
    return f"{d.year}年{d.month}月{d.day}日"


def _write_table(ws: Worksheet, report: Report, table: Table, *, chart: bool) -> None:
    spec = table.spec
    dims = list(spec.row_dims)
    width = len(dims) + len(spec.columns)
    last = get_column_letter(width)
    ws["A1"] = spec.title
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = _CENTER
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    ws["A2"] = f"填报单位（盖章）：{report.unit_name}    统计年度：{report.year}年    统计日期：{_cn_date(report)}"
    ws.merge_cells(f"A2:{last}2")
    band_row, label_row = 3, 4
    for j, dim in enumerate(dims, start=1):
        ws.cell(band_row, j, DIM_LABELS[dim])
        ws.merge_cells(start_row=band_row, start_column=j, end_row=label_row, end_column=j)
    col = len(dims) + 1
    i = 0
    columns = list(spec.columns)
    while i < len(columns):
        c = columns[i]
        if not c.group:
            ws.cell(band_row, col, f"{c.label}（{c.unit}）")
            ws.merge_cells(start_row=band_row, start_column=col, end_row=label_row, end_column=col)
            i, col = i + 1, col + 1
            continue
        span = 1
        while i + span < len(columns) and columns[i + span].group == c.group:
            span += 1
        ws.cell(band_row, col, c.group)
        if span > 1:
            ws.merge_cells(start_row=band_row, start_column=col, end_row=band_row, end_column=col + span - 1)
        for k in range(span):
            ws.cell(label_row, col + k, columns[i + k].label)
        i, col = i + span, col + span
    for r in (band_row, label_row):
        ws.row_dimensions[r].height = 36
        for j in range(1, width + 1):
            cell = ws.cell(r, j)
            cell.font = Font(bold=True)
            cell.alignment = _CENTER
            cell.fill = _HEAD_FILL
            cell.border = _BORDER
    r = FIRST_DATA_ROW
    for row in [*table.rows, table.total]:
        is_total = row.county_id is None
        for j, dim in enumerate(dims, start=1):
            cell = ws.cell(r, j, dim_value(dim, row))
            cell.border = _BORDER
            cell.alignment = _CENTER
        for j, c in enumerate(columns, start=len(dims) + 1):
            value = row.values[c.key]
            cell = ws.cell(r, j, value)
            cell.number_format = NUMBER_FORMATS[c.kind]
            cell.border = _BORDER
        if is_total:
            for j in range(1, width + 1):
                ws.cell(r, j).font = Font(bold=True)
                ws.cell(r, j).fill = _TOTAL_FILL
        r += 1
    ws.cell(r + 1, 1, "单位负责人：              审核人：              填表人：              联系电话：")
    ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=width)
    for j in range(1, width + 1):
        ws.column_dimensions[get_column_letter(j)].width = 18 if j <= len(dims) else 11
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, len(dims) + 1)
    ws.print_title_rows = f"{band_row}:{label_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if chart and spec.code == "annex9" and table.rows:
        rate_col = len(dims) + spec.keys.index("employment_rate") + 1
        bar = BarChart()
        bar.type = "col"
        bar.title = "就业率（%）"
        bar.y_axis.title = "%"
        data = Reference(ws, min_col=rate_col, min_row=label_row, max_row=FIRST_DATA_ROW + len(table.rows) - 1)
        cats = Reference(ws, min_col=1, min_row=FIRST_DATA_ROW, max_row=FIRST_DATA_ROW + len(table.rows) - 1)
        bar.add_data(data, titles_from_data=True)
        bar.set_categories(cats)
        bar.height, bar.width = 9, 22
        ws.add_chart(bar, f"A{r + 4}")
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def to_xlsx(report: Report, *, chart: bool = False) -> bytes:
    """A workbook a clerk can hand in: one protected sheet per table plus a sheet of column definitions."""
    wb = Workbook()
    first = True
    for table in report.tables:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = table.spec.code
        first = False
        _write_table(ws, report, table, chart=chart)
    notes = wb.create_sheet("指标说明")
    notes.append(["表", "字段", "表头", "单位", "口径"])
    for table in report.tables:
        for c in table.spec.columns:
            notes.append(
                [table.spec.title, c.key, f"{c.group}·{c.label}" if c.group else c.label, c.unit, c.definition]
            )
    for letter, w in zip("ABCDE", (36, 26, 24, 6, 90), strict=True):
        notes.column_dimensions[letter].width = w
    notes.protection.sheet = True
    wb.properties.title = report.title
    wb.properties.creator = report.unit_name
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_from_json(data: dict[str, Any]) -> Report:
    """A report back from its JSON form (a snapshot's content), to render the frozen figures as CSV or xlsx."""
    from datetime import date

    from services.db import utcnow
    from services.reports.columns import Column

    def number(kind: Kind, value: Any) -> Number:
        if value is None:
            return None
        return int(value) if kind == Kind.COUNT else Decimal(str(value))

    out_tables: list[Table] = []
    for t in data["tables"]:
        cols = tuple(Column(c["key"], c["label"], c["group"], c["unit"], Kind(c["kind"]), "", "") for c in t["columns"])
        spec = TableSpec(code=t["code"], title=t["title"], row_dims=tuple(t["row_dims"]), columns=cols, note=t["note"])

        def row(r: dict[str, Any], spec: TableSpec = spec) -> Row:
            values = {c.key: number(c.kind, r["values"].get(c.key)) for c in spec.columns}
            return Row(r["county_id"], r["county_code"], r["county_name"], r["cohort"], values)

        out_tables.append(Table(spec=spec, rows=[row(r) for r in t["rows"]], total=row(t["total"])))
    return Report(
        code=data["code"],
        title=data["title"],
        unit_name=data["unit_name"],
        as_of=date.fromisoformat(data["as_of"]),
        year=int(data["year"]),
        cohorts=data.get("cohorts"),
        generated_at=utcnow(),
        tables=out_tables,
    )
