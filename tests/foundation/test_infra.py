"""The deployment files describe the same five parts the README promises."""

from __future__ import annotations

from pathlib import Path

import yaml

INFRA = Path(__file__).resolve().parents[2] / "infra"


def test_compose_runs_postgres_redis_api_worker_beat() -> None:
    doc = yaml.safe_load((INFRA / "compose.yaml").read_text("utf-8"))
    services = doc["services"]
    assert {"postgres", "redis", "api", "worker", "beat"} <= set(services)
    assert services["api"]["environment"]["SUNSHINE_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["worker"]["command"][:2] == ["sunshine", "worker"]
    assert (INFRA / services["api"]["build"]["dockerfile"].removeprefix("infra/")).exists()


def test_example_env_leaves_secrets_blank() -> None:
    values = dict(
        line.split("=", 1)
        for line in (INFRA / "example.env").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert values["SUNSHINE_ENVIRONMENT"] == "production"
    assert values["SUNSHINE_SECRET_KEY"] == "" and values["SUNSHINE_PII_KEYS"] == ""
