"""Employment policies as versioned data, and what a person may claim of them.

A policy (求职创业补贴, 就业见习补贴, 基层就业学费补偿, 助学贷款代偿, 技能培训 / 职业介绍补贴, …) keeps its rules in
versions: publishing a new version closes the active one the day before the new one starts, and a claim keeps the
version it was made under. Whether a person qualifies is the matcher's rule engine
(:func:`matching.rules.explain_policy`, the same checks and phrases as the position rules), called here for the
"可享受的政策" list and again, with the employer facts of the claim, when a claim is made (:mod:`.policy_claims`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.catalogs import Gazetteer
from matching.records import Education, GraduateRecord
from matching.rules import ClaimantFacts, PolicyRecord, RuleCheck, explain_policy
from services.aid.guards import CENT, covers_or_404, for_update, money
from services.aid.policy_models import (
    EMPLOYER_KIND_NAMES,
    POLICY_FUND_NAMES,
    AidFundBudget,
    AidPolicy,
    AidPolicyClaim,
    AidPolicyVersion,
    AmountBasis,
    EmployerKind,
    PolicyFund,
    PolicyKind,
    VersionStatus,
)
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.orgs import service as orgs
from services.orgs.models import OrgUnit
from services.refdata.api import division_names, vocabularies
from services.registry import api as registry
from services.security.models import Role
from services.security.principal import Principal
from services.security.roles import STAFF, UNION_SIDE
from services.security.scope import scoped

CITY_ROLES = frozenset({Role.UNION_CITY, Role.ADMIN})
STAGES = ("graduate", "student")
RULE_KEYS = frozenset(
    {
        "stages",
        "hardship_only",
        "graduation_min",
        "graduation_max",
        "min_education",
        "max_age",
        "employment_statuses",
        "employer_kinds",
        "employer_places",
        "employer_place_cut",
    }
)
#: Employer kind implied by an employment status when no claim names the employer.
STATUS_EMPLOYER = {"grassroots": EmployerKind.GRASSROOTS_PROGRAM, "self_employed": EmployerKind.SELF_EMPLOYED}


def require_reader(principal: Principal) -> None:
    """Policies, claims and national aid are the union side's: enterprises never see them."""
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会工作人员和就业指导员可以查看就业政策和补贴申领")


def _int_or_none(raw: dict[str, Any], key: str, low: int, high: int) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{key} 应为 {low}–{high} 之间的整数", field=f"rules.{key}")
    return value


def _codes(raw: dict[str, Any], key: str, allowed: set[str], what: str) -> frozenset[str]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"{what}应为代码列表", field=f"rules.{key}")
    bad = [v for v in value if v not in allowed]
    if bad:
        raise ValidationFailed(f"{what}“{'、'.join(bad)}”不是可选项", field=f"rules.{key}")
    return frozenset(value)


def policy_record(policy_id: int, name: str, rules: dict[str, Any], *, statuses: set[str]) -> PolicyRecord:
    """A version's stored rules as the rule engine reads them; every bad key is refused with its field."""
    unknown = sorted(set(rules) - RULE_KEYS)
    if unknown:
        raise ValidationFailed(f"未知的政策条件：{'、'.join(unknown)}", field="rules")
    education = rules.get("min_education")
    if education is not None and education not in registry.EDUCATION_LEVELS:
        raise ValidationFailed(f"学历代码“{education}”无效", field="rules.min_education")
    places = rules.get("employer_places") or []
    if not isinstance(places, list) or not all(isinstance(p, str) and len(p) == 6 and p.isdigit() for p in places):
        raise ValidationFailed("就业地点应为6位行政区划代码列表", field="rules.employer_places")
    cut = rules.get("employer_place_cut", 4)
    if cut not in (2, 4, 6):
        raise ValidationFailed("就业地点比较位数应为 2（省）、4（市）或 6（县区）", field="rules.employer_place_cut")
    hardship = rules.get("hardship_only", True)
    if not isinstance(hardship, bool):
        raise ValidationFailed("是否限建档困难家庭应为 true 或 false", field="rules.hardship_only")
    low = _int_or_none(rules, "graduation_min", 2000, 2100)
    high = _int_or_none(rules, "graduation_max", 2000, 2100)
    if low is not None and high is not None and low > high:
        raise ValidationFailed("毕业届别起始不能晚于截止", field="rules.graduation_min")
    return PolicyRecord(
        id=policy_id,
        name=name,
        stages=_codes(rules, "stages", set(STAGES), "对象"),
        hardship_only=hardship,
        graduation_min=low,
        graduation_max=high,
        min_education=registry.EDUCATION_LEVELS[education] if education is not None else None,
        max_age=_int_or_none(rules, "max_age", 16, 70),
        employment_statuses=_codes(rules, "employment_statuses", statuses, "就业状态"),
        employer_kinds=_codes(rules, "employer_kinds", {k.value for k in EmployerKind}, "就业单位类型"),
        employer_places=tuple(places),
        employer_place_cut=cut,
    )


