"""Protected personal data: masks, encryption, blind index, key rotation, the audited reveal."""

from __future__ import annotations

import string

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.config import get_settings
from services.errors import Forbidden, ValidationFailed
from services.security import audit, pii, reveal
from services.security import service as security
from services.security.models import AuditEvent, User
from services.security.principal import Principal
from tests.conftest import World

digits = st.text(alphabet=string.digits, min_size=11, max_size=19)


@given(st.text(alphabet=string.digits, min_size=17, max_size=17), st.sampled_from([*string.digits, "X"]))
def test_id_mask_keeps_3_and_4_and_never_the_birth_date(body: str, last: str) -> None:
    value = body + last
    masked = pii.mask(pii.PiiKind.ID_NUMBER, value)
    assert masked[:3] == value[:3] and masked[-4:] == value[-4:]
    assert value[6:14] not in masked
    assert masked.count("*") == 11


@given(st.text(alphabet=string.digits, min_size=16, max_size=19))
def test_card_mask_keeps_6_and_4(value: str) -> None:
    masked = pii.mask(pii.PiiKind.BANK_CARD, value)
    assert masked.startswith(value[:6]) and masked.endswith(value[-4:])
    assert set(masked[6:-4]) == {"*"}


def test_phone_mask() -> None:
    assert pii.mask(pii.PiiKind.PHONE, "13905671234") == "139****1234"


@given(st.text(min_size=1, max_size=60))
def test_encryption_round_trips_and_hides_the_value(value: str) -> None:
    token = pii.encrypt(value)
    assert pii.decrypt(token) == value
    if len(value) > 3:
        assert value not in token


def test_blind_index_is_deterministic_and_kind_separated() -> None:
    a = pii.blind_index(pii.PiiKind.PHONE, "13905671234")
    assert a == pii.blind_index(pii.PiiKind.PHONE, "13905671234")
    assert a != pii.blind_index(pii.PiiKind.ID_NUMBER, "13905671234")
    assert "13905671234" not in a


def test_keys_rotate_without_losing_old_ciphertexts(monkeypatch: pytest.MonkeyPatch) -> None:
    old = pii.encrypt("341622199901011234")
    new_key = Fernet.generate_key().decode()
    monkeypatch.setattr(get_settings(), "pii_keys", new_key + "," + get_settings().pii_keys)
    pii.reset_keys()
    try:
        assert pii.decrypt(old) == "341622199901011234"
        rotated = pii.rotate(old)
        monkeypatch.setattr(get_settings(), "pii_keys", new_key)
        pii.reset_keys()
        assert pii.decrypt(rotated) == "341622199901011234"
    finally:
        monkeypatch.undo()
        pii.reset_keys()


def _admin(world: World) -> Principal:
    return Principal(
        user_id=world.users["admin"],
        username="t_admin",
        role="admin",
        org_unit_id=None,
        scope=None,
        source_ip="10.0.0.9",
    )


def test_reveal_writes_the_audit_row_then_returns_plaintext(client: TestClient, db: Session, world: World) -> None:
    target = db.get(User, world.users["counselor_a"])
    assert target is not None
    security.set_phone(target, "139 0567 1234")
    db.commit()
    shown = client.get(f"/api/v1/users/{target.id}", headers=world.headers("county_a")).json()
    assert shown["phone_masked"] == "139****1234"
    assert "13905671234" not in str(shown)
    resp = client.post(
        "/api/v1/reveal",
        headers=world.headers("county_a"),
        json={
            "target_type": "user_account",
            "target_id": str(target.id),
            "field": "phone",
            "purpose": "联系指导员核实",
        },
    )
    assert resp.status_code == 200
    assert resp.json()["value"] == "13905671234"
    row = db.scalars(select(AuditEvent).where(AuditEvent.action == "reveal").order_by(AuditEvent.id.desc())).first()
    assert row is not None
    assert (row.actor_id, row.target_id, row.field, row.purpose, row.outcome) == (
        world.users["county_a"],
        str(target.id),
        "phone",
        "联系指导员核实",
        "ok",
    )
    assert row.source_ip


def test_reveal_without_an_audit_row_discloses_nothing(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = db.get(User, world.users["counselor_a"])
    assert target is not None
    security.set_phone(target, "13905671234")
    db.flush()
    decrypted: list[str] = []
    monkeypatch.setattr(pii, "decrypt", lambda c: decrypted.append(c) or "leak")

    def broken(*_a: object, **_k: object) -> AuditEvent:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        reveal.reveal(
            db,
            principal=_admin(world),
            target_type="user_account",
            target_id=str(target.id),
            field="phone",
            purpose="核实",
        )
    assert decrypted == []


def test_reveal_needs_a_purpose_and_an_allowed_role(db: Session, world: World) -> None:
    with pytest.raises(ValidationFailed):
        reveal.reveal(
            db,
            principal=_admin(world),
            target_type="user_account",
            target_id=str(world.users["admin"]),
            field="phone",
            purpose=" ",
        )
    counselor = Principal(
        user_id=world.users["counselor_a"],
        username="c",
        role="counselor",
        org_unit_id=world.orgs["BZ-MC"],
        scope=frozenset({world.orgs["BZ-MC"]}),
    )
    with pytest.raises(Forbidden):
        reveal.reveal(
            db,
            principal=counselor,
            target_type="user_account",
            target_id=str(world.users["counselor_a"]),
            field="phone",
            purpose="查看",
        )
    denied = db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert any(r.actor_id == world.users["counselor_a"] for r in denied)


def test_audit_log_is_append_only_in_the_database(db: Session, world: World) -> None:
    row = audit.record(db, action="export", target_type="test", principal=_admin(world))
    with pytest.raises(PermissionError):
        row.outcome = "tampered"
        db.flush()
    db.rollback()
    row = audit.record(db, action="export", target_type="test", principal=_admin(world))
    db.commit()
    with pytest.raises(Exception, match="append-only"):
        db.execute(text("UPDATE audit_event SET outcome='x' WHERE id=:i"), {"i": row.id})
    db.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.execute(text("DELETE FROM audit_event WHERE id=:i"), {"i": row.id})
    db.rollback()


def test_writes_are_audited_with_field_names_not_values(client: TestClient, db: Session, world: World) -> None:
    resp = client.post(
        "/api/v1/users",
        headers=world.headers("admin"),
        json={
            "username": "audited",
            "password": "Abcdefg123",
            "display_name": "审计",
            "role": "counselor",
            "org_unit_id": world.orgs["BZ-MC"],
            "phone": "13905671234",
        },
    )
    assert resp.status_code == 201
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "user_account", AuditEvent.action == "create")
    ).all()
    assert any(r.target_id == str(resp.json()["id"]) and r.actor_id == world.users["admin"] for r in rows)
    assert all("13905671234" not in str(r.detail) for r in rows)


@given(
    content=st.binary(max_size=2048),
    binding=st.text(alphabet=string.ascii_letters + string.digits + ":/._-", min_size=1, max_size=60),
    other=st.text(alphabet=string.ascii_letters + string.digits + ":/._-", min_size=1, max_size=60),
)
def test_file_bytes_open_only_for_the_record_they_were_sealed_for(content: bytes, binding: str, other: str) -> None:
    sealed = pii.encrypt_bytes(content, binding=binding)
    assert pii.decrypt_bytes(sealed, binding=binding) == content
    assert pii.decrypt_bytes(pii.rotate_bytes(sealed), binding=binding) == content
    if other != binding:
        with pytest.raises(ValueError, match="不属于该记录"):
            pii.decrypt_bytes(sealed, binding=other)
