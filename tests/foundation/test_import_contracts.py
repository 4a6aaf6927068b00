"""The surface contract: a module of one domain importing another domain's models fails ``lint-imports``; the same
import through the domain's ``api`` passes, and so does the entry layer reaching inside."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CONFIG = """\
[importlinter]
root_package = probe
contract_types =
    surfaces: infra.import_contracts.SurfaceContract

[importlinter:contract:surfaces]
name = A domain reaches another only through its api
type = surfaces
domains =
    probe.catalog
    probe.tracking
allowed_importers =
    probe.app
"""

FILES = {
    "probe/__init__.py": "",
    "probe/catalog/__init__.py": "",
    "probe/catalog/models.py": "class Position:\n    pass\n",
    "probe/catalog/api.py": "from probe.catalog.models import Position\n\n__all__ = ['Position']\n",
    "probe/tracking/__init__.py": "",
    "probe/tracking/service.py": "from probe.catalog.api import Position\n",
    "probe/app.py": "from probe.catalog.models import Position\nfrom probe.tracking import service\n",
}


def _package(tmp_path: Path, **overrides: str) -> Path:
    for name, text in {**FILES, **overrides}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    config = tmp_path / ".importlinter"
    config.write_text(CONFIG, "utf-8")
    return config


def _lint(tmp_path: Path, *args: str) -> tuple[int, str]:
    """Exit status and the report, its lines unwrapped."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, " ".join(result.stdout.split())


def test_importing_another_domains_models_breaks_the_contract(tmp_path: Path) -> None:
    config = _package(tmp_path, **{"probe/tracking/service.py": "from probe.catalog.models import Position\n"})
    status, report = _lint(tmp_path, str(config))
    assert status == 1, report
    assert "BROKEN" in report
    assert "probe.tracking.service -> probe.catalog.models (l.1): go through probe.catalog.api" in report
    assert "probe.app" not in report.split("Broken contracts")[-1]


def test_a_function_level_import_of_a_private_module_is_caught_too(tmp_path: Path) -> None:
    service = "def later():\n    from probe.catalog import models\n\n    return models.Position\n"
    config = _package(tmp_path, **{"probe/tracking/service.py": service})
    status, report = _lint(tmp_path, str(config))
    assert status == 1, report
    assert "probe.tracking.service -> probe.catalog.models (l.2)" in report


def test_going_through_the_surface_keeps_the_contract(tmp_path: Path) -> None:
    config = _package(tmp_path)
    status, report = _lint(tmp_path, str(config))
    assert status == 0, report
    assert "KEPT" in report


def test_every_domain_of_the_layers_is_under_the_surface_contract() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    assert "surfaces: infra.import_contracts.SurfaceContract" in options["contract_types"]
    contracts = {c["type"]: c for c in options["contracts"]}
    layers: list[str] = contracts["layers"]["layers"]
    domain_layers = layers[layers.index("services.reports") : layers.index("services.refdata") + 1]
    domains = {name.strip() for layer in domain_layers for name in layer.split("|")}
    assert set(contracts["surfaces"]["domains"]) == domains


def test_the_tree_keeps_the_surface_contract() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--contract", "surfaces"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "Contracts: 1 kept, 0 broken." in result.stdout
