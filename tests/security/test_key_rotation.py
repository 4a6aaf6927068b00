"""``sunshine keys rotate``: after a new key is put first, every protected value and every sealed file is
re-encrypted under it, so the old key can be dropped and the values and files still open."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from services.cli import app
from services.config import get_settings
from services.security import pii, private_files
from services.security import service as security
from services.security.models import User
from tests.conftest import World


def test_rotation_lets_the_old_key_go(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    old, new = settings.pii_keys, Fernet.generate_key().decode()
    user = db.get(User, world.users["graduate_a"])
    assert user is not None
    security.set_phone(user, "13905671234")
    db.commit()
    scan = tmp_path / "aid" / "attachments" / "rotation-test" / f"scan.pdf{private_files.SEALED_SUFFIX}"
    private_files.write_sealed(scan, b"%PDF-1.4 13905671234", binding="rotation-test")
    monkeypatch.setattr(settings, "pii_keys", f"{new},{old}")
    pii.reset_keys()
    try:
        result = CliRunner().invoke(app, ["keys", "rotate", "--batch-size", "2"])
        assert result.exit_code == 0, result.output
        assert "user_account: " in result.output and "个加密文件" in result.output
        monkeypatch.setattr(settings, "pii_keys", new)  # the old key removed
        pii.reset_keys()
        db.expire_all()
        user = db.get(User, world.users["graduate_a"])
        assert user is not None and user.phone_enc is not None
        assert pii.decrypt(user.phone_enc) == "13905671234"
        assert private_files.read_sealed(scan, binding="rotation-test") == b"%PDF-1.4 13905671234"
    finally:
        monkeypatch.setattr(settings, "pii_keys", old)
        pii.reset_keys()
