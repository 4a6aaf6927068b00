"""Graduates' certificates as data: what a program rule or a position may require (教师资格证 with subject
and level, 执业（助理）医师资格证, 乡村医生执业证书, 护士执业证书, 机动车驾驶证, 会计专业技术资格证).

The kinds are the flags of :data:`matching.rules.FLAG_NAMES` (political status is not a certificate and is
never stored here). The matcher reads them through :func:`held_flags`; a graduate who lacks what a position
requires sees the rule check "条件不符：需教师资格证，本人尚未登记持有".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from matching.rules import FLAG_NAMES
from services.db import Base, TimestampMixin
from services.errors import NotFound, ValidationFailed

#: Certificate kinds a graduate can hold (every flag except political status).
CERTIFICATE_KINDS: Final[dict[str, str]] = {k: v for k, v in FLAG_NAMES.items() if k not in ("party_member", "veteran")}


class GraduateCertificate(TimestampMixin, Base):
    __tablename__ = "registry_graduate_certificate"
    __table_args__ = (UniqueConstraint("graduate_id", "kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(40))  # 教师资格证: 学科 (语文, 数学 …)
    level: Mapped[str | None] = mapped_column(String(20))  # 教师资格证: 学段 (幼儿园, 小学, 初级中学 …)
    number: Mapped[str | None] = mapped_column(String(60))
    issued_on: Mapped[date | None] = mapped_column(Date)


def certificates_of(session: Session, *, graduate_id: int) -> list[GraduateCertificate]:
    stmt = select(GraduateCertificate).where(GraduateCertificate.graduate_id == graduate_id)
    return list(session.scalars(stmt.order_by(GraduateCertificate.id)))


def add_certificate(
    session: Session,
    *,
    graduate_id: int,
    kind: str,
    subject: str | None = None,
    level: str | None = None,
    number: str | None = None,
    issued_on: date | None = None,
) -> GraduateCertificate:
    if kind not in CERTIFICATE_KINDS:
        raise ValidationFailed(f"未知证书类型：{kind}", field="kind")
    subject = (subject or "").strip() or None
    existing = session.scalars(
        select(GraduateCertificate).where(
            GraduateCertificate.graduate_id == graduate_id,
            GraduateCertificate.kind == kind,
            GraduateCertificate.subject.is_(None) if subject is None else GraduateCertificate.subject == subject,
        )
    ).first()
    if existing is not None:
        raise ValidationFailed(f"已登记：{CERTIFICATE_KINDS[kind]}", field="kind")
    cert = GraduateCertificate(
        graduate_id=graduate_id, kind=kind, subject=subject, level=level, number=number, issued_on=issued_on
    )
    session.add(cert)
    session.flush()
    return cert


def remove_certificate(session: Session, *, graduate_id: int, certificate_id: int) -> None:
    result = session.execute(
        delete(GraduateCertificate).where(
            GraduateCertificate.id == certificate_id, GraduateCertificate.graduate_id == graduate_id
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound(f"证书 {certificate_id} 不存在")


def held_flags(session: Session, graduate_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """Certificate kinds per graduate, for many graduates in one statement."""
    ids = sorted(set(graduate_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(GraduateCertificate.graduate_id, GraduateCertificate.kind).where(
            GraduateCertificate.graduate_id.in_(ids)
        )
    ).all()
    out: dict[int, set[str]] = {}
    for gid, kind in rows:
        out.setdefault(int(gid), set()).add(str(kind))
    return {k: frozenset(v) for k, v in out.items()}
