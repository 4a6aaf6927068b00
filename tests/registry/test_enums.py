"""The form enumerations are data: listed with codes, extended without code changes, resolved by code or name."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.refdata import enums
from tests.conftest import World

EXPECTED = {
    "hardship_category",
    "archive_type",
    "archive_standard",
    "hardship_cause",
    "ethnicity",
    "political_status",
    "health_status",
    "disability_category",
    "work_status",
    "housing_type",
    "model_worker_type",
    "marital_status",
    "medical_insurance",
    "household_type",
    "employer_nature",
    "enterprise_status",
    "industry",
    "person_identity",
    "school_kind",
    "education",
    "service_category",
    "employment_status",
    "intention",
    "relation",
}


def test_every_enumeration_of_the_forms_is_loaded(client: TestClient, world: World) -> None:
    listed = client.get("/api/v1/enums", headers=world.headers("graduate_a")).json()
    assert {e["key"] for e in listed} == EXPECTED
    hardship = client.get("/api/v1/enums/hardship_category", headers=world.headers("county_a")).json()
    assert [(i["code"], i["name"]) for i in hardship] == [("1", "深度困难"), ("2", "相对困难"), ("3", "意外致困")]
    categories = client.get("/api/v1/enums/service_category", headers=world.headers("county_a")).json()
    assert len(categories) == 6
    industry = client.get("/api/v1/enums/industry", headers=world.headers("county_a")).json()
    assert {"A", "01", "0111"} <= {i["code"] for i in industry}
    assert len(client.get("/api/v1/enums/ethnicity", headers=world.headers("county_a")).json()) >= 56


def test_admin_extends_an_enumeration_without_code(client: TestClient, db: Session, world: World) -> None:
    resp = client.put(
        "/api/v1/enums/hardship_cause/items/15", headers=world.headers("admin"), json={"name": "因灾致困"}
    )
    assert resp.status_code == 200
    assert enums.vocabularies(db)["hardship_cause"].resolve("因灾致困") == "15"
    assert (
        client.put(
            "/api/v1/enums/hardship_cause/items/16", headers=world.headers("county_a"), json={"name": "x"}
        ).status_code
        == 403
    )


def test_a_city_loads_its_own_file(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "housing.csv"
    path.write_text("code,name,flags\n1,自有住房,\n7,棚户区住房,\n", "utf-8")
    changed = enums.load(db, specs=[enums.read_file(path, key="housing_type", title="住房类型")])
    assert changed >= 1
    voc = enums.vocabularies(db)["housing_type"]
    assert (voc.resolve("棚户区住房") == "7" and voc.resolve("01") is None) or voc.resolve("1") == "1"
    assert enums.load(db, specs=[enums.read_file(path, key="housing_type", title="住房类型")]) == 0


def test_a_renamed_option_shows_at_once_and_unchanged_options_are_not_read_again(db: Session) -> None:
    first = enums.vocabularies(db)
    assert enums.vocabularies(db) is first  # nothing changed: the options read before
    before = first["housing_type"].name("1")
    enums.upsert_item(db, key="housing_type", code="1", name="自有产权住房")
    renamed = enums.vocabularies(db)
    assert renamed["housing_type"].name("1") == "自有产权住房" != before
    enums.upsert_item(db, key="housing_type", code="99", name="临时安置房")
    assert enums.vocabularies(db)["housing_type"].resolve("临时安置房") == "99"
    db.rollback()  # the change never happened: the options read from the database again
    assert enums.vocabularies(db)["housing_type"].name("1") == before
    assert enums.vocabularies(db)["housing_type"].resolve("临时安置房") is None
