"""Learning the feature weights from outcomes, and deciding whether to use them.

`WeightLearner` is a scikit-learn style estimator. Its input is one row of feature values (in `FEATURES`
order) per recommended pair, the pair's outcome, and the group the pair was ranked in (one graduate's
list). Within each group every two pairs with different outcomes give one training example: the feature
difference, labelled by which did better (signed > interviewed > applied > rejected), in both orientations.
A logistic regression without intercept on these differences estimates how much each feature moves the
odds of the better outcome; negative coefficients are clipped to 0 and the rest normalised to sum 1.

`evaluate` gives NDCG@10 and precision@10 of a weight vector on held-out groups; `decide` compares the
current and the learned weights on the same holdout and says whether to replace the current ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from matching.features import FEATURES, Weights

#: Outcome grades: a higher grade is a better outcome of a recommendation.
OUTCOME_GRADES: Final[dict[str, int]] = {
    "rejected": 0,
    "withdrawn": 0,
    "expired": 0,
    "recommended": 0,
    "applied": 1,
    "interviewing": 2,
    "interviewed": 2,
    "offered": 3,
    "signed": 4,
    "employed": 4,
}

Group = tuple[npt.ArrayLike, npt.ArrayLike]


def grades(outcomes: Iterable[str | int]) -> npt.NDArray[np.int64]:
    """Outcome names (or grades) as integer grades."""
    out = []
    for o in outcomes:
        if isinstance(o, str):
            if o not in OUTCOME_GRADES:
                raise ValueError(f"unknown outcome {o!r}")
            out.append(OUTCOME_GRADES[o])
        else:
            out.append(int(o))
    return np.asarray(out, dtype=np.int64)


class WeightLearner(BaseEstimator):  # type: ignore[misc]
    """Fit non-negative feature weights from ranked outcomes by pairwise logistic regression.

    Parameters: `C` inverse regularisation strength; `max_pairs_per_group` caps the pairs drawn from one
    group (chosen at random with `random_state`); `max_iter` for the solver.
    Learned attributes: `coef_` (raw coefficients), `weights_` (a `Weights`), `n_pairs_`, `n_features_in_`.
    """

    def __init__(
        self, *, C: float = 1.0, max_pairs_per_group: int = 500, max_iter: int = 1000, random_state: int = 0
    ) -> None:
        self.C = C
        self.max_pairs_per_group = max_pairs_per_group
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X: npt.ArrayLike, y: Sequence[str | int] | npt.ArrayLike, groups: npt.ArrayLike) -> WeightLearner:
        """X: (n, len(FEATURES)) feature values; y: outcomes (names or grades); groups: group id per row."""
        y_grades = grades(np.asarray(y, dtype=object).ravel().tolist())
        X_arr, y_arr = validate_data(self, X, y_grades, dtype=np.float64, y_numeric=True)
        if X_arr.shape[1] != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} features ({', '.join(FEATURES)}), got {X_arr.shape[1]}")
        group_ids = np.asarray(groups).ravel()
        if group_ids.shape[0] != X_arr.shape[0]:
            raise ValueError("groups must have one entry per row of X")
        rng = np.random.default_rng(self.random_state)
        diffs: list[npt.NDArray[np.float64]] = []
        for gid in np.unique(group_ids):
            rows = np.flatnonzero(group_ids == gid)
            a, b = np.triu_indices(rows.size, k=1)
            a, b = rows[a], rows[b]
            differ = y_arr[a] != y_arr[b]
            a, b = a[differ], b[differ]
            if a.size > self.max_pairs_per_group:
                pick = rng.choice(a.size, size=self.max_pairs_per_group, replace=False)
                a, b = a[pick], b[pick]
            better = np.where(y_arr[a] > y_arr[b], a, b)
            worse = np.where(y_arr[a] > y_arr[b], b, a)
            diffs.append(X_arr[better] - X_arr[worse])
        D = np.concatenate(diffs) if diffs else np.zeros((0, X_arr.shape[1]))
        if D.shape[0] == 0:
            raise ValueError("no pair of rows in one group has different outcomes: nothing to learn from")
        features = np.vstack([D, -D])
        labels = np.concatenate([np.ones(D.shape[0]), np.zeros(D.shape[0])])
        model = LogisticRegression(C=self.C, fit_intercept=False, max_iter=self.max_iter)
        model.fit(features, labels)
        self.coef_ = np.asarray(model.coef_[0], dtype=np.float64)
        clipped = np.clip(self.coef_, 0.0, None)
        total = clipped.sum()
        normalised = clipped / total if total > 0 else np.full(clipped.size, 1.0 / clipped.size)
        self.weights_ = Weights.from_array(normalised)
        self.n_pairs_ = int(D.shape[0])
        return self

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Scores of rows under the learned weights."""
        check_is_fitted(self)
        X_arr = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(X_arr @ self.weights_.as_array(), dtype=np.float64)


