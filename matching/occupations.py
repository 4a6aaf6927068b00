"""Title → occupation: the CSCO 2022 (大典) occupations a position's title and description describe.

`OccupationClassifier` is built from the classification alone — each occupation's name, its alias job titles
(optional, and droppable per occupation for a held-out measure), its definition and its tasks — never from
labelled positions. Candidates are the 细类 and the 小类 that have no 细类. For a title and a description:

A title is cleaned (words that say how a post is held rather than what is done — 实习生, 兼职, 勤工助学, 储备,
学徒, bracketed notes — go) and split into its role, the head noun it ends with (…工程师, …员, …师, …工,
…专员, …经理, …主管, 助理 …, see `ROLES`), and its core, the rest without rank words (高级, 资深 …): "高级FPGA
开发工程师" is core "FPGA开发" + role "工程师". Evidence for each candidate:

- ``name``: the best cosine, over the occupation's name and each alias title separately, of char 1–3-gram
  TF-IDF vectors with the cleaned title (a title matches one alias, not the sum of them);
- ``core``: the same for the title's core against the cores of the names and aliases (收银主管 meets 收银员);
- ``fuzzy``: the best rapidfuzz `WRatio` of the cleaned title against the names and aliases, / 100;
- ``body``: Okapi BM25 of the core's char bigrams against the occupation's name, definition and tasks,
  divided by the most the query could score (so 0–1): the field words of a title new to the classification
  find the definition that describes that work (传菜 → 餐厅服务员, 叉车 → 起重装卸机械操作工);
- ``context``: cosine of the description with the definition and tasks;
- ``role``: how often the title's role heads a name or alias of the occupation's 中类 (工程师 → 工程技术
  人员, 司机 → 驾驶员), from the names and aliases the classifier was built from, shrunk for rare roles.

The score is the weighted mean (`WEIGHTS`: the title's evidence 1.4, the description's 0.1), after which each
occupation takes 30 % of its score from the best of its 小类, so a title whose evidence spreads over siblings
still lands in that 小类. `suggest` returns the best `k` as `Suggestion` (code, name, confidence = the score,
rounded); `infer` keeps the best one, and a second one when it scores within 5% of it.

The weights were chosen on alias titles of folds of occupations other than the one `python -m
matching.evaluate` reports (their aliases left out of the classifier) and on single alias titles left out of
occupations that keep others, never on the hand-labelled titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from matching.catalogs import Catalogs, Occupation, OccupationCatalog, middle_class_of, small_class_of
from matching.fuzzy import fold_width

#: Weight of each evidence (`OccupationClassifier.components`); ``small_class``: the share of an occupation's
#: score taken from the best of its 小类.
WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "name": 0.45,
        "core": 0.3,
        "fuzzy": 0.1,
        "body": 0.45,
        "context": 0.1,
        "role": 0.1,
        "small_class": 0.3,
    }
)
SECOND_WITHIN: Final = 0.95
#: BM25 parameters of the title core against the definitions and tasks.
BM25_K1: Final = 1.2
BM25_B: Final = 0.5
#: Pseudo-count that pulls a rarely seen role's 中类 distribution towards none at all.
ROLE_PRIOR: Final = 8.0
#: How a post is held, not what is done: dropped from a title before it is compared.
TITLE_NOISE: Final = re.compile(
    r"[（(\[【][^）)\]】]*[）)\]】]|实习生|实习|见习生|见习|兼职|勤工助学|勤工俭学|储备|学徒|应届生|急招|诚聘|高薪|"
    r"[0-9０-９]+[kK千万]|长期|短期|周末|校园"
)
_PUNCT: Final = re.compile(r"[\s/|,，、;；:：·\-—_+]+")
#: Seniority and rank words before the work: 高级 / 资深 工程师 is an 工程师.
_RANK: Final = re.compile(r"^(?:高级|资深|初级|中级|首席|特级|主任|副|总|驻场|驻店|兼)+")
#: The head noun of a recruiting title, longest first: what kind of post it is, with the rest of the title
#: (its core) naming the field. "FPGA开发工程师" = core "FPGA开发" + role "工程师".
_ROLE_WORDS: Final = (
    "工程技术人员 专业技术人员 专业人员 技术人员 管理人员 服务人员 操作人员 人员 工程师 技术员 设计师 架构师 分析师 "
    "咨询师 规划师 策划师 管理师 培训师 顾问 专员 经理 主管 总监 主任 助理 组长 领班 店长 负责人 总经理 老师 教师 "
    "讲师 教练 医生 医师 护士 司机 驾驶员 操作工 操作员 普工 技工 师傅 作业员 装配工 维修工 修理工 代表 客服 文员 "
    "编辑 主播 督导 研究员 技师 工 员 师 手 家 长"
)
ROLES: Final[tuple[str, ...]] = tuple(sorted(_ROLE_WORDS.split(), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One occupation for a title: its CSCO code, name and how confident the classifier is (0–1)."""

    code: str
    name: str
    confidence: float


