"""Handoffs across China: a graduate of 涡阳县 who wants 合肥 is handed to the 合肥市总工会 (a union outside the loaded
tree, created on first use with its contact), whose acknowledgement and outcome are recorded by an account there
or by the sending counselor on its behalf; the receiving account sees only the graduates handed to it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.clock import local_today
from services.orgs.models import OrgUnit
from services.refdata.models import RefDivision
from services.security import tokens
from services.security.models import Role
from services.tracking import service as tracking
from services.tracking.models import ExternalUnion
from tests.conftest import World
from tests.tracking.factories import make_graduate, make_user, principal

PHONE = "13955102468"
DIVISIONS = [
    ("340000", "安徽省", "province", None, "安徽省"),
    ("340100", "合肥市", "prefecture", "340000", "安徽省合肥市"),
    ("340104", "蜀山区", "county", "340100", "安徽省合肥市蜀山区"),
    ("341600", "亳州市", "prefecture", "340000", "安徽省亳州市"),
    ("341621", "涡阳县", "county", "341600", "安徽省亳州市涡阳县"),
    ("310000", "上海市", "province", None, "上海市"),
    ("310100", "市辖区", "prefecture", "310000", "上海市市辖区"),
    ("310104", "徐汇区", "county", "310100", "上海市市辖区徐汇区"),
]
P = "/api/v1/tracking"


def _divisions(db: Session) -> None:
    for code, name, level, parent, full in DIVISIONS:
        if db.get(RefDivision, code) is None:
            db.add(RefDivision(code=code, name=name, level=level, parent_code=parent, full_name=full))
    db.flush()


def _error(resp: object) -> tuple[str, str]:
    first = resp.json()["errors"][0]  # type: ignore[attr-defined]
    return first["field"], first["reason"]


def _headers(user_id: int, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issue(user_id=user_id, role=role, version=1)}"}


def _to_hefei(client: TestClient, world: World, graduate_id: int, **extra: object) -> dict[str, object]:
    body = {"graduate_id": graduate_id, "division_code": "340100", "reason": "毕业生意向在合肥市就业", **extra}
    resp = client.post(P + "/handoffs/external", headers=world.headers("counselor_b"), json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_a_handoff_to_hefei_creates_the_union_once_with_its_contact_masked(
    client: TestClient, db: Session, world: World
) -> None:
    _divisions(db)
    first, second = make_graduate(db, world, side="b"), make_graduate(db, world, side="b")

    missing = client.post(
        P + "/handoffs/external",
        headers=world.headers("counselor_b"),
        json={"graduate_id": first.id, "division_code": "340100", "reason": "意向在合肥就业"},
    )
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert _error(missing) == ("contact_name", "首次转介至合肥市总工会，请填写对方联系人")

    made = _to_hefei(client, world, first.id, contact_name="王老师", contact_phone=PHONE)
    again = _to_hefei(client, world, second.id)  # the contact is kept from the first use
    assert made["to_org_unit_id"] == again["to_org_unit_id"]
    assert made["state"] == "pending" and made["intended_place"] == "合肥市"
    unit = db.get(OrgUnit, made["to_org_unit_id"])
    assert unit is not None and (unit.name, unit.kind, unit.division_code) == ("合肥市总工会", "external", "340100")

    listed = client.get(P + "/external-unions", headers=world.headers("counselor_b")).json()
    assert [(u["name"], u["contact_name"], u["contact_phone_masked"], u["accounts"]) for u in listed["items"]] == [
        ("合肥市总工会", "王老师", "139****2468", 0)
    ]
    raw = db.execute(text("SELECT contact_phone_enc FROM tracking_external_union")).scalars().all()
    assert raw and all(PHONE not in str(value) for value in raw)


def test_divisions_that_cannot_receive_are_refused_with_the_reason(
    client: TestClient, db: Session, world: World
) -> None:
    _divisions(db)
    grad = make_graduate(db, world, side="b")

    def reason(code: str) -> tuple[int, str]:
        body = {"graduate_id": grad.id, "division_code": code, "reason": "意向异地就业", "contact_name": "张老师"}
        body["contact_phone"] = PHONE
        resp = client.post(P + "/handoffs/external", headers=world.headers("counselor_b"), json=body)
        return resp.status_code, _error(resp)[1]

    assert reason("340000") == (422, "安徽省是省级行政区，请选择其下的市或县区总工会")
    assert reason("310100")[1].startswith("“上海市市辖区”不是一个市")
    assert reason("341621")[1].startswith("安徽省亳州市涡阳县属于本系统的单位（涡阳县总工会）")
    assert reason("999999") == (422, "行政区划代码“999999”不存在")
    assert db.scalar(select(ExternalUnion.id)) is None


def test_union_names_follow_the_division_tree(db: Session) -> None:
    _divisions(db)
    names = {c: tracking.receiving_division(db, code=c).union_name for c in ("340100", "340104", "310000", "310104")}
    assert names == {
        "340100": "合肥市总工会",
        "340104": "合肥市蜀山区总工会",
        "310000": "上海市总工会",
        "310104": "上海市徐汇区总工会",
    }


def test_the_sending_counselor_acknowledges_and_reports_on_behalf_of_a_union_without_account(
    client: TestClient, db: Session, world: World
) -> None:
    _divisions(db)
    grad = make_graduate(db, world, side="b")
    grad.service_category = "3"
    handoff = _to_hefei(client, world, grad.id, contact_name="王老师", contact_phone=PHONE)
    path = f"{P}/handoffs/{handoff['id']}"

    silent = client.post(path + "/decision", headers=world.headers("counselor_b"), json={"accept": True})
    assert silent.status_code == 422
    assert silent.json()["errors"][0]["field"] == "note"
    # an unrelated county sees nothing of it
    lixin = make_user(db, world, role=Role.COUNSELOR, org="BZ-LX")
    note = {"accept": True, "note": "合肥市总工会王老师电话确认接收"}
    assert client.post(path + "/decision", headers=_headers(lixin.id, Role.COUNSELOR), json=note).status_code == 404

    acked = client.post(path + "/decision", headers=world.headers("counselor_b"), json=note).json()
    assert (acked["state"], acked["decided_on_behalf"]) == ("accepted", True)
    assert acked["decided_by_id"] == world.users["counselor_b"]

    employed = {"outcome": "employed", "outcome_on": local_today().isoformat()}
    refused = client.post(path + "/outcome", headers=world.headers("counselor_b"), json=employed)
    assert refused.status_code == 422
    assert _error(refused) == ("employer", "已就业的，请填写就业单位")
    done = client.post(
        path + "/outcome", headers=world.headers("counselor_b"), json={**employed, "employer": "合肥某软件公司"}
    ).json()
    assert (done["outcome"], done["outcome_employer"], done["outcome_on_behalf"]) == (
        "employed",
        "合肥某软件公司",
        True,
    )
    assert done["outcome_by_id"] == world.users["counselor_b"]

    # the sending county keeps reading the record and the timeline
    home = world.headers("county_b")
    assert client.get(f"/api/v1/registry/graduates/{grad.id}", headers=home).status_code == 200
    timeline = client.get(f"{P}/graduates/{grad.id}/timeline", headers=home).json()
    titles = [item["title"] for item in timeline["items"] if item["kind"] == "handoff"]
    assert titles == ["异地转介（已接收）：已就业（合肥某软件公司）"]


def test_an_account_at_the_external_union_sees_only_the_graduates_handed_to_it(
    client: TestClient, db: Session, world: World
) -> None:
    _divisions(db)
    handed, other = make_graduate(db, world, side="b"), make_graduate(db, world, side="b")
    handed.service_category = other.service_category = "3"
    handoff = _to_hefei(client, world, handed.id, contact_name="王老师", contact_phone=PHONE)
    unit_id = int(str(handoff["to_org_unit_id"]))

    body = {
        "username": "hefei_counselor",
        "password": "Hefei-2023-ok",
        "display_name": "合肥市总工会 王老师",
        "role": "counselor",
        "org_unit_id": unit_id,
    }
    created = client.post("/api/v1/users", headers=world.headers("admin"), json=body)
    assert created.status_code == 201, created.text
    hefei = _headers(created.json()["id"], Role.COUNSELOR)

    listed = client.get(P + "/handoffs", headers=hefei).json()
    assert [h["id"] for h in listed["items"]] == [handoff["id"]]
    assert client.get(f"/api/v1/registry/graduates/{handed.id}", headers=hefei).status_code == 404  # not yet

    acked = client.post(f"{P}/handoffs/{handoff['id']}/decision", headers=hefei, json={"accept": True}).json()
    assert (acked["state"], acked["decided_on_behalf"]) == ("accepted", False)

    assert client.get(f"/api/v1/registry/graduates/{handed.id}", headers=hefei).status_code == 200
    assert client.get(f"/api/v1/registry/graduates/{other.id}", headers=hefei).status_code == 404
    seen = client.get("/api/v1/registry/graduates", headers=hefei).json()
    assert [g["id"] for g in seen["items"]] == [handed.id]
    # the receiving union serves: a contact it logs is accepted, the home union's is refused
    contact = {"channel": "phone", "outcome": "reached", "summary": "推荐合肥岗位"}
    assert client.post(f"{P}/graduates/{handed.id}/contacts", headers=hefei, json=contact).status_code == 201
    home = world.headers("counselor_b")
    assert client.post(f"{P}/graduates/{handed.id}/contacts", headers=home, json=contact).status_code == 403

    outcome = {"outcome": "unemployed", "outcome_on": local_today().isoformat(), "note": "继续推荐岗位"}
    done = client.post(f"{P}/handoffs/{handoff['id']}/outcome", headers=hefei, json=outcome).json()
    assert (done["outcome"], done["outcome_on_behalf"]) == ("unemployed", False)
    directory = client.get(P + "/external-unions", headers=home).json()
    assert directory["items"][0]["accounts"] == 1


def test_outcome_needs_an_accepted_handoff_and_a_past_date(client: TestClient, db: Session, world: World) -> None:
    _divisions(db)
    grad = make_graduate(db, world, side="b")
    handoff = _to_hefei(client, world, grad.id, contact_name="王老师", contact_phone=PHONE)
    path = f"{P}/handoffs/{handoff['id']}/outcome"
    early = client.post(
        path, headers=world.headers("counselor_b"), json={"outcome": "lost_contact", "outcome_on": "2023-09-01"}
    )
    assert early.status_code == 409
    assert early.json()["detail"] == "只有已接收、正在异地服务的转介可以登记结果"
    tracking.decide_handoff(
        db,
        principal=principal(db, world, "counselor_b"),
        handoff_id=int(str(handoff["id"])),
        accept=True,
        note="电话确认",
    )
    future = client.post(
        path, headers=world.headers("counselor_b"), json={"outcome": "lost_contact", "outcome_on": "2999-01-01"}
    )
    assert future.status_code == 422
    assert _error(future) == ("outcome_on", "结果日期不能晚于今天")
    unknown = client.post(
        path, headers=world.headers("counselor_b"), json={"outcome": "moved", "outcome_on": "2023-09-01"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "outcome"


def test_the_contact_phone_is_revealed_with_a_purpose_and_audited(
    client: TestClient, db: Session, world: World
) -> None:
    _divisions(db)
    grad = make_graduate(db, world, side="b")
    _to_hefei(client, world, grad.id, contact_name="王老师", contact_phone=PHONE)
    union_id = client.get(P + "/external-unions", headers=world.headers("counselor_b")).json()["items"][0]["id"]
    body = {
        "target_type": "external_union",
        "target_id": str(union_id),
        "field": "contact_phone",
        "purpose": "联系接收地工会",
    }
    shown = client.post("/api/v1/reveal", headers=world.headers("counselor_b"), json=body)
    assert shown.status_code == 200, shown.text
    assert PHONE in shown.text
    audit = client.get("/api/v1/audit", params={"action": "reveal"}, headers=world.headers("admin")).json()
    assert any(e["target_type"] == "external_union" and e["target_id"] == str(union_id) for e in audit["items"])
    denied = client.post("/api/v1/reveal", headers=world.headers("enterprise_b"), json=body)
    assert denied.status_code in {403, 404}
