"""HTTP: activation invitations — a counselor invites a graduate; the graduate activates an account with the code."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from services.config import get_settings
from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.registry import invitations
from services.security.dependencies import client_address, require_roles
from services.security.principal import Principal
from services.security.schemas import Token

router = APIRouter(prefix="/api/v1", tags=["账号与安全"])
Caseload = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="学生/毕业生编号")]


class InvitationOut(BaseModel):
    invitation_id: int
    graduate_id: int
    code: str = Field(examples=["K7MQ-9TXA-4HPR"], description="激活码，只显示这一次")
    activation_path: str = Field(examples=["/activate?code=K7MQ-9TXA-4HPR"])
    expires_at: datetime


class Activation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, examples=["K7MQ-9TXA-4HPR"])
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$", examples=["chenxiao2024"])
    password: str = Field(min_length=8, max_length=128, examples=["Sunshine2024"])


@router.post(
    "/graduates/{graduate_id}/invitations",
    response_model=InvitationOut,
    status_code=201,
    summary="发送激活邀请",
    description=(
        "就业指导员或工会为管辖范围内尚未开通账号的毕业生生成一次性激活码（7天内有效，只能使用一次），"
        "以链接或激活码发给毕业生；新的邀请使此前未使用的邀请失效。激活码只在这次响应中出现。"
    ),
    responses=responses(Forbidden, NotFound, Conflict),
)
def create_invitation(graduate_id: Id, principal: Caseload, session: SessionDep) -> InvitationOut:
    issued = invitations.create(session, principal=principal, graduate_id=graduate_id)
    return InvitationOut(
        invitation_id=issued.invitation_id,
        graduate_id=issued.graduate_id,
        code=issued.code,
        activation_path=issued.path,
        expires_at=issued.expires_at,
    )


@router.post(
    "/invitations/activate",
    response_model=Token,
    status_code=201,
    summary="用激活码开通毕业生账号",
    description="毕业生用激活码设置用户名和密码，账号即与本人档案关联，并返回访问令牌。",
    responses=responses(NotFound, Conflict, ValidationFailed),
)
def activate(body: Activation, session: SessionDep, request: Request) -> Token:
    user, token = invitations.redeem(
        session, code=body.code, username=body.username, password=body.password, address=client_address(request)
    )
    return Token(access_token=token, expires_in=get_settings().access_token_minutes * 60, role=user.role)
