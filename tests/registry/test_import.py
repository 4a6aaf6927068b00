"""The spreadsheet import on files the tests generate with openpyxl: clean, messy-but-valid and broken sheets,
dry run vs real run, all-or-nothing vs good rows only, a second import changing nothing, csv encodings and the
size limits — through the real import path (and, for the API, the eager Celery task), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.errors import ValidationFailed
from services.registry import graduates, import_rows, importer, lookups, sheets, writes
from services.registry.models import Family, FamilyMember, Graduate, ImportJob, ImportStatus, RegistryChange
from services.security.principal import Principal
from tests.conftest import World
from tests.registry import factories, lookup

FAMILY_FIELDS = sheets.SHEET_FIELDS[sheets.SHEET_FAMILIES]
MEMBER_FIELDS = sheets.SHEET_FIELDS[sheets.SHEET_MEMBERS]
GRADUATE_FIELDS = sheets.SHEET_FIELDS[sheets.SHEET_GRADUATES]


def workbook(
    families: list[dict[str, Any]] = (),  # type: ignore[assignment]
    members: list[dict[str, Any]] = (),  # type: ignore[assignment]
    graduates: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> bytes:
    """An xlsx with the template's three sheets; a value is written as given (str, int, date …)."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, fields, rows in (
        (sheets.SHEET_FAMILIES, FAMILY_FIELDS, families),
        (sheets.SHEET_MEMBERS, MEMBER_FIELDS, members),
        (sheets.SHEET_GRADUATES, GRADUATE_FIELDS, graduates),
    ):
        if not rows:
            continue
        ws = book.create_sheet(title)
        ws.append([f.column for f in fields])
        for row in rows:
            ws.append(["、".join(v) if isinstance(v := row.get(f.key), list) else v for f in fields])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def clean_set(families: int = 3) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    fams = [factories.family_fields() for _ in range(families)]
    mems = [{**factories.member_fields(f["id_number"]), "head_id_number": f["id_number"]} for f in fams]
    child = mems[0]
    grads = [
        factories.graduate_fields(
            id_number=child["id_number"],
            name=child["name"],
            service_category="1",
            family_head_id_number=fams[0]["id_number"],
            intentions="就业、基层服务项目",
            preferred_places="341622",
        ),
        factories.graduate_fields(service_category="3", cohort=2031, stage="毕业生"),
    ]
    return fams, mems, grads


def run(
    db: Session,
    world: World,
    content: bytes,
    *,
    dry_run: bool = False,
    good_rows_only: bool = False,
    county: str = "BZ-MC",
    filename: str = "registry.xlsx",
    user: str = "county_a",
    existing: str = "update",
) -> ImportJob:
    principal = Principal(
        user_id=world.users[user],
        username=user,
        role=world.roles[user],
        org_unit_id=world.orgs[county],
        scope=None if user in {"city", "admin"} else factories.scope_of(db, world.orgs[county]),
    )
    job = importer.create_job(
        db,
        principal=principal,
        filename=filename,
        content=content,
        org_unit_id=world.orgs[county],
        dry_run=dry_run,
        good_rows_only=good_rows_only,
        existing=existing,
    )
    db.info.pop("pending_tasks", None)  # run in-line here; the API tests go through the task
    importer.start(db, job_id=job.id)
    return importer.run(db, job_id=job.id)


def counts(db: Session) -> tuple[int, int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Family)) or 0,
        db.scalar(select(func.count()).select_from(FamilyMember)) or 0,
        db.scalar(select(func.count()).select_from(Graduate)) or 0,
        db.scalar(select(func.count()).select_from(RegistryChange)) or 0,
    )


def outcome(job: ImportJob) -> tuple[Any, ...]:
    return (
        job.status if not job.dry_run else "-",
        job.rows_total,
        job.created,
        job.updated,
        job.unchanged,
        job.skipped,
        job.error_count,
        [(e["sheet"], e["row"], e["column"], e["code"]) for e in job.errors],
    )


def test_clean_file_dry_run_then_real_run_then_again_changes_nothing(db: Session, world: World) -> None:
    fams, mems, grads = clean_set()
    content = workbook(fams, mems, grads)
    before = counts(db)

    dry = run(db, world, content, dry_run=True)
    assert dry.status == ImportStatus.SUCCEEDED, dry.errors
    assert dry.error_count == 0 and dry.errors == []
    assert counts(db) == before  # a dry run writes nothing

    real = run(db, world, content)
    assert real.status == ImportStatus.SUCCEEDED
    assert outcome(real)[1:] == outcome(dry)[1:]  # dry run and real run report the same
    assert real.created == len(fams) + len(mems) + len(grads)
    after = counts(db)
    assert after[:3] == (before[0] + 3, before[1] + 3, before[2] + 2)

    again = run(db, world, content)
    assert again.status == ImportStatus.SUCCEEDED
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(fams) + len(mems) + len(grads))
    assert counts(db) == after  # not one row, not one history entry more


