"""The reference data files and the one parser of their rows.

Both the ranker's catalogs (`matching.catalogs`) and the database tables of ``services.refdata`` are built
from the rows these functions return, read from a directory the caller names, so the two cannot drift
apart: the same majors (including the K-suffix majors that only the 2022 profiles name), the same
occupations, the same divisions, with the same rule for codes a file repeats (the first row wins).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from matching.records import MajorLevel

FILES: Final[dict[str, str]] = {
    "undergrad_majors": "undergrad_majors_2026.csv",
    "major_code_changes": "undergrad_major_code_changes_2026.csv",
    "vocational_majors": "vocational_majors_2021.csv",
    "major_profiles": "vocational_major_profiles_2022.json",
    "major_occupations": "vocational_major_orientation_occupations_matched.csv",
    "occupations": "occupations_csco2022.csv",
    "industries": "industry_gbt4754_2017.csv",
    "divisions": "admin_divisions_cn.csv",
    "division_coordinates": "admin_divisions_latlng_cpca.csv",
    "division_history": "admin_divisions_gb2260_history_stdnum.csv",
}
VOCATIONAL_LEVELS: Final[dict[str, MajorLevel]] = {
    "中职": "中职",
    "高职专科": "高职专科",
    "职教本科": "职业本科",
    "职业本科": "职业本科",
}
FILLER_DIVISIONS: Final = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file (a byte-order mark is skipped)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def first_by_key(rows: Iterable[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    """Rows with unique keys; the first row of a repeated key wins (the files repeat a handful of codes)."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(tuple(row[k] for k in key), row)
    return list(seen.values())


def missing_files(data_dir: Path) -> list[str]:
    """File names of `FILES` that `data_dir` lacks."""
    return [name for name in FILES.values() if not (data_dir / name).is_file()]


def read_profiles(data_dir: Path) -> list[dict[str, Any]]:
    """The records of the vocational major profiles (JSON list); ValueError when the file is not a list."""
    with (data_dir / FILES["major_profiles"]).open(encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, list):
        raise ValueError(f"{FILES['major_profiles']}: expected a list of records")
    return [r for r in data if isinstance(r, dict)]


@dataclass(frozen=True, slots=True)
class MajorRows:
    """Majors of the three sources: the 2026 undergraduate table, the 2021 vocational table, and the
    majors (codes with a K suffix) that only the 2022 vocational profiles name."""

    undergrad: list[dict[str, Any]]
    vocational: list[dict[str, Any]]
    from_profiles: list[dict[str, Any]]

    def all(self) -> list[dict[str, Any]]:
        return [*self.undergrad, *self.vocational, *self.from_profiles]


def major_rows(data_dir: Path) -> MajorRows:
    """Every catalog major as a row: code, name, level, catalog, class and discipline, flags, note."""
    undergrad = [
        {
            "code": r["major_code"],
            "name": r["major_name"],
            "level": "本科",
            "catalog": "undergrad_2026",
            "class_code": r["class_code"],
            "class_name": r["class_name"],
            "discipline_code": r["category_code"],
            "discipline_name": r["category_name"],
            "special": r["is_special_T"] == "1",
            "controlled": r["is_controlled_K"] == "1",
            "note": r["degree_note"],
        }
        for r in read_csv(data_dir / FILES["undergrad_majors"])
    ]
    vocational = [
        {
            "code": r["major_code"],
            "name": r["major_name"],
            "level": VOCATIONAL_LEVELS[r["level"]],
            "catalog": "vocational_2021",
            "class_code": r["class_code"],
            "class_name": r["class_name"],
            "discipline_code": r["division_code"],
            "discipline_name": r["division_name"],
            "special": False,
            "controlled": r["major_code"].endswith("K"),
            "note": r["note"],
        }
        for r in read_csv(data_dir / FILES["vocational_majors"])
    ]
    known = {r["code"] for r in undergrad} | {r["code"] for r in vocational}
    disciplines = {r["discipline_code"]: r["discipline_name"] for r in vocational}
    classes = {r["class_code"]: r["class_name"] for r in vocational}
    from_profiles = []
    for rec in read_profiles(data_dir):
        code = str(rec["major_code"])
        if code in known:
            continue
        known.add(code)
        class_field = str(rec.get("class") or "")
        class_code = class_field[:4]
        from_profiles.append(
            {
                "code": code,
                "name": str(rec["major_name"]),
                "level": VOCATIONAL_LEVELS[str(rec["level"])],
                "catalog": "vocational_profile_2022",
                "class_code": class_code,
                "class_name": class_field[4:] or classes.get(class_code, ""),
                "discipline_code": class_code[:2],
                "discipline_name": disciplines.get(class_code[:2], ""),
                "special": False,
                "controlled": code.endswith("K"),
                "note": "",
            }
        )
    return MajorRows(undergrad, vocational, from_profiles)


