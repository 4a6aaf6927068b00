"""Reference catalogs: loading the shipped data files, and looking majors, divisions, industries and
occupations up.

Loading is an upsert keyed by the official code: rows read from the files by ``matching.reference`` (the
parser the ranker's catalogs use too) are compared with the stored rows, new ones are inserted and changed
ones updated in bulk, nothing else is touched. A second load of the same
files therefore writes nothing. Rows that disappear from a newer file are kept, because employers, positions
and archives may still carry their codes.

Major resolution (code, full name, short forms such as 计科 / 软工 / 会计, fuzzy names) reuses the pure
functions of ``matching.fuzzy`` over a ``matching.catalogs.MajorCatalog`` built from the stored rows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from rapidfuzz import fuzz
from sqlalchemy import Table, func, insert, or_, select, update
from sqlalchemy.orm import Session

from matching import fuzzy, reference
from matching.catalogs import Major, MajorCatalog, normalize_code
from matching.records import MajorLevel
from services.db import Base, utcnow
from services.errors import NotFound, ValidationFailed
from services.refdata.models import (
    RefDivision,
    RefDivisionHistory,
    RefIndustry,
    RefLoad,
    RefMajor,
    RefMajorCodeChange,
    RefMajorOccupation,
    RefMajorProfile,
    RefOccupation,
)

FILES = reference.FILES
CATALOG_NAMES = {
    "undergrad_majors": "本科专业（2026年目录）",
    "major_code_changes": "2026年调整代码的本科专业",
    "vocational_majors": "职业教育专业（2021年目录）",
    "major_profiles": "职业教育专业简介（含职业面向）",
    "major_occupations": "专业职业面向对应职业",
    "occupations": "职业分类大典（2022年版）",
    "industries": "国民经济行业分类（GB/T 4754-2017）",
    "divisions": "行政区划（含经纬度）",
    "division_history": "历史行政区划代码（GB/T 2260）",
}


def default_data_dir() -> Path:
    """The data files shipped as package data of ``services.refdata``."""
    return Path(str(resources.files("services.refdata").joinpath("data")))


# ------------------------------------------------------------------------------------------------ loading


@dataclass(frozen=True, slots=True)
class LoadResult:
    catalog: str
    rows: int
    inserted: int
    updated: int

    @property
    def title(self) -> str:
        return CATALOG_NAMES[self.catalog]

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


def _sha(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _sync(session: Session, model: type[Base], rows: list[dict[str, Any]], key: Sequence[str]) -> tuple[int, int]:
    """Insert new rows and update changed ones, in bulk. Returns (inserted, updated)."""
    table = cast(Table, model.__table__)
    columns = [c.name for c in table.columns]
    existing = {
        tuple(r[k] for k in key): tuple(r[c] for c in columns)
        for r in session.execute(select(*table.columns)).mappings()
    }
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        current = existing.get(tuple(row[k] for k in key))
        if current is None:
            new.append(row)
        elif current != tuple(row[c] for c in columns):
            changed.append(row)
    if new:  # Core executemany: one multi-row statement per batch (the ORM path splits rows by their NULLs)
        session.execute(insert(table), new)
    if changed:
        session.execute(update(model), changed)
    return len(new), len(changed)


def load_all(session: Session, *, data_dir: Path | None = None) -> list[LoadResult]:
    """Load (upsert) every reference catalog from ``data_dir`` (default: the shipped files)."""
    base = data_dir or default_data_dir()
    missing = reference.missing_files(base)
    if missing:
        raise NotFound("参考数据文件缺失：" + "、".join(missing))
    results: list[LoadResult] = []

    def run(catalog: str, model: type[Base], rows: list[dict[str, Any]], key: Sequence[str], *files: str) -> None:
        inserted, updated = _sync(session, model, rows, key)
        result = LoadResult(catalog, len(rows), inserted, updated)
        session.add(
            RefLoad(
                catalog=catalog,
                loaded_at=utcnow(),
                rows=result.rows,
                inserted=inserted,
                updated=updated,
                sha256=_sha(base / FILES[f] for f in (catalog, *files) if f in FILES),
            )
        )
        results.append(result)

    try:
        majors = reference.major_rows(base)
        profiles = reference.profile_rows(base)
    except ValueError as exc:
        raise ValidationFailed("职业教育专业简介文件格式不正确：应为记录列表", field="major_profiles") from exc
    run("undergrad_majors", RefMajor, majors.undergrad, ("code",))
    run("major_code_changes", RefMajorCodeChange, reference.major_code_change_rows(base), ("old_code",))
    run("vocational_majors", RefMajor, majors.vocational + majors.from_profiles, ("code",), "major_profiles")
    run("major_profiles", RefMajorProfile, profiles, ("major_code",))
    run(
        "major_occupations",
        RefMajorOccupation,
        reference.major_occupation_rows(base),
        ("major_code", "occupation_code"),
    )
    run("occupations", RefOccupation, reference.occupation_rows(base), ("code",))
    run("industries", RefIndustry, reference.industry_rows(base), ("code",))
    run("divisions", RefDivision, reference.division_rows(base), ("code",), "division_coordinates")
    run("division_history", RefDivisionHistory, reference.division_history_rows(base), ("code",))
    session.flush()
    return results


def load_history(session: Session, *, limit: int = 50) -> list[RefLoad]:
    """The reference data loads, newest first: which catalog, when, how many rows and the files' checksum."""
    return list(session.scalars(select(RefLoad).order_by(RefLoad.loaded_at.desc(), RefLoad.id.desc()).limit(limit)))