def _dcg(gains: npt.NDArray[np.float64]) -> float:
    discounts = 1.0 / np.log2(np.arange(2, gains.size + 2))
    return float(((2.0**gains - 1.0) * discounts).sum())


def evaluate(weights: Weights, groups: Iterable[Group], *, k: int = 10, relevant: int = 1) -> dict[str, float]:
    """Mean NDCG@k (gain 2^grade − 1) and precision@k (grade ≥ `relevant`) over groups.

    Each group is (feature rows, grades). Rows are ranked by weighted score, ties by row order. Groups
    without any relevant row are skipped for NDCG (their ideal DCG is 0) but count for precision.
    """
    w = weights.as_array()
    ndcgs: list[float] = []
    precisions: list[float] = []
    for X, y in groups:
        X_arr = np.asarray(X, dtype=np.float64)
        y_arr = np.asarray(y, dtype=np.float64)
        if X_arr.shape[0] == 0:
            continue
        order = np.argsort(-(X_arr @ w), kind="stable")[:k]
        top = y_arr[order]
        ideal = _dcg(np.sort(y_arr)[::-1][:k])
        if ideal > 0:
            ndcgs.append(_dcg(top) / ideal)
        precisions.append(float((top >= relevant).sum()) / k)
    return {
        f"ndcg@{k}": float(np.mean(ndcgs)) if ndcgs else 0.0,
        f"precision@{k}": float(np.mean(precisions)) if precisions else 0.0,
    }


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether to replace the current weights with the learned ones, and the figures behind it."""

    replace: bool
    current: dict[str, float]
    learned: dict[str, float]
    current_weights: dict[str, float]
    learned_weights: dict[str, float]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "replace": self.replace,
            "current": self.current,
            "learned": self.learned,
            "current_weights": self.current_weights,
            "learned_weights": self.learned_weights,
            "reason": self.reason,
        }


def decide(
    current: Weights,
    learned: Weights,
    holdout: Sequence[Group],
    *,
    metric: str = "ndcg@10",
    min_gain: float = 0.005,
) -> Decision:
    """Replace only when the learned weights beat the current ones on the holdout by at least `min_gain`."""
    now = evaluate(current, holdout)
    new = evaluate(learned, holdout)
    if metric not in now:
        raise ValueError(f"unknown metric {metric!r}; one of {sorted(now)}")
    gain = new[metric] - now[metric]
    replace = bool(len(holdout) > 0 and gain >= min_gain)
    verb = "replace" if replace else "keep"
    reason = f"{verb}: {metric} {now[metric]:.4f} → {new[metric]:.4f} (gain {gain:+.4f}, needed {min_gain:+.4f})"
    return Decision(replace, now, new, current.as_dict(), learned.as_dict(), reason)


def groups_from_arrays(
    X: npt.ArrayLike, y: Sequence[str | int] | npt.ArrayLike, group_ids: npt.ArrayLike
) -> list[Group]:
    """Split flat arrays into (rows, grades) groups for `evaluate` / `decide`."""
    X_arr = np.asarray(X, dtype=np.float64)
    y_arr = grades(np.asarray(y, dtype=object).ravel().tolist())
    ids = np.asarray(group_ids).ravel()
    return [(X_arr[ids == g], y_arr[ids == g]) for g in np.unique(ids)]
