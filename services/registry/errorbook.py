"""The error workbook: the clerk's own uploaded sheet with each bad cell highlighted and its reason in a cell
comment, so that it can be fixed in Excel and uploaded again. Built in memory when downloaded, never stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.registry import sheets

BAD_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
AUTHOR = "阳光就业导入检查"
COMMENT_CHARS = 1000


def _book(content: bytes, file_format: str) -> Workbook:
    if file_format == "xlsx":
        return load_workbook(io.BytesIO(content))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "导入数据"
    for values in csv.reader(io.StringIO(sheets.decode_csv(content), newline="")):
        sheet.append(values)
    return book


def _sheet_for(book: Workbook, name: str) -> Worksheet | None:
    if name in book.sheetnames:
        found = book[name]
        return found if isinstance(found, Worksheet) else None
    if len(book.worksheets) == 1:  # a csv: its one sheet, whatever the report calls it
        return book.worksheets[0]
    return None


def build(content: bytes, *, file_format: str, errors: Sequence[dict[str, Any]]) -> bytes:
    """The upload as a workbook, each reported cell filled and commented (a row-level error marks the row's
    first cell); reasons of one cell are joined."""
    book = _book(content, file_format)
    reasons: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        name, row = str(error.get("sheet") or ""), int(error.get("row") or 0)
        if row <= 0:
            continue
        ref = str(error.get("cell") or "") or f"{get_column_letter(1)}{row}"
        column = str(error.get("column") or "")
        reason = str(error.get("reason") or "")
        text = reason if error.get("cell") or not column else f"{column}：{reason}"
        reasons.setdefault((name, ref), []).append(text)
    for (sheet_name, ref), texts in reasons.items():
        target = _sheet_for(book, sheet_name)
        if target is None:
            continue
        cell = target[ref]
        cell.fill = BAD_FILL
        body = "\n".join(dict.fromkeys(texts))[:COMMENT_CHARS]
        comment = Comment(body, AUTHOR)
        comment.width, comment.height = 300, 40 + 20 * min(len(texts), 8)
        cell.comment = comment
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
