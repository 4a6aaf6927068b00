"""Import benchmark: a generated, realistic registry workbook (档案 + 家庭成员 sheets, 附件3/4 columns, messy
but valid cells) imported into a scratch SQLite database through the real import path.

``run_import_bench(rows=50000)`` returns rows/second, seconds and peak memory (goal: ≤ 30 s, ≤ 500 MB).
The synthetic people have real county codes (the code in force at birth), sequence codes 990–999 and valid
check digits, so nobody real is named.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from stdnum import luhn
from stdnum.cn import ric

from services.registry import forms, sheets

COUNTIES = ("341602", "341621", "341622", "341623")
# The codes of 亳州's counties changed in 1986 (亳县 → 亳州市), 1996 and 2000 (GB/T 2260); an ID keeps the code
# in force at birth: (born before this year, code).
CODE_HISTORY: dict[str, tuple[tuple[int, str], ...]] = {
    "341602": ((1986, "342126"), (1996, "342102"), (2000, "341281")),
    "341621": ((1996, "342124"), (2000, "341223")),
    "341622": ((1996, "342125"), (2000, "341224")),
    "341623": ((1996, "342130"), (2000, "341227")),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "建国明华丽娟伟芳敏静强磊军洋勇艳杰娜涛超秀兰霞平刚桂英"
STREETS = ("健康路", "人民路", "漆园路", "文化路", "光明街", "涡河路", "庄子大道", "嵇康路")


def region_at(county: str, year: int) -> str:
    """The code ``county`` had in ``year``."""
    for until, code in CODE_HISTORY.get(county, ()):
        if year < until:
            return code
    return county


class People:
    """Unique synthetic resident IDs: county code in force at birth, birth date, sequence 990–999, check digit."""

    def __init__(self, seed: int = 2023) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def resident_id(self, *, county: str, birth: date, female: bool) -> str:
        region = region_at(county, birth.year)
        for _ in range(50):
            seq = self.rng.randrange(990, 1000)
            if (seq % 2 == 0) != female:
                seq = seq - 1 if seq > 990 else seq + 1
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used:
                self.used.add(number)
                return number
            birth += timedelta(days=1)
        raise RuntimeError("no free synthetic ID")  # pragma: no cover - 50 tries over distinct days

    def birth(self, low: int, high: int) -> date:
        return date(self.rng.randint(low, high), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2)))

    def phone(self) -> str:
        return f"1700000{self.rng.randrange(10000):04d}"

    def bank_card(self) -> str:
        body = "621799" + "".join(self.rng.choice("0123456789") for _ in range(12))
        return body + luhn.calc_check_digit(body)


def family_row(people: People, index: int, *, county: str = "341622") -> dict[str, Any]:
    """One 档案 row keyed by field key, with values the way clerks type them (names, not codes)."""
    rng = people.rng
    migrant = rng.random() < 0.3
    female = rng.random() < 0.4
    number = people.resident_id(county=county, birth=people.birth(1966, 1990), female=female)
    row: dict[str, Any] = {
        "archive_no": f"BZ{county[-2:]}-{index:06d}",
        "hardship_category": rng.choice(("深度困难", "相对困难", "意外致困")),
        "archive_type": "困难农民工" if migrant else "城镇困难职工",
        "archive_standard": rng.choice(("01", "02", "03", "05")),
        "name": people.name(),
        "ethnicity": "汉族" if rng.random() < 0.97 else "回族",
        "sex": "女" if female else "男",
        "political_status": rng.choice(("群众", "中共党员", "群众", "群众")),
        "id_number": number,
        "health_status": rng.choice(("健康", "慢性病", "患大病")),
        "housing_type": rng.choice(("自有住房", "租赁私房", "公租房/廉租房")),
        "floor_area": f"{rng.randint(30, 110)}.{rng.randint(0, 9)}",
        "phone": people.phone(),
        "model_worker_type": "非劳模",
        "marital_status": rng.choice(("已婚", "已婚", "离婚", "丧偶")),
        "single_parent": rng.choice(("是", "否", "否")),
        "medical_insurance": rng.choice(("城镇职工基本医疗保险", "城乡居民基本医疗保险")),
        "address": f"蒙城县城关街道{rng.choice(STREETS)}{rng.randint(1, 300)}号",
        "postal_code": "233500",
        "employer_name": f"蒙城县第{rng.randint(1, 80)}纺织有限公司",
        "employer_nature": "私营企业",
        "enterprise_status": rng.choice(("正常经营", "经营困难")),
        "industry_code": rng.choice(("17", "C", "47", "E")),
        "monthly_income": f"{rng.randint(800, 3200)}.00",
        "other_annual_income": str(rng.randint(0, 6000)),
        "household_division_code": county,
        "household_type": rng.choice(("城镇户口", "农村户口")),
        "self_help_ability": rng.choice(("是", "否")),
        "primary_cause": rng.choice(("子女上学", "本人患大病", "家属患大病", "下岗失业")),
        "secondary_causes": rng.choice(("", "收入低", "收入低、住房困难")),
        "bank_name": "中国农业银行",
        "bank_branch": "蒙城支行",
        "bank_card": people.bank_card(),
        "filed_by": "王芳",
        "reviewed_by": "刘科长",
    }
    if migrant:
        row["contract_signed_on"] = f"{rng.randint(2015, 2022)}/{rng.randint(1, 12)}/{rng.randint(1, 28)}"
        row["contract_term"] = rng.choice(("三年", "一年", "无固定期限"))
    else:
        row["work_status"] = rng.choice(("在岗", "下岗", "灵活就业"))
        row["work_start_date"] = f"{rng.randint(1990, 2010)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    if row["primary_cause"] in row["secondary_causes"]:
        row["secondary_causes"] = ""
    return row


def member_row(people: People, head: dict[str, Any], *, child: bool, county: str = "341622") -> dict[str, Any]:
    rng = people.rng
    female = rng.random() < 0.5
    birth = people.birth(2000, 2006) if child else people.birth(1966, 1990)
    return {
        "head_id_number": head["id_number"],
        "name": people.name(),
        "relation": ("女" if female else "子") if child else "配偶",
        "ethnicity": head["ethnicity"],
        "id_number": people.resident_id(county=county, birth=birth, female=female),
        "political_status": "共青团员" if child else "群众",
        "monthly_income": "0" if child else f"{rng.randint(0, 2500)}",
        "model_worker_type": "非劳模",
        "health_status": "健康",
        "medical_insurance": "城乡居民基本医疗保险",
        "marital_status": "未婚" if child else "已婚",
        "household_type": head["household_type"],
        "identity": "学生" if child else "职工",
        "education": "大学本科" if child else None,
        "enrolment_year": rng.randint(2019, 2023) if child else None,
        "study_years": 4 if child else None,
        "school_or_employer": "安徽大学" if child else "蒙城县某超市",
        "work_status": "在校学生" if child else rng.choice(("在岗", "失业")),
    }


def sheet_rows(fields: tuple[forms.Field, ...], rows: Iterator[dict[str, Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [row.get(f.key) for f in fields]


# how county clerks write some options (services/registry/data/option_synonyms.csv): every fourth archive of the
# bench is written this way, so that the synonym step is part of the measured import
CLERK_WORDING = {
    "household_type": {"农村户口": "农业户口", "城镇户口": "非农业户口"},
    "marital_status": {"离婚": "离异"},
    "medical_insurance": {"城镇职工基本医疗保险": "城镇职工医保", "城乡居民基本医疗保险": "居民医保"},
    "housing_type": {"公租房/廉租房": "公租房"},
    "archive_standard": {"01": "低保", "02": "低保边缘"},
}


def in_clerk_wording(row: dict[str, Any]) -> dict[str, Any]:
    for key, words in CLERK_WORDING.items():
        if row.get(key) in words:
            row[key] = words[row[key]]
    return row


def generate(rows: int, *, seed: int = 2023) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """About 40 % of the rows are archives and 60 % their members (spouse and children); a quarter of the
    archives use the clerks' wording of their options."""
    people = People(seed)
    families: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    index = 0
    while len(families) + len(members) < rows:
        index += 1
        head = family_row(people, index)
        families.append(in_clerk_wording(head) if index % 4 == 0 else head)
        for child in (False, True, True)[: people.rng.randint(0, 3)]:
            if len(families) + len(members) >= rows:
                break
            members.append(member_row(people, head, child=child))
    return families, members


