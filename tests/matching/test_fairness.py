"""No protected attribute can reach a ranking: the record has no field for it, no feature reads one."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from matching.features import FEATURE_INPUTS
from matching.index import MatchIndex
from matching.records import GraduateRecord
from tests.matching.conftest import TODAY

PROTECTED = {
    "ethnicity",
    "nation",
    "nationality",
    "sex",
    "gender",
    "political_status",
    "politics",
    "health",
    "disability",
    "disabled",
    "marital_status",
    "married",
    "household_type",
    "hukou_type",
}


@dataclass(frozen=True)
class PersonOnFile:
    """What the registry may hold about a person: the matching record plus attributes it must not use."""

    record: GraduateRecord
    ethnicity: str
    sex: str
    political_status: str
    health: str
    marital_status: str
    household_type: str


def _perturbed(person: PersonOnFile, rng: random.Random) -> PersonOnFile:
    return dataclasses.replace(
        person,
        ethnicity=rng.choice(["汉族", "回族", "蒙古族", "维吾尔族"]),
        sex=rng.choice(["男", "女"]),
        political_status=rng.choice(["群众", "共青团员", "中共党员"]),
        health=rng.choice(["健康", "残疾", "慢性病"]),
        marital_status=rng.choice(["未婚", "已婚"]),
        household_type=rng.choice(["农业户口", "非农业户口"]),
    )


def test_graduate_record_has_no_protected_field() -> None:
    names = {f.name for f in dataclasses.fields(GraduateRecord)}
    assert not names & PROTECTED
    assert not any(p in name for name in names for p in PROTECTED)


def test_features_read_only_record_fields_and_none_protected() -> None:
    names = {f.name for f in dataclasses.fields(GraduateRecord)}
    for feature, inputs in FEATURE_INPUTS.items():
        assert set(inputs) <= names, feature
        assert not set(inputs) & PROTECTED, feature


def test_perturbing_protected_attributes_changes_no_ranking(index: MatchIndex, world) -> None:
    rng = random.Random(5)
    people = [PersonOnFile(g, "汉族", "男", "群众", "健康", "未婚", "农业户口") for g in world[1][:25]]
    table = index.graduate_table([p.record for p in people])
    before = [
        [(m.position_id, m.score) for m in index.rank_positions(p.record, 10, today=TODAY)] for p in people
    ]
    before_rev = [
        (m.graduate_id, m.score) for m in index.rank_graduates(world[0][0].id, table, 10, today=TODAY)
    ]
    changed = [_perturbed(p, rng) for p in people]
    assert any(a != b for a, b in zip(people, changed, strict=True))
    table2 = index.graduate_table([p.record for p in changed])
    after = [
        [(m.position_id, m.score) for m in index.rank_positions(p.record, 10, today=TODAY)] for p in changed
    ]
    after_rev = [
        (m.graduate_id, m.score) for m in index.rank_graduates(world[0][0].id, table2, 10, today=TODAY)
    ]
    assert before == after
    assert before_rev == after_rev


def test_graduate_table_columns_hold_nothing_protected(index: MatchIndex, world) -> None:
    table = index.graduate_table(world[1][:3])
    columns = {f.name for f in dataclasses.fields(table)}
    assert not any(p in name for name in columns for p in PROTECTED)
