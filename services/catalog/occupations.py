"""A position's CSCO 2022 (大典) occupations as the catalog stores them: what the poster sends is
``confirmed``; a position without confirmed occupations gets the classifier's choice (the best suggestion, and
the second when it is nearly as good), stored as ``suggested`` with its confidence; a new title re-suggests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from matching.occupations import Suggestion, infer_from
from services.catalog.models import Position
from services.refdata.api import classifier

SUGGESTED: Final = "suggested"
CONFIRMED: Final = "confirmed"


def store_suggestions(position: Position, chosen: Sequence[Suggestion]) -> None:
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
    found = classifier().suggest(position.title, position.description or "", k=2)
    store_suggestions(position, infer_from(found))