def major_code_change_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Undergraduate majors whose code changed in 2026: old code, new code, name, note."""
    return [
        {"old_code": r["old_code"], "new_code": r["new_code_2026"], "name": r["major_name"], "note": r["official_note"]}
        for r in read_csv(data_dir / FILES["major_code_changes"])
    ]


def profile_rows(data_dir: Path) -> list[dict[str, Any]]:
    """The vocational profiles, one row per major: duration, 职业面向 sentence, goals, abilities …"""

    def text(rec: dict[str, Any], key: str) -> str:
        value = rec.get(key)
        return str(value).strip() if value else ""

    return first_by_key(
        (
            {
                "major_code": str(rec["major_code"]),
                "level": VOCATIONAL_LEVELS[str(rec["level"])],
                "duration": text(rec, "duration"),
                "career_orientation": text(rec, "career_orientation_职业面向"),
                "training_goal": text(rec, "training_goal_培养目标定位"),
                "abilities": text(rec, "abilities_主要专业能力要求"),
                "courses": text(rec, "courses_主要专业课程与实习实训"),
                "certificates": text(rec, "certificates_职业类证书举例"),
                "continuing_study": text(rec, "continuing_study_接续专业举例"),
            }
            for rec in read_profiles(data_dir)
        ),
        ("major_code",),
    )


def major_occupation_rows(data_dir: Path) -> list[dict[str, Any]]:
    """(major code, CSCO occupation code) pairs of the official 职业面向, in file order, without repeats."""
    return first_by_key(
        (
            {"major_code": r["major_code"], "occupation_code": r["occupation_code"]}
            for r in read_csv(data_dir / FILES["major_occupations"])
        ),
        ("major_code", "occupation_code"),
    )


def occupation_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Occupations of the 2022 CSCO: code, level, name, flags, definition, tasks, alias job titles."""
    return first_by_key(
        (
            {
                "code": r["code"],
                "level": int(r["level"]),
                "level_name": r["level_name"],
                "name": r["name"],
                "digital": r["digital_occupation_S"] == "1",
                "green": r["green_occupation_L"] == "1",
                "definition": r["definition"],
                "tasks": r["tasks"],
                "aliases": r["alias_job_titles"],
            }
            for r in read_csv(data_dir / FILES["occupations"])
        ),
        ("code",),
    )


def _industry_parent(row: dict[str, str]) -> str | None:
    level = int(row["level"])
    if level == 1:
        return None
    if level == 2:
        return row["menlei"]
    if level == 3:
        return row["dalei"]
    return row["zhonglei"] or row["dalei"]


def industry_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Industries of GB/T 4754-2017 with their parent codes."""
    return first_by_key(
        (
            {
                "code": r["code"],
                "level": int(r["level"]),
                "level_name": r["level_name"],
                "name": r["name"],
                "section": r["section_letter"],
                "parent_code": _industry_parent(r),
                "remark": r["remark"],
            }
            for r in read_csv(data_dir / FILES["industries"])
        ),
        ("code",),
    )


def division_coordinates(data_dir: Path) -> dict[str, tuple[float, float]]:
    """(latitude, longitude) by six-digit division code, where the coordinates file gives them."""
    return {
        r["code6"]: (float(r["latitude"]), float(r["longitude"]))
        for r in read_csv(data_dir / FILES["division_coordinates"])
        if r["latitude"] and r["longitude"]
    }


def division_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Administrative divisions: code, name, level, parent, full name, and coordinates where known."""
    coords = division_coordinates(data_dir)
    out = []
    for r in first_by_key(read_csv(data_dir / FILES["divisions"]), ("code",)):
        chain: list[str] = []
        for part in (r["province"], r["prefecture"], r["county"]):
            if part and part not in FILLER_DIVISIONS and part not in chain:
                chain.append(part)
        lat_lng = coords.get(r["code"])
        out.append(
            {
                "code": r["code"],
                "name": r["name"],
                "level": r["level"],
                "parent_code": r["parent_code"] or None,
                "full_name": "".join(chain) or r["name"],
                "latitude": lat_lng[0] if lat_lng else None,
                "longitude": lat_lng[1] if lat_lng else None,
            }
        )
    return out


def _year(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def division_history_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Former division codes (GB/T 2260 history): code, name, province, years of validity."""
    return first_by_key(
        (
            {
                "code": r["code"],
                "name": r["name"],
                "province": r["province"],
                "valid_from": _year(r["valid_from_year"]),
                "valid_to": _year(r["valid_to_year"]),
            }
            for r in read_csv(data_dir / FILES["division_history"])
        ),
        ("code",),
    )
