"""Domain errors carry their HTTP status and render as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    """The body of every error response."""

    type: str = Field(default="about:blank", examples=["https://sunshine.invalid/problems/not-found"])
    title: str = Field(examples=["记录不存在"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["编号为 42 的毕业生不存在或不在您的管辖范围内"])
    code: str = Field(examples=["not_found"])
    errors: list[FieldError] = Field(default_factory=list)


class FieldError(BaseModel):
    field: str = Field(examples=["id_number"])
    reason: str = Field(examples=["身份证号校验位错误"])
    code: str = Field(default="invalid", examples=["checksum"])


Problem.model_rebuild()


class DomainError(Exception):
    """Base of every error a user may cause; never a 500."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "请求有误"

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = list(errors or [])
        if field:
            self.errors.append(FieldError(field=field, reason=self.detail, code=self.code))
        self.headers = headers or {}

    def problem(self) -> Problem:
        return Problem(
            type=f"https://sunshine.invalid/problems/{self.code.replace('_', '-')}",
            title=self.title,
            status=self.status,
            detail=self.detail,
            code=self.code,
            errors=self.errors,
        )


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    title = "数据校验未通过"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "未登录或登录已失效"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "无权执行此操作"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "记录不存在"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "与现有数据冲突"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    title = "上传内容过大"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    title = "请求过于频繁，请稍后再试"


class ServiceBusy(DomainError):
    status = 503
    code = "service_busy"
    title = "服务繁忙，请稍后重试"


def responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry of a route: each listed error as problem+json in the OpenAPI document."""
    out: dict[int | str, dict[str, Any]] = {}
    listed: tuple[type[DomainError], ...] = (Unauthorized, *errors)
    for err in listed:
        out[err.status] = {
            "model": Problem,
            "description": err.title,
            "content": {"application/problem+json": {"example": err(err.title).problem().model_dump()}},
        }
    return out


class ProblemResponse(JSONResponse):
    """problem+json whose text is always encodable: a stray surrogate echoed from input becomes "?"."""

    media_type = PROBLEM_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    """``problem`` as an RFC 9457 ``application/problem+json`` response."""
    return ProblemResponse(problem.model_dump(), status_code=problem.status, headers=headers)


_REASONS = {
    "missing": "必填项未填写",
    "extra_forbidden": "不允许提交该字段",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为金额数字",
    "bool_parsing": "应为是或否",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确",
    "enum": "不是允许的选项",
    "literal_error": "不是允许的选项",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "too_short": "条目过少",
    "too_long": "条目过多",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "value_error": "取值无效",
    "decimal_max_places": "小数位过多",
    "decimal_max_digits": "数字位数过多",
    "url_parsing": "网址格式不正确",
}


def field_errors(exc: RequestValidationError) -> list[FieldError]:
    """FastAPI's validation errors as the service's field errors, each with its reason in Chinese."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header", "form")]
        kind = str(err.get("type", "value_error"))
        reason = _REASONS.get(kind, "取值无效")
        ctx = err.get("ctx") or {}
        if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
            reason = str(ctx["error"])
        elif "expected" in ctx:
            reason = f"{reason}（可选：{ctx['expected']}）"
        out.append(FieldError(field=".".join(loc) or "body", reason=reason, code=kind))
    return out
