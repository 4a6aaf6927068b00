"""Option cells in a clerk's own wording: the synonym table, the dry run's list of unmapped wordings, the one-step
confirmation remembered per org, ambiguous wordings never guessed; every check of a row reported; people already
registered updated or skipped as the clerk chooses."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.refdata.enums import vocabularies
from services.registry import forms, importer, lookups, mappings, sheets, wording
from services.registry.models import Family, ImportJob, ImportMapping, ImportStatus
from tests.conftest import World
from tests.registry import factories
from tests.registry.test_import import counts, run, workbook

# the wordings of the county sheet in the issue: each means one option of 附件3
CLERK_WORDING = {
    "household_type": "农业户口",
    "marital_status": "离异",
    "medical_insurance": "城镇职工医保",
    "housing_type": "公租房",
    "archive_standard": "低保",
    "primary_cause": "因学",
    "secondary_causes": "",
}


def clerk_rows(n: int, **extra: Any) -> list[dict[str, Any]]:
    return [factories.family_fields(**{**CLERK_WORDING, **extra}) for _ in range(n)]


def upload(client: Any, world: World, content: bytes, user: str = "county_a", **data: str) -> dict[str, Any]:
    files = {"file": ("县区档案.xlsx", content, "application/octet-stream")}
    resp = client.post(
        "/api/v1/registry/imports", headers=world.headers(user), files=files, data={"dry_run": "true", **data}
    )
    assert resp.status_code == 202, resp.text
    job = client.get(f"/api/v1/registry/imports/{resp.json()['id']}", headers=world.headers(user))
    assert job.status_code == 200
    result: dict[str, Any] = job.json()
    return result


def test_the_synonym_table_maps_the_clerks_wording_to_the_options_of_the_form(db: Session) -> None:
    vocab = wording.worded(vocabularies(db))
    expected = {
        ("household_type", "农业户口"): "农村户口",
        ("household_type", "非农业户口"): "城镇户口",
        ("marital_status", "离异"): "离婚",
        ("medical_insurance", "城镇职工医保"): "城镇职工基本医疗保险",
        ("housing_type", "公租房"): "公租房/廉租房",
        ("archive_standard", "低保"): "家庭人均收入低于当地城乡居民最低生活保障标准",
        ("archive_standard", "低保边缘"): "家庭人均收入高于低保标准但低于低保标准1.5倍（低保边缘家庭）",
        ("hardship_cause", "因学"): "子女上学",
        ("hardship_cause", "因灾"): "自然灾害",
    }
    for (key, text), name in expected.items():
        assert vocab[key].name(vocab[key].resolve(text)) == name, (key, text)
    for key, text in (("health_status", "患病"), ("hardship_cause", "因病"), ("housing_type", "租赁住房")):
        assert vocab[key].resolve(text) is None  # two options fit: never guessed
        assert len(wording.suggestions(vocab[key], text)) == 2
    for entries in wording.synonyms().values():
        for found in entries.values():
            assert all(s.source for s in found)  # where each wording comes from


def test_not_an_option_lists_the_valid_options(db: Session) -> None:
    problems = forms.Problems()
    forms.clean(
        [f for f in forms.FAMILY_FIELDS if f.key == "household_type"],
        {"household_type": "外星户口"},
        vocabularies(db),
        problems,
    )
    (problem,) = problems.items
    assert problem.code == "not_an_option"
    assert "城镇户口、农村户口、居民户口" in problem.reason and "户口类型" in problem.reason


def test_a_clerks_sheet_imports_after_one_confirmation_and_the_next_sheet_needs_none(
    client: Any, db: Session, world: World
) -> None:
    # 附件3's own column names (the template's headers), the clerk's wording, one ambiguous wording (“患病”)
    # and one wording nobody knows (“农业户”)
    rows = clerk_rows(5, health_status="患病", disability=None)
    rows[0]["household_type"] = "农业户"
    before = counts(db)
    first = upload(client, world, workbook(rows))
    assert first["status"] == ImportStatus.FAILED and counts(db) == before
    unmapped = {(u["title"], u["wording"]): u for u in first["unmapped"]}
    assert set(unmapped) == {("健康状况", "患病"), ("户口类型", "农业户")}  # each wording listed once
    sick = unmapped[("健康状况", "患病")]
    assert sick["rows"] == 5 and sick["ambiguous"] is True
    assert {s["name"] for s in sick["suggestions"]} == {"慢性病", "患大病"}
    farm = unmapped[("户口类型", "农业户")]
    assert farm["rows"] == 1 and not farm["ambiguous"] and farm["suggestions"][0]["name"] == "农村户口"
    assert {e["code"] for e in first["errors"]} == {"not_an_option"}  # the synonyms were understood

    # one step: confirm both wordings; the same file is checked again with them, then imported for real
    body = {
        "mappings": [
            {"enumeration": "health_status", "wording": "患病", "code": sick["suggestions"][0]["code"]},
            {"enumeration": "household_type", "wording": "农业户", "code": "农村户口"},
        ]
    }
    resp = client.post(f"/api/v1/registry/imports/{first['id']}/mappings", headers=world.headers("county_a"), json=body)
    assert resp.status_code == 202, resp.text
    recheck = client.get(f"/api/v1/registry/imports/{resp.json()['job']['id']}", headers=world.headers("county_a"))
    assert recheck.json()["status"] == ImportStatus.SUCCEEDED and recheck.json()["unmapped"] == []
    county_a = world.headers("county_a")
    real = client.post(f"/api/v1/registry/imports/{recheck.json()['id']}/run", headers=county_a, json={})
    done = client.get(f"/api/v1/registry/imports/{real.json()['id']}", headers=world.headers("county_a")).json()
    assert done["status"] == ImportStatus.SUCCEEDED and done["created"] == 5
    family = db.scalar(select(Family).where(Family.archive_no == rows[0]["archive_no"]))
    assert family is not None and (family.household_type, family.marital_status) == ("2", "40")
    assert family.archive_standard == "01" and family.primary_cause == "05" and family.housing_type == "3"

    # the org's next sheet in the same wording needs no confirmation; another county's does
    second = upload(client, world, workbook(clerk_rows(3, health_status="患病", household_type="农业户")))
    assert second["status"] == ImportStatus.SUCCEEDED and second["unmapped"] == []
    other = upload(client, world, workbook(clerk_rows(2, health_status="患病")), user="county_b")
    assert [u["wording"] for u in other["unmapped"]] == ["患病"]
    listed = client.get("/api/v1/registry/import-mappings", headers=world.headers("county_a")).json()
    expected = {("health_status", "患病"), ("household_type", "农业户")}
    assert {(m["enumeration"], m["wording"]) for m in listed} == expected


def test_a_confirmation_names_a_real_option(client: Any, db: Session, world: World) -> None:
    job = upload(client, world, workbook(clerk_rows(1, health_status="患病", disability=None)))
    bad = {"mappings": [{"enumeration": "health_status", "wording": "患病", "code": "很健康"}]}
    resp = client.post(f"/api/v1/registry/imports/{job['id']}/mappings", headers=world.headers("county_a"), json=bad)
    assert resp.status_code == 422 and "可选" in resp.text
    assert db.scalar(select(func.count()).select_from(ImportMapping)) == 0
    foreign = {"mappings": [{"enumeration": "health_status", "wording": "患病", "code": "3"}]}
    url = f"/api/v1/registry/imports/{job['id']}/mappings"
    resp = client.post(url, headers=world.headers("county_b"), json=foreign)
    assert resp.status_code == 404  # another county's job


def test_every_check_of_a_row_runs_even_when_its_id_is_bad(db: Session, world: World) -> None:
    good = factories.family_fields()
    bad_id = good["id_number"][:6] + "19990231" + good["id_number"][14:]  # no such day
    rows = [
        factories.family_fields(id_number=bad_id, hardship_category="特别困难", work_start_date="2001-13-45"),
        factories.family_fields(sex="女" if lookups_sex(good["id_number"]) == "男" else "男", birth_date="1950-01-01"),
    ]
    rows[1]["id_number"] = good["id_number"]
    job = run(db, world, workbook(rows), dry_run=True)
    by_row: dict[int, set[tuple[str, str]]] = {}
    for e in job.errors:
        by_row.setdefault(e["row"], set()).add((e["column"], e["code"]))
    assert {col for col, _ in by_row[2]} == {"*身份证号", "*困难类别", "工作时间"}, by_row[2]
    assert {code for _, code in by_row[2]} >= {"not_an_option", "date"}
    assert by_row[3] == {("性别", "mismatch"), ("出生日期", "mismatch")}


def lookups_sex(id_number: str) -> str:
    return "男" if int(id_number[16]) % 2 else "女"


def test_people_already_registered_are_updated_or_skipped_as_the_clerk_chooses(db: Session, world: World) -> None:
    rows = [factories.family_fields() for _ in range(2)]
    run(db, world, workbook(rows))
    changed = [{**r, "address": "蒙城县新地址88号"} for r in rows]
    skipped = run(db, world, workbook(changed), existing="skip")
    assert skipped.status == ImportStatus.SUCCEEDED and (skipped.updated, skipped.skipped) == (0, 2)
    assert "按选择未改动" in (skipped.message or "")
    updated = run(db, world, workbook(changed))
    assert updated.updated == 2
    family = db.scalar(select(Family).where(Family.archive_no == rows[0]["archive_no"]))
    assert family is not None and lookups.family_head_id(family) == rows[0]["id_number"]


@pytest.mark.parametrize("wording_text", ["因病", "租赁住房"])
def test_an_ambiguous_wording_is_never_mapped_silently(db: Session, world: World, wording_text: str) -> None:
    field = "primary_cause" if wording_text == "因病" else "housing_type"
    job = run(db, world, workbook(clerk_rows(2, **{field: wording_text})), good_rows_only=True)
    assert job.created == 0 and job.skipped == 2  # nothing written with a guessed option
    (entry,) = job.unmapped
    assert entry["ambiguous"] and entry["rows"] == 2 and len(entry["suggestions"]) == 2
    reason = next(e["reason"] for e in job.errors if e["code"] == "not_an_option")
    assert "请选择其一" in reason


def test_confirmed_wordings_apply_to_the_orgs_jobs_only(db: Session, world: World) -> None:
    job = run(db, world, workbook(clerk_rows(1, health_status="患病", disability=None)), dry_run=True)
    principal = importer.principal_of(db, user_id=world.users["county_a"], org_unit_id=job.org_unit_id)
    mappings.confirm(db, principal=principal, job=job, choices=[mappings.Choice("health_status", " 患 病 ", "4")])
    assert mappings.confirmed(db, job.org_unit_id) == {"health_status": {"患病": "4"}}
    assert mappings.confirmed(db, world.orgs["BZ-GY"]) == {}
    again = run(db, world, workbook(clerk_rows(1, health_status="患病", disability=None)))
    assert again.status == ImportStatus.SUCCEEDED
    stored = db.scalar(select(ImportJob).where(ImportJob.id == again.id))
    assert stored is not None and stored.unmapped == []
    assert sheets.SHEET_FAMILIES in {e["sheet"] for e in job.errors}
