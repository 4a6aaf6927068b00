"""Character n-gram TF-IDF space and the major → occupation bridge.

`TextSpace` wraps a scikit-learn `TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), max_df=0.02)`,
fitted on the reference corpus (occupation names, alias titles, definitions and tasks; major names;
orientation sentences) and optionally on positions. Rows are L2-normalised float32, so a sparse dot is a
cosine.

`Bridge` holds one profile vector per catalog major: the names and alias job titles of the occupations its
orientation names (a 小类 adds its 细类 names) and the orientation sentence. Majors with a derived
orientation get the similarity-weighted mean of their source majors' vectors. Each profile keeps its
`PROFILE_TERMS` heaviest n-grams (then re-normalised) so one profile × all positions stays a cheap sparse
product.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from matching.catalogs import Catalogs, OccupationLink, Orientation, middle_class_of, small_class_of
from matching.features import occupation_link_value
from matching.fuzzy import fold_width

PROFILE_TERMS: Final = 64
#: single texts whose vector is kept (a graduate opening their matches again reads the same text)
ONE_TEXT_CACHE: Final = 4096
#: n-grams in more than this share of the fitting corpus are dropped (common ones such as 工程, 人员 carry
#: little relevance but have posting lists spanning most positions).
DEFAULT_MAX_DF: Final = 0.02
_PUNCT: Final = re.compile(r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65!-/:-@\[-`{-~]+")

Csr: TypeAlias = sp.csr_matrix


def preprocess(text: str) -> str:
    """Lower-case, fold width, punctuation to spaces (so n-grams do not cross clauses)."""
    return _PUNCT.sub(" ", fold_width(text).lower()).strip()


def _gram_key(gram: str) -> int:
    key = 0
    for ch in gram:
        key = (key << 21) | ord(ch)
    return key


class TextSpace:
    """A fitted char n-gram TF-IDF space; `transform` gives L2-normalised float32 CSR rows.

    The vocabulary and IDF come from scikit-learn's `TfidfVectorizer.fit`. `transform` reproduces its
    char_wb analyzer with numpy (n-grams as 21-bit code-point keys, looked up by binary search in the sorted
    vocabulary keys), then applies sublinear TF (1 + log tf), IDF and row-wise L2 normalisation, row by row,
    so a text gets the very same vector alone or in a batch, about 20× faster than the Python analyzer.
    """

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        self.vectorizer = vectorizer
        self.vocabulary: dict[str, int] = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.n_features = len(self.vocabulary)
        low, high = vectorizer.ngram_range
        self._ngram_sizes = tuple(range(max(2, low), high + 1))
        if low < 2 or any(len(term) not in self._ngram_sizes for term in self.vocabulary):
            raise ValueError("TextSpace supports char_wb n-grams of length 2 and more")
        keys = np.fromiter((_gram_key(t) for t in self.vocabulary), dtype=np.int64, count=self.n_features)
        ids = np.fromiter(self.vocabulary.values(), dtype=np.int64, count=self.n_features)
        order = np.argsort(keys)
        self._keys, self._ids = keys[order], ids[order]
        self._analyze = vectorizer.build_analyzer()
        self._one = lru_cache(maxsize=ONE_TEXT_CACHE)(self._transform_one)

    @classmethod
    def fit(
        cls,
        corpus: Iterable[str],
        *,
        ngram_range: tuple[int, int] = (2, 3),
        min_df: int = 2,
        max_df: float = 1.0,
    ) -> TextSpace:
        vec = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=ngram_range,
            preprocessor=preprocess,
            min_df=min_df,
            max_df=max_df,
            sublinear_tf=True,
            dtype=np.float32,
        )
        vec.fit(list(corpus))
        return cls(vec)

    def transform(self, texts: Sequence[str], *, chunk: int = 8192) -> Csr:
        """L2-normalised TF-IDF rows, float32 CSR, sorted indices (vectorised, `chunk` texts at a time).

        The vector of a single text is kept (the space never changes once fitted): callers only read it."""
        if len(texts) == 1:
            return self._one(texts[0])
        if len(texts) <= 4:
            return self._transform_small(texts)
        blocks = [self._transform_chunk(texts[i : i + chunk]) for i in range(0, len(texts), chunk)]
        if not blocks:
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        out = blocks[0] if len(blocks) == 1 else sp.csr_matrix(sp.vstack(blocks, format="csr"), dtype=np.float32)
        out.has_sorted_indices = True
        return out

    def _transform_one(self, text: str) -> Csr:
        return self._transform_small([text])

    def _transform_small(self, texts: Sequence[str]) -> Csr:
        """Same rows as `_transform_chunk`, counted with the analyzer in Python (faster for a few texts)."""
        vocab = self.vocabulary
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for text in texts:
            row: dict[int, int] = {}
            for gram in self._analyze(text):
                j = vocab.get(gram)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
            for j in sorted(row):
                indices.append(j)
                counts.append(row[j])
            indptr.append(len(indices))
        idx = np.asarray(indices, dtype=np.int32)
        return self._weigh(np.asarray(counts, dtype=np.float64), idx, np.asarray(indptr, dtype=np.int32))

    def _weigh(self, counts: npt.NDArray[np.float64], idx: npt.NDArray[np.int32], ptr: npt.NDArray[np.int32]) -> Csr:
        """Sublinear TF × IDF, then L2 per row (float64, summed per row), stored as float32."""
        data = (np.log(counts) + 1.0) * self.idf[idx]
        if data.size:
            first = ptr[:-1]
            nonempty = ptr[1:] > first
            norms = np.ones(len(first), dtype=np.float64)
            norms[nonempty] = np.sqrt(np.add.reduceat(data * data, first[nonempty]))
            data /= np.repeat(norms, np.diff(ptr))
        out = sp.csr_matrix((data.astype(np.float32), idx, ptr), shape=(len(ptr) - 1, self.n_features))
        out.has_sorted_indices = True
        return out

    def _transform_chunk(self, texts: Sequence[str]) -> Csr:
        # char_wb: each whitespace-separated word is padded with one space on both sides and cut into
        # n-grams. Words are joined with two spaces and texts with NUL, so a gram that holds two spaces or
        # a NUL crosses a boundary and is dropped; what remains is exactly the analyzer's output.
        docs = ["  ".join(preprocess(t).split()) for t in texts]
        joined = "\0\0".join(f" {d} " if d else "" for d in docs)
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        lengths = np.fromiter((len(d) + 2 if d else 0 for d in docs), dtype=np.int64, count=len(docs))
        starts = np.concatenate(([0], np.cumsum(lengths + 2)[:-1])) if len(docs) else np.zeros(0, np.int64)
        doc_of = np.full(cps.size, -1, dtype=np.int64)
        if cps.size:
            doc_of[starts[lengths > 0]] = np.flatnonzero(lengths > 0)
            np.maximum.accumulate(doc_of, out=doc_of)
        rows: list[npt.NDArray[np.int64]] = []
        cols: list[npt.NDArray[np.int64]] = []
        bad = (cps == 0) | np.concatenate(((cps[:-1] == 32) & (cps[1:] == 32), [False]))
        for n in self._ngram_sizes:
            if cps.size < n:
                continue
            m = cps.size - n + 1
            key = np.zeros(m, dtype=np.int64)
            invalid = np.zeros(m, dtype=np.bool_)
            for j in range(n):
                key = (key << 21) | cps[j : j + m]
                invalid |= cps[j : j + m] == 0
            for j in range(n - 1):
                invalid |= bad[j : j + m] & (cps[j : j + m] == 32)
            pos = np.searchsorted(self._keys, key)
            pos = np.minimum(pos, self._keys.size - 1)
            hit = (self._keys[pos] == key) & ~invalid
            rows.append(doc_of[:m][hit])
            cols.append(self._ids[pos[hit]])
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        counts = sp.csr_matrix((np.ones(row.size, dtype=np.float64), (row, col)), shape=(len(texts), self.n_features))
        counts.sum_duplicates()
        counts.sort_indices()
        return self._weigh(counts.data, counts.indices.astype(np.int32), counts.indptr.astype(np.int32))


def catalog_corpus(catalogs: Catalogs) -> list[str]:
    """Texts the default space is fitted on: occupations, majors and orientation sentences."""
    docs: list[str] = []
    for occ in catalogs.occupations.occupations.values():
        docs.append(" ".join((occ.name, *occ.aliases)))
        if occ.definition or occ.tasks:
            docs.append(f"{occ.definition} {occ.tasks}")
    docs.extend(f"{m.name} {m.class_name}" for m in catalogs.majors.majors.values())
    docs.extend(o.sentence for o in catalogs.orientations.values() if o.sentence)
    return docs


def default_space(catalogs: Catalogs) -> TextSpace:
    """The catalog-fitted space, built once per `Catalogs` and cached on it."""
    cached = catalogs.cache.get("text_space")
    if isinstance(cached, TextSpace):
        return cached
    space = TextSpace.fit(catalog_corpus(catalogs), max_df=DEFAULT_MAX_DF)
    catalogs.cache["text_space"] = space
    return space


def occupation_text(catalogs: Catalogs, code: str) -> str:
    """Name and alias titles of an occupation; a 小类 adds its 细类 names."""
    occ = catalogs.occupations.get(code)
    if occ is None:
        return ""
    parts = [occ.name, occ.name, *occ.aliases]
    for child in catalogs.occupations.children.get(code, ()):
        kid = catalogs.occupations.get(child)
        if kid is not None:
            parts.append(kid.name)
    return " ".join(parts)


@dataclass(slots=True)
class Bridge:
    """Major profiles in one `TextSpace`, with the occupations behind them.

    `rows`: major code → row of `profiles` (M × V CSR, pruned, L2-normalised).
    `small_classes`: row → sorted 小类 codes of the major's (official or borrowed) occupations.
    `middle_classes`: row → sorted 中类 codes of the same occupations.
    `exact_codes`: row → the codes of all the major's occupations, a 小类 expanded to its 细类.
    `code_values`: row → the occupation feature of a position with each of `exact_codes`: 1.0 for an official
    link, `occupation_link_value(strength)` for a derived one. The 小类 and 中类 bands come from the links of
    strength `STRONG_LINK` and more (all of them when none is that strong).
    `occupation_rows`: CSCO code → row of `occupation_vectors` (used to name the occupation in a reason).
    """

    rows: dict[str, int]
    profiles: Csr
    small_classes: list[tuple[str, ...]]
    middle_classes: list[tuple[str, ...]]
    exact_codes: list[tuple[str, ...]]
    code_values: list[tuple[float, ...]]
    occupations: list[tuple[str, ...]]
    occupation_rows: dict[str, int]
    occupation_codes: list[str]
    occupation_vectors: Csr

    def row(self, major_code: str) -> int:
        return self.rows.get(major_code, -1)


def build_bridge(catalogs: Catalogs, space: TextSpace) -> Bridge:
    """Profiles for every major that has an orientation (official or derived)."""
    official = sorted(c for c, o in catalogs.orientations.items() if o.official)
    derived = sorted(c for c, o in catalogs.orientations.items() if not o.official)
    texts = []
    for code in official:
        o = catalogs.orientations[code]
        texts.append(" ".join([*(occupation_text(catalogs, c) for c in o.occupations), o.sentence]))
    base = space.transform(texts)
    base_row = {c: i for i, c in enumerate(official)}
    mix_rows: list[int] = []
    mix_cols: list[int] = []
    mix_vals: list[float] = []
    for i, code in enumerate(derived):
        for src, weight in catalogs.orientations[code].via:
            if src in base_row:
                mix_rows.append(i)
                mix_cols.append(base_row[src])
                mix_vals.append(weight)
    mixer = sp.csr_matrix((mix_vals, (mix_rows, mix_cols)), shape=(len(derived), len(official)), dtype=np.float32)
    derived_vecs = normalize(mixer @ base) if derived else sp.csr_matrix((0, space.n_features), dtype=np.float32)
    profiles = _prune_rows(sp.vstack([base, derived_vecs], format="csr"), PROFILE_TERMS)
    codes = official + derived
    occ_codes = sorted(catalogs.occupations.occupations)
    occ_vectors = space.transform([occupation_text(catalogs, c) for c in occ_codes])
    occupations = [catalogs.orientations[c].occupations for c in codes]
    fitting = [_fitting(catalogs.orientations[c]) for c in codes]
    values = [_code_values(catalogs, catalogs.orientations[c]) for c in codes]
    return Bridge(
        rows={c: i for i, c in enumerate(codes)},
        profiles=profiles,
        small_classes=[tuple(sorted({small_class_of(o) for o in occs})) for occs in fitting],
        middle_classes=[tuple(sorted({middle_class_of(o) for o in occs})) for occs in fitting],
        exact_codes=[tuple(sorted(v)) for v in values],
        code_values=[tuple(v[c] for c in sorted(v)) for v in values],
        occupations=occupations,
        occupation_rows={c: i for i, c in enumerate(occ_codes)},
        occupation_codes=occ_codes,
        occupation_vectors=occ_vectors,
    )


STRONG_LINK: Final = 0.5


def _fitting(orientation: Orientation) -> tuple[str, ...]:
    """The occupations whose 小类 and 中类 give the lower fit bands (see `Bridge`)."""
    if orientation.official or not orientation.links:
        return orientation.occupations
    strong = tuple(link.occupation for link in orientation.links if link.strength >= STRONG_LINK)
    return strong or tuple(link.occupation for link in orientation.links)


def _code_values(catalogs: Catalogs, orientation: Orientation) -> dict[str, float]:
    """Each occupation of the major (a 小类 expanded to its 细类) with its occupation feature (see `Bridge`)."""
    out: dict[str, float] = {}
    links = orientation.links or tuple(OccupationLink(o, "official", 1.0) for o in orientation.occupations)
    for link in links:
        value = float(occupation_link_value(min(1.0, link.strength)))
        for code in (link.occupation, *catalogs.occupations.children.get(link.occupation, ())):
            out[code] = max(out.get(code, 0.0), value)
    return out


def default_bridge(catalogs: Catalogs) -> Bridge:
    cached = catalogs.cache.get("bridge")
    if isinstance(cached, Bridge):
        return cached
    bridge = build_bridge(catalogs, default_space(catalogs))
    catalogs.cache["bridge"] = bridge
    return bridge


def _prune_rows(matrix: Csr, keep: int) -> Csr:
    """Keep each row's `keep` largest entries, re-normalise (vectorised over the CSR arrays)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    matrix.sort_indices()
    counts = np.diff(matrix.indptr)
    row_of = np.repeat(np.arange(matrix.shape[0]), counts)
    order = np.lexsort((-matrix.data, row_of))
    rank = np.arange(order.size) - np.repeat(matrix.indptr[:-1], counts)
    chosen = order[rank < keep]
    pruned = sp.csr_matrix(
        (matrix.data[chosen], (row_of[chosen], matrix.indices[chosen])), shape=matrix.shape, dtype=np.float32
    )
    pruned.sort_indices()
    out: Csr = normalize(pruned).astype(np.float32)
    out.sort_indices()
    return out
