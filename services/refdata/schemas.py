from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MajorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["080902"])
    name: str = Field(examples=["软件工程"])
    level: str = Field(description="本科 / 职业本科 / 高职专科 / 中职", examples=["本科"])
    class_code: str = Field(examples=["0809"])
    class_name: str = Field(examples=["计算机类"])
    discipline_code: str = Field(description="本科为学科门类，职业教育为专业大类", examples=["08"])
    discipline_name: str = Field(examples=["工学"])


class MajorHitOut(MajorOut):
    match: str = Field(
        description="匹配方式：code 代码、old_code 2026年前旧代码、class 专业类、discipline 门类、exact 全称、"
        "short_form 简称、fuzzy 近似、contains 名称包含",
        examples=["short_form"],
    )
    score: float = Field(examples=[95.0])


class OccupationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["4-04-05-01"])
    level: int = Field(examples=[4])
    level_name: str = Field(examples=["细类"])
    name: str = Field(examples=["计算机程序设计员"])
    digital: bool = Field(description="数字职业（S）", examples=[True])
    green: bool = Field(description="绿色职业（L）", examples=[False])
    definition: str = Field(default="", examples=["从事计算机程序设计、编制、调试、测试和维护的人员。"])


class MajorDetailOut(MajorOut):
    catalog: str = Field(examples=["undergrad_2026"])
    special: bool = Field(description="特设专业（T）", examples=[False])
    controlled: bool = Field(description="国家控制布点专业（K）", examples=[False])
    note: str = Field(default="", examples=["授予工学学士学位"])
    career_orientation: str = Field(
        default="", description="职业面向（职业教育专业简介）", examples=["面向计算机程序设计员等职业……"]
    )
    duration: str = Field(default="", examples=["三年"])
    certificates: str = Field(default="", examples=["计算机技术与软件专业技术资格"])
    occupations: list[OccupationOut] = Field(default_factory=list)


class DivisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["341622"])
    name: str = Field(examples=["蒙城县"])
    level: str = Field(examples=["county"])
    parent_code: str | None = Field(examples=["341600"])
    full_name: str = Field(examples=["安徽省亳州市蒙城县"])
    latitude: float | None = Field(examples=[33.265831])
    longitude: float | None = Field(examples=[116.564247])


class IndustryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["6513"])
    level: int = Field(examples=[4])
    level_name: str = Field(examples=["小类"])
    name: str = Field(examples=["应用软件开发"])
    section: str = Field(examples=["I"])
    parent_code: str | None = Field(examples=["651"])


class CatalogCountOut(BaseModel):
    catalog: str = Field(examples=["undergrad_majors"])
    rows: int = Field(examples=[883])
