"""The enterprise's, union staff's and admin's console pages without a browser: no hardship data on any page an
enterprise reaches, CSRF on every new form, a label on every control, scope and role refusals as pages with the
API's reasons, masked values only, and the self-signup account that cannot publish before verification."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.models import Position
from services.matches import occupations
from services.refdata.enums import vocabularies
from services.refdata.models import RefOccupation
from services.registry import mappings
from services.reports import render as report_render
from services.security import pii
from services.tracking import flows
from tests.catalog import factories as catalog_factories
from tests.conftest import PASSWORD, World
from tests.matches.factories import id_number, make_employer
from tests.registry.test_import import workbook
from tests.registry.test_import_wording import clerk_rows
from tests.tracking.factories import principal
from tests.web.console import csrf_of, login, post_form, unlabelled_controls
from tests.web.staff import hiring

PHONE = "13955501234"
CARD = "6217002870001234567"
INCOME = "1873.45"


def _seal(obj: object, name: str, kind: pii.PiiKind, value: str) -> None:
    sealed = pii.seal(kind, value)
    setattr(obj, f"{name}_enc", sealed.ciphertext)
    setattr(obj, f"{name}_bidx", sealed.blind_index)
    setattr(obj, f"{name}_masked", sealed.masked)


def _enterprise_pages(position_id: int) -> list[str]:
    return [
        "/enterprise",
        "/enterprise/positions/new",
        f"/enterprise/applicants?position_id={position_id}",
        f"/enterprise/candidates?position_id={position_id}",
        "/messages",
    ]


def test_no_page_an_enterprise_reaches_shows_hardship_data(client: TestClient, db: Session, world: World) -> None:
    h = hiring(db, world)
    graduate_id, head_id = id_number(date(2002, 5, 1)), id_number(date(1972, 3, 1))
    _seal(h.graduate, "id_number", pii.PiiKind.ID_NUMBER, graduate_id)
    _seal(h.family, "id_number", pii.PiiKind.ID_NUMBER, head_id)
    _seal(h.graduate, "phone", pii.PiiKind.PHONE, PHONE)
    _seal(h.family, "bank_card", pii.PiiKind.BANK_CARD, CARD)
    for name in ("monthly_income", "annual_income", "per_capita_income"):
        _seal(h.family, name, pii.PiiKind.TEXT, INCOME)
    db.commit()
    hardship_names = [name for _, name in vocabularies(db)["hardship_category"].names.items()]
    forbidden = [
        PHONE,
        h.graduate.phone_masked,
        CARD,
        h.family.bank_card_masked,
        INCOME,
        h.family.id_number_masked,
        h.graduate.id_number_masked,
        h.family.name,
        *hardship_names,
        graduate_id,
        head_id,
    ]
    login(client, "t_enterprise_a")
    # move the applicant along so the kanban shows its history too
    for to in ("interviewing", "offered"):
        resp = post_form(
            client,
            f"/enterprise/applicants?position_id={h.position.id}",
            f"/enterprise/applications/{h.application.id}/move",
            {"to_state": to, "interview_at": "2026-12-08T10:00"},
        )
        assert resp.status_code == 200
    for page in _enterprise_pages(h.position.id):
        html = client.get(page).text
        assert h.graduate.name in html or page != f"/enterprise/applicants?position_id={h.position.id}"
        leaked = [value for value in forbidden if value and value in html]
        assert leaked == [], f"{page} shows {leaked}"
    for page in ("/union", "/union/archives", "/union/aid", "/admin/accounts", "/counselor"):
        refused = client.get(page)
        assert refused.status_code == 403 and "您的角色无权访问此页面" in refused.text
    client.cookies.clear()
    login(client, "t_county_a")  # the seeded values are there to find: union staff see them, masked
    archives = client.get("/union/archives").text
    assert h.family.name in archives and h.family.id_number_masked in archives and head_id not in archives


@pytest.mark.parametrize(
    ("user", "page", "action"),
    [
        ("t_enterprise_a", "/enterprise/positions/new", "/enterprise/positions"),
        ("t_county_a", "/union/employers", "/union/employers/1/review"),
        ("t_county_a", "/union/imports", "/union/imports"),
        ("t_county_a", "/union/imports", "/union/imports/1/mappings"),
        ("t_enterprise_a", "/enterprise/positions/new", "/enterprise/positions/occupations"),
        ("t_county_a", "/union/reports", "/union/reports/snapshots"),
        ("t_county_a", "/union/aid/notices", "/union/aid/notices"),
        ("t_admin", "/admin/accounts", "/admin/accounts"),
    ],
)
def test_every_new_form_needs_its_csrf_token(
    client: TestClient, db: Session, world: World, user: str, page: str, action: str
) -> None:
    catalog_factories.ensure_reference(db)
    db.commit()
    login(client, user)
    assert 'name="csrf_token"' in client.get(page).text
    refused = client.post(action, data={"title": "x"})
    assert refused.status_code == 403 and "安全校验" in refused.text


def test_the_signup_form_needs_a_token_too(client: TestClient, db: Session, world: World) -> None:
    catalog_factories.ensure_reference(db)
    db.commit()
    assert client.post("/enterprise/signup", data={"username": "x"}).status_code == 403


def test_every_control_on_the_staff_pages_has_a_label(client: TestClient, db: Session, world: World) -> None:
    h = hiring(db, world)
    pages = {
        "t_enterprise_a": _enterprise_pages(h.position.id),
        "t_county_a": [
            "/union",
            "/union/archives",
            "/union/employers",
            "/union/imports",
            "/union/reports",
            "/union/aid",
            "/union/aid/notices",
            "/union/aid/payments",
        ],
        "t_admin": ["/admin/accounts", "/admin/refdata", "/admin/audit"],
    }
    for user, paths in pages.items():
        client.cookies.clear()
        login(client, user)
        for path in paths:
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.text[-500:])
            assert unlabelled_controls(resp.text) == [], path
    client.cookies.clear()
    assert unlabelled_controls(client.get("/enterprise/signup").text) == []


def test_the_verification_queue_keeps_to_the_county_and_gives_the_apis_reason(
    client: TestClient, db: Session, world: World
) -> None:
    catalog_factories.ensure_reference(db)
    ours = catalog_factories.make_employer(db, world, status="pending", name="蒙城县示范制药有限公司")
    theirs = catalog_factories.make_employer(db, world, side="b", status="pending", name="涡阳县示范食品有限公司")
    db.commit()
    login(client, "t_county_a")
    queue = client.get("/union/employers").text
    assert ours.name in queue and theirs.name not in queue
    refused = post_form(client, "/union/employers", f"/union/employers/{ours.id}/review", {"decision": "reject"})
    assert refused.status_code == 422 and "不予认证须说明理由" in refused.text
    other = post_form(client, "/union/employers", f"/union/employers/{theirs.id}/review", {"decision": "approve"})
    assert other.status_code == 404
    done = post_form(client, "/union/employers", f"/union/employers/{ours.id}/review", {"decision": "approve"})
    assert done.status_code == 200 and "已认证通过" in done.text
    db.refresh(ours)
    assert ours.status == "verified"


def test_a_signed_up_enterprise_drafts_then_publishes_once_verified(
    client: TestClient, db: Session, world: World
) -> None:
    catalog_factories.ensure_reference(db)
    db.commit()
    token = csrf_of(client.get("/enterprise/signup").text)
    form = {
        "csrf_token": token,
        "username": "bz_pharma_web",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "name": "亳州网上制药有限公司",
        "credit_code": catalog_factories.credit_code(),
        "industry_code": "27",
        "ownership": "private",
        "division_code": "341622",
    }
    landed = client.post("/enterprise/signup", data=form)
    assert landed.status_code == 200 and landed.url.path == "/enterprise" and "待工会认证" in landed.text
    body = {"kind": "job", "title": "中药检验员", "places": "341622", "min_education": "junior_college"}
    refused = post_form(client, "/enterprise/positions/new", "/enterprise/positions", {**body, "publish": "on"})
    assert refused.status_code == 409 and "尚未通过工会认证" in refused.text
    draft = post_form(client, "/enterprise/positions/new", "/enterprise/positions", body)
    assert draft.status_code == 200 and "认证后可发布" in draft.text
    check = post_form(
        client,
        "/enterprise/positions/new",
        "/enterprise/positions/check",
        {**body, "pay_min": "9000", "pay_max": "3000"},
    )
    assert check.status_code == 200 and re.search("月薪", check.text)


def test_archives_page_pages_filters_and_masks(client: TestClient, db: Session, world: World) -> None:
    from tests.matches.factories import make_family

    families = [make_family(db, world) for _ in range(23)]
    db.commit()
    login(client, "t_county_a")
    first = client.get("/union/archives").text
    assert "共 23 户" in first and "下一页" in first
    assert families[0].id_number_masked in first
    second = client.get("/union/archives?offset=20").text
    assert families[22].name in second and families[0].name not in second
    one = client.get(f"/union/archives?name={families[5].name}").text
    assert "共 1 户" in one
    client.cookies.clear()
    login(client, "t_county_b")
    assert "没有符合条件的档案" in client.get("/union/archives").text


def test_the_graduate_confirms_and_the_enterprise_signs_on_the_board(
    client: TestClient, db: Session, world: World
) -> None:
    h = hiring(db, world)
    login(client, "t_enterprise_a")
    board = f"/enterprise/applicants?position_id={h.position.id}"
    move = f"/enterprise/applications/{h.application.id}/move"
    headers = {"HX-Request": "true"}
    assert post_form(client, board, move, {"to_state": "offered"}, headers=headers).status_code == 200
    early = post_form(client, board, move, {"to_state": "signed"}, headers=headers)
    assert "本单位已确认签约，等待毕业生确认" in early.text
    db.expire_all()
    flows.move(db, principal=principal(db, world, "graduate_a"), application_id=h.application.id, to_state="signed")
    db.commit()
    db.refresh(h.application)
    assert h.application.state == "signed"
    assert 'id="lane-signed"' in client.get(board).text


def _wrong_check_digit(valid: str) -> str:
    return valid[:17] + ("0" if valid[17] == "X" else str((int(valid[17]) + 1) % 10))


def _mapping_fields(html: str) -> list[dict[str, Any]]:
    """The mapping step's rows as the page offers them: the hidden enumeration and wording, the label, the
    options of its select (code, name) and the one selected."""
    out = []
    for i in itertools.count():
        enumeration = re.search(rf'name="enumeration-{i}" value="([^"]*)"', html)
        if enumeration is None:
            break
        wording = re.search(rf'name="wording-{i}" value="([^"]*)"', html)
        label = re.search(rf'<label for="f-code-{i}">([^<]*)</label>', html)
        select = re.search(rf'<select id="f-code-{i}" name="code-{i}"[^>]*>(.*?)</select>', html, flags=re.S)
        assert wording and label and select
        options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select[1])
        out.append(
            {
                "enumeration": enumeration[1],
                "wording": wording[1],
                "label": label[1],
                "options": [(code, name) for code, _, name in options],
                "selected": next((code for code, sel, _ in options if sel), ""),
            }
        )
    return out


def test_the_clerk_confirms_the_dry_runs_wordings_in_one_step_and_downloads_the_error_workbook(
    client: TestClient, db: Session, world: World
) -> None:
    rows = clerk_rows(3, health_status="患病", disability=None)
    rows[0]["household_type"] = "农业户"
    rows[2]["id_number"] = _wrong_check_digit(str(rows[2]["id_number"]))
    login(client, "t_county_a")
    token = csrf_of(client.get("/union/imports").text)
    files = {"file": ("县区档案.xlsx", workbook(rows), "application/octet-stream")}
    first = client.post("/union/imports", data={"csrf_token": token}, files=files)
    assert first.status_code == 200 and "结果：有错误，未写入" in first.text
    fields = {(f["enumeration"], f["wording"]): f for f in _mapping_fields(first.text)}
    assert set(fields) == {("health_status", "患病"), ("household_type", "农业户")}  # each wording once
    farm, sick = fields[("household_type", "农业户")], fields[("health_status", "患病")]
    assert farm["label"] == "户口类型：“农业户”（档案，1 行）对应"
    assert dict(farm["options"])[farm["selected"]] == "农村户口"  # the suggestion, chosen
    assert sick["selected"] == "" and "请选定一个" in first.text  # ambiguous: the clerk must choose
    assert {"慢性病", "患大病"} <= {name for _, name in sick["options"]}
    assert unlabelled_controls(first.text) == []

    # the error workbook: the uploaded sheet, each bad cell with its reason
    link = re.search(r'href="(/union/imports/\d+/errors\.xlsx)"', first.text)
    assert link and "下载错误标注表" in first.text
    book = client.get(link[1])
    assert book.status_code == 200 and book.headers["content-type"].startswith(report_render.XLSX_MEDIA_TYPE)
    comments = [
        c.comment.text for ws in load_workbook(io.BytesIO(book.content)) for r in ws.iter_rows() for c in r if c.comment
    ]
    assert any("身份证号校验位错误" in text for text in comments)
    assert any("患病" in text for text in comments)

    # nothing chosen: the domain's reason, on the page
    job_path = first.url.path
    empty = {"enumeration-0": sick["enumeration"], "wording-0": sick["wording"], "code-0": ""}
    refused = post_form(client, job_path, f"{job_path}/mappings", empty)
    assert refused.status_code == 422 and "请至少确认一个选项写法" in refused.text

    # one step for both; the same file is checked again with them
    chosen = {
        "enumeration-0": farm["enumeration"],
        "wording-0": farm["wording"],
        "code-0": farm["selected"],
        "enumeration-1": sick["enumeration"],
        "wording-1": sick["wording"],
        "code-1": next(code for code, name in sick["options"] if name == "慢性病"),
    }
    again = post_form(client, job_path, f"{job_path}/mappings", chosen)
    assert again.status_code == 200 and again.url.path != job_path
    assert _mapping_fields(again.text) == []
    assert re.search(r'id="error-count">1<', again.text)  # only the wrong ID number is left
    assert "身份证号校验位错误" in again.text and "下载错误标注表" in again.text
    saved = {
        (m.enumeration, m.wording): m.code
        for m in mappings.list_mappings(db, principal=principal(db, world, "county_a"), org_unit_id=None)
    }
    assert saved[("household_type", "农业户")] == farm["selected"]
    assert ("health_status", "患病") in saved

    # another county's clerk finds neither the job nor its workbook
    client.cookies.clear()
    login(client, "t_county_b")
    assert client.get(job_path).status_code == 404
    again_book = re.search(r'href="(/union/imports/\d+/errors\.xlsx)"', again.text)
    assert again_book and client.get(again_book[1]).status_code == 404
    assert post_form(client, "/union/imports", f"{job_path}/mappings", chosen).status_code == 404


def _occupation_boxes(html: str) -> list[tuple[str, str, bool]]:
    """The posting form's occupation checkboxes: (code, label text, checked)."""
    found = re.findall(
        r'<input type="checkbox" id="occ-([^"]+)" name="occupations" value="[^"]+"( checked)?>'
        r'<label for="occ-[^"]+">([^<]*)',
        html,
    )
    return [(code, label, bool(checked)) for code, checked, label in found]


