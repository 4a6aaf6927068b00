"""Synthetic but realistic graduates and positions drawn from the real catalogs (for benchmarks and tests).

Positions: an occupation (CSCO 细类) gives the title (one of its alias job titles, or its name) and the
description (its definition and tasks plus common terms); a share require the majors, classes or
disciplines whose orientation names that occupation; places lean on 亳州市 (3416xx) and the rest of Anhui;
grassroots programs carry age, graduation-window, education and local-household rules. Graduates: a catalog
major at a fitting level, skills and wishes from the alias titles of the major's orientation occupations,
places and home division leaning on 亳州市. All draws come from one seeded numpy Generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np

from matching.catalogs import Catalogs, Major
from matching.records import KINDS, Education, GraduateRecord, HukouScope, Kind, PositionRecord, Status

BOZHOU: Final[tuple[str, ...]] = ("341602", "341621", "341622", "341623")
_PERKS: Final[tuple[str, ...]] = (
    "五险一金",
    "双休",
    "包吃住",
    "带薪年假",
    "节日福利",
    "岗前培训",
    "绩效奖金",
    "交通补贴",
    "晋升空间大",
    "应届生优先",
)
_SOFT_SKILLS: Final[tuple[str, ...]] = (
    "办公软件",
    "沟通协调",
    "团队合作",
    "英语四级",
    "普通话二级甲等",
    "驾驶证C1",
    "数据分析",
    "文案写作",
    "吃苦耐劳",
)
_PROGRAMS: Final[tuple[tuple[str, str], ...]] = (
    ("三支一扶", "支农支教支医和帮扶乡村振兴服务"),
    ("特岗计划", "农村义务教育阶段学校特设岗位教师"),
    ("西部计划", "大学生志愿服务西部计划"),
    ("城乡社区", "城乡社区工作者，服务社区居民"),
    ("乡村医生", "村卫生室乡村医生，基本公共卫生服务"),
)
_LEVEL_EDUCATION: Final[dict[str, Education]] = {
    "中职": Education.SECONDARY,
    "高职专科": Education.JUNIOR_COLLEGE,
    "职业本科": Education.BACHELOR,
    "本科": Education.BACHELOR,
}


@dataclass(slots=True)
class World:
    positions: list[PositionRecord]
    graduates: list[GraduateRecord]


class Generator:
    """Draws positions and graduates from the catalogs with a seeded random generator."""

    def __init__(self, catalogs: Catalogs, *, seed: int = 0, today: date = date(2024, 6, 1)) -> None:
        self.catalogs = catalogs
        self.rng = np.random.default_rng(seed)
        self.today = today
        occs = catalogs.occupations.occupations
        self.occupations = sorted(c for c, o in occs.items() if o.level == 4 and (o.definition or o.aliases))
        self.majors_by_occupation: dict[str, list[str]] = {}
        for code, orient in catalogs.orientations.items():
            if orient.official:
                for occ in orient.occupations:
                    self.majors_by_occupation.setdefault(occ, []).append(code)
        oriented = [c for c in self.occupations if c in self.majors_by_occupation]
        # positions lean on occupations that some vocational major leads to
        self.position_occupations = oriented + self.occupations
        self.majors = sorted(catalogs.majors.majors)
        self.oriented_majors = sorted(c for c, o in catalogs.orientations.items() if o.occupations)
        gaz = catalogs.gazetteer
        counties = [c for c in gaz.codes() if gaz.level(c) == "county" and c in gaz.latlng]
        self.anhui = [c for c in counties if c.startswith("34") and not c.startswith("3416")]
        self.elsewhere = [c for c in counties if not c.startswith("34")]

    # ---------------------------------------------------------------------------------------- helpers

    def _pick(self, items: list[str] | tuple[str, ...]) -> str:
        return items[int(self.rng.integers(len(items)))]

    def place(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return self._pick(BOZHOU)
        if r < 0.5:
            return "341600"
        if r < 0.75:
            return self._pick(self.anhui)
        return self._pick(self.elsewhere)

    def _title(self, occ_code: str) -> str:
        occ = self.catalogs.occupations.occupations[occ_code]
        names = [a for a in occ.aliases if len(a) <= 16] or [occ.name]
        title = self._pick(names)
        if self.rng.random() < 0.2:
            title += self._pick(("（应届生）", "助理", "（储备）", "实习生", "学徒"))
        return title

    # -------------------------------------------------------------------------------------- positions

    def position(self, pid: int) -> PositionRecord:
        rng = self.rng
        kind: Kind = KINDS[int(rng.choice(5, p=[0.62, 0.18, 0.07, 0.08, 0.05]))]
        occ_code = self._pick(self.position_occupations)
        occ = self.catalogs.occupations.occupations[occ_code]
        title = self._title(occ_code)
        tasks = [t for t in occ.tasks.replace(" ", "\n").split("\n") if t]
        chosen = (
            [tasks[i] for i in sorted(rng.choice(len(tasks), size=min(2, len(tasks)), replace=False))] if tasks else []
        )
        perks = "、".join(self._pick(_PERKS) for _ in range(2))
        description = f"{occ.definition}{''.join(chosen)}。福利：{perks}。"
        majors: tuple[str, ...] = ()
        classes: tuple[str, ...] = ()
        disciplines: tuple[str, ...] = ()
        related = self.majors_by_occupation.get(occ_code, [])
        r = rng.random()
        if related and r < 0.2:
            majors = tuple(sorted({self._pick(related) for _ in range(2)}))
        elif related and r < 0.4:
            classes = tuple(sorted({self.catalogs.majors.majors[self._pick(related)].class_code for _ in range(2)}))
        elif related and r < 0.45:
            disciplines = (self.catalogs.majors.majors[self._pick(related)].discipline_code,)
        remote = bool(rng.random() < 0.03)
        places = () if remote else tuple(sorted({self.place() for _ in range(1 + int(rng.random() < 0.1))}))
        pay_min: int | None = None
        pay_max: int | None = None
        if rng.random() < 0.85:
            base = int(rng.integers(5, 25)) * 500 if kind == "job" else int(rng.integers(2, 8)) * 500
            pay_min, pay_max = base, base + int(rng.integers(0, 9)) * 500
        opened = self.today - timedelta(days=int(rng.integers(0, 120)))
        deadline = opened + timedelta(days=int(rng.integers(20, 180)))
        headcount = int(rng.integers(1, 30)) if rng.random() < 0.9 else None
        filled = int(rng.integers(0, headcount + 1)) if headcount is not None and rng.random() < 0.3 else 0
        status: Status = "open" if rng.random() < 0.95 else ("closed" if rng.random() < 0.5 else "draft")
        min_edu = Education(int(rng.choice([1, 2, 3, 4], p=[0.2, 0.45, 0.3, 0.05])))
        max_age: int | None = None
        window: tuple[int | None, int | None] = (None, None)
        local = False
        scope: HukouScope = "province"
        levels: frozenset[Education] = frozenset()
        flags: frozenset[str] = frozenset()
        if kind == "grassroots":
            program, blurb = _PROGRAMS[int(rng.integers(len(_PROGRAMS)))]
            title = f"{program}：{title}"
            description = f"{blurb}。{description}"
            max_age = int(rng.choice([25, 28, 30, 35]))
            window = (self.today.year - 3, self.today.year)
            local = bool(rng.random() < 0.6)
            scope = "province" if rng.random() < 0.7 else "city"
            if rng.random() < 0.4:
                levels = frozenset({Education.JUNIOR_COLLEGE, Education.BACHELOR})
            if program == "特岗计划":
                flags = frozenset({"teacher_cert"})
            if not places:
                places = (self._pick(BOZHOU),)
                remote = False
        return PositionRecord(
            id=pid,
            kind=kind,
            title=title,
            description=description,
            status=status,
            min_education=min_edu,
            majors=majors,
            major_classes=classes,
            disciplines=disciplines,
            places=places,
            remote=remote,
            pay_min=pay_min,
            pay_max=pay_max,
            headcount=headcount,
            filled=filled,
            opened=opened,
            deadline=deadline,
            hardship_priority=bool(rng.random() < 0.3),
            employer_verified=bool(rng.random() < 0.97),
            occupations=(occ_code,) if rng.random() < 0.3 else (),
            max_age=max_age,
            graduation_min=window[0],
            graduation_max=window[1],
            education_levels=levels,
            requires_local_hukou=local,
            hukou_scope=scope,
            required_flags=flags,
        )

    def positions(self, n: int, *, start_id: int = 1) -> list[PositionRecord]:
        return [self.position(start_id + i) for i in range(n)]

    # -------------------------------------------------------------------------------------- graduates

    def graduate(self, gid: int) -> GraduateRecord:
        rng = self.rng
        code = self._pick(self.oriented_majors) if rng.random() < 0.85 else self._pick(self.majors)
        major: Major = self.catalogs.majors.majors[code]
        education = _LEVEL_EDUCATION[major.level]
        if education == Education.BACHELOR and major.level == "本科" and rng.random() < 0.08:
            education = Education.MASTER
        year = int(rng.integers(self.today.year - 3, self.today.year + 1))
        birth = date(year - {1: 19, 2: 21, 3: 22, 4: 25, 5: 28}[int(education)] - int(rng.integers(0, 4)), 1, 1)
        birth += timedelta(days=int(rng.integers(0, 365)))
        orient = self.catalogs.orientations.get(code)
        titles: list[str] = []
        for occ_code in orient.occupations if orient else ():
            occ = self.catalogs.occupations.get(occ_code)
            if occ is not None:
                titles.extend(a for a in occ.aliases[:6] if len(a) <= 12)
        skills = [self._pick(titles) for _ in range(2)] if titles else []
        skills.append(self._pick(_SOFT_SKILLS))
        wishes = (self._pick(titles) if titles and rng.random() < 0.7 else "") + (
            "，希望回家乡工作" if rng.random() < 0.3 else ""
        )
        home = self._pick(BOZHOU) if rng.random() < 0.7 else self._pick(self.anhui)
        r = rng.random()
        preferred: tuple[str, ...] = ()
        if r < 0.6:
            preferred = (self.place(),)
        elif r < 0.8:
            preferred = tuple(sorted({self.place(), self.place()}))
        wanted: frozenset[Kind] = frozenset()
        if rng.random() < 0.35:
            wanted = frozenset(KINDS[int(i)] for i in rng.choice(5, size=int(rng.integers(1, 4)), replace=False))
        use_name = rng.random() < 0.15
        return GraduateRecord(
            id=gid,
            education=education,
            graduation_year=year,
            major_code="" if use_name else code,
            major_name=major.name,
            birth_date=birth,
            skills="、".join(skills),
            wishes=wishes,
            wanted_kinds=wanted,
            preferred_places=preferred,
            home_division=home,
            expected_pay=int(rng.integers(6, 17)) * 500 if rng.random() < 0.8 else None,
            hardship=bool(rng.random() < 0.8),
            flags=frozenset({"teacher_cert"}) if "教育" in major.name and rng.random() < 0.5 else frozenset(),
            open_to_matching=bool(rng.random() < 0.98),
        )

    def graduates(self, n: int, *, start_id: int = 1) -> list[GraduateRecord]:
        return [self.graduate(start_id + i) for i in range(n)]

    def world(self, n_positions: int, n_graduates: int) -> World:
        return World(self.positions(n_positions), self.graduates(n_graduates))
