"""create_app(): routers, problem+json error handlers, upload limits, metrics."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from services import heap
from services.config import get_settings
from services.disconnects import client_present
from services.errors import (
    Conflict,
    DomainError,
    FieldError,
    Problem,
    ValidationFailed,
    field_errors,
    problem_response,
)
from services.logging_setup import configure
from services.middleware import BUSY, BodyLimitMiddleware, LoadShedMiddleware, TextGuardMiddleware
from services.ops import MetricsMiddleware
from services.routers import ROUTERS
from services.web import console

log = logging.getLogger(__name__)


# pydantic error types → what a clerk reads
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    configure(settings.log_level)
    # every request in flight can have a thread for its synchronous work
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(limiter.total_tokens, settings.max_in_flight + 8)
    if settings.warm_start:
        await anyio.to_thread.run_sync(_warm)
        # the routes' parameter and response models are built on first use; the OpenAPI document walks every
        # route, so the first request of each route is not the one that pays for it
        await anyio.to_thread.run_sync(app.openapi)
        heap.settle()  # what the worker built to serve with, out of the garbage collector's way
    yield


def _warm() -> None:
    """The match index built before the worker takes requests; a database not ready yet only logs."""
    from services.db import session_scope
    from services.matches import api as matches

    try:
        with session_scope() as session:
            report = matches.holder_for(session).refresh(session)
        log.info("match index warmed: %d positions", report.added)
    except Exception:  # a cold index is built on the first request instead
        log.warning("match index not warmed at start", exc_info=True)


_STANDARD_ERRORS = {
    "401": "未登录或登录已失效",
    "403": "无权执行此操作",
    "404": "记录不存在或不在您的管辖范围内",
    "422": "数据校验未通过（逐项给出字段和原因）",
    "429": "请求过于频繁",
}


def complete_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with every error a route can give, each as problem+json.

    FastAPI documents 422 with its own validation schema; this service answers every error with
    :class:`Problem`, so the document says so, and lists 401/403/404/413/422/429 on every protected route.
    """
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    if "Problem" not in components:
        components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in components["Problem"].pop("$defs", {}).items():
            components.setdefault(name, sub)
    public = {"/health/live", "/health/ready", "/api/v1/auth/token"}
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            responses = op.setdefault("responses", {})
            errors = dict(_STANDARD_ERRORS)
            if path in public:
                errors = {"422": errors["422"], "429": errors["429"]} if method == "post" else {}
            if method in {"post", "put", "patch"}:
                errors["413"] = "上传内容过大"
            for code, text in errors.items():
                responses.setdefault(code, {"description": text})
            for code, entry in responses.items():
                if code.startswith(("4", "5")):
                    content = entry.get("content", {})
                    example = next((c["example"] for c in content.values() if "example" in c), None)
                    media: dict[str, Any] = {"schema": problem_ref}
                    if example is not None:
                        media["example"] = example
                    entry["content"] = {"application/problem+json": media}
    app.openapi_schema = schema
    return schema


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="阳光就业 Sunshine Employment API",
        version="0.1.0",
        description="困难职工家庭高校毕业生实名制档案、岗位匹配、全流程跟踪、金秋助学与统计报表。",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.openapi = lambda: complete_openapi(app)  # type: ignore[method-assign]

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(exc.problem(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc)
        detail = "；".join(f"{e.field}：{e.reason}" for e in errors[:5])
        return problem_response(
            Problem(
                type="https://sunshine.invalid/problems/validation-failed",
                title="数据校验未通过",
                status=422,
                detail=detail,
                code="validation_failed",
                errors=errors,
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # Starlette's "There was an error parsing the body": the body is not what the content type says.
            return problem_response(
                Problem(
                    type="https://sunshine.invalid/problems/validation-failed",
                    title="数据校验未通过",
                    status=422,
                    detail="请求体无法解析：请提交有效的 JSON 或表单",
                    code="validation_failed",
                    errors=[FieldError(field="body", reason="请求体无法解析", code="json_invalid")],
                )
            )
        titles = {404: "接口不存在", 405: "不支持该请求方法"}
        title = titles.get(exc.status_code, str(exc.detail))
        return problem_response(
            Problem(title=title, status=exc.status_code, detail=str(exc.detail), code=f"http_{exc.status_code}"),
            dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, _exc: IntegrityError) -> JSONResponse:
        # A constraint the service checks first should never get here; log it and answer like a conflict.
        log.warning("constraint violation on %s %s", request.method, request.url.path)
        return problem_response(Conflict("数据与现有记录冲突（重复或引用了不存在的记录），未做任何修改").problem())

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, _exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection in time on %s %s", request.method, request.url.path)
        return problem_response(BUSY.problem(), {"Retry-After": "1"})

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, _exc: Exception) -> JSONResponse:
        # An id or number beyond what the database column holds: nothing can match it, nothing was written.
        log.warning("value out of range on %s %s", request.method, request.url.path)
        err = ValidationFailed("数值超出允许范围（编号或数量过大）", field="body")
        return problem_response(err.problem())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, _exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            Problem(title="服务器内部错误", status=500, detail="请稍后重试或联系管理员", code="internal_error")
        )

    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(client_present)])
    console.mount(app)
    # outermost last: shed load first, cap the body before anything reads it, then guard its text
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(TextGuardMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_upload_bytes)
    app.add_middleware(LoadShedMiddleware, limit=settings.max_in_flight, sojourn=settings.shed_sojourn_ms / 1000)
    return app


def openapi_json(app: FastAPI) -> str:
    return json.dumps(app.openapi(), ensure_ascii=False, indent=1)


def __getattr__(name: str) -> Any:
    # ``uvicorn services.app:app`` builds the application lazily
    if name == "app":
        return create_app()
    raise AttributeError(name)
