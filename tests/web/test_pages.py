"""The console's page routes without a browser: sign in and out, the session's revocation, CSRF, the role and
scope rules as HTML pages, refusals with the API's reasons, labels on every control and no unmasked value."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.security import pii
from services.security import service as security
from services.security.models import User
from services.tracking.models import Contact, ServiceRecord
from tests.conftest import PASSWORD, World
from tests.matches.factories import make_employer, make_graduate, make_position
from tests.web.console import csrf_of, invitation_code, login, post_form, unlabelled_controls


def test_root_sends_to_login_and_then_to_the_roles_home(client: TestClient, db: Session, world: World) -> None:
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login"
    assert login(client, "t_counselor_a") == "/counselor"
    assert client.get("/", follow_redirects=False).headers["location"] == "/counselor"
    page = client.get("/counselor")
    assert "工作台" in page.text and "待联系" in page.text and "交接" in page.text
    cookie = page.request.headers["cookie"]
    assert "sunshine_session=" in cookie


def test_session_cookie_is_httponly_and_samesite_lax(client: TestClient, db: Session, world: World) -> None:
    make_graduate(db, world, user_id=world.users["graduate_a"])
    db.commit()
    token = csrf_of(client.get("/login").text)
    resp = client.post(
        "/login", data={"username": "t_graduate_a", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert resp.status_code == 303
    header = next(v for k, v in resp.headers.multi_items() if k == "set-cookie" and "sunshine_session=" in v)
    assert "HttpOnly" in header and "SameSite=lax" in header and "Secure" not in header


def test_wrong_password_shows_the_apis_reason_next_to_the_form(client: TestClient, db: Session, world: World) -> None:
    token = csrf_of(client.get("/login").text)
    resp = client.post("/login", data={"username": "t_counselor_a", "password": "wrong-pass1", "csrf_token": token})
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.text and 'value="t_counselor_a"' in resp.text


def test_logout_ends_the_session(client: TestClient, db: Session, world: World) -> None:
    login(client, "t_counselor_a")
    resp = post_form(client, "/counselor", "/logout", {})
    assert resp.status_code == 200 and "您已退出登录" in resp.text
    again = client.get("/counselor", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login?next=%2Fcounselor")


def test_a_password_change_revokes_the_console_session(client: TestClient, db: Session, world: World) -> None:
    login(client, "t_counselor_a")
    assert client.get("/counselor").status_code == 200
    user = db.get(User, world.users["counselor_a"])
    assert user is not None
    security.change_password(db, user=user, old=PASSWORD, new="Another-pass2")
    db.commit()
    resp = client.get("/counselor")
    assert resp.url.path == "/login" and "登录凭证已失效" in resp.text


def test_post_without_csrf_token_is_refused_with_403(client: TestClient, db: Session, world: World) -> None:
    graduate = make_graduate(db, world)
    db.commit()
    assert client.post("/login", data={"username": "t_counselor_a", "password": PASSWORD}).status_code == 403
    login(client, "t_counselor_a")
    resp = client.post(
        f"/counselor/graduates/{graduate.id}/services",
        data={"kind": "policy_briefing", "delivered_on": date.today().isoformat()},
    )
    assert resp.status_code == 403 and "安全校验未通过" in resp.text
    forged = client.post(
        f"/counselor/graduates/{graduate.id}/services",
        data={"kind": "policy_briefing", "delivered_on": date.today().isoformat(), "csrf_token": "0" * 64},
    )
    assert forged.status_code == 403
    assert db.scalar(select(ServiceRecord.id).where(ServiceRecord.graduate_id == graduate.id)) is None


def test_a_token_of_another_session_is_refused(client: TestClient, db: Session, world: World) -> None:
    login(client, "t_counselor_a")
    stolen = csrf_of(client.get("/counselor").text)
    with TestClient(client.app) as other:
        login(other, "t_counselor_b")
        resp = other.post("/logout", data={"csrf_token": stolen})
        assert resp.status_code == 403


def test_wrong_role_gets_a_403_page(client: TestClient, db: Session, world: World) -> None:
    make_graduate(db, world, user_id=world.users["graduate_a"])
    db.commit()
    login(client, "t_graduate_a")
    resp = client.get("/counselor")
    assert resp.status_code == 403 and "您的角色无权访问此页面" in resp.text
    assert "我的匹配" in resp.text  # the graduate's own navigation stays
    for path in ("/counselor/due", "/counselor/handoffs", "/counselor/graduates/1"):
        assert client.get(path).status_code == 403, path
    with TestClient(client.app) as other:
        login(other, "t_counselor_a")
        for path in ("/graduate/matches", "/graduate/applications", "/graduate/profile"):
            assert other.get(path).status_code == 403, path


def test_every_page_sends_a_stranger_to_the_login_page(client: TestClient, db: Session, world: World) -> None:
    paths = ["/counselor", "/counselor/due", "/counselor/handoffs", "/counselor/graduates/1", "/messages"]
    paths += ["/graduate/matches", "/graduate/applications", "/graduate/profile"]
    for path in paths:
        resp = client.get(path, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/login?next="), path


def test_login_follows_only_a_path_on_this_site(client: TestClient, db: Session, world: World) -> None:
    for target, lands in (
        ("/counselor/due", "/counselor/due"),
        ("//evil.example/x", "/counselor"),
        ("/\\evil", "/counselor"),
    ):
        token = csrf_of(client.get("/login").text)
        data = {"username": "t_counselor_a", "password": PASSWORD, "csrf_token": token, "next": target}
        resp = client.post("/login", data=data, follow_redirects=False)
        assert resp.headers["location"] == lands, target


def test_graduate_of_another_county_is_a_404_page(client: TestClient, db: Session, world: World) -> None:
    theirs = make_graduate(db, world, side="b")
    db.commit()
    login(client, "t_counselor_a")
    resp = client.get(f"/counselor/graduates/{theirs.id}")
    assert resp.status_code == 404 and "不存在或不在您的管辖范围内" in resp.text
    invite = post_form(client, "/counselor", f"/counselor/graduates/{theirs.id}/invitation", {})
    assert invite.status_code == 404


def test_counselor_logs_a_contact_and_a_service_and_sees_them_on_the_timeline(
    client: TestClient, db: Session, world: World
) -> None:
    graduate = make_graduate(db, world)
    db.commit()
    login(client, "t_counselor_a")
    page = f"/counselor/graduates/{graduate.id}"
    due = (date.today() + timedelta(days=14)).isoformat()
    resp = post_form(
        client,
        page,
        f"{page}/contacts",
        {"channel": "visit", "outcome": "needs_help", "summary": "上门走访，希望找软件类工作", "next_due_on": due},
    )
    assert resp.status_code == 200 and "联系回访已登记" in resp.text
    resp = post_form(
        client, page, f"{page}/services", {"kind": "career_guidance", "delivered_on": date.today().isoformat()}
    )
    assert "服务已登记" in resp.text
    html = client.get(page).text
    assert "走访" in html and "职业指导" in html and "needs_help" not in html.split("<main")[1].split("<form")[0]
    contact = db.scalar(select(Contact).where(Contact.graduate_id == graduate.id))
    assert contact is not None and contact.next_due_on is not None and contact.next_due_on.isoformat() == due


def test_a_refused_form_shows_the_apis_reason_and_field_and_keeps_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    graduate = make_graduate(db, world)
    db.commit()
    login(client, "t_counselor_a")
    page = f"/counselor/graduates/{graduate.id}"
    future = (date.today() + timedelta(days=30)).isoformat()
    api = client.post(
        f"/api/v1/tracking/graduates/{graduate.id}/services",
        json={"kind": "policy_briefing", "delivered_on": future},
        headers=world.headers("counselor_a"),
    )
    assert api.status_code == 422
    problem = api.json()
    resp = post_form(client, page, f"{page}/services", {"kind": "policy_briefing", "delivered_on": future})
    assert resp.status_code == 422
    html = resp.text
    assert problem["detail"] in html
    assert problem["errors"][0]["field"] == "delivered_on"
    reason = problem["errors"][0]["reason"]
    assert f'<p class="error" id="service-date-error">{reason}</p>' in html
    assert db.scalar(select(ServiceRecord.id).where(ServiceRecord.graduate_id == graduate.id)) is None


def test_recommending_a_position_that_fails_a_rule_shows_the_same_reason_as_the_api(
    client: TestClient, db: Session, world: World
) -> None:
    graduate = make_graduate(db, world)
    masters = make_position(db, world, employer=make_employer(db, world), min_education="master")
    db.commit()
    api = client.post(
        f"/api/v1/graduates/{graduate.id}/recommendations",
        json={"position_id": masters.id},
        headers=world.headers("counselor_a"),
    )
    assert api.status_code in {409, 422}
    login(client, "t_counselor_a")
    page = f"/counselor/graduates/{graduate.id}"
    resp = post_form(
        client, page, f"{page}/recommend", {"position_id": str(masters.id)}, headers={"HX-Request": "true"}
    )
    assert "推荐未成功" in resp.text and api.json()["detail"] in resp.text


def test_invitation_activates_a_graduate_account_once(client: TestClient, db: Session, world: World) -> None:
    graduate = make_graduate(db, world, name="陈晓")
    db.commit()
    login(client, "t_counselor_a")
    page = f"/counselor/graduates/{graduate.id}"
    resp = post_form(client, page, f"{page}/invitation", {})
    assert resp.status_code == 201
    code = invitation_code(resp.text)
    assert f"/activate?code={code}" in resp.text
    with TestClient(client.app) as phone:
        form = phone.get(f"/activate?code={code}")
        assert "陈晓，你好" in form.text
        token = csrf_of(form.text)
        short = phone.post(
            "/activate",
            data={
                "code": code,
                "username": "chenxiao",
                "password": "abc",
                "password_again": "abc",
                "csrf_token": token,
            },
        )
        assert short.status_code == 422 and "密码至少8位" in short.text
        done = phone.post(
            "/activate",
            data={
                "code": code.lower(),
                "username": "chenxiao",
                "password": "Sunshine2024",
                "password_again": "Sunshine2024",
                "csrf_token": token,
            },
        )
        assert done.status_code == 200 and done.url.path == "/graduate/matches"
        assert "陈晓" in phone.get("/graduate/profile").text
    db.expire_all()
    assert graduate.user_id is not None
    again = client.get(f"/activate?code={code}")
    assert "已使用过" in again.text
    assert "已开通本人账号" in client.get(page).text


def test_a_newer_invitation_revokes_the_older_and_an_unknown_code_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    graduate = make_graduate(db, world)
    db.commit()
    login(client, "t_counselor_a")
    page = f"/counselor/graduates/{graduate.id}"
    old = invitation_code(post_form(client, page, f"{page}/invitation", {}).text)
    new = invitation_code(post_form(client, page, f"{page}/invitation", {}).text)
    assert old != new
    assert "激活码无效" in client.get(f"/activate?code={old}").text
    assert "你好" in client.get(f"/activate?code={new}").text
    assert "激活码应为12位" in client.get("/activate?code=ABC").text


def test_graduate_updates_intentions_and_a_bad_value_is_refused_next_to_its_field(
    client: TestClient, db: Session, world: World
) -> None:
    graduate = make_graduate(db, world, user_id=world.users["graduate_a"])
    db.commit()
    login(client, "t_graduate_a")
    ok = post_form(
        client,
        "/graduate/profile",
        "/graduate/profile",
        {
            "intentions": "internship",
            "preferred_places": "341622",
            "skills": "Excel、普通话二甲",
            "expected_pay_min": "3500",
        },
    )
    assert ok.status_code == 200 and "已保存" in ok.text
    db.expire_all()
    assert graduate.intentions == ["internship"] and graduate.skills == ["Excel", "普通话二甲"]
    bad = post_form(client, "/graduate/profile", "/graduate/profile", {"expected_pay_min": "很多"})
    assert bad.status_code == 422 and 'id="f-expected_pay_min-error"' in bad.text


def _all_pages(client: TestClient, db: Session, world: World) -> dict[str, str]:
    """Every page of the graduate and counselor consoles, with data on each, as HTML."""
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    other = make_graduate(db, world)
    position = make_position(db, world, employer=make_employer(db, world), major_classes=["5102"])
    db.commit()
    pages: dict[str, str] = {}
    pages["/login"] = client.get("/login").text
    pages["/activate"] = client.get("/activate").text
    login(client, "t_counselor_a")
    base = f"/counselor/graduates/{other.id}"
    post_form(client, base, f"{base}/recommend", {"position_id": str(position.id)})
    post_form(client, base, f"{base}/contacts", {"channel": "phone", "outcome": "reached", "summary": "电话联系"})
    pages["invitation"] = post_form(client, base, f"{base}/invitation", {}).text
    for path in ("/counselor", "/counselor/due", "/counselor/handoffs", base, "/messages"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        pages["counselor " + path] = resp.text
    post_form(client, "/counselor", "/logout", {})
    login(client, "t_graduate_a")
    post_form(client, "/graduate/matches", f"/graduate/matches/{position.id}/apply", {})
    for path in ("/graduate/matches", "/graduate/applications", "/graduate/profile", "/messages"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        pages["graduate " + path] = resp.text
    assert me.id and position.title in pages["graduate /graduate/applications"]
    return pages


def test_every_control_on_every_page_has_a_label(client: TestClient, db: Session, world: World) -> None:
    pages = _all_pages(client, db, world)
    missing = {name: bad for name, html in pages.items() if (bad := unlabelled_controls(html))}
    assert missing == {}
    assert all("<select" in pages[p] for p in ("graduate /graduate/matches", "counselor /counselor/handoffs"))


def test_no_page_shows_an_unmasked_id_number_or_phone(client: TestClient, db: Session, world: World) -> None:
    pages = _all_pages(client, db, world)
    from services.registry.models import Graduate

    plaintext = set()
    for g in db.scalars(select(Graduate)):
        plaintext.add(pii.decrypt(g.id_number_enc))
        if g.phone_enc:
            plaintext.add(pii.decrypt(g.phone_enc))
    assert plaintext
    leaks = {name: [v for v in plaintext if v in html] for name, html in pages.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    assert any("****" in html for html in pages.values())  # the masked values are what is shown


def test_secure_session_cookie_in_production(
    client: TestClient, db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.config import get_settings

    monkeypatch.setattr(get_settings(), "environment", "production")
    with TestClient(client.app, base_url="https://testserver") as tls:  # Secure cookies travel over https only
        token = csrf_of(tls.get("/login").text)
        resp = tls.post(
            "/login",
            data={"username": "t_counselor_a", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
    assert resp.status_code == 303
    header = next(v for k, v in resp.headers.multi_items() if k == "set-cookie" and "sunshine_session=" in v)
    assert "Secure" in header and "HttpOnly" in header


def test_an_unexpected_error_is_an_html_page_without_details(
    client: TestClient, db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database exploded at /srv/secret")

    login(client, "t_counselor_a")
    monkeypatch.setattr("services.tracking.service.workbench", broken)
    resp = client.get("/counselor")
    assert resp.status_code == 500 and resp.headers["content-type"].startswith("text/html")
    assert "服务器内部错误" in resp.text and "secret" not in resp.text


def test_graduate_withdraws_with_a_reason_and_without_one_is_told_why(
    client: TestClient, db: Session, world: World
) -> None:
    make_graduate(db, world, user_id=world.users["graduate_a"])
    position = make_position(db, world, employer=make_employer(db, world), major_classes=["5102"])
    db.commit()
    login(client, "t_graduate_a")
    applied = post_form(client, "/graduate/matches", f"/graduate/matches/{position.id}/apply", {})
    assert applied.url.path == "/graduate/applications" and "放弃该岗位" in applied.text
    app_id = int(re.search(r'id="application-(\d+)"', applied.text)[1])  # type: ignore[index]
    action = f"/graduate/applications/{app_id}/move"
    bare = post_form(client, "/graduate/applications", action, {"to_state": "withdrawn"})
    assert bare.status_code == 422 and "请选择已放弃的原因" in bare.text
    done = post_form(client, "/graduate/applications", action, {"to_state": "withdrawn", "reason": "personal"})
    assert done.status_code == 200 and "已放弃" in done.text and "放弃该岗位" not in done.text
