"""Fuzzy name matching shaped like `rapidfuzz.process`.

Options are keyword-only; a mapping of choices yields its keys; `None` when nothing clears the cutoff;
`cdist(..., workers=-1)` for batches. Names are normalised first (`normalize_name`: NFKC width folding,
no spaces, no bracketed notes, no trailing 专业), organisation names further (`normalize_org_name`: legal
suffixes such as 有限公司 dropped) so that near-duplicate employers and schools meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from matching.records import Education, MajorLevel, level_rank

if TYPE_CHECKING:
    from matching.catalogs import Major, MajorCatalog

K = TypeVar("K", bound=Hashable)
Scorer = Callable[..., float]
Processor = Callable[[str], str]

_BRACKETS: Final = re.compile(r"[（(\[【〔][^）)\]】〕]*[）)\]】〕]")
_SPACE_PUNCT: Final = re.compile(r"[\s·•．.,，、;；:：'\"“”‘’\-—_/\\|]+")

#: Common short forms of major names and what they stand for, in the order to try.
SHORT_FORMS: Final[dict[str, tuple[str, ...]]] = {
    "计科": ("计算机科学与技术",),
    "计算机": ("计算机科学与技术", "计算机应用技术", "计算机应用"),
    "软工": ("软件工程",),
    "会计": ("会计学", "大数据与会计", "会计事务"),
    "财会": ("会计学", "大数据与会计", "会计事务"),
    "财管": ("财务管理", "大数据与财务管理"),
    "电商": ("电子商务", "电子商务"),
    "机电": ("机电一体化技术", "机电技术应用"),
    "护理": ("护理学", "护理"),
    "临床": ("临床医学",),
    "口腔": ("口腔医学",),
    "中医": ("中医学",),
    "土木": ("土木工程",),
    "建工": ("建筑工程技术", "建筑工程施工"),
    "造价": ("工程造价",),
    "国贸": ("国际经济与贸易",),
    "工商": ("工商管理",),
    "市营": ("市场营销",),
    "营销": ("市场营销",),
    "人力": ("人力资源管理",),
    "行管": ("行政管理",),
    "汉语言": ("汉语言文学",),
    "汉文": ("汉语言文学",),
    "英语": ("英语", "商务英语", "应用英语"),
    "商英": ("商务英语",),
    "学前": ("学前教育",),
    "小教": ("小学教育",),
    "思政": ("思想政治教育",),
    "数媒": ("数字媒体技术",),
    "网工": ("网络工程",),
    "信管": ("信息管理与信息系统",),
    "信安": ("信息安全",),
    "物联网": ("物联网工程", "物联网应用技术"),
    "大数据": ("数据科学与大数据技术", "大数据技术"),
    "人工智能": ("人工智能", "人工智能技术应用"),
    "通信": ("通信工程", "现代通信技术"),
    "电气": ("电气工程及其自动化", "电气自动化技术"),
    "自动化": ("自动化", "电气自动化技术"),
    "机械": ("机械设计制造及其自动化", "机械制造及自动化"),
    "车辆": ("车辆工程",),
    "汽修": ("汽车检测与维修技术", "汽车运用与维修"),
    "数控": ("数控技术", "数控技术应用"),
    "酒管": ("酒店管理", "酒店管理与数字化运营"),
    "旅管": ("旅游管理",),
    "物流": ("物流管理", "现代物流管理"),
    "环艺": ("环境设计", "环境艺术设计"),
    "视传": ("视觉传达设计",),
    "药学": ("药学",),
}


def fold_width(text: str) -> str:
    """NFKC: full-width letters, digits and spaces become half-width."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def normalize_name(text: str) -> str:
    """Canonical form of a major or person-facing name for comparison."""
    out = _BRACKETS.sub("", fold_width(text)).lower()
    out = _SPACE_PUNCT.sub("", out)
    return out.removesuffix("专业") if len(out) > 3 else out


_ORG_SUFFIXES: Final[tuple[str, ...]] = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "分公司",
    "公司",
    "集团",
)


def normalize_org_name(text: str) -> str:
    """Canonical form of an employer or school name: `normalize_name` and no legal-form suffix."""
    out = normalize_name(text)
    for suffix in _ORG_SUFFIXES:
        if out.endswith(suffix) and len(out) > len(suffix) + 1:
            return out[: -len(suffix)]
    return out


def names_agree(a: str, b: str, *, score_cutoff: float = 85.0) -> bool:
    """Whether two major names denote the same major (equal, one contained in the other, or close)."""
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return False
    if na == nb or (min(len(na), len(nb)) >= 2 and (na in nb or nb in na)):
        return True
    return fuzz.ratio(na, nb) >= score_cutoff