def status_names(session: Session) -> dict[str, str]:
    return dict(vocabularies(session)["employment_status"].names)


# ------------------------------------------------------------------------------------------------ versions


@dataclass(frozen=True, slots=True)
class VersionSpec:
    code: str
    name: str
    kind: str
    valid_from: date
    fund: str
    basis: str
    amount: Decimal
    rules: dict[str, Any]
    proofs: list[str]
    legal_basis: str = ""


def publish_version(session: Session, *, principal: Principal, spec: VersionSpec) -> AidPolicyVersion:
    """Publish a policy's rules: the first version of a new code, or a new version superseding the active one from
    ``valid_from`` (the old one ends the day before; claims made under it keep it)."""
    if principal.role not in CITY_ROLES:
        raise Forbidden("就业政策由市总帮扶中心发布")
    if spec.kind not in {k.value for k in PolicyKind}:
        raise ValidationFailed(f"政策类别“{spec.kind}”无效", field="kind")
    if spec.fund not in {f.value for f in PolicyFund}:
        raise ValidationFailed(f"资金来源“{spec.fund}”无效", field="fund")
    if spec.basis not in {b.value for b in AmountBasis}:
        raise ValidationFailed(f"金额方式“{spec.basis}”无效", field="basis")
    if spec.amount <= 0 or spec.amount != spec.amount.quantize(CENT):
        raise ValidationFailed("金额须为正数，最多两位小数", field="amount")
    proofs = [p.strip() for p in spec.proofs if p.strip()]
    policy = session.scalar(for_update(select(AidPolicy).where(AidPolicy.code == spec.code), session))
    if policy is None:
        policy = AidPolicy(code=spec.code, name=spec.name.strip(), kind=spec.kind, created_by=principal.user_id)
        session.add(policy)
        session.flush()
    else:
        policy.name, policy.kind = spec.name.strip(), spec.kind
    policy_record(policy.id, policy.name, spec.rules, statuses=set(status_names(session)))
    versions = list(
        session.scalars(
            for_update(select(AidPolicyVersion).where(AidPolicyVersion.policy_id == policy.id), session).order_by(
                AidPolicyVersion.version
            )
        )
    )
    for old in versions:
        if old.status == VersionStatus.ACTIVE:
            if spec.valid_from <= old.valid_from:
                raise Conflict(
                    f"新版本的生效日期须晚于现行第{old.version}版（{old.valid_from:%Y年%m月%d日}起）",
                    field="valid_from",
                )
            old.status, old.valid_to = VersionStatus.SUPERSEDED, spec.valid_from - timedelta(days=1)
    row = AidPolicyVersion(
        policy_id=policy.id,
        version=(versions[-1].version + 1) if versions else 1,
        status=VersionStatus.ACTIVE,
        valid_from=spec.valid_from,
        fund=spec.fund,
        basis=spec.basis,
        amount=money(spec.amount),
        rules=dict(spec.rules),
        proofs=proofs,
        legal_basis=spec.legal_basis.strip(),
        created_by=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class PolicyView:
    policy: AidPolicy
    version: AidPolicyVersion
    history: list[AidPolicyVersion]


def list_policies(session: Session, *, principal: Principal, on: date | None = None) -> list[PolicyView]:
    """Every policy with the version in force on ``on`` (default: the newest active one) and its history."""
    require_reader(principal)
    out: list[PolicyView] = []
    rows = list(
        session.scalars(select(AidPolicyVersion).order_by(AidPolicyVersion.policy_id, AidPolicyVersion.version))
    )
    by_policy: dict[int, list[AidPolicyVersion]] = {}
    for v in rows:
        by_policy.setdefault(v.policy_id, []).append(v)
    for policy in session.scalars(select(AidPolicy).order_by(AidPolicy.id)):
        history = by_policy.get(policy.id, [])
        current = (
            version_on(history, on)
            if on is not None
            else next((v for v in reversed(history) if v.status == VersionStatus.ACTIVE), None)
        )
        if current is not None:
            out.append(PolicyView(policy, current, history))
    return out


def version_on(history: list[AidPolicyVersion], day: date | None) -> AidPolicyVersion | None:
    """The version in force on ``day``: started on or before it and not ended before it."""
    if day is None:
        return None
    for v in reversed(history):
        if v.valid_from <= day and (v.valid_to is None or v.valid_to >= day):
            return v
    return None


def get_policy(session: Session, *, principal: Principal, policy_id: int) -> PolicyView:
    require_reader(principal)
    policy = session.get(AidPolicy, policy_id)
    if policy is None:
        raise NotFound(f"就业政策 {policy_id} 不存在")
    history = list(
        session.scalars(
            select(AidPolicyVersion).where(AidPolicyVersion.policy_id == policy.id).order_by(AidPolicyVersion.version)
        )
    )
    active = next((v for v in reversed(history) if v.status == VersionStatus.ACTIVE), history[-1])
    return PolicyView(policy, active, history)


# ------------------------------------------------------------------------------------------------ eligibility


def claimant_facts(
    session: Session, *, student_id: int, employer_kind: str | None = None, employer_place: str | None = None
) -> tuple[ClaimantFacts, registry.GraduateProfile]:
    """A registry person as a policy's rules read them. Without an employer on the claim, the employer kind
    follows from the employment status (基层服务项目, 自主创业) where it can."""
    found = registry.graduate_profiles(session, scope=None, ids=[student_id], limit=1)
    if not found:
        raise NotFound(f"学生/毕业生档案 {student_id} 不存在")
    p = found[0]
    record = GraduateRecord(
        id=p.id,
        education=registry.EDUCATION_LEVELS.get(p.education, Education.SECONDARY),
        graduation_year=p.cohort or 0,
        birth_date=p.birth_date,
        hardship=p.hardship_family,
    )
    kind = employer_kind or (
        STATUS_EMPLOYER[p.employment_status].value if p.employment_status in STATUS_EMPLOYER else None
    )
    facts = ClaimantFacts(
        graduate=record,
        stage=p.stage,
        hardship=p.hardship_family,
        employment_status=p.employment_status,
        employer_kind=kind,
        employer_place=employer_place,
    )
    return facts, p


def check_version(
    session: Session,
    *,
    version: AidPolicyVersion,
    name: str,
    facts: ClaimantFacts,
    today: date,
    employer_pending: bool = False,
) -> list[RuleCheck]:
    """The rule engine's verdict of one version for one person (``employer_pending``: see
    :func:`matching.rules.explain_policy`)."""
    names = status_names(session)
    record = policy_record(version.policy_id, name, version.rules, statuses=set(names))
    return explain_policy(
        record,
        facts,
        today=today,
        status_names=names,
        employer_kind_names={k.value: v for k, v in EMPLOYER_KIND_NAMES.items()},
        gazetteer=_places(session, record),
        employer_pending=employer_pending,
    )


def _places(session: Session, record: PolicyRecord) -> Gazetteer:
    """The names of a policy's places (as the rule phrases show them), read from the division table."""
    cut = record.employer_place_cut
    codes = {p[:cut].ljust(6, "0") for p in record.employer_places}
    return Gazetteer(names=division_names(session, codes=codes), levels={}, parents={}, latlng={}, history={})


@dataclass(frozen=True, slots=True)
class Entitlement:
    """One policy for one person: the version in force, each condition with its reason, and any claim made."""

    policy: AidPolicy
    version: AidPolicyVersion
    checks: list[RuleCheck]
    claim: AidPolicyClaim | None

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.checks)


