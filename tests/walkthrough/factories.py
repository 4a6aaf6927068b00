"""A county's spreadsheet for the walk-through: one family (附件3), its son, and the son as a graduate, written
into the registry's own template (the columns the clerk downloads), with synthetic identifiers."""

from __future__ import annotations

import io
import random
from datetime import date
from typing import Any

from openpyxl import load_workbook

from services.demo import identities
from services.registry.sheets import SHEET_FAMILIES, SHEET_GRADUATES, SHEET_MEMBERS, header_key


def people(seed: int, today: date) -> dict[str, str]:
    rng = random.Random(seed)
    head_birth = date(today.year - 50, 3, 14)
    son_birth = date(today.year - 23, 8, 2)
    return {
        "head_id": identities.resident_id(
            rng, region=identities.region_at("341622", head_birth.year), birth=head_birth, female=False
        ),
        "son_id": identities.resident_id(rng, region="341622", birth=son_birth, female=False),
        "card": identities.bank_card(rng),
        "phone": identities.phone(rng),
    }


def rows(ids: dict[str, str], *, cohort: int) -> dict[str, dict[str, Any]]:
    """The three sheets' rows keyed by column label, the way a clerk types them (names, not codes)."""
    return {
        SHEET_FAMILIES: {
            "职工编号": "BZ-MC-WALK-0001",
            "困难类别": "相对困难",
            "档案类型": "城镇困难职工",
            "建档标准": "因子女接受教育导致家庭生活困难",
            "姓名": "周建国",
            "民族": "汉族",
            "政治面貌": "群众",
            "身份证号": ids["head_id"],
            "健康状况": "健康",
            "工作状态": "下岗",
            "工作时间": "1998年3月1日",
            "住房类型": "自有住房",
            "手机号码": ids["phone"],
            "劳模类型": "非劳模",
            "婚姻状况": "已婚",
            "医保状况": "城镇职工基本医疗保险",
            "家庭住址": "安徽省亳州市蒙城县城关街道健康路18号",
            "所属行业": "C",
            "本人月平均收入": "0",
            "家庭其他非薪资年收入": "3600",
            "户口所在地行政区划": "341622",
            "户口类型": "城镇户口",
            "主要致困原因": "子女上学",
            "开户银行": "中国农业银行",
            "支行名称": "蒙城支行",
            "银行卡号": ids["card"],
            "建档人": "王芳",
            "审核人": "刘科长",
        },
        SHEET_MEMBERS: {
            "户主身份证号": ids["head_id"],
            "姓名": "周子涵",
            "关系（是户主的）": "子",
            "民族": "汉族",
            "身份证号": ids["son_id"],
            "月收入": "0",
            "劳模类型": "非劳模",
            "健康状况": "健康",
            "医保状况": "城乡居民基本医疗保险",
            "婚姻状况": "未婚",
            "户口类型": "城镇户口",
            "人员身份": "学生",
        },
        SHEET_GRADUATES: {
            "姓名": "周子涵",
            "身份证号": ids["son_id"],
            "服务对象类别": "以上家庭的高校毕业生",
            "在校生/毕业生": "毕业生",
            "户主身份证号": ids["head_id"],
            "学校种类": "普通本科高校",
            "学校名称": "合肥工业大学",
            "入学时间": f"{cohort - 4}-09-01",
            "学制": "4",
            "专业": "软件工程",
            "学历": "大学本科",
            "毕业届别": str(cohort),
            "就业状态": "未就业",
            "就业意愿": "就业",
            "意向地区": "341622",
            "期望月薪下限": "4000",
            "期望月薪上限": "7000",
            "技能特长": "Java、数据库",
            "生源地行政区划": "341622",
            "同意企业查看简历": "是",
        },
    }


def fill_template(template: bytes, values: dict[str, dict[str, Any]]) -> bytes:
    """Put one row under the header of each sheet of the downloaded template; every value must find its column."""
    book = load_workbook(io.BytesIO(template))
    # the template's 选项 (drop-down lists) and 说明 sheets stay in: the clerk uploads the whole file
    for sheet, row in values.items():
        ws = book[sheet]
        headers = {header_key(cell.value): cell.column for cell in ws[1] if cell.value}
        missing = [label for label in row if header_key(label) not in headers]
        assert not missing, f"template of {sheet} has no column {missing}"
        for label, value in row.items():
            ws.cell(row=2, column=headers[header_key(label)], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
