"""The reference routes against the full catalogs (loaded inside the test's transaction)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.refdata import service
from tests.conftest import World


def test_search_detail_divisions_and_industries(client: TestClient, db: Session, world: World) -> None:
    service.load_all(db)
    db.commit()
    me = world.headers("graduate_a")
    found = client.get("/api/v1/refdata/majors", params={"q": "计科"}, headers=me).json()
    assert found[0]["code"] == "080901" and found[0]["match"] == "short_form"
    assert found[0]["class_name"] == "计算机类"
    detail = client.get("/api/v1/refdata/majors/510201", headers=me).json()
    assert detail["name"] == "计算机应用技术" and detail["career_orientation"].startswith("面向")
    assert any(o["name"] for o in detail["occupations"])
    old = client.get("/api/v1/refdata/majors/083201TK", headers=me).json()
    assert old["code"] == "140001TK"
    assert client.get("/api/v1/refdata/majors/999999", headers=me).status_code == 404
    counties = client.get("/api/v1/refdata/divisions", params={"parent": "341600"}, headers=me).json()
    assert {"谯城区", "涡阳县", "蒙城县", "利辛县"} <= {d["name"] for d in counties}
    provinces = client.get("/api/v1/refdata/divisions", params={"limit": 100}, headers=me).json()
    assert len(provinces) == 31
    software = client.get("/api/v1/refdata/industries", params={"q": "软件开发"}, headers=me).json()
    assert "6513" in {i["code"] for i in software}
    occupations = client.get("/api/v1/refdata/occupations", params={"q": "程序设计"}, headers=me).json()
    assert occupations and all(o["code"].count("-") == 3 for o in occupations)
    counts = {c["catalog"]: c["rows"] for c in client.get("/api/v1/refdata/counts", headers=me).json()}
    assert counts["undergrad_majors"] == 883 and counts["divisions"] == 3348