def clean_title(title: str) -> str:
    """The title without bracketed notes and words about how the post is held (see `TITLE_NOISE`)."""
    text = TITLE_NOISE.sub(" ", fold_width(title))
    return _PUNCT.sub(" ", text).strip() or fold_width(title).strip()


def split_title(title: str) -> tuple[str, str]:
    """(core, role) of a cleaned title: the role is the head noun of `ROLES` it ends with ("" for none), the
    core what remains without rank words; a title that is only a role is its own core."""
    text = title.replace(" ", "")
    role = next((r for r in ROLES if text.endswith(r) and len(text) > len(r)), "")
    core = _RANK.sub("", text[: len(text) - len(role)]) if role else _RANK.sub("", text)
    return (core or text), role


def _candidates(occs: OccupationCatalog) -> list[Occupation]:
    out = []
    for code, occ in sorted(occs.occupations.items()):
        if occ.level == 4 or (occ.level == 3 and not occs.children.get(code)):
            out.append(occ)
    return out


class OccupationClassifier:
    """Ranks CSCO occupations for a position title and description (see the module docstring)."""

    def __init__(
        self, occupations: OccupationCatalog, *, use_aliases: bool = True, hold_out: Iterable[str] = ()
    ) -> None:
        held = set(hold_out)
        self.occupations = _candidates(occupations)
        self.codes = [o.code for o in self.occupations]
        names: list[str] = []
        owners: list[int] = []
        for i, occ in enumerate(self.occupations):
            terms = [occ.name]
            if use_aliases and occ.code not in held:
                terms.extend(occ.aliases)
            for term in dict.fromkeys(clean_title(t) for t in terms if t.strip()):
                names.append(term)
                owners.append(i)
        self.names = names
        self._owner = np.asarray(owners, dtype=np.int64)
        bodies = [f"{o.name} {o.definition} {o.tasks}" for o in self.occupations]
        self._vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32)
        self._vec.fit([*names, *bodies])
        self._name_rows = self._vec.transform(names)
        self._body_rows = self._vec.transform(bodies)
        cores = [split_title(n)[0] for n in names]
        self._core_rows = self._vec.transform(cores)
        # every occupation has at least its own name, and names are listed occupation by occupation
        self._starts = np.searchsorted(self._owner, np.arange(len(self.occupations)))
        self._bm25 = _Bm25([f"{o.name} {o.name} {o.definition} {o.tasks}" for o in self.occupations])
        self._roles = _RolePrior(names, owners, self.codes)
        small = np.asarray([small_class_of(c) for c in self.codes])
        _, group = np.unique(small, return_inverse=True)
        self._small_group = group.astype(np.int64)

    def __len__(self) -> int:
        return len(self.occupations)

    def components(
        self, titles: Sequence[str], descriptions: Sequence[str] | None = None
    ) -> dict[str, npt.NDArray[np.float64]]:
        """Each evidence of `WEIGHTS` for every title (rows) and candidate occupation (columns)."""
        descs = list(descriptions) if descriptions is not None else [""] * len(titles)
        if len(descs) != len(titles):
            raise ValueError("titles and descriptions differ in length")
        cleaned = [clean_title(t) for t in titles]
        parts = [split_title(t) for t in cleaned]
        q_title = self._vec.transform(cleaned)
        q_core = self._vec.transform([c for c, _ in parts])
        q_desc = self._vec.transform([fold_width(d) for d in descs])
        name_sim = (q_title @ self._name_rows.T).toarray()
        core_sim = (q_core @ self._core_rows.T).toarray()
        fuzzy_sim = process.cdist(cleaned, self.names, scorer=fuzz.WRatio, dtype=np.float32, workers=1) / 100.0
        return {
            "name": np.maximum.reduceat(name_sim.astype(np.float64), self._starts, axis=1),
            "core": np.maximum.reduceat(core_sim.astype(np.float64), self._starts, axis=1),
            "fuzzy": np.maximum.reduceat(fuzzy_sim.astype(np.float64), self._starts, axis=1),
            "body": self._bm25.scores([c for c, _ in parts]),
            "context": (q_desc @ self._body_rows.T).toarray().astype(np.float64),
            "role": self._roles.scores([r for _, r in parts]),
        }

    def combine(
        self, parts: Mapping[str, npt.NDArray[np.float64]], weights: Mapping[str, float] = WEIGHTS
    ) -> npt.NDArray[np.float32]:
        """The weighted mean of the evidence, then each occupation takes the share `small_class` of its score
        from the best score in its 小类."""
        total = np.zeros_like(next(iter(parts.values())))
        for name, values in parts.items():
            total += weights[name] * values
        total /= max(1e-9, sum(weights[name] for name in parts))
        share = weights.get("small_class", 0.0)
        if share:
            sibling = np.zeros((int(self._small_group.max()) + 1, total.shape[0]), dtype=np.float64)
            np.maximum.at(sibling, self._small_group, total.T)
            total = (1.0 - share) * total + share * sibling[self._small_group].T
        return np.asarray(total, dtype=np.float32)

    def scores(self, titles: Sequence[str], descriptions: Sequence[str] | None = None) -> npt.NDArray[np.float32]:
        """Score of every candidate occupation (columns, in `codes` order) for every title (rows)."""
        return self.combine(self.components(titles, descriptions))

    def suggest(self, title: str, description: str = "", k: int = 5) -> list[Suggestion]:
        """The `k` best occupations for one title, best first."""
        return self.suggest_many([title], [description], k)[0]

    def suggest_many(
        self, titles: Sequence[str], descriptions: Sequence[str] | None = None, k: int = 5, *, chunk: int = 256
    ) -> list[list[Suggestion]]:
        out: list[list[Suggestion]] = []
        descs = list(descriptions) if descriptions is not None else [""] * len(titles)
        for start in range(0, len(titles), chunk):
            block = self.scores(titles[start : start + chunk], descs[start : start + chunk])
            for row in block:
                best = np.argsort(-row, kind="stable")[:k]
                out.append(
                    [
                        Suggestion(self.codes[j], self.occupations[j].name, round(float(min(1.0, row[j])), 4))
                        for j in best
                    ]
                )
        return out

    def infer(self, title: str, description: str = "") -> tuple[Suggestion, ...]:
        """The occupation(s) to store on a position: the best, and the second when it is nearly as good."""
        return infer_from(self.suggest(title, description, k=2))


