"""Certificates a graduate holds, as the matcher's program rules read them (特岗计划 needs 教师资格证, 乡村医生
needs 乡村医生执业证书 …): list, add and remove them for a graduate the principal may read — the graduate
themself, and counselors and union staff of their scope. The table is the registry's (:mod:`services.registry.api`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from services.matches.service import readable_profile
from services.registry import api as registry
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
    profile = readable_profile(session, principal=principal, graduate_id=graduate_id)
    cert = registry.add_certificate(
        session, graduate_id=profile.id, kind=kind, subject=subject, level=level, number=number, issued_on=issued_on
    )
    return _view(cert)


def remove_certificate(session: Session, *, principal: Principal, graduate_id: int, certificate_id: int) -> None:
    profile = readable_profile(session, principal=principal, graduate_id=graduate_id)
    registry.remove_certificate(session, graduate_id=profile.id, certificate_id=certificate_id)
