"""A 两后生's vocational path: a counselor records a 技能培训 course, a 技工学校 enrolment and an apprenticeship, ends
them with a certificate or a reason, and the history keeps every step; people of other categories and other
counties are refused."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.clock import local_today
from services.registry.models import Graduate, RegistryChange
from services.registry.vocational import MOVES, TRACK_STATUSES, TrackMove, move_problem
from tests.conftest import World
from tests.tracking.factories import make_graduate

R = "/api/v1/registry/graduates"


def two_after(db: Session, world: World, side: str = "a") -> Graduate:
    grad = make_graduate(db, world, side=side, name="周小两")
    grad.service_category = "4"
    grad.education = "71"
    grad.school_kind = "03"
    grad.school_name = "蒙城县第三中学"
    db.flush()
    return grad


def _error(resp: Any) -> tuple[str, str]:
    first = resp.json()["errors"][0]
    return first["field"], first["reason"]


def _training(**extra: Any) -> dict[str, Any]:
    start = local_today() - timedelta(days=60)
    return {
        "kind": "training",
        "programme": "电工（初级）",
        "provider": "蒙城县职业技能培训中心",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=45)).isoformat(),
        "hours": 120,
        **extra,
    }


def test_a_counselor_records_training_school_and_apprenticeship_with_outcomes(
    client: TestClient, db: Session, world: World
) -> None:
    grad = two_after(db, world)
    h = world.headers("counselor_a")
    made = client.post(f"{R}/{grad.id}/vocational-tracks", headers=h, json=_training())
    assert made.status_code == 201, made.text
    track = made.json()
    assert (track["kind_name"], track["status_name"]) == ("技能培训", "在训/在读")
    school = client.post(
        f"{R}/{grad.id}/vocational-tracks",
        headers=h,
        json={
            "kind": "school",
            "programme": "数控加工（数控车工）",
            "provider": "亳州技师学院",
            "school_type": "technical",
            "starts_on": (local_today() - timedelta(days=30)).isoformat(),
        },
    )
    assert school.status_code == 201, school.text
    done = client.post(
        f"{R}/{grad.id}/vocational-tracks/{track['id']}/moves",
        headers=h,
        json={
            "to": "completed",
            "on": (local_today() - timedelta(days=10)).isoformat(),
            "certificate": "电工职业技能等级证书（五级）",
            "certificate_no": "S000034160000235",
            "outcome": "further_study",
        },
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status_name"], done.json()["outcome_name"]) == ("已结业/毕业", "继续升学")
    again = client.post(
        f"{R}/{grad.id}/vocational-tracks/{track['id']}/moves",
        headers=h,
        json={"to": "dropped", "on": local_today().isoformat(), "outcome_note": "外出务工"},
    )
    assert again.status_code == 409
    assert _error(again) == ("to", "该记录当前为“已结业/毕业”，不能改为“中途退出”")
    listed = client.get(f"{R}/{grad.id}/vocational-tracks", headers=world.headers("county_a")).json()["items"]
    assert [t["provider"] for t in listed] == ["蒙城县职业技能培训中心", "亳州技师学院"]
    history = db.scalars(
        select(RegistryChange.action)
        .where(RegistryChange.entity_type == "vocational_track")
        .order_by(RegistryChange.id)
    ).all()
    assert history == ["create", "create", "update"]


def test_bad_steps_are_refused_with_the_field_and_a_reason(client: TestClient, db: Session, world: World) -> None:
    grad = two_after(db, world)
    h = world.headers("counselor_a")
    url = f"{R}/{grad.id}/vocational-tracks"
    no_type = client.post(url, headers=h, json={**_training(), "kind": "school", "hours": None})
    assert _error(no_type) == ("school_type", "请选择学校类别：中等职业学校或技工学校")
    backwards = client.post(url, headers=h, json=_training(ends_on="2001-01-01"))
    assert _error(backwards) == ("ends_on", "结束日期不能早于开始日期")
    unknown = client.post(url, headers=h, json=_training(role="admin"))
    assert unknown.status_code == 422
    made = client.post(url, headers=h, json=_training()).json()
    dropped = client.post(
        f"{url}/{made['id']}/moves", headers=h, json={"to": "dropped", "on": local_today().isoformat()}
    )
    assert _error(dropped) == ("outcome_note", "请说明中途退出的原因")
    assert client.get(url, headers=h).json()["items"][0]["status"] == "enrolled"


def test_only_two_after_graduates_of_the_scope_get_a_track(client: TestClient, db: Session, world: World) -> None:
    graduate = make_graduate(db, world, side="a")
    refused = client.post(
        f"{R}/{graduate.id}/vocational-tracks", headers=world.headers("counselor_a"), json=_training()
    )
    assert refused.status_code == 409
    assert _error(refused)[0] == "graduate_id" and "两后生" in _error(refused)[1]
    theirs = two_after(db, world, side="b")
    other = client.post(f"{R}/{theirs.id}/vocational-tracks", headers=world.headers("counselor_a"), json=_training())
    assert other.status_code == 404
    enterprise = client.get(f"{R}/{theirs.id}/vocational-tracks", headers=world.headers("enterprise_b"))
    assert enterprise.status_code == 403


@given(
    start=st.sampled_from(sorted(TRACK_STATUSES)),
    to=st.sampled_from([*sorted(TRACK_STATUSES), "graduated"]),
    days=st.integers(min_value=-30, max_value=30),
    outcome=st.sampled_from([None, "employed", "nowhere"]),
    note=st.sampled_from([None, "", "外出务工"]),
)
def test_the_state_machine_allows_exactly_the_listed_moves(
    start: str, to: str, days: int, outcome: str | None, note: str | None
) -> None:
    today = date(2023, 11, 1)
    track: Any = SimpleNamespace(status=start, starts_on=date(2023, 10, 1))
    move = TrackMove(to=to, on=today + timedelta(days=days), outcome=outcome, outcome_note=note)
    found = move_problem(track, move, today=today)
    allowed = (
        to in MOVES.get(start, frozenset())
        and move.on <= today
        and move.on >= track.starts_on
        and (outcome == "employed" if to == "completed" else bool(note))
    )
    assert (found is None) == allowed
