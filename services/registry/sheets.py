"""Reading uploaded spreadsheets safely: size, row and uncompressed-size limits (a zip bomb stops before it
is inflated), xlsx through openpyxl's streaming read-only mode, csv in UTF-8, UTF-8 with BOM or GBK/GB18030
(detected with charset-normalizer); and writing the templates and exports with the forms' column names.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

import charset_normalizer
from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from services.refdata.api import Vocabularies
from services.registry import forms

MAX_ROWS = 100_000  # data rows per sheet
MAX_COLUMNS = 200
MAX_SHEETS = 10
MAX_UNCOMPRESSED = 256 * 1024 * 1024  # bytes inside an xlsx
MAX_RATIO = 150  # uncompressed / compressed size of any member
MAX_MEMBERS = 200  # files inside an xlsx
HEADER_SEARCH_ROWS = 5

SHEET_FAMILIES = "档案"
SHEET_MEMBERS = "家庭成员"
SHEET_GRADUATES = "学生毕业生"
SHEET_FIELDS: dict[str, tuple[forms.Field, ...]] = {
    SHEET_FAMILIES: forms.FAMILY_FIELDS,
    SHEET_MEMBERS: (forms.HEAD_ID_FIELD, *forms.MEMBER_FIELDS),
    SHEET_GRADUATES: forms.GRADUATE_FIELDS,
}
# a header that only one kind of sheet has
SIGNATURE = {SHEET_FAMILIES: "职工编号", SHEET_MEMBERS: "关系（是户主的）", SHEET_GRADUATES: "服务对象类别"}
TEXT_KINDS = {"id_number", "phone", "bank_card", "postal", "division"}


class SheetError(ValueError):
    """The file as a whole cannot be read (not a spreadsheet, too large, a zip bomb, unknown layout)."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def header_key(text: object) -> str:
    """A header cell as compared with the forms' labels: no stars, spaces or full-width brackets differences."""
    value = "" if text is None else str(text)
    value = value.replace("*", "").replace("＊", "").replace(" ", "").replace("\u3000", "").strip()
    return value.replace("(", "（").replace(")", "）")


def _label_index(fields: Sequence[forms.Field]) -> dict[str, forms.Field]:
    out: dict[str, forms.Field] = {}
    for fld in fields:
        out[header_key(fld.label)] = fld
        out[fld.key] = fld
    return out


@dataclass
class Table:
    """One sheet of the upload: its kind, the header row, which column holds which field, and its rows."""

    sheet: str
    kind: str  # SHEET_FAMILIES / SHEET_MEMBERS / SHEET_GRADUATES
    header_row: int
    columns: list[tuple[int, forms.Field, str]]  # (0-based index, field, header as written)
    missing: list[forms.Field]
    rows: Iterator[tuple[int, tuple[object, ...]]]  # (1-based row number, values)


def detect(headers: Sequence[object]) -> str | None:
    keys = {header_key(h) for h in headers}
    for kind, signature in SIGNATURE.items():
        if signature in keys:
            return kind
    return None


def _table(
    sheet: str, header_row: int, headers: Sequence[object], rows: Iterator[tuple[int, tuple[object, ...]]]
) -> Table | None:
    kind = detect(headers)
    if kind is None:
        return None
    if len(headers) > MAX_COLUMNS:
        raise SheetError(f"工作表“{sheet}”列数超过{MAX_COLUMNS}列", "too_many_columns")
    index = _label_index(SHEET_FIELDS[kind])
    columns: list[tuple[int, forms.Field, str]] = []
    seen: set[str] = set()
    for i, head in enumerate(headers):
        fld = index.get(header_key(head))
        if fld is not None and fld.key not in seen:
            columns.append((i, fld, str(head).strip()))
            seen.add(fld.key)
    missing = [f for f in SHEET_FIELDS[kind] if f.required and not f.derived and f.key not in seen]
    return Table(sheet=sheet, kind=kind, header_row=header_row, columns=columns, missing=missing, rows=rows)


