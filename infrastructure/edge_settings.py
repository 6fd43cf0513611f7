"""The settings of the service's edge: browser origins (CORS), rate limits and their Redis."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode

from application.rate_limits import Budget, Budgets


class EdgeSettings(BaseSettings):
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="the origins (scheme://host[:port]) whose browser pages may call the API, "
        "comma-separated or a JSON list; none: no CORS answer at all",
    )
    rate_limits: bool = Field(
        default=True, description="count requests against the budgets below; false: no limits"
    )
    rate_limit_reader: int = Field(
        default=600, ge=1, description="requests a reader key may make per window"
    )
    rate_limit_writer: int = Field(
        default=1200, ge=1, description="requests a writer key may make per window"
    )
    rate_limit_admin: int = Field(
        default=1200, ge=1, description="requests an admin key may make per window"
    )
    rate_limit_anonymous: int = Field(
        default=60,
        ge=1,
        description="requests without a valid key a client address may make per window",
    )
    rate_limit_window: int = Field(
        default=60, ge=1, description="the length of a rate limit window, in seconds"
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="redis://[:password@]host:port/db (or rediss://, unix://) where the rate "
        "limit counters live, shared by every worker and instance; unset: in process memory",
    )
    redis_timeout: float = Field(
        default=0.25, gt=0, description="seconds to connect to Redis or to get its answer"
    )
    redis_retry_seconds: float = Field(
        default=5.0,
        gt=0,
        description="while Redis cannot be reached, how often it is tried again",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origin_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip() for origin in text.split(",") if origin.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            parts = urlsplit(origin)
            exact = (
                parts.scheme in ("http", "https")
                and bool(parts.hostname)
                and "*" not in origin
                and f"{parts.scheme}://{parts.netloc}" == origin
                and "@" not in parts.netloc
            )
            if not exact:
                raise ValueError(
                    "CORS_ORIGINS lists origins exactly as a browser sends them, "
                    f"scheme://host[:port] with no path nor wildcard; not {origin[:64]!r}"
                )
        return tuple(dict.fromkeys(value))

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            scheme = urlsplit(value.get_secret_value()).scheme
            if scheme not in ("redis", "rediss", "unix"):
                raise ValueError("REDIS_URL must be a redis://, rediss:// or unix:// URL")
        return value

    @property
    def rate_budgets(self) -> Budgets:
        window = self.rate_limit_window
        return Budgets(
            reader=Budget(self.rate_limit_reader, window),
            writer=Budget(self.rate_limit_writer, window),
            admin=Budget(self.rate_limit_admin, window),
            anonymous=Budget(self.rate_limit_anonymous, window),
        )
