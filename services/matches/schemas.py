"""Request and response bodies of the matching routes.

Responses are validated from the service's dataclasses (``model_validate(..., from_attributes=True)``); a
field that is named differently there says so with ``validation_alias``.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class RuleCheckOut(BaseModel):
    code: str = Field(examples=["education"], description="规则代码")
    passed: bool = Field(examples=[True])
    text: str = Field(examples=["学历符合：要求高职专科及以上"])


class PlaceOut(BaseModel):
    code: str = Field(examples=["341622"])
    name: str = Field(examples=["安徽省亳州市蒙城县"])


class PositionMatchOut(BaseModel):
    rank: int = Field(examples=[1], description="名次（1 为最匹配）")
    position_id: int = Field(examples=[42])
    title: str = Field(examples=["Java开发工程师"])
    kind: str = Field(examples=["job"], description="岗位类型：job/internship/work_study/grassroots/entrepreneurship")
    kind_name: str = Field(examples=["就业岗位"])
    employer_name: str = Field(examples=["安徽亳药示范科技有限公司"])
    places: list[PlaceOut]
    remote: bool = Field(examples=[False])
    pay_min: int | None = Field(examples=[4500], description="月薪下限（元）")
    pay_max: int | None = Field(examples=[7000], description="月薪上限（元）")
    deadline: date | None = Field(examples=["2026-12-31"])
    hardship_priority: bool = Field(examples=[True], description="是否优先招聘困难家庭毕业生")
    score: float = Field(examples=[0.8123], description="匹配得分（各项特征的加权和）")
    features: dict[str, float] = Field(
        examples=[{"major": 0.8, "occupation": 1.0, "text": 0.4, "place": 1.0}], description="各项特征值（0–1）"
    )
    reasons: list[str] = Field(examples=[["专业对口：软件技术 ↔ 计算机类", "地点：蒙城县（同县）"]])
    checks: list[RuleCheckOut]


class MatchListOut(BaseModel):
    graduate_id: int = Field(examples=[7])
    items: list[PositionMatchOut]
    limit: int = Field(examples=[20])
    offset: int = Field(examples=[0])
    has_more: bool = Field(examples=[True], description="后面是否还有结果（最多可翻看前200条）")
    catalog_version: int = Field(examples=[128], description="计算所依据的岗位库版本")


class CandidateOut(BaseModel):
    rank: int = Field(examples=[1])
    graduate_id: int = Field(examples=[7])
    name: str = Field(examples=["陈同学"])
    org_unit_id: int = Field(examples=[12])
    school_name: str = Field(examples=["亳州职业技术学院"])
    major: str = Field(examples=["软件技术"])
    cohort: int | None = Field(examples=[2023])
    education: str = Field(examples=["31"], description="学历代码")
    education_name: str = Field(examples=["大学专科（高职）"])
    skills: list[str] = Field(examples=[["Java", "MySQL"]])
    employment_status: str = Field(examples=["unemployed"])
    hardship_family: bool = Field(examples=[True], description="是否建档困难职工家庭（仅工会和指导员可见）")
    score: float = Field(examples=[0.7712])
    features: dict[str, float] = Field(examples=[{"major": 1.0, "place": 0.8}])
    reasons: list[str] = Field(examples=[["专业对口：软件技术（岗位指定专业）"]])
    checks: list[RuleCheckOut]


class EnterpriseCandidateOut(BaseModel):
    """What an enterprise may see of a graduate who opted in: no hardship, family, ID, income or contact data."""

    rank: int = Field(examples=[1])
    name: str = Field(examples=["陈同学"])
    school_name: str = Field(examples=["亳州职业技术学院"])
    major: str = Field(examples=["软件技术"])
    cohort: int | None = Field(examples=[2023])
    education: str = Field(validation_alias="education_name", examples=["大学专科（高职）"], description="学历")
    skills: list[str] = Field(examples=[["Java", "MySQL"]])
    score: float = Field(examples=[0.7712])
    reasons: list[str] = Field(examples=[["专业对口：软件技术 ↔ 计算机类", "地点：蒙城县（同县）"]])


class CandidateListOut(BaseModel):
    position_id: int = Field(examples=[42])
    position_open: bool = Field(examples=[True], description="岗位是否仍在招聘（已关闭或招满的岗位没有人选）")
    items: list[CandidateOut]
    limit: int = Field(examples=[20])
    offset: int = Field(examples=[0])
    has_more: bool = Field(examples=[False])
    catalog_version: int = Field(examples=[128])


class EnterpriseCandidateListOut(BaseModel):
    position_id: int = Field(examples=[42])
    position_open: bool = Field(examples=[True])
    items: list[EnterpriseCandidateOut]
    limit: int = Field(examples=[20])
    offset: int = Field(examples=[0])
    has_more: bool = Field(examples=[False])


class RecommendationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position_id: int = Field(gt=0, examples=[42], description="要推荐的岗位编号（来自匹配结果）")
    note: str | None = Field(default=None, max_length=500, examples=["专业对口，离家近，建议尽快投递"])


class RecommendationOut(BaseModel):
    application_id: int = Field(examples=[301], description="全流程跟踪中的求职记录编号（状态：已推荐）")
    graduate_id: int = Field(examples=[7])
    position_id: int = Field(examples=[42])
    state: str = Field(examples=["recommended"])
    score: float = Field(examples=[0.8123])
    reasons: list[str] = Field(examples=[["专业对口：软件技术 ↔ 计算机类"]])
    checks: list[RuleCheckOut]
    catalog_version: int = Field(examples=[128])
    recommended_at: datetime


class OccupationSuggestionOut(BaseModel):
    code: str = Field(examples=["2-05-08-01"], description="职业分类大典（2022）代码")
    name: str = Field(examples=["内科护士"])
    confidence: float = Field(examples=[0.71], description="置信度（0–1）")


class OccupationSuggestionsOut(BaseModel):
    title: str
    items: list[OccupationSuggestionOut]


class CertificateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        examples=["teacher_cert"],
        description="teacher_cert 教师资格证 / doctor_license 执业（助理）医师资格证 / rural_doctor_license "
        "乡村医生执业证书 / nurse_license 护士执业资格证 / driver_license 机动车驾驶证 / "
        "accountant_cert 会计专业技术资格证",
    )
    subject: str | None = Field(default=None, max_length=40, examples=["语文"], description="学科（教师资格证）")
    level: str | None = Field(default=None, max_length=20, examples=["小学"], description="学段或等级")
    number: str | None = Field(default=None, max_length=60)
    issued_on: date | None = None


class CertificateOut(BaseModel):
    id: int
    kind: str
    name: str
    subject: str | None
    level: str | None
    number: str | None
    issued_on: date | None


class CertificateListOut(BaseModel):
    graduate_id: int
    items: list[CertificateOut]