def test_the_posting_form_suggests_occupations_and_the_enterprises_choice_is_stored_as_confirmed(
    client: TestClient, db: Session, world: World
) -> None:
    typed = {"kind": "job", "title": "全科医生助理", "description": "协助全科医生接诊、随访", "places": "341622"}
    expected = occupations.suggest(typed["title"], typed["description"], k=5)
    catalog_factories.ensure_reference(db)
    for s in expected:  # the classification's rows the catalog checks codes against
        if db.get(RefOccupation, s.code) is None:
            db.add(RefOccupation(code=s.code, level=4, level_name="细类", name=s.name))
    make_employer(db, world, account="enterprise_a")
    db.commit()
    login(client, "t_enterprise_a")
    blank = client.get("/enterprise/positions/new")
    assert "填写岗位名称后" in blank.text and _occupation_boxes(blank.text) == []
    offered = post_form(client, "/enterprise/positions/new", "/enterprise/positions/occupations", typed)
    assert offered.status_code == 200 and 'id="occupation-suggestions"' in offered.text
    boxes = _occupation_boxes(offered.text)
    assert [code for code, _, _ in boxes] == [s.code for s in expected]  # the API's suggestions, in its order
    assert not any(checked for _, _, checked in boxes)  # nothing is confirmed for the poster
    general = next(code for code, label, _ in boxes if label.startswith("全科医师"))
    assert unlabelled_controls(offered.text) == []

    # a refused form keeps the ticked occupation ticked
    refused = post_form(
        client,
        "/enterprise/positions/new",
        "/enterprise/positions",
        {**typed, "occupations": general, "pay_min": "9000", "pay_max": "3000"},
    )
    assert refused.status_code == 422
    assert (general, True) in {(code, checked) for code, _, checked in _occupation_boxes(refused.text)}

    saved = post_form(client, "/enterprise/positions/new", "/enterprise/positions", {**typed, "occupations": general})
    assert saved.status_code == 200 and "职业：全科医师（已确认）" in saved.text
    unconfirmed = post_form(
        client, "/enterprise/positions/new", "/enterprise/positions", {**typed, "title": "内科医生助理"}
    )
    assert unconfirmed.status_code == 200 and "（推断）" in unconfirmed.text
    stored = {
        p.title: p for p in db.scalars(select(Position).where(Position.title.in_(["全科医生助理", "内科医生助理"])))
    }
    assert (stored["全科医生助理"].occupations, stored["全科医生助理"].occupation_state) == ([general], "confirmed")
    assert stored["内科医生助理"].occupation_state == "suggested"
    assert (
        stored["内科医生助理"].occupations[0] == occupations.suggest("内科医生助理", typed["description"], k=1)[0].code
    )