def test_derived_fields_and_links_come_from_the_rows(db: Session, world: World) -> None:
    fams, mems, grads = clean_set(1)
    fams[0].update(monthly_income="2000", other_annual_income="1200", work_status="在岗")
    mems[0].update(monthly_income="0", work_status="在校学生")
    run(db, world, workbook(fams, mems, grads))
    ref = lookup.find_person(db, id_number=fams[0]["id_number"])
    assert ref is not None and ref.archived
    income = lookups.family_income(db, family_id=ref.family_id)
    assert income.family_size == 2
    assert str(income.annual_total) == "25200.00"  # (2000 + 0) × 12 + 1200
    assert str(income.per_capita_monthly) == "1050.00"
    student = db.scalar(select(Graduate).where(Graduate.family_id == ref.family_id))
    assert student is not None and student.member_id is not None
    assert student.intentions == ["job", "grassroots"]
    assert student.major_code == "080902" and student.major_raw == "软件工程"
    later = db.scalar(select(Graduate).where(Graduate.cohort == 2031))
    assert later is not None and later.family_id is None  # category (三) stands alone; any later cohort


def test_messy_but_valid_cells_are_normalised_not_refused(db: Session, world: World) -> None:
    fams, mems, _ = clean_set(3)
    number = fams[0]["id_number"]
    fams[0]["id_number"] = " " + "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number[:6]) + number[6:]
    if number.endswith("X"):
        fams[0]["id_number"] = fams[0]["id_number"][:-1] + "x"
    fams[1]["id_number"] = fams[1]["id_number"][:8] + "\u200b" + fams[1]["id_number"][8:]
    fams[1]["phone"] = "170 0000-1234"
    fams[0]["work_start_date"] = "2001年3月1日"
    fams[1]["work_start_date"] = datetime(2003, 7, 14)
    fams[2]["work_start_date"] = "20050114"
    mems[1]["head_id_number"] = fams[1]["id_number"]
    job = run(db, world, workbook(fams, mems))
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert lookup.find_person(db, id_number=number) is not None
    family = db.scalar(select(Family).where(Family.id_number_bidx == writes.id_index(number)))
    assert (
        family is not None and family.work_start_date is not None and family.work_start_date.isoformat() == "2001-03-01"
    )


def test_every_seeded_error_is_found_and_nothing_is_written(db: Session, world: World) -> None:
    other = factories.make_family(db, org_unit_id=world.orgs["BZ-GY-01"])
    other_id = lookups.family_head_id(other)
    fams = [factories.family_fields() for _ in range(9)]
    valid = fams[2]["id_number"]
    bad_checksum = valid[:17] + ("0" if valid[17] == "X" else str((int(valid[17]) + 1) % 10))
    seeded = {
        2: ("*身份证号", "duplicate_in_sheet"),  # both rows of a duplicate are named
        3: ("*身份证号", "stored_as_number"),
        4: ("*身份证号", "checksum"),
        5: ("*困难类别", "not_an_option"),
        6: ("*姓名", "required"),
        7: ("工作时间", "date"),
        8: ("*身份证号", "duplicate_in_sheet"),
        9: ("*身份证号", "duplicate_in_database"),
        10: ("次要致困原因（0-3项）", "too_many"),
    }
    fams[1]["id_number"] = int(fams[1]["id_number"][:17]) * 10  # what Excel keeps of an ID typed as a number
    fams[2]["id_number"] = bad_checksum
    fams[3]["hardship_category"] = "特别困难"
    fams[4]["name"] = "  "
    fams[5]["work_start_date"] = "2001-13-45"
    fams[6]["id_number"] = fams[0]["id_number"]
    fams[7]["id_number"] = other_id
    fams[8]["secondary_causes"] = "收入低、住房困难、单亲、自然灾害"
    fams[8]["primary_cause"] = "子女上学"
    orphan = {**factories.member_fields(factories.new_id()), "head_id_number": factories.new_id()}
    before = counts(db)

    dry = run(db, world, workbook(fams, [orphan]), dry_run=True)
    real = run(db, world, workbook(fams, [orphan]))
    assert real.status == ImportStatus.FAILED and dry.status == ImportStatus.FAILED
    assert counts(db) == before  # all-or-nothing: zero rows written
    assert outcome(real)[1:] == outcome(dry)[1:]

    found = {(e["sheet"], e["row"]): (e["column"], e["code"]) for e in real.errors}
    for row, expected in seeded.items():
        assert found.get((sheets.SHEET_FAMILIES, row)) == expected, (row, real.errors)
    assert found[(sheets.SHEET_MEMBERS, 2)] == ("*户主身份证号", "no_family")
    reasons = {e["row"]: e["reason"] for e in real.errors if e["code"] == "duplicate_in_sheet"}
    assert "第8行" in reasons[2] and "第2行" in reasons[8]
    assert real.error_count == len(seeded) + 1
    for error in real.errors:
        assert error["reason"] and not error["reason"].isascii()  # a Chinese reason a clerk reads
        for number in (other_id, bad_checksum, fams[0]["id_number"]):
            assert number not in error["value"]  # sensitive values masked
    checksum = next(e for e in real.errors if e["code"] == "checksum")
    assert checksum["cell"].endswith("4") and "*" in checksum["value"]


