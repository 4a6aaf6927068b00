"""Enumerations of the forms as data: bundled CSV files, upserted into ``ref_enum`` / ``ref_enum_item``.

Each enumeration is a CSV in ``services/refdata/enums`` (``code,name,flags``) listed in ``_catalog.csv``;
所属行业 comes from the GB/T 4754-2017 file in ``services/refdata/data``. Another city adds or renames options by
loading its own CSV (``sunshine enums load --file``) or through the admin API — never by changing code.

Validation takes either the code or the name a clerk typed (``resolve``) and always stores the code.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.errors import NotFound, ValidationFailed
from services.refdata.enum_models import RefEnum, RefEnumItem

CATALOG_FILE = "_catalog.csv"
INDUSTRY_KEY = "industry"
INDUSTRY_FILE = "industry_gbt4754_2017.csv"


@dataclass(frozen=True, slots=True)
class EnumRow:
    code: str
    name: str
    flags: str = ""
    parent_code: str | None = None


@dataclass(frozen=True, slots=True)
class EnumSpec:
    key: str
    title: str
    source: str
    rows: tuple[EnumRow, ...]


def _read_text(folder: str, name: str) -> str:
    return resources.files("services.refdata").joinpath(folder, name).read_text("utf-8-sig")


def _industry_rows(text: str) -> tuple[EnumRow, ...]:
    out: list[EnumRow] = []
    seen: set[str] = set()
    for row in csv.DictReader(text.splitlines()):
        if row["code"] in seen:  # the source lists 374 twice (航空、航天器及设备制造 / 飞机制造): keep the first
            continue
        seen.add(row["code"])
        level = int(row["level"])
        parents = {2: row["section_letter"], 3: row["dalei"], 4: row["zhonglei"]}
        out.append(EnumRow(code=row["code"], name=row["name"], parent_code=parents.get(level) or None))
    return tuple(out)


def parse_rows(text: str) -> tuple[EnumRow, ...]:
    """Rows of one enumeration CSV (``code,name[,flags][,parent_code]``); blank codes are refused."""
    out: list[EnumRow] = []
    seen: set[str] = set()
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        if not code or not name:
            raise ValidationFailed(f"第{line}行：代码和名称都必须填写", field="code")
        if code in seen:
            raise ValidationFailed(f"第{line}行：代码“{code}”重复", field="code")
        seen.add(code)
        out.append(
            EnumRow(
                code=code,
                name=name,
                flags=(row.get("flags") or "").strip(),
                parent_code=(row.get("parent_code") or "").strip() or None,
            )
        )
    return tuple(out)


def bundled() -> list[EnumSpec]:
    """Every enumeration shipped with the service."""
    specs: list[EnumSpec] = []
    for row in csv.DictReader(_read_text("enums", CATALOG_FILE).splitlines()):
        key = row["key"].strip()
        if key == INDUSTRY_KEY:
            rows = _industry_rows(_read_text("data", INDUSTRY_FILE))
        else:
            rows = parse_rows(_read_text("enums", f"{key}.csv"))
        specs.append(EnumSpec(key=key, title=row["title"].strip(), source=row["source"].strip(), rows=rows))
    return specs


def read_file(path: Path, *, key: str, title: str | None = None) -> EnumSpec:
    """One enumeration from a CSV file a city supplies."""
    return EnumSpec(key=key, title=title or key, source=path.name, rows=parse_rows(path.read_text("utf-8-sig")))


def load(session: Session, *, specs: Iterable[EnumSpec]) -> int:
    """Upsert enumerations and their items by code (items not in the file stay, so old archives keep meaning)."""
    count = 0
    for spec in specs:
        enum = session.get(RefEnum, spec.key)
        if enum is None:
            enum = RefEnum(key=spec.key, title=spec.title, source=spec.source)
            session.add(enum)
        elif (enum.title, enum.source) != (spec.title, spec.source):
            enum.title, enum.source = spec.title, spec.source
        existing = {i.code: i for i in session.scalars(select(RefEnumItem).where(RefEnumItem.enum_key == spec.key))}
        for sort, row in enumerate(spec.rows):
            item = existing.get(row.code)
            if item is None:
                session.add(
                    RefEnumItem(
                        enum_key=spec.key,
                        code=row.code,
                        name=row.name,
                        flags=row.flags,
                        parent_code=row.parent_code,
                        sort=sort,
                        active=True,
                    )
                )
                count += 1
            elif (item.name, item.flags, item.parent_code, item.sort, item.active) != (
                row.name,
                row.flags,
                row.parent_code,
                sort,
                True,
            ):
                item.name, item.flags, item.parent_code, item.sort, item.active = (
                    row.name,
                    row.flags,
                    row.parent_code,
                    sort,
                    True,
                )
                count += 1
    session.flush()
    return count


def upsert_item(
    session: Session, *, key: str, code: str, name: str, flags: str = "", active: bool = True
) -> RefEnumItem:
    """Add or rename one option of an existing enumeration."""
    if session.get(RefEnum, key) is None:
        raise NotFound(f"枚举“{key}”不存在")
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationFailed("代码和名称都必须填写", field="code")
    item = session.scalar(select(RefEnumItem).where(RefEnumItem.enum_key == key, RefEnumItem.code == code))
    if item is None:
        last = session.scalars(select(RefEnumItem.sort).where(RefEnumItem.enum_key == key)).all()
        item = RefEnumItem(enum_key=key, code=code, sort=max(last, default=-1) + 1)
        session.add(item)
    item.name, item.flags, item.active = name, flags.strip(), active
    session.flush()
    return item


def list_enums(session: Session) -> list[RefEnum]:
    return list(session.scalars(select(RefEnum).order_by(RefEnum.key)))


def list_items(session: Session, *, key: str, include_inactive: bool = False) -> list[RefEnumItem]:
    if session.get(RefEnum, key) is None:
        raise NotFound(f"枚举“{key}”不存在")
    stmt = select(RefEnumItem).where(RefEnumItem.enum_key == key).order_by(RefEnumItem.sort, RefEnumItem.code)
    if not include_inactive:
        stmt = stmt.where(RefEnumItem.active.is_(True))
    return list(session.scalars(stmt))


@dataclass
class Vocabulary:
    """The options of one enumeration for validation: code → name, name → code, flags."""

    key: str
    title: str
    names: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    flags: dict[str, frozenset[str]] = field(default_factory=dict)

    def resolve(self, raw: object) -> str | None:
        """The code for a typed code or name (``None`` when not an option). Integers from sheets count as codes."""
        if raw is None:
            return None
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if text in self.names:
            return text
        if text in self.by_name:
            return self.by_name[text]
        if text.isdigit():  # "1" for "01" and the other way round, as sheets drop leading zeros
            for code in self.names:
                if code.isdigit() and int(code) == int(text):
                    return code
        return None

    def name(self, code: str | None) -> str | None:
        return None if code is None else self.names.get(code, code)

    def has_flag(self, code: str | None, flag: str) -> bool:
        return code is not None and flag in self.flags.get(code, frozenset())

    def codes_with(self, flag: str) -> frozenset[str]:
        return frozenset(c for c, f in self.flags.items() if flag in f)


class Vocabularies(Mapping[str, Vocabulary]):
    """Every active enumeration, read once (per import run or request)."""

    def __init__(self, vocabularies: dict[str, Vocabulary]) -> None:
        self._v = vocabularies

    def __getitem__(self, key: str) -> Vocabulary:
        try:
            return self._v[key]
        except KeyError as exc:
            raise NotFound(f"枚举“{key}”未载入，请先运行 sunshine enums load") from exc

    def __iter__(self) -> Iterator[str]:
        return iter(self._v)

    def __len__(self) -> int:
        return len(self._v)


def _fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever an enumeration or one of its items is added, changed or removed (one statement)."""
    parts = (
        select(func.count()).select_from(RefEnum),
        select(func.max(RefEnum.updated_at)),
        select(func.count()).select_from(RefEnumItem),
        select(func.max(RefEnumItem.updated_at)),
    )
    return tuple(session.execute(select(*(p.scalar_subquery() for p in parts))).one())