def extract_one(
    query: str,
    choices: Mapping[K, str] | Sequence[str],
    *,
    scorer: Scorer = fuzz.WRatio,
    processor: Processor | None = normalize_name,
    score_cutoff: float | None = None,
) -> tuple[str, float, Any] | None:
    """Best choice as (choice, score, key): key is the mapping key or list index; None under the cutoff."""
    found = process.extractOne(query, choices, scorer=scorer, processor=processor, score_cutoff=score_cutoff)
    if found is None:
        return None
    choice, score, key = found
    return str(choice), float(score), key


def extract(
    query: str,
    choices: Mapping[K, str] | Sequence[str],
    *,
    scorer: Scorer = fuzz.WRatio,
    processor: Processor | None = normalize_name,
    limit: int | None = 5,
    score_cutoff: float | None = None,
) -> list[tuple[str, float, Any]]:
    """Best choices as (choice, score, key), best first."""
    found = process.extract(query, choices, scorer=scorer, processor=processor, limit=limit, score_cutoff=score_cutoff)
    return [(str(c), float(s), k) for c, s, k in found]


def cdist(
    queries: Sequence[str],
    choices: Sequence[str],
    *,
    scorer: Scorer = fuzz.ratio,
    processor: Processor | None = normalize_name,
    score_cutoff: float | None = None,
    workers: int = -1,
) -> npt.NDArray[np.float32]:
    """Score matrix (len(queries) × len(choices)) computed in parallel (`workers=-1`: all cores)."""
    result = process.cdist(
        queries,
        choices,
        scorer=scorer,
        processor=processor,
        score_cutoff=score_cutoff,
        dtype=np.float32,
        workers=workers,
    )
    return np.asarray(result, dtype=np.float32)


def near_duplicates(
    names: Sequence[str],
    *,
    scorer: Scorer = fuzz.ratio,
    processor: Processor = normalize_org_name,
    score_cutoff: float = 90.0,
    workers: int = -1,
    chunk: int = 2048,
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, score) with i < j whose normalised names score at least `score_cutoff`.

    Employers and schools: "亳州市某某科技有限公司" and "亳州某某科技公司" meet after the legal form is
    dropped. Computed with `cdist` in row chunks so memory stays bounded.
    """
    normed = [processor(n) for n in names]
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, len(normed), chunk):
        block = cdist(
            normed[start : start + chunk],
            normed,
            scorer=scorer,
            processor=None,
            score_cutoff=score_cutoff,
            workers=workers,
        )
        rows, cols = np.nonzero(block >= score_cutoff)
        rows = rows + start
        keep = cols > rows
        pairs.extend((int(i), int(j), float(block[i - start, j])) for i, j in zip(rows[keep], cols[keep], strict=True))
    return sorted(pairs)


def resolve_major(
    query: str,
    catalog: MajorCatalog,
    *,
    education: Education | None = None,
    score_cutoff: float = 85.0,
    limit: int = 5,
    school_kind: MajorLevel | None = None,
) -> list[Major]:
    """Catalog majors a written major name stands for, best first.

    Exact name, then the short forms of `SHORT_FORMS` (计科, 软工, 会计 …), then fuzzy WRatio over all names
    (queries of two characters or fewer need an exact or short-form hit). Among equals the level fitting
    `education` wins (高职专科 for a JUNIOR_COLLEGE graduate), and before it the graduate's school kind.
    """
    norm = normalize_name(query)
    if not norm:
        return []
    exact = catalog.by_exact_name(norm, education, school_kind)
    if exact:
        return exact[:limit]
    if norm in SHORT_FORMS:
        found = _dedupe(m for name in SHORT_FORMS[norm] for m in catalog.by_exact_name(name, education, school_kind))
        if found:
            return _by_level(found, education, school_kind)[:limit]
    if len(norm) <= 2:
        return []
    hits = extract(
        norm,
        catalog.name_list,
        scorer=fuzz.WRatio,
        processor=None,
        limit=limit * 3,
        score_cutoff=score_cutoff,
    )
    ranked = sorted(
        ((score, m) for name, score, _ in hits for m in catalog.by_name.get(name, [])),
        key=lambda sm: (-sm[0], level_rank(sm[1].level, education, school_kind), len(sm[1].name), sm[1].code),
    )
    return _dedupe(m for _, m in ranked)[:limit]


def _dedupe(majors: Iterable[Major]) -> list[Major]:
    seen: dict[str, Major] = {}
    for m in majors:
        seen.setdefault(m.code, m)
    return list(seen.values())


def _by_level(majors: list[Major], education: Education | None, school_kind: MajorLevel | None = None) -> list[Major]:
    return sorted(majors, key=lambda m: level_rank(m.level, education, school_kind))
