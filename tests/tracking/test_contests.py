"""创新创业大赛 and entrepreneurship projects: a 返乡创业 project recorded by a counselor, entered in the city's
contest, screened (a refusal names the criterion not met), supported with funds and space; 附件9 counts them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from services.clock import local_today
from services.tracking.ventures import Screening, SupportData, screening_problem, support_problem
from tests.conftest import World
from tests.tracking.factories import make_graduate
from tests.tracking.test_mentors import mentor

T = "/api/v1/tracking"


def _error(resp: Any) -> tuple[str, str]:
    first = resp.json()["errors"][0]
    return first["field"], first["reason"]


def venture(client: TestClient, world: World, graduate_id: int, key: str = "counselor_a", **extra: Any) -> Any:
    body = {
        "graduate_id": graduate_id,
        "name": "亳芍花茶网店",
        "kind": "online",
        "description": "在电商平台销售本地花草茶",
        "team": "张三、李四",
        **extra,
    }
    return client.post(T + "/ventures", headers=world.headers(key), json=body)


def contest(client: TestClient, world: World, key: str = "city", org: str = "BZ", **extra: Any) -> dict[str, Any]:
    body = {
        "org_unit_id": world.orgs[org],
        "year": local_today().year,
        "name": "困难职工家庭高校毕业生创新创业大赛",
        "organiser": "亳州市总工会、亳州市人力资源和社会保障局",
        **extra,
    }
    resp = client.post(T + "/contests", headers=world.headers(key), json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_a_project_is_checked_and_returning_needs_its_place(client: TestClient, db: Session, world: World) -> None:
    grad = make_graduate(db, world, side="a")
    returning = venture(client, world, grad.id, kind="returning", name="返乡中药材种植合作社")
    assert _error(returning) == ("place", "返乡创业请填写返乡创业的地点")
    kind = venture(client, world, grad.id, kind="lottery")
    assert _error(kind) == ("kind", "请选择项目类型：网络创业、返乡创业或传统创业")
    operating = venture(client, world, grad.id, state="operating")
    assert _error(operating) == ("started_on", "经营中的项目请填写开业日期")
    made = venture(client, world, grad.id, kind="returning", place="蒙城县乐土镇")
    assert made.status_code == 201
    assert (made.json()["kind_name"], made.json()["state_name"]) == ("返乡创业", "筹备中")
    assert venture(client, world, grad.id, key="counselor_b").status_code == 404
    assert client.get(T + "/ventures", headers=world.headers("enterprise_a")).status_code == 403


def test_enter_screen_support_and_count_in_annex9(client: TestClient, db: Session, world: World) -> None:
    c = contest(client, world)
    assert [x["label"] for x in c["criteria"]] == ["基础条件好", "市场前景广", "发展潜力大", "科技含量高"]
    good, weak = make_graduate(db, world, side="b"), make_graduate(db, world, side="b")
    v_good = venture(client, world, good.id, key="counselor_b", kind="returning", place="涡阳县义门镇").json()
    v_weak = venture(client, world, weak.id, key="counselor_b").json()
    entries = {}
    for v in (v_good, v_weak):
        resp = client.post(
            f"{T}/contests/{c['id']}/entries", headers=world.headers("counselor_b"), json={"venture_id": v["id"]}
        )
        assert resp.status_code == 201, resp.text
        entries[v["id"]] = resp.json()
    dup = client.post(
        f"{T}/contests/{c['id']}/entries", headers=world.headers("counselor_b"), json={"venture_id": v_good["id"]}
    )
    assert (
        dup.status_code == 409
        and dup.json()["detail"] == "项目“亳芍花茶网店”已报名“困难职工家庭高校毕业生创新创业大赛”"
    )

    today = local_today().isoformat()
    good_entry, weak_entry = entries[v_good["id"]], entries[v_weak["id"]]
    # county B's staff see the entry but only the city (the organiser) screens it
    county = client.post(
        f"{T}/entries/{good_entry['id']}/screening",
        headers=world.headers("county_b"),
        json={"to": "passed", "on": today},
    )
    assert county.status_code == 403
    unnamed = client.post(
        f"{T}/entries/{weak_entry['id']}/screening", headers=world.headers("city"), json={"to": "refused", "on": today}
    )
    assert _error(unnamed) == ("criterion", "未通过筛选的，请选择不符合的筛选条件")
    refused = client.post(
        f"{T}/entries/{weak_entry['id']}/screening",
        headers=world.headers("city"),
        json={"to": "refused", "on": today, "criterion": "4", "note": "产品同质化"},
    ).json()
    assert (refused["state_name"], refused["criterion_label"]) == ("未通过筛选", "科技含量高")
    passed = client.post(
        f"{T}/entries/{good_entry['id']}/screening", headers=world.headers("city"), json={"to": "passed", "on": today}
    ).json()
    assert passed["state_name"] == "通过筛选"

    support = f"{T}/ventures/{v_weak['id']}/supports"
    not_passed = client.post(
        support,
        headers=world.headers("city"),
        json={"kind": "funds", "given_on": today, "amount": "5000.00", "entry_id": weak_entry["id"]},
    )
    assert not_passed.status_code == 409 and not_passed.json()["detail"] == "参赛项目未通过筛选，不能按大赛给予扶持"
    support = f"{T}/ventures/{v_good['id']}/supports"
    no_amount = client.post(support, headers=world.headers("city"), json={"kind": "funds", "given_on": today})
    assert _error(no_amount) == ("amount", "扶持资金请填写金额")
    by_counselor = client.post(
        support, headers=world.headers("counselor_b"), json={"kind": "space", "given_on": today, "description": "工位"}
    )
    assert by_counselor.status_code == 403
    m = mentor(client, world, kind="business_expert", name="赵专家")
    for body in (
        {"kind": "funds", "given_on": today, "amount": "20000.00", "entry_id": good_entry["id"]},
        {"kind": "space", "given_on": today, "description": "市创业孵化基地工位2个，免租一年"},
        {"kind": "mentoring", "given_on": today, "description": "产品包装与网店运营指导", "mentor_id": m["id"]},
    ):
        assert client.post(support, headers=world.headers("city"), json=body).status_code == 201
    given_list = client.get(support, headers=world.headers("counselor_b")).json()
    assert [s["kind_name"] for s in given_list] == ["扶持资金", "创业场地", "创新指导"]

    report = client.get("/api/v1/reports/annex9", headers=world.headers("city")).json()
    activity = next(t for t in report["tables"] if t["code"] == "annex9_activity")
    rows = {r["county_code"]: r["values"] for r in activity["rows"]}
    gy = rows["BZ-GY"]
    assert (gy["contest_entries"], gy["contest_passed"], gy["ventures_supported"]) == (2, 1, 1)
    assert (gy["ventures_returning"], gy["ventures_online"]) == (1, 1)
    assert Decimal(str(gy["venture_funds"])) == Decimal("20000.00")
    assert Decimal(str(gy["money_spent"])) >= Decimal("20000.00")
    assert rows["BZ-MC"]["contest_entries"] == 0


def test_entries_close_and_a_county_contest_is_its_own(client: TestClient, db: Session, world: World) -> None:
    closed = contest(
        client,
        world,
        name="蒙城县大学生返乡创业大赛",
        key="county_a",
        org="BZ-MC",
        entries_close_on=(local_today() - timedelta(days=1)).isoformat(),
        criteria=["带动就业", "市场前景广"],
    )
    assert [x["code"] for x in closed["criteria"]] == ["1", "2"]
    grad = make_graduate(db, world, side="a")
    v = venture(client, world, grad.id).json()
    late = client.post(
        f"{T}/contests/{closed['id']}/entries", headers=world.headers("counselor_a"), json={"venture_id": v["id"]}
    )
    assert late.status_code == 409 and late.json()["detail"].endswith("截止报名")
    seen = client.get(T + "/contests", headers=world.headers("counselor_b")).json()["items"]
    assert closed["id"] not in {x["id"] for x in seen}
    empty = client.post(
        T + "/contests",
        headers=world.headers("county_a"),
        json={
            "org_unit_id": world.orgs["BZ-MC"],
            "year": 2023,
            "name": "某某大赛一",
            "organiser": "县总",
            "criteria": [],
        },
    )
    assert _error(empty) == ("criteria", "请至少填写一条筛选条件")


@given(
    to=st.sampled_from(["passed", "refused", "submitted", "x"]),
    state=st.sampled_from(["submitted", "passed", "refused"]),
    criterion=st.sampled_from([None, "1", "2", "9"]),
    gap=st.integers(min_value=-3, max_value=3),
)
def test_screening_names_a_criterion_of_the_contest_only_when_refusing(
    to: str, state: str, criterion: str | None, gap: int
) -> None:
    today = date(2023, 10, 1)
    entry = SimpleNamespace(state=state, submitted_on=today - timedelta(days=2))
    contest_row = SimpleNamespace(criteria=[{"code": "1", "label": "基础条件好"}, {"code": "2", "label": "市场前景广"}])
    on = today + timedelta(days=gap) - timedelta(days=1)
    problem = screening_problem(entry, contest_row, Screening(to=to, on=on, criterion=criterion), today=today)  # type: ignore[arg-type]
    legal = (
        to in {"passed", "refused"}
        and state == "submitted"
        and entry.submitted_on <= on <= today
        and ((to == "refused" and criterion in {"1", "2"}) or (to == "passed" and criterion is None))
    )
    assert (problem is None) == legal, (to, state, criterion, on, problem)


@given(amount=st.decimals(allow_nan=True, allow_infinity=True) | st.none(), kind=st.sampled_from(["funds", "space"]))
def test_funds_need_a_positive_amount_in_yuan_and_nothing_else_takes_one(amount: Decimal | None, kind: str) -> None:
    data = SupportData(venture_id=1, kind=kind, given_on=date(2023, 10, 1), description="工位2个", amount=amount)
    problem = support_problem(data, today=date(2023, 10, 1))  # never raises, whatever the amount
    if kind == "space":
        assert (problem is None) == (amount is None)
        return
    fine = (
        amount is not None
        and amount.is_finite()
        and Decimal("0") < amount <= Decimal("9999999.99")
        and amount == amount.quantize(Decimal("0.01"))
    )
    assert (problem is None) == fine
    if problem is not None:
        assert problem[0] == "amount"


def test_a_founder_paired_with_an_expert_starts_and_counts_as_self_employed(
    client: TestClient, db: Session, world: World
) -> None:
    def self_employed() -> tuple[int, int]:
        report = client.get("/api/v1/reports/annex9", headers=world.headers("city")).json()
        table = next(t for t in report["tables"] if t["code"] == "annex9")
        total = table["total"]["values"]
        return int(total["self_employed"]), int(total["flexible"])

    before = self_employed()
    grad = make_graduate(db, world, side="a")
    v = venture(client, world, grad.id).json()
    expert = mentor(client, world, kind="business_expert", name="孙专家")
    body = {"mentor_id": expert["id"], "graduate_id": grad.id, "kind": "startup"}
    made = client.post(T + "/pairings", headers=world.headers("counselor_a"), json=body)
    assert made.status_code == 201 and made.json()["venture_id"] == v["id"]
    today = local_today().isoformat()
    started = client.post(
        f"{T}/pairings/{made.json()['id']}/outcome",
        headers=world.headers("counselor_a"),
        json={"to": "business_started", "on": today},
    )
    assert started.status_code == 200 and started.json()["state_name"] == "已创业"
    project = client.get(f"{T}/ventures/{v['id']}", headers=world.headers("counselor_a")).json()
    assert (project["state_name"], project["started_on"]) == ("经营中", today)
    status = client.get(f"{T}/graduates/{grad.id}/status", headers=world.headers("counselor_a")).json()
    assert status["status"] == "self_employed"
    after = self_employed()
    assert (after[0] - before[0], after[1] - before[1]) == (1, 0)
