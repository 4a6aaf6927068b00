"""The public notice (公示, 附件6) as printable HTML and as xlsx: unit, name and hardship reason, nothing else."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from services.aid.models import AidNotice
from services.aid.notices import NoticeLine


def _period(notice: AidNotice) -> str:
    s, e = notice.starts_on, notice.ends_on
    return f"{s.year}年{s.month}月{s.day}日起至{e.year}年{e.month}月{e.day}日止"


def intro(notice: AidNotice) -> str:
    return (
        "我单位困难职工申请帮扶救助，经过走访、审核，符合申报条件，现予公示，"
        f"公示期自{_period(notice)}（{notice.working_days}个工作日），如有异议，请提出意见。"
        "现将我单位上报的困难职工名单公示如下："
    )


def render_html(notice: AidNotice, lines: Sequence[NoticeLine]) -> str:
    e = html.escape
    rows = "\n".join(
        f"<tr><td>{line.position}</td><td>{e(line.unit_name)}</td><td>{e(line.name)}</td>"
        f"<td>{e(line.hardship_reason)}</td></tr>"
        for line in lines
    )
    issued = notice.starts_on
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>公示 - {e(notice.unit_name)}</title>
<style>
body {{ font-family: "SimSun", "Songti SC", serif; max-width: 800px; margin: 2em auto; }}
h1 {{ text-align: center; letter-spacing: 1em; }}
table {{ width: 100%; border-collapse: collapse; }}
td, th {{ border: 1px solid #000; padding: 4px 8px; }}
.sign {{ text-align: right; margin-top: 3em; }}
</style></head>
<body>
<h1>公示</h1>
<p>{e(intro(notice))}</p>
<table>
<thead><tr><th>序号</th><th>单位名称</th><th>职工姓名</th><th>困难原因</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p>单位监督电话：{e(notice.supervision_phone)}</p>
<p class="sign">{e(notice.unit_name)}（盖章）<br>{issued.year}年{issued.month}月{issued.day}日</p>
</body>
</html>
"""


def render_xlsx(notice: AidNotice, lines: Sequence[NoticeLine]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "公示"
    sheet.append(["公示"])
    sheet.merge_cells("A1:D1")
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([intro(notice)])
    sheet.merge_cells("A2:D2")
    sheet["A2"].alignment = Alignment(wrap_text=True)
    sheet.row_dimensions[2].height = 60
    sheet.append(["序号", "单位名称", "职工姓名", "困难原因"])
    for line in lines:
        sheet.append([line.position, line.unit_name, line.name, line.hardship_reason])
    sheet.append([])
    sheet.append(["单位监督电话：" + notice.supervision_phone])
    issued = notice.starts_on
    sheet.append(["", "", notice.unit_name + "（盖章）", f"{issued.year}年{issued.month}月{issued.day}日"])
    for column, width in zip("ABCD", (8, 36, 16, 30), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