def test_good_rows_only_writes_the_clean_rows(db: Session, world: World) -> None:
    fams = [factories.family_fields() for _ in range(3)]
    fams[1]["hardship_category"] = "特别困难"
    before = counts(db)
    job = run(db, world, workbook(fams), good_rows_only=True)
    assert job.status == ImportStatus.PARTIAL
    assert (job.created, job.skipped, job.error_count) == (2, 1, 1)
    assert counts(db)[0] == before[0] + 2
    assert lookup.find_person(db, id_number=fams[1]["id_number"]) is None


def test_a_second_file_updates_and_keeps_history_masked(db: Session, world: World) -> None:
    fams, mems, _ = clean_set(2)
    fams[0]["housing_type"] = "自有住房"
    run(db, world, workbook(fams, mems))
    fams[0]["phone"] = "17000009999"
    fams[0]["housing_type"] = "无固定住所"
    job = run(db, world, workbook(fams, mems))
    assert (job.updated, job.created) == (1, 0)
    family = db.scalar(select(Family).where(Family.id_number_bidx == writes.id_index(fams[0]["id_number"])))
    assert family is not None
    rows, _ = graduates.history(db, entity_type="family", entity_id=family.id, limit=10, offset=0)
    change = rows[0]
    assert change.action == "update" and change.source == f"import:{job.id}"
    assert change.changes["phone"][1] == "170****9999"
    assert change.changes["housing_type"] == ["1", "6"]
    assert "17000009999" not in str(change.changes)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk(db: Session, world: World, encoding: str) -> None:
    fams = [factories.family_fields() for _ in range(2)]
    header = ",".join(f.column for f in FAMILY_FIELDS)
    lines = [header] + [",".join(str(r.get(f.key) or "") for f in FAMILY_FIELDS) for r in fams]
    content = ("\r\n".join(lines) + "\r\n").encode(encoding)
    job = run(db, world, content, filename="families.csv")
    assert job.status == ImportStatus.SUCCEEDED, job.errors
    assert job.created == 2
    family = db.scalar(select(Family).where(Family.id_number_bidx == writes.id_index(fams[0]["id_number"])))
    assert family is not None and family.name == fams[0]["name"]


