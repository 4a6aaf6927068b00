"""Title → occupation: the CSCO 2022 (大典) occupations a position's title and description describe.

`OccupationClassifier` is built from the classification alone — each occupation's name, its alias job titles
(optional, and droppable per occupation for a held-out measure), its definition and its tasks — never from
labelled positions. Candidates are the 细类 and the 小类 that have no 细类. For a title and a description:

- ``name``: the best cosine, over the occupation's name and each alias title separately, of char 1–3-gram
  TF-IDF vectors with the cleaned title (a title matches one alias, not the sum of them);
- ``fuzzy``: the best rapidfuzz `WRatio` of the cleaned title against the same names and aliases, / 100;
- ``body``: cosine of the title with the occupation's definition and tasks;
- ``context``: cosine of the description with the definition and tasks.

score = 0.45 name + 0.25 fuzzy + 0.2 body + 0.1 context: the title's words weigh 0.9 and the description's
0.1. Cleaning strips words that say how a post is held rather than what is done (实习生, 兼职, 勤工助学,
储备, 学徒, bracketed notes). `suggest` returns the best `k` as `Suggestion` (code, name, confidence = the
score, rounded); `infer` keeps the best one, and a second one when it scores within 5% of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.catalogs import Catalogs, Occupation, OccupationCatalog
from matching.fuzzy import fold_width

NAME_WEIGHT: Final = 0.45
FUZZY_WEIGHT: Final = 0.25
BODY_WEIGHT: Final = 0.2
CONTEXT_WEIGHT: Final = 0.1
SECOND_WITHIN: Final = 0.95
#: How a post is held, not what is done: dropped from a title before it is compared.
TITLE_NOISE: Final = re.compile(
    r"[（(\[【][^）)\]】]*[）)\]】]|实习生|实习|见习生|见习|兼职|勤工助学|勤工俭学|储备|学徒|应届生|急招|诚聘|高薪|"
    r"[0-9０-９]+[kK千万]|长期|短期|周末|校园"
)
_PUNCT: Final = re.compile(r"[\s/|,，、;；:：·\-—_+]+")


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
        # every occupation has at least its own name, and names are listed occupation by occupation
        self._starts = np.searchsorted(self._owner, np.arange(len(self.occupations)))

    def __len__(self) -> int:
        return len(self.occupations)

    def scores(self, titles: Sequence[str], descriptions: Sequence[str] | None = None) -> npt.NDArray[np.float32]:
        """Score of every candidate occupation (columns, in `codes` order) for every title (rows)."""
        descs = list(descriptions) if descriptions is not None else [""] * len(titles)
        if len(descs) != len(titles):
            raise ValueError("titles and descriptions differ in length")
        cleaned = [clean_title(t) for t in titles]
        q_title = self._vec.transform(cleaned)
        q_desc = self._vec.transform([fold_width(d) for d in descs])
        name_sim = (q_title @ self._name_rows.T).toarray()
        fuzzy_sim = process.cdist(cleaned, self.names, scorer=fuzz.WRatio, dtype=np.float32, workers=1) / 100.0
        best_name = np.maximum.reduceat(name_sim.astype(np.float32), self._starts, axis=1)
        best_fuzzy = np.maximum.reduceat(fuzzy_sim.astype(np.float32), self._starts, axis=1)
        body = (q_title @ self._body_rows.T).toarray()
        context = (q_desc @ self._body_rows.T).toarray()
        total = NAME_WEIGHT * best_name + FUZZY_WEIGHT * best_fuzzy + BODY_WEIGHT * body + CONTEXT_WEIGHT * context
        return np.asarray(total, dtype=np.float32)

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
