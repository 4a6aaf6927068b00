"""The learner recovers planted weights better than the defaults; the decision compares both."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching.features import FEATURES, Weights
from matching.learning import WeightLearner, decide, evaluate, groups_from_arrays

PLANTED = np.array([0.05, 0.35, 0.05, 0.3, 0.0, 0.0, 0.05, 0.2])
OUTCOMES = np.array(["signed", "interviewed", "applied", "rejected"])


def _outcomes(n_groups: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X, y, g = [], [], []
    for gid in range(n_groups):
        feats = rng.random((20, len(FEATURES)))
        utility = feats @ PLANTED + rng.normal(0, 0.05, 20)
        rank = np.argsort(np.argsort(-utility))
        label = np.where(rank < 1, 0, np.where(rank < 3, 1, np.where(rank < 6, 2, 3)))
        X.append(feats)
        y.append(OUTCOMES[label])
        g.append(np.full(20, gid))
    return np.vstack(X), np.concatenate(y), np.concatenate(g)


def test_learner_recovers_planted_weights_better_than_defaults() -> None:
    X, y, g = _outcomes(250, 1)
    learner = WeightLearner(random_state=0).fit(X, y, g)
    assert learner.n_features_in_ == len(FEATURES)
    learned = learner.weights_.as_array()
    assert np.all(learned >= 0) and np.isclose(learned.sum(), 1.0)

    def cosine(a: np.ndarray) -> float:
        return float(a @ PLANTED / np.linalg.norm(a) / np.linalg.norm(PLANTED))

    assert cosine(learned) > cosine(Weights().as_array()) + 0.1
    holdout = groups_from_arrays(*_outcomes(150, 2))
    default_scores = evaluate(Weights(), holdout)
    learned_scores = evaluate(learner.weights_, holdout)
    assert learned_scores["ndcg@10"] > default_scores["ndcg@10"] + 0.05
    decision = decide(Weights(), learner.weights_, holdout)
    assert decision.replace
    assert decision.current["ndcg@10"] == default_scores["ndcg@10"]
    assert decision.learned["ndcg@10"] == learned_scores["ndcg@10"]
    assert set(decision.as_dict()) >= {"replace", "current", "learned", "reason"}
    kept = decide(learner.weights_, Weights(), holdout)
    assert not kept.replace and kept.reason.startswith("keep")


def test_estimator_conventions() -> None:
    learner = WeightLearner(C=0.5)
    assert clone(learner).get_params()["C"] == 0.5
    with pytest.raises(NotFittedError):
        learner.predict(np.zeros((1, len(FEATURES))))
    with pytest.raises(ValueError, match="nothing to learn"):
        WeightLearner().fit(np.zeros((3, len(FEATURES))), ["applied"] * 3, [1, 1, 1])
    X, y, g = _outcomes(20, 3)
    fitted = WeightLearner().fit(X, y, g)
    assert fitted.predict(X).shape == (X.shape[0],)