def counts(session: Session) -> dict[str, int]:
    """Rows stored per catalog table."""
    models: dict[str, type[Base]] = {
        "majors": RefMajor,
        "undergrad_majors": RefMajor,
        "vocational_majors": RefMajor,
        "major_code_changes": RefMajorCodeChange,
        "major_profiles": RefMajorProfile,
        "major_occupations": RefMajorOccupation,
        "occupations": RefOccupation,
        "industries": RefIndustry,
        "divisions": RefDivision,
        "divisions_with_coordinates": RefDivision,
        "division_history": RefDivisionHistory,
    }
    out: dict[str, int] = {}
    for name, model in models.items():
        stmt = select(func.count()).select_from(model)
        if name == "undergrad_majors":
            stmt = stmt.where(RefMajor.level == "本科")
        elif name == "vocational_majors":
            stmt = stmt.where(RefMajor.level != "本科")
        elif name == "divisions_with_coordinates":
            stmt = stmt.where(RefDivision.latitude.is_not(None))
        out[name] = int(session.scalar(stmt) or 0)
    return out


# ------------------------------------------------------------------------------------------------- majors

MatchKind = Literal["code", "old_code", "class", "discipline", "exact", "short_form", "fuzzy", "contains"]


@dataclass(frozen=True, slots=True)
class MajorHit:
    major: Major
    match: MatchKind
    score: float


def major_catalog(session: Session) -> MajorCatalog:
    """The stored majors as the pure ``matching`` catalog (built per call: a couple of thousand rows)."""
    majors = {
        row.code: Major(
            code=row.code,
            name=row.name,
            level=cast(MajorLevel, row.level),
            class_code=row.class_code,
            class_name=row.class_name,
            discipline_code=row.discipline_code,
            discipline_name=row.discipline_name,
        )
        for row in session.execute(
            select(
                RefMajor.code,
                RefMajor.name,
                RefMajor.level,
                RefMajor.class_code,
                RefMajor.class_name,
                RefMajor.discipline_code,
                RefMajor.discipline_name,
            )
        )
    }
    old_codes = {
        row[0]: row[1] for row in session.execute(select(RefMajorCodeChange.old_code, RefMajorCodeChange.new_code))
    }
    class_names = {m.class_code: m.class_name for m in majors.values()}
    discipline_names = {m.discipline_code: m.discipline_name for m in majors.values()}
    return MajorCatalog(majors, old_codes, class_names, discipline_names)


