"""Every column is documented once: the API, COLUMNS.md and the xlsx definitions sheet agree."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from services.reports import columns, measures
from tests.conftest import World


def test_columns_doc_is_up_to_date() -> None:
    doc = Path(columns.__file__).with_name("COLUMNS.md").read_text("utf-8")
    assert doc == columns.render_markdown(measures.bundled_programs()) + "\n", "run: sunshine reports columns-doc"


def test_every_column_has_a_definition(client: TestClient, world: World) -> None:
    resp = client.get("/api/v1/reports/columns", headers=world.headers("county_a"))
    assert resp.status_code == 200
    tables = {t["code"]: t for t in resp.json()}
    assert set(tables) == {"annex7", "annex8", "annex9", "annex9_activity"}
    for table in tables.values():
        keys = [c["key"] for c in table["columns"]]
        assert len(keys) == len(set(keys)), f"duplicate keys in {table['code']}"
        for c in table["columns"]:
            assert len(c["definition"]) >= 8, c
            assert c["unit"] in {"人", "元", "%", "个", "场", "人次"}
    labels = {c["label"] for c in tables["annex9"]["columns"]}
    assert {"特岗计划", "三支一扶", "西部计划", "其他基层项目", "灵活就业", "就业率"} <= labels
