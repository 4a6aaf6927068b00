"""A stage report or summary as a Word document (python-docx) and its figures as a workbook.

The document carries the staff's sections, a paragraph and a table of the key figures read from the report's
snapshot (the same numbers as its 附件7/8/9), and the 典型经验 entries. The workbook is the snapshot's tables
rendered by the same xlsx renderer as every report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from services.reports import render
from services.reports.campaign.narratives import SECTIONS
from services.reports.campaign_models import NARRATIVE_KIND_NAMES, NarrativeReport, TypicalExperience
from services.reports.columns import REPORT_TABLES
from services.reports.models import ReportSnapshot
from services.reports.tables import Report

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMERALS = "一二三四五六七八九十"


@dataclass(slots=True)
class KeyLine:
    """The figures of one county (or the total) that a report states."""

    name: str
    registered: int = 0
    placed: int = 0
    demand_persons: int = 0
    demand_amount: Decimal = Decimal("0.00")
    aided_persons: int = 0
    paid_amount: Decimal = Decimal("0.00")

    @property
    def rate(self) -> Decimal | None:
        if not self.registered:
            return None
        return (Decimal(self.placed) * 100 / self.registered).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _table(content: dict[str, Any], report: str, code: str) -> dict[str, Any] | None:
    return next((t for t in content.get(report, {}).get("tables", []) if t["code"] == code), None)


def key_lines(snapshot: ReportSnapshot) -> tuple[list[KeyLine], KeyLine]:
    """Per county and in total: registered and placed graduates (附件9), aid need (附件7), aid paid (附件8)."""
    lines: dict[str, KeyLine] = {}
    total = KeyLine("合计")

    def line(row: dict[str, Any]) -> KeyLine:
        name = str(row["county_name"])
        return lines.setdefault(name, KeyLine(name))

    content = snapshot.content
    t9 = _table(content, "annex9", "annex9")
    for row in t9["rows"] if t9 else []:
        k = line(row)
        k.registered += int(row["values"]["registered"])
        k.placed += int(row["values"]["placed"])
    t7 = _table(content, "annex7", "annex7")
    for row in t7["rows"] if t7 else []:
        k = line(row)
        k.demand_persons += int(row["values"]["total_persons"])
        k.demand_amount += Decimal(str(row["values"]["total_amount"]))
    t8 = _table(content, "annex8", "annex8")
    for row in t8["rows"] if t8 else []:
        k = line(row)
        k.aided_persons += int(row["values"]["aided_persons"])
        k.paid_amount += Decimal(str(row["values"]["paid_amount"]))
    for k in lines.values():
        total.registered += k.registered
        total.placed += k.placed
        total.demand_persons += k.demand_persons
        total.demand_amount += k.demand_amount
        total.aided_persons += k.aided_persons
        total.paid_amount += k.paid_amount
    return list(lines.values()), total


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,.2f}"


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _cn_day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def figures_sentence(snapshot: ReportSnapshot, total: KeyLine) -> str:
    return (
        f"截至{_cn_day(snapshot.as_of)}，实名登记困难职工家庭高校毕业生{total.registered}人，已落实去向{total.placed}人，"
        f"就业率{_rate(total.rate)}；金秋助学需求{total.demand_persons}人、需求金额{_yuan(total.demand_amount)}元；"
        f"已发放助学金{total.aided_persons}人、{_yuan(total.paid_amount)}元。"
    )


def narrative_docx(
    report: NarrativeReport,
    *,
    unit_name: str,
    snapshot: ReportSnapshot | None,
    experiences: list[tuple[TypicalExperience, str]],
) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    heading = doc.add_heading(report.title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(f"报送单位：{unit_name}    报告类型：{NARRATIVE_KIND_NAMES.get(report.kind, report.kind)}")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if snapshot is not None:
        lines, total = key_lines(snapshot)
        doc.add_paragraph(figures_sentence(snapshot, total))
    n = 0
    for code, name in SECTIONS:
        doc.add_heading(f"{NUMERALS[n]}、{name}", level=1)
        n += 1
        for part in (report.sections.get(code) or "").splitlines() or [""]:
            if part.strip():
                doc.add_paragraph(part.strip())
    if snapshot is not None:
        doc.add_heading(f"{NUMERALS[n]}、主要数据（截至{_cn_day(snapshot.as_of)}）", level=1)
        n += 1
        head = [
            "县区（单位）",
            "登记毕业生（人）",
            "已落实去向（人）",
            "就业率",
            "助学需求（人）",
            "需求金额（元）",
            "已发放（人）",
            "发放金额（元）",
        ]
        table = doc.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            cell.text = text
        for k in [*lines, total]:
            cells = table.add_row().cells
            values = [
                k.name,
                str(k.registered),
                str(k.placed),
                _rate(k.rate),
                str(k.demand_persons),
                _yuan(k.demand_amount),
                str(k.aided_persons),
                _yuan(k.paid_amount),
            ]
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
        doc.add_paragraph(
            f"数据来源：统计快照“{snapshot.label}”（校验码 {snapshot.content_sha256[:12]}），各项口径同附件7、8、9。"
        )
    if experiences:
        doc.add_heading(f"{NUMERALS[n]}、典型经验", level=1)
        for exp, county in experiences:
            doc.add_heading(f"{exp.title}（{county}）", level=2)
            for part in exp.body.splitlines():
                if part.strip():
                    doc.add_paragraph(part.strip())
    doc.core_properties.title = report.title
    doc.core_properties.author = unit_name
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def figures_xlsx(snapshot: ReportSnapshot, *, title: str) -> bytes:
    """附件7, 8 and 9 of the snapshot in one workbook, one protected sheet per table."""
    frozen = [render.report_from_json(snapshot.content[code]) for code in REPORT_TABLES if code in snapshot.content]
    if not frozen:
        return render.to_xlsx(Report("", title, "", snapshot.as_of, snapshot.year, None, snapshot.created_at, []))
    first = frozen[0]
    merged = Report(
        code=first.code,
        title=title,
        unit_name=first.unit_name,
        as_of=first.as_of,
        year=first.year,
        cohorts=None,
        generated_at=first.generated_at,
        tables=[t for r in frozen for t in r.tables],
    )
    return render.to_xlsx(merged)