_CODE_LIKE = re.compile(r"^[0-9]{2,6}[TK]{0,2}$")


def looks_like_code(text: str) -> bool:
    return bool(_CODE_LIKE.match(normalize_code(text)))


def search_majors(
    session: Session, *, query: str, level: str | None = None, limit: int = 10, catalog: MajorCatalog | None = None
) -> list[MajorHit]:
    """Majors for a search box: a code (current or pre-2026, or a class / discipline prefix), a full name,
    a short form (计科, 软工, 会计 …) or a fuzzy name; names containing the query fill up the list."""
    cat = catalog or major_catalog(session)
    text = query.strip()
    if not text:
        return []
    hits: list[MajorHit] = []
    if looks_like_code(text):
        code = normalize_code(text)
        if code in cat.majors:
            hits.append(MajorHit(cat.majors[code], "code", 100.0))
        elif code in cat.old_codes and cat.old_codes[code] in cat.majors:
            hits.append(MajorHit(cat.majors[cat.old_codes[code]], "old_code", 100.0))
        else:
            kind: MatchKind = "class" if len(code) == 4 else "discipline" if len(code) == 2 else "code"
            prefixed = sorted((m for m in cat.majors.values() if m.code.startswith(code)), key=lambda m: m.code)
            hits.extend(MajorHit(m, kind, 100.0) for m in prefixed)
    else:
        norm = fuzzy.normalize_name(text)
        short = set(fuzzy.SHORT_FORMS.get(norm, ()))
        for major in fuzzy.resolve_major(text, cat, limit=limit):
            name = fuzzy.normalize_name(major.name)
            if name == norm:
                hits.append(MajorHit(major, "exact", 100.0))
            elif major.name in short:
                hits.append(MajorHit(major, "short_form", 95.0))
            else:
                hits.append(MajorHit(major, "fuzzy", round(fuzz.WRatio(norm, name), 1)))
        seen = {h.major.code for h in hits}
        if short and hits:
            seen.update(m.code for m in cat.majors.values())
        contains = sorted(
            (m for m in cat.majors.values() if norm and norm in fuzzy.normalize_name(m.name) and m.code not in seen),
            key=lambda m: (len(m.name), m.code),
        )
        hits.extend(MajorHit(m, "contains", 80.0) for m in contains)
    if level:
        hits = [h for h in hits if h.major.level == level]
    return hits[:limit]


def get_major(session: Session, *, code: str) -> RefMajor:
    norm = normalize_code(code)
    major = session.get(RefMajor, norm)
    if major is None:
        new = session.scalar(select(RefMajorCodeChange.new_code).where(RefMajorCodeChange.old_code == norm))
        major = session.get(RefMajor, new) if new else None
    if major is None:
        raise NotFound(f"专业代码“{code}”不在专业目录中")
    return major


def major_profile(session: Session, *, code: str) -> tuple[RefMajorProfile | None, list[RefOccupation]]:
    profile = session.get(RefMajorProfile, code)
    occupations = list(
        session.scalars(
            select(RefOccupation)
            .join(RefMajorOccupation, RefMajorOccupation.occupation_code == RefOccupation.code)
            .where(RefMajorOccupation.major_code == code)
            .order_by(RefOccupation.code)
        )
    )
    return profile, occupations


@dataclass(slots=True)
class ResolvedMajors:
    """Required majors of a position after free text was resolved: exact codes, class codes, disciplines."""

    majors: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    disciplines: list[str] = field(default_factory=list)


