"""A position's CSCO 2022 (大典) occupations: suggested from the title and description, confirmed by the poster.

:func:`suggest` gives the top suggestions for the posting form (the classifier of
:mod:`matching.occupations`, over the reference catalogs the matcher uses). :func:`apply_to_position` is what
catalog position create/update call: occupations the poster sends are stored as ``confirmed``; a position
without confirmed ones gets the classifier's choice, stored as ``suggested`` with its confidence (a new title
re-suggests). :func:`backfill` fills the positions that have none, in pages (the Celery task
``matches.backfill_position_occupations`` and the command ``sunshine matches backfill-occupations`` run it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matching.occupations import Suggestion, default_classifier, infer_from
from services.catalog.models import Position
from services.matches.holder import reference_catalogs

SUGGESTED: Final = "suggested"
CONFIRMED: Final = "confirmed"
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
    classifier = default_classifier(reference_catalogs())
    found = classifier.suggest(title, description, k=max(1, min(k, MAX_SUGGESTIONS)))
    return [OccupationSuggestion(s.code, s.name, s.confidence) for s in found]


def _store(position: Position, chosen: Sequence[Suggestion]) -> None:
    position.occupations = [s.code for s in chosen]
    position.occupation_state = SUGGESTED if chosen else ""
    position.occupation_confidence = chosen[0].confidence if chosen else None


def apply_to_position(position: Position, *, sent: list[str] | None, retitled: bool) -> None:
    """Store what the poster sent as confirmed; otherwise suggest when nothing confirmed is there.

    `sent`: the occupation codes of the request (None when the request did not touch them; [] clears the
    confirmation and suggests again). `retitled`: the title or description changed.
    """
    if sent:
        position.occupations = list(dict.fromkeys(sent))
        position.occupation_state = CONFIRMED
        position.occupation_confidence = None
        return
    confirmed = position.occupation_state == CONFIRMED and bool(position.occupations)
    if sent is None and confirmed:
        return
    if sent is None and position.occupations and not retitled:
        return
    classifier = default_classifier(reference_catalogs())
    _store(position, infer_from(classifier.suggest(position.title, position.description or "", k=2)))


def backfill(session: Session, *, batch: int = 500, limit: int | None = None) -> int:
    """Suggest occupations for positions that have none (and are not confirmed); returns how many were set."""
    classifier = default_classifier(reference_catalogs())
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
        found = classifier.suggest_many([p.title for p in page], [p.description or "" for p in page], k=2)
        for position, suggestions in zip(page, found, strict=True):
            if position.occupations:
                position.occupation_state = CONFIRMED
                continue
            _store(position, infer_from(suggestions))
            done += 1
        after = page[-1].id
        session.flush()
    return done
