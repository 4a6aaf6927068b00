"""Learning the weights from outcomes: recommended pairs and where their applications stand, a pairwise
fit (:mod:`matching.learning`) checked on held-out graduates, and the decision stored with its figures."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matching import learning
from matching.features import FEATURES
from matching.index import MatchIndex
from matching.records import PositionRecord
from services.catalog import api as catalog
from services.matches import records as position_records
from services.matches.holder import active_weights, reference_catalogs
from services.matches.models import MatchRecommendation, MatchWeights
from services.matches.service import load_profiles, records_for


@dataclass(frozen=True, slots=True)
class Outcome:
    """One recommended pair: its features when recommended and where the application stands now."""

    graduate_id: int
    position_id: int
    features: dict[str, float]
    state: str


def record_outcome(session: Session, *, application_id: int, state: str) -> None:
    """Tracking tells where a recommended application stands after each move (a no-op for other applications)."""
    session.execute(
        update(MatchRecommendation).where(MatchRecommendation.application_id == application_id).values(outcome=state)
    )


def keep_recommendation(
    session: Session,
    *,
    application_id: int,
    graduate_id: int,
    position_id: int,
    org_unit_id: int,
    score: float,
    features: dict[str, float],
    reasons: list[str],
    catalog_version: int,
    recommended_by_id: int,
) -> MatchRecommendation:
    """Tracking keeps the match a counselor turned into a recommendation: its score, features and reasons as they
    stood, the learner's input once the application's outcome is known."""
    row = MatchRecommendation(
        application_id=application_id,
        graduate_id=graduate_id,
        position_id=position_id,
        org_unit_id=org_unit_id,
        score=score,
        features=features,
        reasons=reasons,
        catalog_version=catalog_version,
        recommended_by_id=recommended_by_id,
    )
    session.add(row)
    session.flush()
    return row


def recommended_outcomes(session: Session) -> list[Outcome]:
    """Every recommendation with its tracked outcome. Recommendations stored without features are scored now
    against their position as it stands in the catalog."""
    rows = session.execute(
        select(
            MatchRecommendation.graduate_id,
            MatchRecommendation.position_id,
            MatchRecommendation.outcome,
            MatchRecommendation.features,
        ).order_by(MatchRecommendation.application_id)
    ).all()
    out: list[Outcome] = []
    missing: list[tuple[int, int, str]] = []
    for graduate_id, position_id, state, features in rows:
        if features:
            out.append(Outcome(graduate_id, position_id, {k: float(v) for k, v in features.items()}, state))
        else:
            missing.append((graduate_id, position_id, state))
    if missing:
        out.extend(_score_now(session, missing))
    return out


def _score_now(session: Session, pairs: Sequence[tuple[int, int, str]]) -> list[Outcome]:
    positions: dict[int, PositionRecord] = {}
    for _, position_id, _ in pairs:
        if position_id not in positions:
            positions[position_id] = position_records.position_record(session, position_id=position_id)
    profiles = load_profiles(session, scope=None, ids=sorted({g for g, _, _ in pairs}))
    records = {r.id: r for r in records_for(session, profiles)}
    index = MatchIndex(positions.values(), reference_catalogs())
    today = catalog.local_today()
    out = []
    for graduate_id, position_id, state in pairs:
        if graduate_id in records:
            match = index.explain(position_id, records[graduate_id], today=today)
            out.append(Outcome(graduate_id, position_id, dict(match.features), state))
    return out


@dataclass(frozen=True, slots=True)
class LearnResult:
    weights_id: int | None
    adopted: bool
    reason: str
    figures: dict[str, Any]


def _holdout(graduate_id: int, fraction: float) -> bool:
    digest = hashlib.sha256(f"holdout:{graduate_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


def learn_weights(
    session: Session,
    *,
    holdout_fraction: float = 0.25,
    min_gain: float = 0.005,
    decided_by_id: int | None = None,
    outcomes: Sequence[Outcome] | None = None,
) -> LearnResult:
    """Fit the weights on recommended pairs and their outcomes, evaluate them against the current ones on
    held-out graduates (NDCG@10), store the decision with its figures, and adopt them when they win.

    One graduate's recommendations form a group; a stable hash of the graduate id puts about
    ``holdout_fraction`` of the graduates in the held-out set. Nothing is stored when there is nothing to learn.
    """
    data = list(outcomes) if outcomes is not None else recommended_outcomes(session)
    current = active_weights(session)
    train = [o for o in data if not _holdout(o.graduate_id, holdout_fraction)]
    held = [o for o in data if _holdout(o.graduate_id, holdout_fraction)]
    figures: dict[str, Any] = {
        "pairs": len(data),
        "train_pairs": len(train),
        "holdout_pairs": len(held),
        "graduates": len({o.graduate_id for o in data}),
        "holdout_fraction": holdout_fraction,
        "min_gain": min_gain,
    }
    if not train or not held:
        return LearnResult(None, False, "推荐记录不足：训练集或留出集为空，权重保持不变", figures)

    def arrays(items: Sequence[Outcome]) -> tuple[np.ndarray[Any, Any], list[str], np.ndarray[Any, Any]]:
        x = np.array([[o.features.get(name, 0.0) for name in FEATURES] for o in items], dtype=np.float64)
        return x, [o.state for o in items], np.array([o.graduate_id for o in items], dtype=np.int64)

    x_train, y_train, g_train = arrays(train)
    x_held, y_held, g_held = arrays(held)
    try:
        learner = learning.WeightLearner().fit(x_train, y_train, g_train)
    except ValueError:
        reason = "推荐结果中没有可比较的结局（同一毕业生的推荐结局都相同），权重保持不变"
        return LearnResult(None, False, reason, figures)
    decision = learning.decide(
        current.weights, learner.weights_, learning.groups_from_arrays(x_held, y_held, g_held), min_gain=min_gain
    )
    figures.update(decision.as_dict())
    figures["n_pairs_compared"] = learner.n_pairs_
    before, after = decision.current["ndcg@10"], decision.learned["ndcg@10"]
    note = (
        f"{'采用新权重' if decision.replace else '保持现行权重'}：留出集 NDCG@10 {before:.4f} → {after:.4f}"
        f"（变化 {after - before:+.4f}，采用须至少提高 {min_gain:.4f}）"
    )
    row = MatchWeights(
        weights=learner.weights_.as_dict(),
        figures=figures,
        decision="adopted" if decision.replace else "rejected",
        note=note,
        active=decision.replace,
        decided_by_id=decided_by_id,
    )
    if decision.replace:
        session.execute(update(MatchWeights).where(MatchWeights.active.is_(True)).values(active=False))
    session.add(row)
    session.flush()
    return LearnResult(row.id, decision.replace, note, figures)


def weights_history(session: Session, *, limit: int = 20) -> list[MatchWeights]:
    return list(session.scalars(select(MatchWeights).order_by(MatchWeights.id.desc()).limit(limit)))