def check_xlsx(content: bytes) -> None:
    """Refuse an xlsx whose inflated size, member count or compression ratio betrays a zip bomb — from the zip
    directory alone, before anything is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise SheetError("文件不是有效的 xlsx 工作簿（请另存为 Excel 工作簿 .xlsx 或 CSV）", "not_xlsx") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise SheetError("工作簿内部文件过多，疑似异常文件", "zip_members")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_UNCOMPRESSED or total > MAX_UNCOMPRESSED:
                raise SheetError(f"工作簿解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，疑似压缩炸弹", "zip_bomb")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
                raise SheetError("工作簿压缩比异常，疑似压缩炸弹", "zip_bomb")
        if "[Content_Types].xml" not in archive.namelist():
            raise SheetError("文件不是有效的 xlsx 工作簿", "not_xlsx")


def _limited(rows: Iterator[tuple[int, tuple[object, ...]]], sheet: str) -> Iterator[tuple[int, tuple[object, ...]]]:
    count = 0
    for number, values in rows:
        if all(forms.is_blank(v) for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise SheetError(f"工作表“{sheet}”超过 {MAX_ROWS} 行，请拆分后分批导入", "too_many_rows")
        yield number, values


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)\d*"')
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)
# the common shape of a cell (Excel, WPS, openpyxl): one inline text run or one value, attributes r, s, t
_FAST_CELL = re.compile(
    rb'<c r="([A-Z]+)\d+"(?: s="\d+")?(?: t="(\w+)")?(?: s="\d+")?'
    rb'(?:/>|>(?:<is><t(?: xml:space="preserve")?>([^<]*)</t></is>|<v>([^<]*)</v>)?</c>)'
)
_ROW_REF = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
READ_CHUNK = 1 << 20


def _column_index(ref: bytes) -> int:
    """0-based column of the letters of a cell reference ("AB" of "AB12")."""
    index = 0
    for ch in ref:
        index = index * 26 + ch - 64
    return index - 1


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def _number(text: bytes) -> int | float:
    if b"." in text or b"E" in text or b"e" in text:
        return float(text)
    return int(text)


def _row_values(part: bytes, shared: Sequence[str]) -> dict[int, object]:
    fast = _FAST_CELL.findall(part)
    if len(fast) == part.count(b"<c "):
        return _fast_values(fast, shared)
    return _general_values(part, shared)


def _fast_values(cells: list[tuple[bytes, bytes, bytes, bytes]], shared: Sequence[str]) -> dict[int, object]:
    values: dict[int, object] = {}
    for ref, kind, inline, raw in cells:
        if kind == b"inlineStr":
            if inline:
                values[_column_index(ref)] = _text(inline)
        elif not raw:
            continue
        elif kind == b"s":
            values[_column_index(ref)] = shared[int(raw)]
        elif not kind or kind == b"n":
            values[_column_index(ref)] = _number(raw)
        elif kind == b"b":
            values[_column_index(ref)] = raw == b"1"
        elif kind != b"e":
            values[_column_index(ref)] = _text(raw)
    return values


def _general_values(part: bytes, shared: Sequence[str]) -> dict[int, object]:
    values: dict[int, object] = {}
    column = -1
    for attrs, inner in _CELL.findall(part):
        ref = _CELL_REF.search(attrs)
        column = _column_index(ref.group(1)) if ref else column + 1
        if not inner:
            continue
        found = _CELL_TYPE.search(attrs)
        kind = found.group(1) if found else b"n"
        value: object = None
        if kind == b"inlineStr":
            body = _PHONETIC.sub(b"", inner) if b"<rPh" in inner else inner
            value = "".join(_text(t) for t in _TEXT.findall(body))
        else:
            match = _VALUE.search(inner)
            if match is None:
                continue
            raw = match.group(1)
            if kind == b"s":
                value = shared[int(raw)]
            elif kind == b"n":
                value = _number(raw) if raw else None
            elif kind == b"b":
                value = raw == b"1"
            elif kind != b"e":  # str (a formula's text), d (ISO date)
                value = _text(raw)
        if value is not None:
            values[column] = value
    return values


def iter_sheet_rows(source: IO[bytes], shared: Sequence[str]) -> Iterator[tuple[int, tuple[object, ...]]]:
    """Stream the rows of one worksheet part: (1-based row number, cell values).

    A lean scanner of the sheet XML for the cell data of a workbook openpyxl has opened read-only: strings
    (shared, inline, formula results), numbers and booleans; a date cell comes as its day number, which the
    date fields accept. It reads 1 MB at a time and never expands entities beyond the five XML ones.
    """
    buffer = b""
    number = 0
    while True:
        chunk = source.read(READ_CHUNK)
        if chunk:
            buffer += chunk
        parts = buffer.split(b"</row>")
        buffer = parts.pop() if chunk else b""
        for part in parts:
            start = part.rfind(b"<row")
            if start < 0:
                continue
            ref = _ROW_REF.match(part, start)
            number = int(ref.group(1)) if ref else number + 1
            values = _row_values(part[start:], shared)
            if values:
                width = max(values) + 1
                if width > MAX_COLUMNS * 5:
                    raise SheetError(f"第{number}行列数异常", "too_many_columns")
                yield number, tuple(values.get(i) for i in range(width))
        if not chunk:
            return
        if len(buffer) > 16 * READ_CHUNK:
            raise SheetError("工作表中有一行内容异常地长，无法读取", "row_too_long")


def read_xlsx(content: bytes) -> Iterator[Table]:
    """The importable sheets of an xlsx: openpyxl's reader opens the package (content types, workbook, sheet
    relations, shared strings) and each worksheet part is then streamed through :func:`iter_sheet_rows`."""
    check_xlsx(content)
    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        found = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()]
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise SheetError("工作簿无法读取，文件可能已损坏", "unreadable") from exc
    try:
        if len(found) > MAX_SHEETS:
            raise SheetError(f"工作簿工作表超过{MAX_SHEETS}个", "too_many_sheets")
        shared = [str(s) for s in reader.shared_strings]
        for title, path in found:
            with reader.archive.open(path) as source:
                try:
                    yield from _tables_of(title, iter_sheet_rows(source, shared))
                except SheetError:
                    raise
                except (UnicodeDecodeError, ValueError, IndexError, KeyError, zipfile.BadZipFile) as exc:
                    raise SheetError(f"工作表“{title}”内容损坏，无法读取", "unreadable") from exc
    finally:
        reader.archive.close()


# Helper sheets of the downloadable template: option lists and instructions, never data.
TEMPLATE_HELPER_SHEETS = frozenset({"选项", "说明"})


def _tables_of(title: str, numbered: Iterator[tuple[int, tuple[object, ...]]]) -> Iterator[Table]:
    if title.strip() in TEMPLATE_HELPER_SHEETS:
        return
    for number, values in numbered:
        if detect(values) is not None:
            width = len(values)
            rows = ((n, v[:width]) for n, v in numbered)
            table = _table(title, number, values, _limited(rows, title))
            if table is not None:
                yield table
                for _ in table.rows:  # rows the caller left unread
                    pass
            return
        if number >= HEADER_SEARCH_ROWS:
            return


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise the encoding charset-normalizer detects (GBK → GB18030)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(content[: 2 * 1024 * 1024]).best()
    if best is None or best.encoding is None:
        raise SheetError("无法识别 CSV 文件的字符编码，请另存为 UTF-8 编码", "encoding")
    encoding = (
        "gb18030" if best.encoding.lower().replace("-", "_") in {"gbk", "gb2312", "gb18030", "cp936"} else best.encoding
    )
    try:
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SheetError("无法识别 CSV 文件的字符编码，请另存为 UTF-8 编码", "encoding") from exc


def read_csv(content: bytes, *, name: str = "CSV") -> Iterator[Table]:
    text = decode_csv(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    yield from _tables_of(name, ((n, tuple(v)) for n, v in enumerate(reader, start=1)))


def read_tables(content: bytes, *, file_format: str, name: str) -> Iterator[Table]:
    """The importable sheets, one at a time: read each table's rows before asking for the next one."""
    found = False
    for table in read_xlsx(content) if file_format == "xlsx" else read_csv(content, name=name):
        found = True
        yield table
    if not found:
        raise SheetError("未找到可导入的工作表：请使用下载的模板（档案 / 家庭成员 / 学生毕业生）", "no_header")


