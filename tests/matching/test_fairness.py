"""No protected attribute can reach a ranking: the record has no field for it, no feature reads one (the
rankings of the service, before and after perturbing the stored attributes, are compared in
tests/matches/test_fairness.py)."""

from __future__ import annotations

import dataclasses

from matching.features import FEATURE_INPUTS
from matching.index import MatchIndex
from matching.records import GraduateRecord

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


def test_graduate_record_has_no_protected_field() -> None:
    names = {f.name for f in dataclasses.fields(GraduateRecord)}
    assert not names & PROTECTED
    assert not any(p in name for name in names for p in PROTECTED)


def test_features_read_only_record_fields_and_none_protected() -> None:
    names = {f.name for f in dataclasses.fields(GraduateRecord)}
    for feature, inputs in FEATURE_INPUTS.items():
        assert set(inputs) <= names, feature
        assert not set(inputs) & PROTECTED, feature


def test_graduate_table_columns_hold_nothing_protected(index: MatchIndex, world) -> None:
    table = index.graduate_table(world[1][:3])
    columns = {f.name for f in dataclasses.fields(table)}
    assert not any(p in name for name in columns for p in PROTECTED)