def test_zip_bomb_is_refused_before_it_is_inflated(db: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_UNCOMPRESSED", 1024 * 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    principal = factories.system(world.orgs["BZ-MC"])
    with pytest.raises(ValidationFailed, match="压缩炸弹"):
        importer.create_job(
            db,
            principal=principal,
            filename="bomb.xlsx",
            content=out.getvalue(),
            org_unit_id=world.orgs["BZ-MC"],
            dry_run=True,
            good_rows_only=False,
        )


def test_row_limit_stops_the_run(db: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_ROWS", 2)
    job = run(db, world, workbook([factories.family_fields() for _ in range(3)]))
    assert job.status == ImportStatus.ERROR
    assert job.errors[0]["code"] == "too_many_rows"


def test_missing_column_and_unknown_layout(db: Session, world: World) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["*职工编号", "*姓名"])
    ws.append(["X1", "张三"])
    out = io.BytesIO()
    book.save(out)
    job = run(db, world, out.getvalue())
    assert job.status == ImportStatus.FAILED
    assert {e["code"] for e in job.errors} == {"missing_column"}
    assert any(e["column"] == "*身份证号" for e in job.errors)
    empty = run(db, world, b"a,b\n1,2\n", filename="x.csv")
    assert empty.status == ImportStatus.ERROR and empty.errors[0]["code"] == "no_header"


def test_county_cannot_update_another_countys_archive_by_import(db: Session, world: World) -> None:
    fams = [factories.family_fields()]
    run(db, world, workbook(fams), county="BZ-GY", user="city")
    job = run(db, world, workbook(fams))
    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["code"] == "duplicate_in_database"


def test_upload_through_the_api_runs_the_task(client: Any, db: Session, world: World) -> None:
    fams, mems, grads = clean_set(2)
    files = {"file": ("registry.xlsx", workbook(fams, mems, grads), "application/octet-stream")}
    resp = client.post(
        "/api/v1/registry/imports", headers=world.headers("county_a"), files=files, data={"dry_run": "true"}
    )
    assert resp.status_code == 202, resp.text
    job_id = resp.json()["id"]
    job = client.get(f"/api/v1/registry/imports/{job_id}", headers=world.headers("county_a")).json()
    assert job["status"] == "succeeded" and job["created"] == 6 and job["dry_run"] is True
    real = client.post(f"/api/v1/registry/imports/{job_id}/run", headers=world.headers("county_a"), json={})
    assert real.status_code == 202
    done = client.get(f"/api/v1/registry/imports/{real.json()['id']}", headers=world.headers("county_a")).json()
    assert done["status"] == "succeeded" and done["created"] == 6 and done["source_job_id"] == job_id
    assert client.get(f"/api/v1/registry/imports/{job_id}", headers=world.headers("county_b")).status_code == 404
    template = client.get("/api/v1/registry/template.xlsx", headers=world.headers("county_a"))
    assert template.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(template.content)).namelist()
    assert "xl/workbook.xml" in names


FRESH_PROCESS = "SUNSHINE_TEST_FRESH_PROCESS"


def test_big_sheets_are_cleaned_in_worker_processes_with_the_same_result(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if not import_rows.parallel_allowed():
        # an earlier test of this process left a thread (a live server, a browser): the import would not fork
        # here, so the test runs again, alone, in a fresh interpreter, where it must
        assert not os.environ.get(FRESH_PROCESS), "a fresh test process has threads: the import cannot fork"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
            cwd=request.config.rootpath,
            env={**os.environ, FRESH_PROCESS: "1"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
        assert "1 passed" in done.stdout
        return
    fams, mems, grads = clean_set(4)
    fams.append(dict(fams[0]))  # a duplicate row, found across batches
    content = workbook(fams, mems, grads)
    serial = run(db, world, content, dry_run=True)
    monkeypatch.setattr(import_rows, "BATCH", 2)
    parallel = run(db, world, content, dry_run=True)
    assert outcome(parallel)[1:] == outcome(serial)[1:]
    codes = [e["code"] for e in parallel.errors]
    assert codes[:2] == ["duplicate_in_sheet", "duplicate_in_sheet"]  # both rows of the duplicate named
    assert set(codes[2:]) <= {"family_row_invalid", "no_family"}  # the first row's members and graduate follow it


def test_progress_is_reported_while_reading_and_writing(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_rows, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(import_rows, "CHUNK", 2)
    fams = [factories.family_fields() for _ in range(5)]
    principal = Principal(
        user_id=world.users["county_a"],
        username="county_a",
        role="union_county",
        org_unit_id=world.orgs["BZ-MC"],
        scope=factories.scope_of(db, world.orgs["BZ-MC"]),
    )
    job = importer.create_job(
        db,
        principal=principal,
        filename="f.xlsx",
        content=workbook(fams),
        org_unit_id=world.orgs["BZ-MC"],
        dry_run=False,
        good_rows_only=False,
    )
    db.info.pop("pending_tasks", None)
    importer.start(db, job_id=job.id)
    seen: list[tuple[int, int]] = []
    importer.run(db, job_id=job.id, progress=lambda read, written: seen.append((read, written)))
    assert seen[0] == (2, 0)  # reading
    assert seen[-1] == (5, 5)  # everything written
    assert seen == sorted(seen)
    importer.publish_progress(db, job_id=job.id, read=1, written=1)  # a finished job keeps its final counts
    assert (job.rows_total, job.rows_done) == (5, 5)
