"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time
from typing import Literal

import redis
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.config import get_settings
from services.db import get_engine

router = APIRouter(tags=["运行状态"])

REQUESTS = Counter("sunshine_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("sunshine_http_request_seconds", "HTTP request latency", ["method", "route"])


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"] = Field(examples=["ok"])
    database: Literal["ok", "down"] = "ok"
    redis: Literal["ok", "down", "not_configured"] = "not_configured"


@router.get("/health/live", response_model=Health, summary="存活检查", description="进程在运行即返回 ok。")
def live() -> Health:
    return Health(status="ok")


@router.get(
    "/health/ready",
    response_model=Health,
    summary="就绪检查",
    description=(
        "检查数据库和（已配置时）Redis；Redis 不可用时为 degraded（后台任务暂停），数据库不可用时为 down（503）。"
    ),
    responses={503: {"model": Health, "description": "数据库不可用"}},
)
def ready(response: Response) -> Health:
    health = Health(status="ok")
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        health.database = "down"
    url = get_settings().redis_url
    if url:
        try:
            redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
            health.redis = "ok"
        except redis.RedisError:
            health.redis = "down"
    if health.database == "down":
        health.status = "down"
        response.status_code = 503
    elif health.redis == "down":
        health.status = "degraded"
    return health


@router.get("/metrics", summary="Prometheus 指标", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts every HTTP answer by method, route template and status, and observes its latency (a plain ASGI
    middleware: the answer streams through untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            LATENCY.labels(scope["method"], path).observe(time.perf_counter() - start)
            REQUESTS.labels(scope["method"], path, str(status)).inc()
