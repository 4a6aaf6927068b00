from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.refdata import api as refdata
from services.registry import access, checks, families, graduates, sheets, writes
from services.registry import export as export_mod
from services.registry import reveals as _reveals  # noqa: F401  (registers the sealed fields with the reveal service)
from services.registry.models import Consent, Family, FamilyMember, Graduate
from services.registry.schemas import (
    AccountLink,
    ChangeOut,
    CheckCreate,
    CheckOut,
    ConsentCreate,
    ConsentOut,
    ConsentRevoke,
    CoveredPersonOut,
    EnumItemIn,
    EnumItemOut,
    EnumOut,
    FamilyClose,
    FamilyCounts,
    FamilyCreate,
    FamilyOut,
    FamilySummary,
    FamilyUpdate,
    GraduateCreate,
    GraduateOut,
    GraduatePlanFields,
    GraduateSelfUpdate,
    GraduateUpdate,
    MemberCreate,
    MemberOut,
    MemberUpdate,
    OwnFamilyOut,
)
from services.security.dependencies import AdminPrincipal, CurrentPrincipal, StaffPrincipal, require_roles
from services.security.principal import Principal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = APIRouter(prefix="/api/v1/registry", tags=["实名制档案"])
enum_router = APIRouter(prefix="/api/v1/enums", tags=["表单枚举"])
CaseloadPrincipal = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin", "counselor"))]
GraduatePrincipal = Annotated[Principal, Depends(require_roles("graduate"))]


