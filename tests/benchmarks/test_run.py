"""`sunshine bench` runs the parts it is given, each in a fresh process, and refuses unknown ones."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from services.cli import app


def test_sunshine_bench_runs_the_import_part() -> None:
    result = CliRunner().invoke(app, ["bench", "--parts", "import", "--quick", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["import"]
    assert figures["rows"] == 2_000
    assert figures["rows_per_second"] > 0


def test_sunshine_bench_refuses_an_unknown_part() -> None:
    result = CliRunner().invoke(app, ["bench", "--parts", "matching,speed"])
    assert result.exit_code == 2
    assert "speed" in result.output
