"""Settings, read from the environment (and never from module import)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from infrastructure.database.settings import DEFAULT_DATABASE_URL, DatabaseSettings

__all__ = ["DEFAULT_DATABASE_URL", "Settings"]


class Settings(DatabaseSettings):
    """The service's settings: the database's, and those of the API and the logs."""

    cursor_secret: SecretStr | None = Field(
        default=None,
        description="Signs pagination cursors. Unset, a key is derived from DATABASE_URL, "
        "which is fine for development; set a random value in production.",
    )
    key_hash_secret: SecretStr | None = Field(
        default=None,
        description="Keys the hash under which API keys are stored (HMAC-SHA256). Unset, a "
        "fixed label is used, which is fine for development; set a random value in production "
        "so that a copy of the database alone cannot confirm a key. Changing it invalidates "
        "every key.",
    )
    max_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1,
        description="the largest request body accepted, in bytes; a larger one is a 413",
    )
    telemetry: bool = Field(
        default=False,
        description="FastAPI's native OpenTelemetry (traces, metrics, logs through the "
        "globally configured providers); off, no request pays for looking them up",
    )
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = Field(
        default="console", description="json: one JSON object a line; console: readable lines"
    )