def entitlements(session: Session, *, principal: Principal, student_id: int, today: date) -> list[Entitlement]:
    """可享受的政策: every policy in force today for one person of the principal's scope, with the rule engine's
    reasons, eligible ones first, and the person's latest claim of each."""
    require_reader(principal)
    facts, profile = claimant_facts(session, student_id=student_id)
    covers_or_404(principal, profile.org_unit_id, "学生/毕业生档案")
    claims: dict[int, AidPolicyClaim] = {}
    stmt = scoped(
        select(AidPolicyClaim).where(AidPolicyClaim.student_id == student_id).order_by(AidPolicyClaim.id),
        principal,
        org=AidPolicyClaim.org_unit_id,
        roles=UNION_SIDE,
    )
    for c in session.scalars(stmt):
        claims[c.policy_id] = c
    out = [
        Entitlement(
            view.policy,
            view.version,
            check_version(
                session,
                version=view.version,
                name=view.policy.name,
                facts=facts,
                today=today,
                employer_pending=True,
            ),
            claims.get(view.policy.id),
        )
        for view in list_policies(session, principal=principal, on=today)
    ]
    return sorted(out, key=lambda e: (not e.eligible, e.policy.id))


# ------------------------------------------------------------------------------------------------ fund budgets


def set_fund_budget(
    session: Session, *, principal: Principal, county_org_id: int, year: int, fund: str, amount: Decimal
) -> AidFundBudget:
    """Set a county's budget of one policy fund for a year (the city's decision)."""
    if principal.role not in CITY_ROLES:
        raise Forbidden("补贴资金预算由市总帮扶中心下达")
    if fund not in {f.value for f in PolicyFund}:
        raise ValidationFailed(f"资金来源“{fund}”无效", field="fund")
    if amount < 0 or amount != amount.quantize(CENT):
        raise ValidationFailed("预算金额须为非负数，最多两位小数", field="amount")
    county = session.get(OrgUnit, county_org_id)
    if county is None or orgs.county_of(session, org_unit_id=county_org_id).id != county_org_id:
        raise ValidationFailed("预算须下达到县区、园区或市直工会", field="county_org_id")
    stmt = select(AidFundBudget).where(
        AidFundBudget.county_org_id == county_org_id, AidFundBudget.year == year, AidFundBudget.fund == fund
    )
    row = session.scalar(for_update(scoped(stmt, principal, org=AidFundBudget.county_org_id), session))
    if row is None:
        row = AidFundBudget(county_org_id=county_org_id, year=year, fund=fund, committed=Decimal(0), paid=Decimal(0))
        session.add(row)
    elif amount < row.committed:
        raise Conflict(f"预算不能低于已核准金额 {row.committed} 元", field="amount")
    row.amount = money(amount)
    session.flush()
    return row


