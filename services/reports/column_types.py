"""The shapes of the report columns: a column's kind, the column itself and a table's spec (see ``columns``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    COUNT = "count"  # whole number (人、个、场、人次)
    MONEY = "money"  # yuan, two decimals
    RATE = "rate"  # percent, two decimals


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    group: str  # header band above the label ("" = the label spans both header rows)
    unit: str
    kind: Kind
    definition: str
    measure: str  # the query in services.reports.measures that computes it ("" for derived columns)


@dataclass(frozen=True, slots=True)
class TableSpec:
    code: str
    title: str
    row_dims: tuple[str, ...]  # "county" and, for 附件9, "cohort"
    columns: tuple[Column, ...]
    note: str

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


DIM_LABELS = {"county": "县区（单位）", "cohort": "毕业届别"}

_PERIOD = "统计期间：统计年度1月1日至统计日期。"