def sniff_format(filename: str, content: bytes) -> str:
    lower = filename.lower()
    if content[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lower.endswith(".xls"):
        raise SheetError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV", "xls")
    return "csv"


# ------------------------------------------------------------------------------------------------ writing


def _options_sheet(book: Workbook, vocab: Vocabularies, fields: Sequence[forms.Field]) -> dict[str, str]:
    """A hidden sheet listing the options of each enumeration; returns enum key → range for validation."""
    ws = book.create_sheet("选项")
    ws.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    column = 0
    for key in dict.fromkeys(f.enum for f in fields if f.kind == "enum" and f.enum):
        if key is None or key not in vocab:
            continue
        names = list(vocab[key].names.values())
        if len(names) > 200:  # 所属行业: typed as a code or name, no list
            continue
        column += 1
        letter = get_column_letter(column)
        ws.cell(row=1, column=column, value=vocab[key].title)
        for i, name in enumerate(names, start=2):
            ws.cell(row=i, column=column, value=name)
        ranges[key] = f"选项!${letter}$2:${letter}${len(names) + 1}"
    return ranges


def template(vocab: Vocabularies) -> bytes:
    """The import workbook: 说明, 档案 (附件3/4), 家庭成员, 学生毕业生 — columns named as in the forms, * = required;
    ID, phone and card columns formatted as text so that Excel keeps every digit."""
    book = Workbook()
    intro = book.active
    assert intro is not None
    intro.title = "说明"
    lines = [
        "困难职工家庭实名制档案导入模板（依据附件3、附件4及服务对象名单）",
        "1. 带 * 的列为必填项；性别、出生日期、年龄、家庭人口、家庭年度总收入、家庭月人均收入"
        "由系统根据身份证号和收入自动算出，无需填写。",
        "2. 身份证号、手机号码、银行卡号请以文本格式填写（本模板已设为文本），勿让 Excel 转成数字或科学计数法。",
        "3. 枚举项可填写名称或代码（见下拉选项）；次要致困原因最多3项，用顿号或逗号分隔。",
        "4. “家庭成员”表用“户主身份证号”关联到“档案”表或系统中已有的档案；"
        "“学生毕业生”表中服务对象类别（一）（二）须填写户主身份证号。",
        "5. 日期可写作 2023-07-14、2023/7/14、2023年7月14日 或 20230714。",
        "6. 同一文件重复导入不会产生重复档案：按身份证号更新已有档案，内容相同的不作改动。",
    ]
    for i, line in enumerate(lines, start=1):
        intro.cell(row=i, column=1, value=line)
    all_fields = [f for fields in SHEET_FIELDS.values() for f in fields]
    ranges = _options_sheet(book, vocab, all_fields)
    for title, fields in SHEET_FIELDS.items():
        ws = book.create_sheet(title)
        for col, fld in enumerate((f for f in fields if not f.derived), start=1):
            ws.cell(row=1, column=col, value=fld.column)
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = max(10, len(fld.column) * 2 + 2)
            if fld.kind in TEXT_KINDS:
                for row in range(2, 1001):
                    ws.cell(row=row, column=col).number_format = "@"
            if fld.kind == "enum" and fld.enum in ranges:
                dv = DataValidation(type="list", formula1=f"={ranges[fld.enum]}", allow_blank=True)
                dv.error = f"请从下拉列表选择{fld.label}，或填写其代码"
                dv.showErrorMessage = False
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}1000")
        ws.freeze_panes = "A2"
    book.move_sheet("选项", offset=len(book.sheetnames))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_rows(sheets: Sequence[tuple[str, Sequence[str], Iterator[Sequence[object]]]]) -> bytes:
    """A streamed (write-only) workbook: one sheet per (title, header, rows)."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = book.create_sheet(title)
        ws.append(list(header))
        for row in rows:
            ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
