"""Settings, read once from the environment (prefix ``SUNSHINE_``)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-before-production-use"  # noqa: S105 - the development default, refused elsewhere
DEV_PII_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"dev-only-pii-key").digest()).decode()
DEV_BLIND_INDEX_KEY = "dev-only-blind-index-key"


class Settings(BaseSettings):
    """Every knob of the service. Switching SQLite → PostgreSQL or eager → Redis is configuration only."""

    model_config = SettingsConfigDict(env_prefix="SUNSHINE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str = ""
    celery_task_modules: tuple[str, ...] = ("jobs.tasks",)
    # An unacknowledged task of a killed worker is handed to another worker after this long; every task's
    # time limit stays below it.
    broker_visibility_seconds: int = Field(default=1800, ge=5, le=43200)
    # How long an import's encrypted upload is kept after a dry run or a failed run (for the real run and the
    # error workbook); a job queued or running longer than its time limit is failed by the stuck-job sweep.
    import_upload_retention_hours: int = Field(default=72, ge=1, le=24 * 30)

    secret_key: str = DEV_SECRET
    pii_keys: str = Field(
        default=DEV_PII_KEY,
        description="Comma-separated Fernet keys, newest first (MultiFernet rotation).",
    )
    blind_index_key: str = DEV_BLIND_INDEX_KEY
    access_token_minutes: int = 60
    login_max_failures: int = 5
    login_window_seconds: int = 900
    # Failed logins from one address before that address is slowed to one attempt per delay (accounts are not
    # locked by it: only an account's own failures lock the account).
    login_address_failures: int = Field(default=20, ge=1)
    login_address_delay_seconds: int = Field(default=5, ge=1, le=600)
    # Reverse proxies whose X-Forwarded-For is believed: comma-separated addresses or CIDR networks. Empty means
    # none: the client address is the peer of the connection.
    trusted_proxies: str = ""

    max_page_size: int = 100
    max_upload_bytes: int = 20 * 1024 * 1024
    log_level: str = "INFO"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "noreply@sunshine.invalid"
    timezone: str = "Asia/Shanghai"

    # Per API worker process: requests worked on at once (past it an immediate 503), database connections held
    # (never fewer than the requests in flight, so no request waits for a connection another one keeps), and how
    # long a request may wait for a connection before it is answered 503 rather than hanging.
    max_in_flight: int = Field(default=24, ge=1, le=1000)
    # ... and no more than the process answers in this many milliseconds (a newcomer past it would only queue)
    shed_sojourn_ms: float = Field(default=50.0, gt=0, le=60_000)
    db_pool_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    # Build the reference catalogs and the match index before a worker takes requests (``sunshine serve`` turns
    # it on): the first graduates after a restart are then not kept waiting, nor refused, while it is built.
    warm_start: bool = False

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> Settings:
        if self.environment == "production":
            weak = []
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                weak.append("SUNSHINE_SECRET_KEY")
            if DEV_PII_KEY in self.pii_keys.split(","):
                weak.append("SUNSHINE_PII_KEYS")
            if self.blind_index_key == DEV_BLIND_INDEX_KEY:
                weak.append("SUNSHINE_BLIND_INDEX_KEY")
            if weak:
                raise ValueError("生产环境不得使用开发默认密钥：" + ", ".join(weak))
        return self

    @model_validator(mode="after")
    def _check_trusted_proxies(self) -> Settings:
        try:
            self.trusted_networks  # noqa: B018 - parsed for its errors
        except ValueError as exc:
            raise ValueError(f"SUNSHINE_TRUSTED_PROXIES 中有无效的地址或网段：{exc}") from exc
        return self

    @property
    def trusted_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(ip_network(part.strip(), strict=False) for part in self.trusted_proxies.split(",") if part.strip())

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sunshine.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def celery_eager(self) -> bool:
        return not self.redis_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, built once per process."""
    return Settings()
