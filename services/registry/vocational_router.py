"""A 两后生's vocational path: the union side records 技能培训, 中职/技工学校 and 学徒 steps and their outcomes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.registry import vocational
from services.registry.vocational_schemas import TrackCreate, TrackList, TrackMoveIn, TrackOut
from services.security.dependencies import require_roles
from services.security.principal import Principal

router = APIRouter(prefix="/api/v1/registry", tags=["实名制档案"])
Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="记录编号")]
UnionSide = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]


def track_out(row: vocational.VocationalTrack) -> TrackOut:
    return TrackOut.model_validate(
        {
            **{c: getattr(row, c) for c in TrackOut.model_fields if hasattr(row, c)},
            "kind_name": vocational.TRACK_KINDS.get(row.kind, row.kind),
            "status_name": vocational.TRACK_STATUSES.get(row.status, row.status),
            "outcome_name": vocational.TRACK_OUTCOMES.get(row.outcome) if row.outcome else None,
        }
    )


@router.get(
    "/graduates/{graduate_id}/vocational-tracks",
    response_model=TrackList,
    summary="两后生职业发展路径",
    description="技能培训、中职/技工学校就读和学徒记录，按开始日期排列。",
    responses=responses(Forbidden, NotFound),
)
def list_tracks(graduate_id: Id, principal: UnionSide, session: SessionDep) -> TrackList:
    rows = vocational.list_tracks(session, principal=principal, graduate_id=graduate_id)
    return TrackList(items=[track_out(r) for r in rows])


@router.post(
    "/graduates/{graduate_id}/vocational-tracks",
    response_model=TrackOut,
    status_code=201,
    summary="登记技能培训、中职/技工学校就读或学徒",
    description="只为服务对象类别（四）“两后生”登记；修改留痕。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def add_track(graduate_id: Id, body: TrackCreate, principal: UnionSide, session: SessionDep) -> TrackOut:
    data = vocational.TrackData(**body.model_dump())
    return track_out(vocational.add_track(session, principal=principal, graduate_id=graduate_id, data=data))


@router.post(
    "/graduates/{graduate_id}/vocational-tracks/{track_id}/moves",
    response_model=TrackOut,
    summary="登记结业/毕业或中途退出",
    description="在训/在读 → 已结业/毕业（取得证书、去向）或中途退出（原因）。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def move_track(graduate_id: Id, track_id: Id, body: TrackMoveIn, principal: UnionSide, session: SessionDep) -> TrackOut:
    move = vocational.TrackMove(**body.model_dump())
    row = vocational.move_track(session, principal=principal, graduate_id=graduate_id, track_id=track_id, move=move)
    return track_out(row)
