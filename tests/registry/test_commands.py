"""``sunshine registry``: enumerations, template and a command-line import through the same path as the API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from services.registry.commands import app
from tests.conftest import World
from tests.registry import factories
from tests.registry.test_import import workbook

runner = CliRunner()


def test_enums_template_and_import(db: Session, world: World, tmp_path: Path) -> None:
    assert runner.invoke(app, ["enums"]).exit_code == 0
    template = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["template", "--out", str(template)])
    assert result.exit_code == 0 and template.stat().st_size > 0
    sheet = tmp_path / "families.xlsx"
    sheet.write_bytes(workbook([factories.family_fields(), factories.family_fields(hardship_category="特别困难")]))
    dry = runner.invoke(app, ["import", str(sheet), "--user", "t_county_a"])
    assert dry.exit_code == 0, dry.output
    assert '"status": "failed"' in dry.output and "not_an_option" in dry.output
    good = runner.invoke(app, ["import", str(sheet), "--user", "t_county_a", "--real", "--good-rows-only"])
    assert '"created": 1' in good.output
