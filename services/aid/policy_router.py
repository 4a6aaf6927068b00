"""Routes of the employment policies (就业补贴政策), their claims and fund budgets, and national student aid."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from services.aid import national_aid, policies, policy_claims, workdays
from services.aid.policy_models import POLICY_KIND_NAMES, AidPolicyVersion, PolicyKind
from services.aid.policy_schemas import (
    ClaimIn,
    ClaimOut,
    ClaimPaymentIn,
    EntitlementOut,
    FundBudgetIn,
    FundBudgetOut,
    GrantIn,
    NationalAidImportIn,
    NationalAidImportOut,
    NationalAidIn,
    NationalAidOut,
    NotEnrolledOut,
    PolicyOut,
    PolicyVersionIn,
    PolicyVersionOut,
    RefuseIn,
    RuleCheckOut,
)
from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import PageDep
from services.security.dependencies import CurrentPrincipal

router = APIRouter(prefix="/api/v1/aid", tags=["就业补贴政策与国家资助"])
YearQ = Annotated[int | None, Query(ge=2000, le=2100, description="年度")]


def _policy_out(view: policies.PolicyView) -> PolicyOut:
    kind = view.policy.kind
    return PolicyOut(
        id=view.policy.id,
        code=view.policy.code,
        name=view.policy.name,
        kind=kind,
        kind_name=POLICY_KIND_NAMES.get(PolicyKind(kind), kind) if kind in set(PolicyKind) else kind,
        fund_name=policies.fund_name(view.version.fund),
        current=_version_out(view.version),
        versions=[_version_out(v) for v in view.history],
    )


def _version_out(v: AidPolicyVersion) -> PolicyVersionOut:
    return PolicyVersionOut.model_validate(v)


@router.get(
    "/policies",
    response_model=list[PolicyOut],
    summary="就业补贴政策",
    description="每项政策的现行版本及历次版本（条件、金额、资金来源、所需证明）。企业不可见。",
    responses=responses(Forbidden),
)
def list_policies(principal: CurrentPrincipal, session: SessionDep) -> Any:
    return [_policy_out(v) for v in policies.list_policies(session, principal=principal)]


@router.post(
    "/policies",
    response_model=PolicyOut,
    status_code=201,
    summary="发布政策版本",
    description="新编码创建政策；已有编码发布新版本，现行版本在新版本生效前一日截止，已有申领仍按原版本。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def publish(body: PolicyVersionIn, principal: CurrentPrincipal, session: SessionDep) -> Any:
    data = body.model_dump()
    data["rules"] = body.rules.model_dump()
    version = policies.publish_version(session, principal=principal, spec=policies.VersionSpec(**data))
    return _policy_out(policies.get_policy(session, principal=principal, policy_id=version.policy_id))


@router.get(
    "/students/{student_id}/entitlements",
    response_model=list[EntitlementOut],
    summary="可享受的政策",
    description="按匹配引擎的同一套规则逐项判断，列出符合与不符合的理由及已有申领。",
    responses=responses(Forbidden, NotFound),
)
def entitlements(student_id: int, principal: CurrentPrincipal, session: SessionDep) -> Any:
    out = []
    for e in policies.entitlements(session, principal=principal, student_id=student_id, today=workdays.today()):
        out.append(
            EntitlementOut(
                policy_id=e.policy.id,
                policy_name=e.policy.name,
                version=e.version.version,
                fund_name=policies.fund_name(e.version.fund),
                amount=e.version.amount,
                basis=e.version.basis,
                proofs=list(e.version.proofs),
                eligible=e.eligible,
                checks=[RuleCheckOut(code=c.code, passed=c.passed, text=c.text) for c in e.checks],
                claim_id=e.claim.id if e.claim else None,
                claim_status=e.claim.status if e.claim else None,
            )
        )
    return out


@router.post(
    "/policy-claims",
    response_model=ClaimOut,
    status_code=201,
    summary="登记补贴申领",
    description="按今天生效的版本判断条件；不符合的条件逐条列出（409），缺少的证明材料列出（422）。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def apply(body: ClaimIn, principal: CurrentPrincipal, session: SessionDep) -> Any:
    data = policy_claims.ClaimInput(**{**body.model_dump(), "proofs": tuple(body.proofs)})
    return policy_claims.apply_claim(session, principal=principal, data=data, today=workdays.today())


@router.get(
    "/policy-claims",
    response_model=list[ClaimOut],
    summary="补贴申领列表",
    description="指导员看其服务对象的申领，县区看本县区，市总看全部；银行卡只显示脱敏值。",
    responses=responses(Forbidden),
)
def list_claims(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    year: YearQ = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    student_id: int | None = None,
) -> Any:
    return policy_claims.list_claims(
        session,
        principal=principal,
        year=year,
        status=status,
        student_id=student_id,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/policy-claims/{claim_id}",
    response_model=ClaimOut,
    summary="补贴申领",
    responses=responses(Forbidden, NotFound),
)
def get_claim(claim_id: int, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return policy_claims.get_claim(session, principal=principal, claim_id=claim_id)


@router.post(
    "/policy-claims/{claim_id}/grant",
    response_model=ClaimOut,
    summary="核准补贴",
    description="占用本县区该资金来源的预算；超出预算时拒绝并写明资金来源。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def grant(claim_id: int, principal: CurrentPrincipal, session: SessionDep, body: GrantIn | None = None) -> Any:
    amount = body.amount if body else None
    return policy_claims.grant_claim(session, principal=principal, claim_id=claim_id, amount=amount)


@router.post(
    "/policy-claims/{claim_id}/refuse",
    response_model=ClaimOut,
    summary="不予核准",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def refuse(claim_id: int, body: RefuseIn, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return policy_claims.refuse_claim(session, principal=principal, claim_id=claim_id, reason=body.reason)


@router.post(
    "/policy-claims/{claim_id}/withdraw",
    response_model=ClaimOut,
    summary="撤回申领",
    description="未付款的申领可撤回；已核准的退回预算。",
    responses=responses(Forbidden, NotFound, Conflict),
)
def withdraw(claim_id: int, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return policy_claims.withdraw_claim(session, principal=principal, claim_id=claim_id)


@router.post(
    "/policy-claims/{claim_id}/payments",
    status_code=201,
    summary="发放补贴",
    description="与助学金同一付款通道：须带 Idempotency-Key，同一键重复提交得到同一结果；一项申领只付一次，"
    "随后编入付款批次、导出银行文件、导入回盘。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def pay(
    claim_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: ClaimPaymentIn | None = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
) -> JSONResponse:
    key = idempotency_key or (body.idempotency_key if body else None)
    if not key:
        raise ValidationFailed("须提供 Idempotency-Key 请求头（或请求体 idempotency_key）", field="Idempotency-Key")
    answer = policy_claims.pay_claim(
        session, principal=principal, claim_id=claim_id, idempotency_key=key, today=workdays.today()
    )
    media = "application/json" if answer.status_code < 400 else "application/problem+json"
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status_code, media_type=media, headers=headers)


@router.put(
    "/fund-budgets",
    response_model=FundBudgetOut,
    summary="下达补贴资金预算",
    description="市总按县区、年度、资金来源（央财帮扶资金、省总就业创业资金等）下达。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def set_fund_budget(body: FundBudgetIn, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return policies.set_fund_budget(session, principal=principal, **body.model_dump())


@router.get(
    "/fund-budgets",
    response_model=list[FundBudgetOut],
    summary="补贴资金预算",
    responses=responses(Forbidden),
)
def list_fund_budgets(
    principal: CurrentPrincipal, session: SessionDep, year: Annotated[int, Query(ge=2000, le=2100)]
) -> Any:
    return policies.list_fund_budgets(session, principal=principal, year=year)


@router.post(
    "/national-aid",
    response_model=NationalAidOut,
    status_code=201,
    summary="登记国家资助",
    description="学生获得的奖、助、贷、勤、减、免（类型、学年、金额、来源）；同类型、学年、来源再次登记即更新金额。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def record(body: NationalAidIn, principal: CurrentPrincipal, session: SessionDep) -> Any:
    data = national_aid.NationalAidInput(**body.model_dump())
    return national_aid.record_national_aid(session, principal=principal, data=data)


@router.post(
    "/national-aid/import",
    response_model=NationalAidImportOut,
    summary="批量导入国家资助",
    description="逐行校验，任一行有错则全部不导入并列出每行错误；同样的数据导入两次不会重复。",
    responses=responses(Forbidden, ValidationFailed),
)
def import_rows(body: NationalAidImportIn, principal: CurrentPrincipal, session: SessionDep) -> Any:
    rows = [national_aid.NationalAidInput(**r.model_dump()) for r in body.rows]
    answer = national_aid.import_national_aid(session, principal=principal, rows=rows)
    return NationalAidImportOut(created=answer.created, updated=answer.updated)


@router.get(
    "/students/{student_id}/national-aid",
    response_model=list[NationalAidOut],
    summary="学生的国家资助",
    responses=responses(Forbidden, NotFound),
)
def of_student(student_id: int, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return national_aid.national_aid_of(session, principal=principal, student_id=student_id)


@router.get(
    "/national-aid/not-enrolled",
    response_model=list[NotEnrolledOut],
    summary="未纳入国家资助的困难学生",
    description="辖区内建档困难职工家庭的在校生和毕业生中，没有任何奖、助、贷、勤、减、免记录的人员。",
    responses=responses(Forbidden),
)
def not_enrolled(principal: CurrentPrincipal, session: SessionDep, year: YearQ = None) -> Any:
    return [
        NotEnrolledOut(student_id=n.student_id, name=n.name, stage=n.stage, school_name=n.school_name, cohort=n.cohort)
        for n in national_aid.not_enrolled(session, principal=principal, year=year)
    ]
