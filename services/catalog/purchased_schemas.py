"""Request and response shapes of purchased-service providers and contracts (购买服务)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

DB_ID_MAX = 2_147_483_647


class ProviderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200, examples=["亳州市某人力资源服务有限公司"])
    credit_code: str = Field(
        min_length=18, max_length=30, description="统一社会信用代码", examples=["91341600MA2N4L0Q2H"]
    )
    kind: str = Field(description="hr_agency / employment_service / training", examples=["hr_agency"])
    contact_name: str = Field(min_length=2, max_length=50, examples=["李经理"])
    contact_phone: str = Field(min_length=7, max_length=30, description="加密保存，列表只显示脱敏号码")
    address: str = Field(default="", max_length=300)


class ProviderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    credit_code: str
    kind: str
    contact_name: str
    contact_phone_masked: str | None = Field(examples=["139****5678"])
    address: str
    created_at: datetime


class ContractCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider_id: int = Field(ge=1, le=DB_ID_MAX)
    org_unit_id: int = Field(ge=1, le=DB_ID_MAX, description="购买单位（市总或县区总工会）")
    number: str = Field(min_length=2, max_length=60, description="合同编号", examples=["BZGH-GM-2023-01"])
    title: str = Field(min_length=2, max_length=200, examples=["困难职工家庭未就业高校毕业生定向就业援助服务"])
    service_content: str = Field(min_length=4, max_length=4000, examples=["职业培训、就业咨询、面试指导、岗位推荐"])
    starts_on: date
    ends_on: date
    amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2, description="合同金额（元）", examples=["60000.00"])
    fund: str = Field(description="central / province / city / county", examples=["province"])
    graduates_to_serve: int = Field(ge=1, le=100000, description="约定服务人数", examples=[30])


class ContractOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    provider_id: int
    org_unit_id: int
    number: str
    title: str
    service_content: str
    starts_on: date
    ends_on: date
    amount: Decimal
    fund: str
    graduates_to_serve: int
    created_at: datetime
