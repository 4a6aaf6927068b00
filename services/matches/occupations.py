"""A position's CSCO 2022 (大典) occupations: suggested from the title and description, confirmed by the poster.

:func:`suggest` gives the top suggestions for the posting form (the classifier of
:mod:`matching.occupations`, over the reference catalogs the matcher uses). What a position stores on create
and update is :mod:`services.catalog.occupations` (confirmed by the poster, or suggested). :func:`backfill`
fills the positions that have none, in pages (the Celery task ``matches.backfill_position_occupations`` and
the command ``sunshine matches backfill-occupations`` run it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matching.occupations import infer_from
from services.catalog.api import CONFIRMED, Position, store_suggestions
from services.refdata.api import classifier

#: Most suggestions one request returns.
MAX_SUGGESTIONS: Final = 10


@dataclass(frozen=True, slots=True)
class OccupationSuggestion:
    code: str
    name: str
    confidence: float


def suggest(title: str, description: str = "", *, k: int = 5) -> list[OccupationSuggestion]:
    """The `k` occupations a title and description most likely describe, best first."""
    if not title.strip():
        return []
    found = classifier().suggest(title, description, k=max(1, min(k, MAX_SUGGESTIONS)))
    return [OccupationSuggestion(s.code, s.name, s.confidence) for s in found]


def backfill(session: Session, *, batch: int = 500, limit: int | None = None) -> int:
    """Suggest occupations for positions that have none (and are not confirmed); returns how many were set."""
    model = classifier()
    done = 0
    after = 0
    while limit is None or done < limit:
        stmt = (
            select(Position)
            .where(Position.id > after, or_(Position.occupation_state == "", Position.occupation_state.is_(None)))
            .order_by(Position.id)
            .limit(batch if limit is None else min(batch, limit - done))
        )
        page = list(session.scalars(stmt))
        if not page:
            break
        found = model.suggest_many([p.title for p in page], [p.description or "" for p in page], k=2)
        for position, suggestions in zip(page, found, strict=True):
            if position.occupations:
                position.occupation_state = CONFIRMED
                continue
            store_suggestions(position, infer_from(suggestions))
            done += 1
        after = page[-1].id
        session.flush()
    return done