def write_workbook(path: Path, families: list[dict[str, Any]], members: list[dict[str, Any]]) -> None:
    book = Workbook(write_only=True)
    for title, data in ((sheets.SHEET_FAMILIES, families), (sheets.SHEET_MEMBERS, members)):
        fields = sheets.SHEET_FIELDS[title]
        ws = book.create_sheet(title)
        ws.append([f.column for f in fields])
        for values in sheet_rows(fields, iter(data)):
            ws.append(values)
    book.save(path)


def _generate_to(rows: int, path: str) -> None:
    families, members = generate(rows)
    write_workbook(Path(path), families, members)


def _cpu_seconds() -> tuple[float, float]:
    """CPU time of this process and of its finished children (the import's cleaning workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_import_bench(rows: int = 50000) -> dict[str, Any]:
    """Generate a ``rows``-row workbook, import it (real run, all-or-nothing) into a scratch SQLite database and
    measure rows/second and peak memory. Returns the figures with the goal and whether it was met."""
    from sqlalchemy.orm import Session

    from services import migrate
    from services.db import make_engine
    from services.orgs import service as orgs
    from services.registry import importer, uploads
    from services.registry.models import ImportJob, ImportStatus
    from services.security.models import Role, User

    with tempfile.TemporaryDirectory(prefix="sunshine-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        path = folder / "registry.xlsx"
        if multiprocessing.current_process().daemon or sys.platform == "win32":
            _generate_to(rows, str(path))
        else:
            # generated in a child process, so that this process's peak memory is the import's alone
            child = multiprocessing.get_context("fork").Process(target=_generate_to, args=(rows, str(path)))
            child.start()
            child.join()
            if child.exitcode != 0:
                raise RuntimeError("workbook generation failed")
        generated = time.perf_counter() - started
        content = path.read_bytes()
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            orgs.load_tree(session, rows=orgs.read_tree())
            county = orgs.get_by_code(session, code="BZ-MC")
            user = User(
                username="bench",
                display_name="bench",
                password_hash="!",  # noqa: S106 - no login: the import only needs its scope
                role=Role.UNION_COUNTY,
                org_unit_id=county.id,
                token_version=1,
            )
            session.add(user)
            session.flush()
            job = ImportJob(
                org_unit_id=county.id,
                created_by_id=user.id,
                kind="registry",
                filename=path.name,
                file_format="xlsx",
                content=None,
                size_bytes=len(content),
                dry_run=False,
                good_rows_only=False,
                status=ImportStatus.RUNNING,
                errors=[],
            )
            session.add(job)
            session.flush()
            job.content = uploads.seal(job.id, content)
            job_id = job.id
        del content
        load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        cpu0 = _cpu_seconds()
        t0 = time.perf_counter()
        with Session(engine) as session, session.begin():
            job = importer.run(session, job_id=job_id)
            outcome = {
                "status": job.status,
                "rows_total": job.rows_total,
                "created": job.created,
                "errors": job.error_count,
            }
        seconds = time.perf_counter() - t0
        cpu1 = _cpu_seconds()
        cpu_main, cpu_workers = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
        engine.dispose()
        size_mb = path.stat().st_size / (1024 * 1024)
    return {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "generate_seconds": round(generated, 1),
        "import_seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "cpu_seconds_main": round(cpu_main, 1),
        "cpu_seconds_workers": round(cpu_workers, 1),
        "load_average_before": load_before,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "goal": {"seconds": 30, "peak_mb": 500},
        "goal_met": seconds <= 30 and peak_rss_mb() <= 500,
        **outcome,
    }