def list_fund_budgets(session: Session, *, principal: Principal, year: int) -> list[AidFundBudget]:
    if principal.role not in STAFF:
        raise Forbidden("只有工会工作人员可以查看补贴资金预算")
    stmt = (
        select(AidFundBudget)
        .where(AidFundBudget.year == year)
        .order_by(AidFundBudget.county_org_id, AidFundBudget.fund)
    )
    return list(session.scalars(scoped(stmt, principal, org=AidFundBudget.county_org_id)))


def fund_name(fund: str) -> str:
    return POLICY_FUND_NAMES.get(PolicyFund(fund), fund) if fund in {f.value for f in PolicyFund} else fund


DATA_FILE = Path(__file__).with_name("data") / "policies.json"


def bundled_specs(valid_from: date) -> list[VersionSpec]:
    """The notice's policies as shipped (``data/policies.json``), each as a first version from ``valid_from``."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return [
        VersionSpec(
            code=p["code"],
            name=p["name"],
            kind=p["kind"],
            valid_from=valid_from,
            fund=p["fund"],
            basis=p["basis"],
            amount=Decimal(p["amount"]),
            rules=dict(p["rules"]),
            proofs=list(p["proofs"]),
            legal_basis=p.get("legal_basis", ""),
        )
        for p in raw["policies"]
    ]


def load_bundled(session: Session, *, principal: Principal, valid_from: date) -> list[AidPolicyVersion]:
    """Publish the shipped policies whose code is not there yet (running it again changes nothing)."""
    have = set(session.scalars(select(AidPolicy.code)))
    return [
        publish_version(session, principal=principal, spec=spec)
        for spec in bundled_specs(valid_from)
        if spec.code not in have
    ]