def resolve_major_terms(session: Session, *, terms: Sequence[str], field_name: str = "majors_text") -> ResolvedMajors:
    """Resolve what a clerk typed (codes, class names such as 计算机类, discipline names such as 工学 or
    电子与信息大类, full major names, short forms, near spellings) to codes. Unknown terms are refused."""
    cat = major_catalog(session)
    classes_by_name: dict[str, list[str]] = {}
    for code, name in sorted(cat.class_names.items()):
        classes_by_name.setdefault(fuzzy.normalize_name(name), []).append(code)
    disciplines_by_name: dict[str, list[str]] = {}
    for code, name in sorted(cat.discipline_names.items()):
        disciplines_by_name.setdefault(fuzzy.normalize_name(name), []).append(code)
    out = ResolvedMajors()
    unknown: list[str] = []
    for raw in terms:
        term = raw.strip()
        if not term:
            continue
        norm = fuzzy.normalize_name(term)
        code = normalize_code(term)
        if looks_like_code(term):
            if code in cat.majors or code in cat.old_codes:
                found = cat.get(code)
                if found is not None:
                    out.majors.append(found.code)
                    continue
            if len(code) == 4 and code in cat.class_names:
                out.classes.append(code)
                continue
            if len(code) == 2 and code in cat.discipline_names:
                out.disciplines.append(code)
                continue
            unknown.append(term)
            continue
        if norm in classes_by_name:
            out.classes.extend(classes_by_name[norm])
            continue
        if norm in disciplines_by_name:
            out.disciplines.extend(disciplines_by_name[norm])
            continue
        hits = fuzzy.resolve_major(term, cat, limit=5)
        if not hits:
            unknown.append(term)
            continue
        names = {fuzzy.normalize_name(h.name) for h in hits}
        short = set(fuzzy.SHORT_FORMS.get(norm, ()))
        if norm in names or short:
            chosen = [h for h in hits if fuzzy.normalize_name(h.name) == norm or h.name in short]
        else:
            best = fuzzy.normalize_name(hits[0].name)
            chosen = [h for h in hits if fuzzy.normalize_name(h.name) == best]
        out.majors.extend(h.code for h in chosen)
    if unknown:
        reason = "无法识别的专业：" + "、".join(unknown) + "（可填写专业代码、专业名称或专业类）"
        raise ValidationFailed(reason, field=field_name)
    out.majors = list(dict.fromkeys(out.majors))
    out.classes = list(dict.fromkeys(out.classes))
    out.disciplines = list(dict.fromkeys(out.disciplines))
    return out


def check_major_codes(session: Session, *, codes: Sequence[str], field_name: str) -> list[str]:
    """Normalise exact major codes (pre-2026 codes become current ones); unknown codes are refused."""
    if not codes:
        return []
    cat = major_catalog(session)
    out: list[str] = []
    bad: list[str] = []
    for code in codes:
        found = cat.get(code)
        if found is None:
            bad.append(code)
        else:
            out.append(found.code)
    if bad:
        raise ValidationFailed("专业代码不在专业目录中：" + "、".join(bad), field=field_name)
    return list(dict.fromkeys(out))


def check_class_codes(session: Session, *, codes: Sequence[str], field_name: str) -> list[str]:
    wanted = list(dict.fromkeys(normalize_code(c) for c in codes))
    if not wanted:
        return []
    known = set(session.scalars(select(RefMajor.class_code).where(RefMajor.class_code.in_(wanted)).distinct()))
    bad = [c for c in wanted if c not in known]
    if bad:
        raise ValidationFailed("专业类代码不存在：" + "、".join(bad), field=field_name)
    return wanted


def check_discipline_codes(session: Session, *, codes: Sequence[str], field_name: str) -> list[str]:
    wanted = list(dict.fromkeys(normalize_code(c) for c in codes))
    if not wanted:
        return []
    known = set(
        session.scalars(select(RefMajor.discipline_code).where(RefMajor.discipline_code.in_(wanted)).distinct())
    )
    bad = [c for c in wanted if c not in known]
    if bad:
        raise ValidationFailed("学科门类或专业大类代码不存在：" + "、".join(bad), field=field_name)
    return wanted


# ------------------------------------------------------------------------------- divisions and industries


