"""What the console shows of the vocational path: a 两后生's steps on the person's page and the 金牌蓝领 pairings a
student is in, built from the functions the API routers call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.catalog import pairings as catalog_pairings
from services.registry import vocational
from services.registry.models import Graduate
from services.tracking import pairings
from services.web.pages import FormErrors, Viewer, attempt


@dataclass(frozen=True, slots=True)
class TrackView:
    id: int
    kind_name: str
    programme: str
    provider: str
    school_type: str
    period: str
    status: str
    status_name: str
    result: str


def track_views(rows: list[vocational.VocationalTrack]) -> list[TrackView]:
    out = []
    for t in rows:
        result = ""
        if t.status == vocational.TrackStatus.COMPLETED:
            parts = [vocational.TRACK_OUTCOMES.get(t.outcome or "", "")]
            if t.certificate:
                parts.insert(0, f"取得{t.certificate}" + (f"（{t.certificate_no}）" if t.certificate_no else ""))
            result = "，".join(p for p in parts if p)
        elif t.status == vocational.TrackStatus.DROPPED:
            result = f"退出：{t.outcome_note or ''}"
        out.append(
            TrackView(
                id=t.id,
                kind_name=vocational.TRACK_KINDS.get(t.kind, t.kind),
                programme=t.programme,
                provider=t.provider,
                school_type=vocational.SCHOOL_TYPES.get(t.school_type or "", ""),
                period=f"{t.starts_on} 至 {t.ends_on or '—'}",
                status=t.status,
                status_name=vocational.TRACK_STATUSES.get(t.status, t.status),
                result=result,
            )
        )
    return out


def person_context(session: Session, viewer: Viewer, graduate: Graduate) -> dict[str, Any]:
    """The 两后生 track and the 金牌蓝领 pairings of the person on the counselor's page."""
    found = attempt(
        session, lambda: vocational.list_tracks(session, principal=viewer.principal, graduate_id=graduate.id)
    )
    tracks = [] if isinstance(found, FormErrors) else found
    students = pairings.list_students(session, principal=viewer.principal, graduate_id=graduate.id)
    names = catalog_pairings.employer_names(session, ids=[])
    paired = []
    for s in students:

        def reach(pairing_id: int = s.pairing_id) -> catalog_pairings.GoldenPairing:
            return catalog_pairings.get_pairing(session, principal=viewer.principal, pairing_id=pairing_id)

        pairing = attempt(session, reach)
        if isinstance(pairing, FormErrors):
            continue
        names.update(catalog_pairings.employer_names(session, ids=[pairing.employer_id]))
        paired.append(
            {
                "pairing_id": pairing.id,
                "number": pairing.number,
                "school": pairing.school_name,
                "employer": names.get(pairing.employer_id, ""),
                "state_name": pairings.PAIRING_STATES.get(s.state, s.state),
            }
        )
    return {
        "two_after": graduate.service_category == vocational.TWO_AFTER_CATEGORY,
        "tracks": track_views(tracks),
        "track_kinds": list(vocational.TRACK_KINDS.items()),
        "track_school_types": list(vocational.SCHOOL_TYPES.items()),
        "track_outcomes": list(vocational.TRACK_OUTCOMES.items()),
        "track_ends": [(k, v) for k, v in vocational.TRACK_STATUSES.items() if k != vocational.TrackStatus.ENROLLED],
        "golden_pairings": paired,
    }