def _xlsx(content: bytes, filename: str) -> Response:
    return Response(
        content=content,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


# ------------------------------------------------------------------------------------------------ enums


@enum_router.get(
    "", response_model=list[EnumOut], summary="表单枚举列表", description="附件3/4/5 等表单中用代码登记的枚举。"
)
def list_enums(_: CurrentPrincipal, session: SessionDep) -> list[EnumOut]:
    return [EnumOut.model_validate(e) for e in refdata.list_enums(session)]


@enum_router.get(
    "/{key}",
    response_model=list[EnumItemOut],
    summary="枚举选项",
    description="某一枚举的全部有效选项（代码与名称）；填写时代码或名称均可。",
    responses=responses(NotFound),
)
def list_enum_items(key: str, _: CurrentPrincipal, session: SessionDep) -> list[EnumItemOut]:
    return [EnumItemOut.model_validate(i) for i in refdata.list_items(session, key=key)]


@enum_router.put(
    "/{key}/items/{code}",
    response_model=EnumItemOut,
    summary="新增或修改枚举选项",
    description="管理员为某一枚举新增选项或修改名称、停用选项，无需改动代码。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def put_enum_item(key: str, code: str, body: EnumItemIn, _: AdminPrincipal, session: SessionDep) -> EnumItemOut:
    item = refdata.upsert_item(session, key=key, code=code, name=body.name, flags=body.flags, active=body.active)
    return EnumItemOut.model_validate(item)


# ------------------------------------------------------------------------------------------------ families


def _family_out(session: Session, family: Family) -> FamilyOut:
    members = access.members_of(session, family_id=family.id)
    data = FamilySummary.model_validate(family).model_dump()
    full = {name: getattr(family, name) for name in FamilyOut.model_fields if name not in data and name != "members"}
    return FamilyOut(**data, **full, members=[MemberOut.model_validate(m) for m in members])


def _body(model: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    raw = model.model_dump(exclude_unset=True)
    for key in drop:
        raw.pop(key, None)
    return dict(raw)


@router.get(
    "/families",
    response_model=Page[FamilySummary],
    summary="困难职工档案列表",
    description="工会工作人员查看管辖范围内的档案；可按状态、档案类型、困难类别、单位、姓名、身份证号筛选。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def list_families(
    principal: StaffPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(description="active 在档 / closed 已解档")] = None,
    archive_type: Annotated[str | None, Query(description="档案类型代码")] = None,
    hardship_category: Annotated[str | None, Query(description="困难类别代码")] = None,
    org_unit_id: Annotated[int | None, Query(description="只看该单位及其下级")] = None,
    name: Annotated[str | None, Query(max_length=50)] = None,
    id_number: Annotated[str | None, Query(description="按身份证号精确查找")] = None,
    zero_employment: Annotated[bool | None, Query()] = None,
) -> Page[FamilySummary]:
    flt = families.FamilyFilter(
        status=status,
        archive_type=archive_type,
        hardship_category=hardship_category,
        org_unit_id=org_unit_id,
        name=name,
        id_number=id_number,
        zero_employment=zero_employment,
    )
    rows, total = families.list_families(session, principal=principal, flt=flt, limit=page.limit, offset=page.offset)
    return Page[FamilySummary](
        items=[FamilySummary.model_validate(f) for f in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.get(
    "/families/count",
    response_model=FamilyCounts,
    summary="档案统计",
    description="管辖范围内的档案数：合计、在档、零就业家庭、按困难类别和单位分组。",
    responses=responses(Forbidden, NotFound),
)
def count_families(
    principal: StaffPrincipal,
    session: SessionDep,
    org_unit_id: Annotated[int | None, Query()] = None,
    archive_type: Annotated[str | None, Query()] = None,
) -> FamilyCounts:
    flt = families.FamilyFilter(org_unit_id=org_unit_id, archive_type=archive_type)
    return FamilyCounts(**families.count_families(session, principal=principal, flt=flt))


@router.get(
    "/families/stale",
    response_model=Page[FamilySummary],
    summary="超期未更新的档案",
    description="在档档案中最近一次变更早于指定天数（默认一年）的，提醒回访更新。",
    responses=responses(Forbidden),
)
def stale_families(
    principal: StaffPrincipal,
    session: SessionDep,
    page: PageDep,
    days: Annotated[int, Query(ge=1, le=3650, description="多少天未更新")] = writes.STALE_AFTER_DAYS,
) -> Page[FamilySummary]:
    rows, total = families.stale_families(session, principal=principal, days=days, limit=page.limit, offset=page.offset)
    return Page[FamilySummary](
        items=[FamilySummary.model_validate(f) for f in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.post(
    "/families",
    response_model=FamilyOut,
    status_code=201,
    summary="建立困难职工档案",
    description="按附件3（城镇困难职工）或附件4（困难农民工）建档，可同时登记家庭成员；"
    "出生日期、性别、年龄、家庭人口、家庭年度总收入、家庭月人均收入、零就业家庭自动算出。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def create_family(body: FamilyCreate, principal: StaffPrincipal, session: SessionDep) -> FamilyOut:
    family = families.create_family(
        session,
        principal=principal,
        org_unit_id=body.org_unit_id,
        raw=_body(body, drop=("org_unit_id", "members", "attachments")),
        members=[_body(m) for m in body.members],
        attachments=[a.model_dump() for a in body.attachments],
    )
    return _family_out(session, family)


@router.get(
    "/families/{family_id}",
    response_model=FamilyOut,
    summary="档案详情",
    description="档案及家庭成员；身份证号、银行卡号、收入、健康状况等敏感信息脱敏显示，明文须通过“查看明文”并说明用途。",
    responses=responses(Forbidden, NotFound),
)
def get_family(family_id: int, principal: StaffPrincipal, session: SessionDep) -> FamilyOut:
    return _family_out(session, access.get_family(session, principal=principal, family_id=family_id))


@router.patch(
    "/families/{family_id}",
    response_model=FamilyOut,
    summary="修改档案",
    description="只修改提交的字段；每次修改留痕（修改人、时间、原值→新值，敏感值脱敏）。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def update_family(family_id: int, body: FamilyUpdate, principal: StaffPrincipal, session: SessionDep) -> FamilyOut:
    family = access.get_family(session, principal=principal, family_id=family_id)
    attachments = [a.model_dump() for a in body.attachments] if body.attachments is not None else None
    families.update_family(
        session,
        principal=principal,
        family=family,
        raw=_body(body, drop=("org_unit_id", "attachments")),
        org_unit_id=body.org_unit_id,
        attachments=attachments,
    )
    return _family_out(session, family)


@router.post(
    "/families/{family_id}/close",
    response_model=FamilyOut,
    summary="解档",
    description="家庭脱困或迁出时解档；档案与历史保留，之后不再计为建档家庭。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def close_family(family_id: int, body: FamilyClose, principal: StaffPrincipal, session: SessionDep) -> FamilyOut:
    family = access.get_family(session, principal=principal, family_id=family_id)
    families.close_family(session, principal=principal, family=family, reason=body.reason, closed_on=body.closed_on)
    return _family_out(session, family)


@router.post(
    "/families/{family_id}/reopen",
    response_model=FamilyOut,
    summary="恢复在档",
    description="撤销解档，档案恢复为在档。",
    responses=responses(Forbidden, NotFound, Conflict),
)
def reopen_family(family_id: int, principal: StaffPrincipal, session: SessionDep) -> FamilyOut:
    family = access.get_family(session, principal=principal, family_id=family_id)
    families.reopen_family(session, principal=principal, family=family)
    return _family_out(session, family)


@router.get(
    "/families/{family_id}/history",
    response_model=Page[ChangeOut],
    summary="档案变更历史",
    description="档案、家庭成员和授权书的每一次变更，最新的在前。",
    responses=responses(Forbidden, NotFound),
)
def family_history(family_id: int, principal: StaffPrincipal, session: SessionDep, page: PageDep) -> Page[ChangeOut]:
    family = access.get_family(session, principal=principal, family_id=family_id)
    rows, total = graduates.history(
        session, entity_type="family", entity_id=family.id, limit=page.limit, offset=page.offset, family_wide=True
    )
    return Page[ChangeOut](
        items=[ChangeOut.model_validate(r) for r in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.post(
    "/families/{family_id}/members",
    response_model=MemberOut,
    status_code=201,
    summary="登记家庭成员",
    description="新增一名家庭成员；家庭人口和收入自动重算。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def add_member(family_id: int, body: MemberCreate, principal: StaffPrincipal, session: SessionDep) -> FamilyMember:
    family = access.get_family(session, principal=principal, family_id=family_id)
    return families.add_member(session, principal=principal, family=family, raw=_body(body))


@router.patch(
    "/families/{family_id}/members/{member_id}",
    response_model=MemberOut,
    summary="修改家庭成员",
    description="只修改提交的字段；家庭人口和收入自动重算。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def update_member(
    family_id: int, member_id: int, body: MemberUpdate, principal: StaffPrincipal, session: SessionDep
) -> FamilyMember:
    family = access.get_family(session, principal=principal, family_id=family_id)
    member = access.get_member(session, family=family, member_id=member_id)
    return families.update_member(session, principal=principal, family=family, member=member, raw=_body(body))


@router.delete(
    "/families/{family_id}/members/{member_id}",
    status_code=204,
    summary="删除家庭成员",
    description="家庭成员不再共同生活时删除；删除留痕，家庭人口和收入自动重算。",
    responses=responses(Forbidden, NotFound),
)
def remove_member(family_id: int, member_id: int, principal: StaffPrincipal, session: SessionDep) -> None:
    family = access.get_family(session, principal=principal, family_id=family_id)
    member = access.get_member(session, family=family, member_id=member_id)
    families.remove_member(session, principal=principal, family=family, member=member)


# ------------------------------------------------------------------------------------------------ consent


def _consent_out(session: Session, consents: list[Consent]) -> list[ConsentOut]:
    covered = checks.consent_members(session, consent_ids=[c.id for c in consents])
    return [
        ConsentOut(
            id=c.id,
            family_id=c.family_id,
            purpose=c.purpose,
            signed_on=c.signed_on,
            handler_name=c.handler_name,
            grassroots_union=c.grassroots_union,
            phone_masked=c.phone_masked,
            recorded_by_id=c.recorded_by_id,
            revoked_at=c.revoked_at,
            revoke_reason=c.revoke_reason,
            in_force=c.revoked_at is None,
            members=[CoveredPersonOut.model_validate(m) for m in covered.get(c.id, [])],
        )
        for c in consents
    ]


@router.get(
    "/families/{family_id}/consents",
    response_model=list[ConsentOut],
    summary="经济状况核对授权书",
    description="该家庭签署的《家庭经济状况核对承诺授权书》（附件5）及撤销情况。",
    responses=responses(Forbidden, NotFound),
)
def list_consents(family_id: int, principal: StaffPrincipal, session: SessionDep) -> list[ConsentOut]:
    family = access.get_family(session, principal=principal, family_id=family_id)
    return _consent_out(session, checks.consents_of(session, family_id=family.id))


@router.post(
    "/families/{family_id}/consents",
    response_model=ConsentOut,
    status_code=201,
    summary="登记授权书",
    description="登记附件5：申请事项、签署日期、经办人和查询所涉及的家庭成员（姓名、关系、身份证号）。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def create_consent(family_id: int, body: ConsentCreate, principal: StaffPrincipal, session: SessionDep) -> ConsentOut:
    family = access.get_family(session, principal=principal, family_id=family_id)
    consent = checks.record_consent(
        session,
        principal=principal,
        family=family,
        purpose=body.purpose,
        signed_on=body.signed_on,
        handler_name=body.handler_name,
        grassroots_union=body.grassroots_union,
        phone=body.phone,
        people=[checks.CoveredPerson(p.name, p.relation, p.id_number) for p in body.members],
    )
    return _consent_out(session, [consent])[0]


@router.post(
    "/consents/{consent_id}/revoke",
    response_model=ConsentOut,
    summary="撤销授权书",
    description="家庭撤回授权后登记撤销；此后不能再登记经济状况核对。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def revoke_consent(consent_id: int, body: ConsentRevoke, principal: StaffPrincipal, session: SessionDep) -> ConsentOut:
    consent = checks.get_consent(session, principal=principal, consent_id=consent_id)
    checks.revoke_consent(session, principal=principal, consent=consent, reason=body.reason)
    return _consent_out(session, [consent])[0]


@router.get(
    "/families/{family_id}/checks",
    response_model=list[CheckOut],
    summary="经济状况核对记录",
    description="该家庭的经济状况核对记录（核对结果脱敏）。",
    responses=responses(Forbidden, NotFound),
)
def list_checks(family_id: int, principal: StaffPrincipal, session: SessionDep) -> list[CheckOut]:
    family = access.get_family(session, principal=principal, family_id=family_id)
    return [CheckOut.model_validate(c) for c in checks.checks_of(session, family_id=family.id)]


@router.post(
    "/families/{family_id}/checks",
    response_model=CheckOut,
    status_code=201,
    summary="登记经济状况核对",
    description="只有在核对日有效的授权书（已签署且未撤销）时才能登记，否则返回 409。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def log_check(family_id: int, body: CheckCreate, principal: StaffPrincipal, session: SessionDep) -> CheckOut:
    family = access.get_family(session, principal=principal, family_id=family_id)
    check = checks.log_check(
        session,
        principal=principal,
        family=family,
        checked_on=body.checked_on,
        agency=body.agency,
        items=body.items,
        result=body.result,
    )
    return CheckOut.model_validate(check)


# ------------------------------------------------------------------------------------------------ graduates


@router.get(
    "/graduates",
    response_model=Page[GraduateOut],
    summary="学生/毕业生列表",
    description="工会工作人员和就业指导员查看管辖范围（工作对象）内的学生和毕业生。",
    responses=responses(Forbidden, NotFound),
)
def list_graduates(
    principal: CaseloadPrincipal,
    session: SessionDep,
    page: PageDep,
    stage: Annotated[str | None, Query(description="student 在校生 / graduate 毕业生")] = None,
    cohort: Annotated[int | None, Query(ge=1990, le=2100, description="毕业届别")] = None,
    service_category: Annotated[str | None, Query()] = None,
    employment_status: Annotated[str | None, Query()] = None,
    org_unit_id: Annotated[int | None, Query()] = None,
    name: Annotated[str | None, Query(max_length=50)] = None,
    school_name: Annotated[str | None, Query(max_length=100)] = None,
    stale_days: Annotated[int | None, Query(ge=1, le=3650, description="超过多少天未更新")] = None,
) -> Page[GraduateOut]:
    flt = graduates.GraduateFilter(
        stage=stage,
        cohort=cohort,
        service_category=service_category,
        employment_status=employment_status,
        org_unit_id=org_unit_id,
        name=name,
        school_name=school_name,
        stale_days=stale_days,
    )
    rows, total = graduates.list_graduates(session, principal=principal, flt=flt, limit=page.limit, offset=page.offset)
    return Page[GraduateOut](
        items=[GraduateOut.model_validate(g) for g in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.post(
    "/graduates",
    response_model=GraduateOut,
    status_code=201,
    summary="登记学生/毕业生",
    description="服务对象类别（一）（二）须关联建档家庭（户主身份证号）；（三）至（六）可单独登记。专业按代码或名称对应到专业目录，保留原文。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def create_graduate(body: GraduateCreate, principal: StaffPrincipal, session: SessionDep) -> Graduate:
    return graduates.create_graduate(
        session, principal=principal, org_unit_id=body.org_unit_id, raw=_body(body, drop=("org_unit_id",))
    )


@router.get(
    "/graduates/{graduate_id}",
    response_model=GraduateOut,
    summary="学生/毕业生详情",
    description="身份证号、手机号脱敏显示。",
    responses=responses(Forbidden, NotFound),
)
def get_graduate(graduate_id: int, principal: CaseloadPrincipal, session: SessionDep) -> Graduate:
    return access.get_graduate(session, principal=principal, graduate_id=graduate_id)


@router.patch(
    "/graduates/{graduate_id}",
    response_model=GraduateOut,
    summary="修改学生/毕业生档案",
    description="工会工作人员修改任意字段；修改留痕。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def update_graduate(graduate_id: int, body: GraduateUpdate, principal: StaffPrincipal, session: SessionDep) -> Graduate:
    graduate = access.servable_graduate(session, principal=principal, graduate_id=graduate_id)
    return graduates.update_graduate(
        session,
        principal=principal,
        graduate=graduate,
        raw=_body(body, drop=("org_unit_id",)),
        org_unit_id=body.org_unit_id,
    )


@router.patch(
    "/graduates/{graduate_id}/plan",
    response_model=GraduateOut,
    summary="更新就业状态与意愿",
    description="就业指导员（及工会）更新工作对象的就业状态、就业意愿、意向地区、期望薪酬、技能和援助需求。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def update_plan(
    graduate_id: int, body: GraduatePlanFields, principal: CaseloadPrincipal, session: SessionDep
) -> Graduate:
    graduate = access.servable_graduate(session, principal=principal, graduate_id=graduate_id)
    return graduates.update_graduate(
        session, principal=principal, graduate=graduate, raw=_body(body), allowed=writes.COUNSELOR_FIELDS
    )


@router.put(
    "/graduates/{graduate_id}/account",
    response_model=GraduateOut,
    summary="关联本人账号",
    description="把毕业生本人的登录账号关联到档案，本人即可查看和维护自己的意愿。",
    responses=responses(Forbidden, NotFound, Conflict),
)
def link_account(graduate_id: int, body: AccountLink, principal: StaffPrincipal, session: SessionDep) -> Graduate:
    graduate = access.servable_graduate(session, principal=principal, graduate_id=graduate_id)
    return graduates.link_account(session, principal=principal, graduate=graduate, user_id=body.user_id)


@router.get(
    "/graduates/{graduate_id}/history",
    response_model=Page[ChangeOut],
    summary="学生/毕业生变更历史",
    description="每一次变更的修改人、时间和原值→新值（敏感值脱敏），最新的在前。",
    responses=responses(Forbidden, NotFound),
)
def graduate_history(
    graduate_id: int, principal: CaseloadPrincipal, session: SessionDep, page: PageDep
) -> Page[ChangeOut]:
    graduate = access.get_graduate(session, principal=principal, graduate_id=graduate_id)
    rows, total = graduates.history(
        session, entity_type="graduate", entity_id=graduate.id, limit=page.limit, offset=page.offset
    )
    return Page[ChangeOut](
        items=[ChangeOut.model_validate(r) for r in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.get(
    "/me",
    response_model=GraduateOut,
    summary="我的档案",
    description="毕业生查看本人档案（身份证号、手机号脱敏）。",
    responses=responses(Forbidden, NotFound),
)
def my_profile(principal: GraduatePrincipal, session: SessionDep) -> Graduate:
    return access.own_graduate(session, principal=principal)


@router.patch(
    "/me",
    response_model=GraduateOut,
    summary="更新我的意愿",
    description="毕业生维护本人联系方式、就业意愿、意向地区、期望薪酬、技能、援助需求，以及是否允许企业查看简历（默认不允许）。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def update_my_profile(body: GraduateSelfUpdate, principal: GraduatePrincipal, session: SessionDep) -> Graduate:
    graduate = access.own_graduate(session, principal=principal)
    return graduates.update_graduate(
        session, principal=principal, graduate=graduate, raw=_body(body), allowed=writes.GRADUATE_SELF_FIELDS
    )


@router.get(
    "/me/family",
    response_model=OwnFamilyOut,
    summary="我的家庭档案",
    description="毕业生只读查看本人所在家庭的档案概要，敏感信息脱敏，不含收入和健康信息。",
    responses=responses(Forbidden, NotFound),
)
def my_family(principal: GraduatePrincipal, session: SessionDep) -> OwnFamilyOut:
    graduate = access.own_graduate(session, principal=principal)
    if graduate.family_id is None:
        raise NotFound("您的档案未关联困难职工家庭")
    family = session.get(Family, graduate.family_id)
    if family is None:
        raise NotFound("您的档案未关联困难职工家庭")
    members = access.members_of(session, family_id=family.id)
    return OwnFamilyOut(
        archive_type=family.archive_type,
        hardship_category=family.hardship_category,
        status=family.status,
        head_name=family.name,
        head_id_number_masked=family.id_number_masked,
        family_size=family.family_size,
        members=[{"name": m.name, "relation": m.relation, "id_number_masked": m.id_number_masked} for m in members],
    )


# ------------------------------------------------------------------------------------------------ import / export


@router.get(
    "/template.xlsx",
    summary="下载导入模板",
    description="档案（附件3/4）、家庭成员、学生毕业生三张表，列名与表单一致，* 为必填；身份证号等列已设为文本格式。",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "xlsx 模板"}, **responses(Forbidden)},
)
def template(_: StaffPrincipal, session: SessionDep) -> Response:
    return _xlsx(sheets.template(refdata.vocabularies(session)), "registry-template.xlsx")


@router.get(
    "/export/families.xlsx",
    summary="导出困难职工档案",
    description="导出管辖范围内的档案和家庭成员（列名同导入模板）。默认脱敏；"
    "工会工作人员可指定 unmasked=true 并说明用途导出明文，导出行为记入审计日志。",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "xlsx"}, **responses(Forbidden, ValidationFailed)},
)
def export_families(
    principal: StaffPrincipal,
    session: SessionDep,
    unmasked: Annotated[bool, Query(description="导出明文（须有权限并说明用途）")] = False,
    purpose: Annotated[str | None, Query(max_length=200, description="导出明文的用途")] = None,
) -> Response:
    content = export_mod.export(session, principal=principal, what="families", unmasked=unmasked, purpose=purpose)
    return _xlsx(content, "families.xlsx")


@router.get(
    "/export/graduates.xlsx",
    summary="导出学生/毕业生",
    description="导出管辖范围内的学生和毕业生。默认脱敏；工会工作人员可说明用途导出明文，导出行为记入审计日志。",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "xlsx"}, **responses(Forbidden, ValidationFailed)},
)
def export_graduates(
    principal: CaseloadPrincipal,
    session: SessionDep,
    unmasked: Annotated[bool, Query()] = False,
    purpose: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    content = export_mod.export(session, principal=principal, what="graduates", unmasked=unmasked, purpose=purpose)
    return _xlsx(content, "graduates.xlsx")