def _read_vocabularies(session: Session) -> Vocabularies:
    out: dict[str, Vocabulary] = {
        key: Vocabulary(key=key, title=title)
        for key, title in session.execute(select(RefEnum.key, RefEnum.title).order_by(RefEnum.key))
    }
    stmt = (
        select(RefEnumItem.enum_key, RefEnumItem.code, RefEnumItem.name, RefEnumItem.flags)
        .where(RefEnumItem.active.is_(True))
        .order_by(RefEnumItem.sort, RefEnumItem.id)
    )
    for enum_key, code, name, flags in session.execute(stmt):
        voc = out.get(enum_key)
        if voc is None:
            continue
        voc.names[code] = name
        voc.by_name.setdefault(name, code)
        voc.flags[code] = frozenset(f.strip() for f in flags.split(",") if f.strip())
    return Vocabularies(out)


#: The last vocabularies read per database, with the fingerprint they were read at.
_cache: dict[str, tuple[tuple[object, ...], Vocabularies]] = {}


def vocabularies(session: Session) -> Vocabularies:
    """Every active enumeration as the session sees it. Kept per process and database while the tables'
    fingerprint (count and latest change of enumerations and items) stays the same: one small statement
    instead of reading two thousand rows on every request. Treat the result as read-only."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    fingerprint = _fingerprint(session)
    hit = _cache.get(key)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    found = _read_vocabularies(session)
    _cache[key] = (fingerprint, found)
    return found
