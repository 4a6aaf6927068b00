"""The students of 金牌蓝领 pairings: the union side adds them and records internships, aid and placement into the
paired enterprise; the enterprise reads the students of its own pairings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.registry.api import Graduate
from services.security.dependencies import require_roles
from services.security.principal import Principal
from services.tracking import pairings
from services.tracking.pairing_schemas import (
    AidIn,
    AidOut,
    InternshipIn,
    InternshipOut,
    StudentCreate,
    StudentList,
    StudentMoveIn,
    StudentOut,
)
from services.tracking.schemas import DB_ID_MAX

router = APIRouter(prefix="/api/v1/golden-pairings", tags=["金牌蓝领"])
Id = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="记录编号")]
UnionSide = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]
Readers = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin", "enterprise"))]


def student_views(session: Session, rows: list[pairings.PairingStudent]) -> list[StudentOut]:
    """Pairing students with the registry's name, school and major (nothing of the family or hardship)."""
    ids = [r.id for r in rows]
    internships = pairings.internships_of(session, student_ids=ids)
    aid = pairings.aid_totals(session, student_ids=ids)
    out = []
    for r in rows:
        graduate = session.get(Graduate, r.graduate_id)
        out.append(
            StudentOut(
                id=r.id,
                pairing_id=r.pairing_id,
                graduate_id=r.graduate_id,
                name=graduate.name if graduate else "",
                school_name=graduate.school_name if graduate else "",
                major_name=graduate.major_name if graduate else None,
                cohort=graduate.cohort if graduate else None,
                state=r.state,
                state_name=pairings.PAIRING_STATES.get(r.state, r.state),
                joined_on=r.joined_on,
                placed_on=r.placed_on,
                placed_post=r.placed_post,
                application_id=r.application_id,
                left_on=r.left_on,
                left_reason=r.left_reason,
                aid_total=aid.get(r.id, 0),
                internships=[InternshipOut.model_validate(i) for i in internships.get(r.id, [])],
                created_at=r.created_at,
            )
        )
    return out


@router.get(
    "/{pairing_id}/students",
    response_model=StudentList,
    summary="结对学生",
    description="结对中的学生、实习、已发助学金和去向；企业只看到本企业结对的学生，不含家庭和困难情况、身份证号、电话。",
    responses=responses(Forbidden, NotFound),
)
def list_students(pairing_id: Id, principal: Readers, session: SessionDep) -> StudentList:
    rows = pairings.list_students(session, principal=principal, pairing_id=pairing_id)
    return StudentList(items=student_views(session, rows))


@router.post(
    "/{pairing_id}/students",
    response_model=StudentOut,
    status_code=201,
    summary="学生加入结对",
    description="就业指导员或工会把就读结对学校的中职/高职学生加入结对；协议须在期内、名额未满。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def add_student(pairing_id: Id, body: StudentCreate, principal: UnionSide, session: SessionDep) -> StudentOut:
    row = pairings.add_student(
        session,
        principal=principal,
        pairing_id=pairing_id,
        graduate_id=body.graduate_id,
        joined_on=body.joined_on,
        note=body.note,
    )
    return student_views(session, [row])[0]


@router.post(
    "/students/{student_id}/internships",
    response_model=InternshipOut,
    status_code=201,
    summary="登记结对企业实习",
    description="认识实习、跟岗实习或岗位实习；同时记入学生的全流程跟踪（实习事件）。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def record_internship(student_id: Id, body: InternshipIn, principal: UnionSide, session: SessionDep) -> InternshipOut:
    data = pairings.InternshipData(**body.model_dump())
    row = pairings.record_internship(session, principal=principal, student_id=student_id, data=data)
    return InternshipOut.model_validate(row)


@router.post(
    "/students/{student_id}/aid",
    response_model=AidOut,
    status_code=201,
    summary="登记企业助学金",
    description="结对企业按协议发给学生的助学金。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def record_aid(student_id: Id, body: AidIn, principal: UnionSide, session: SessionDep) -> AidOut:
    row = pairings.record_aid(
        session, principal=principal, student_id=student_id, amount=body.amount, paid_on=body.paid_on, note=body.note
    )
    return AidOut.model_validate(row)


@router.post(
    "/students/{student_id}/moves",
    response_model=StudentOut,
    summary="登记入职结对企业或退出结对",
    description="入职结对企业（岗位；记为就业事件，有签约记录的一并关联）或退出结对（原因）。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def move_student(student_id: Id, body: StudentMoveIn, principal: UnionSide, session: SessionDep) -> StudentOut:
    move = pairings.PairingMove(**body.model_dump())
    row = pairings.move_student(session, principal=principal, student_id=student_id, move=move)
    return student_views(session, [row])[0]