class _Bm25:
    """Okapi BM25 of a query's distinct char bigrams against documents, divided by the most the query could
    score (each of its bigrams saturated in one document), so it lies in [0, 1]."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._vec = CountVectorizer(analyzer="char", ngram_range=(2, 2), preprocessor=_fold_lower, dtype=np.float64)
        counts = sp.csr_matrix(self._vec.fit_transform(documents), dtype=np.float64)
        n = counts.shape[0]
        df = np.diff(sp.csc_matrix(counts).indptr)
        self._idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        norm = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths / max(1.0, float(lengths.mean())))
        rows = np.repeat(np.arange(n), np.diff(counts.indptr))
        tf = counts.data
        weights = self._idf[counts.indices] * tf * (BM25_K1 + 1.0) / (tf + norm[rows])
        self._weights = sp.csr_matrix((weights, counts.indices, counts.indptr), shape=counts.shape).T.tocsr()

    def scores(self, queries: Sequence[str]) -> npt.NDArray[np.float64]:
        q = sp.csr_matrix(self._vec.transform(queries), dtype=np.float64)
        q.data[:] = 1.0
        best = np.asarray(q @ (self._idf * (BM25_K1 + 1.0))).ravel()
        raw = (q @ self._weights).toarray()
        return np.asarray(raw / np.maximum(best, 1e-9)[:, None], dtype=np.float64)


class _RolePrior:
    """How likely a title's role (`split_title`) is to head a title of each 中类, from the names and alias
    titles the classifier was built from: count(role, 中类) / (count(role) + `ROLE_PRIOR`), scaled so the
    role's likeliest 中类 has 1 × its support; 0 for a title without a role."""

    def __init__(self, names: Sequence[str], owners: Sequence[int], codes: Sequence[str]) -> None:
        middles = [middle_class_of(c) for c in codes]
        self._middle_ids = {m: i for i, m in enumerate(sorted(set(middles)))}
        self._column = np.asarray([self._middle_ids[m] for m in middles], dtype=np.int64)
        counts: dict[str, npt.NDArray[np.float64]] = {}
        for name, owner in zip(names, owners, strict=True):
            _, role = split_title(name)
            if role:
                row = counts.setdefault(role, np.zeros(len(self._middle_ids)))
                row[self._column[owner]] += 1.0
        self._table: dict[str, npt.NDArray[np.float64]] = {}
        for role, row in counts.items():
            total = row.sum()
            self._table[role] = (row / row.max()) * (total / (total + ROLE_PRIOR))

    def scores(self, roles: Sequence[str]) -> npt.NDArray[np.float64]:
        out = np.zeros((len(roles), self._column.size))
        for i, role in enumerate(roles):
            row = self._table.get(role)
            if row is not None:
                out[i] = row[self._column]
        return out


def _fold_lower(text: str) -> str:
    return fold_width(text).lower()


def infer_from(suggestions: Sequence[Suggestion]) -> tuple[Suggestion, ...]:
    """The best suggestion, plus the second one when it scores within `SECOND_WITHIN` of the best."""
    if not suggestions:
        return ()
    best = suggestions[0]
    if len(suggestions) > 1 and suggestions[1].confidence >= SECOND_WITHIN * best.confidence:
        return (best, suggestions[1])
    return (best,)


def default_classifier(catalogs: Catalogs) -> OccupationClassifier:
    """The classifier over the full classification (aliases included), built once per `Catalogs`."""
    cached = catalogs.cache.get("occupation_classifier")
    if isinstance(cached, OccupationClassifier):
        return cached
    classifier = OccupationClassifier(catalogs.occupations)
    catalogs.cache["occupation_classifier"] = classifier
    return classifier
