"""Certificates a graduate holds, as the matcher's program rules read them (特岗计划 needs 教师资格证, 乡村医生
needs 乡村医生执业证书 …): listed for a graduate the principal may read; added and removed by the graduate
themself, or by the counselors and union staff who serve them — the home union only reads while the graduate is
handed off elsewhere. The table is the registry's (:mod:`services.registry.api`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from services.matches.service import readable_profile
from services.registry import api as registry
from services.security.models import Role
from services.security.principal import Principal


@dataclass(frozen=True, slots=True)
class CertificateView:
    id: int
    kind: str
    name: str
    subject: str | None
    level: str | None
    number: str | None
    issued_on: date | None


def _view(cert: registry.GraduateCertificate) -> CertificateView:
    return CertificateView(
        cert.id,
        cert.kind,
        registry.CERTIFICATE_KINDS.get(cert.kind, cert.kind),
        cert.subject,
        cert.level,
        cert.number,
        cert.issued_on,
    )


def list_certificates(session: Session, *, principal: Principal, graduate_id: int) -> list[CertificateView]:
    profile = readable_profile(session, principal=principal, graduate_id=graduate_id)
    return [_view(c) for c in registry.certificates_of(session, graduate_id=profile.id)]


def _servable_id(session: Session, *, principal: Principal, graduate_id: int) -> int:
    """The graduate whose certificates ``principal`` may change: their own record, or one the union side serves
    (:func:`services.registry.api.servable_graduate`, the check of every registry write); else 404 or 403."""
    if principal.role == Role.GRADUATE:
        return readable_profile(session, principal=principal, graduate_id=graduate_id).id
    return registry.servable_graduate(session, principal=principal, graduate_id=graduate_id).id


def add_certificate(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    kind: str,
    subject: str | None = None,
    level: str | None = None,
    number: str | None = None,
    issued_on: date | None = None,
) -> CertificateView:
    """Record a certificate; the graduate's stored matches are recomputed on the next rematch."""
    servable = _servable_id(session, principal=principal, graduate_id=graduate_id)
    cert = registry.add_certificate(
        session, graduate_id=servable, kind=kind, subject=subject, level=level, number=number, issued_on=issued_on
    )
    return _view(cert)


def remove_certificate(session: Session, *, principal: Principal, graduate_id: int, certificate_id: int) -> None:
    servable = _servable_id(session, principal=principal, graduate_id=graduate_id)
    registry.remove_certificate(session, graduate_id=servable, certificate_id=certificate_id)