def check_division(session: Session, *, code: str, field_name: str = "division_code") -> RefDivision:
    value = code.strip()
    if not (len(value) == 6 and value.isdigit()):
        raise ValidationFailed("行政区划代码应为6位数字", field=field_name)
    division = session.get(RefDivision, value)
    if division is None:
        raise ValidationFailed(f"行政区划代码“{value}”不存在", field=field_name)
    return division


def check_divisions(session: Session, *, codes: Sequence[str], field_name: str) -> list[str]:
    wanted = list(dict.fromkeys(c.strip() for c in codes))
    malformed = [c for c in wanted if not (len(c) == 6 and c.isdigit())]
    if malformed:
        raise ValidationFailed("行政区划代码应为6位数字：" + "、".join(malformed), field=field_name)
    known = set(session.scalars(select(RefDivision.code).where(RefDivision.code.in_(wanted)))) if wanted else set()
    bad = [c for c in wanted if c not in known]
    if bad:
        raise ValidationFailed("行政区划代码不存在：" + "、".join(bad), field=field_name)
    return wanted


def division_names(session: Session, *, codes: Iterable[str]) -> dict[str, str]:
    wanted = set(codes)
    if not wanted:
        return {}
    stmt = select(RefDivision.code, RefDivision.full_name).where(RefDivision.code.in_(wanted))
    return {row[0]: row[1] for row in session.execute(stmt)}


def list_divisions(
    session: Session, *, parent: str | None, query: str | None, limit: int, offset: int
) -> list[RefDivision]:
    stmt = select(RefDivision).order_by(RefDivision.code)
    if parent:
        stmt = stmt.where(RefDivision.parent_code == parent)
    elif not query:
        stmt = stmt.where(RefDivision.level == "province")
    if query:
        stmt = stmt.where(or_(RefDivision.name.contains(query.strip()), RefDivision.code.startswith(query.strip())))
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def check_industry(session: Session, *, code: str, field_name: str = "industry_code") -> RefIndustry:
    industry = session.get(RefIndustry, code.strip().upper())
    if industry is None:
        raise ValidationFailed(f"行业代码“{code}”不在国民经济行业分类中", field=field_name)
    return industry


def list_industries(
    session: Session, *, parent: str | None, query: str | None, limit: int, offset: int
) -> list[RefIndustry]:
    stmt = select(RefIndustry).order_by(RefIndustry.section, RefIndustry.code)
    if parent:
        stmt = stmt.where(RefIndustry.parent_code == parent.strip().upper())
    elif not query:
        stmt = stmt.where(RefIndustry.level == 1)
    if query:
        text = query.strip()
        stmt = stmt.where(or_(RefIndustry.name.contains(text), RefIndustry.code.startswith(text.upper())))
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def list_occupations(session: Session, *, query: str | None, limit: int, offset: int) -> list[RefOccupation]:
    stmt = select(RefOccupation).order_by(RefOccupation.code)
    if query:
        text = query.strip()
        stmt = stmt.where(
            or_(
                RefOccupation.name.contains(text),
                RefOccupation.aliases.contains(text),
                RefOccupation.code.startswith(text),
            )
        )
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def occupation_names(session: Session, *, codes: Iterable[str]) -> dict[str, str]:
    """The classification's names of the given occupation codes (unknown codes are left out)."""
    wanted = set(codes)
    if not wanted:
        return {}
    stmt = select(RefOccupation.code, RefOccupation.name).where(RefOccupation.code.in_(wanted))
    return {row[0]: row[1] for row in session.execute(stmt)}


def check_occupations(session: Session, *, codes: Sequence[str], field_name: str) -> list[str]:
    wanted = list(dict.fromkeys(c.strip() for c in codes))
    known = set(session.scalars(select(RefOccupation.code).where(RefOccupation.code.in_(wanted)))) if wanted else set()
    bad = [c for c in wanted if c not in known]
    if bad:
        raise ValidationFailed("职业代码不在职业分类大典中：" + "、".join(bad), field=field_name)
    return wanted
