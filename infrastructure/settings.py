"""Settings, read from the environment (and never from module import)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///./taskhex.db"


class Settings(BaseSettings):
    """Every field maps to the upper-case environment variable of the same name."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: SecretStr = Field(
        default=SecretStr(DEFAULT_DATABASE_URL),
        description="postgresql://user:password@host/db or sqlite:///path (the default).",
    )
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(
        default=30.0, gt=0, description="seconds to wait for a pooled connection"
    )
    db_pool_recycle: int = Field(
        default=1800, description="seconds after which a connection is replaced"
    )
    db_pool_pre_ping: bool = True
    db_connect_timeout: float = Field(default=10.0, gt=0, description="seconds")
    db_echo: bool = False
    log_level: str = "INFO"

    @property
    def safe_database_url(self) -> str:
        """The database URL with its password masked, for logs and messages."""
        return make_url(self.database_url.get_secret_value()).render_as_string(hide_password=True)
