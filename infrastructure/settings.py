"""Settings, read from the environment (and never from module import)."""

from __future__ import annotations

import ipaddress
import json
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from infrastructure.database.settings import DEFAULT_DATABASE_URL, DatabaseSettings
from infrastructure.edge_settings import EdgeSettings

__all__ = ["ASYMMETRIC_JWT_ALGORITHMS", "DEFAULT_DATABASE_URL", "Settings"]

ASYMMETRIC_JWT_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""The JWT signature algorithms a token may use: public-key ones only (never ``none``,
never an HMAC, whose secret would be the provider's public key)."""


class Settings(DatabaseSettings, EdgeSettings):
    """The service's settings: the database's, the edge's (CORS, rate limits), and those
    of the API and the logs."""

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
    max_in_flight: int = Field(
        default=64,
        ge=0,
        description="the /api/v1 requests a worker runs at once; past it a request waits "
        "its turn, at most ADMISSION_WAIT_SECONDS, then is a 503 (0: no bound)",
    )
    admission_wait_seconds: float = Field(
        default=0.25,
        gt=0,
        description="how long a request past MAX_IN_FLIGHT waits for its turn before a 503",
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

    key_uses_flush_seconds: float = Field(
        default=5.0,
        gt=0,
        description="how often each worker writes when its API keys were last used "
        "(last_used_at), in one statement per workspace; never per request",
    )
    auth: Literal["api_keys", "jwt"] = Field(
        default="api_keys",
        description="how callers authenticate: api_keys (keys made with taskhex keys create) "
        "or jwt (tokens from an OpenID Connect provider, JWT_* below)",
    )
    jwt_issuer: str | None = Field(
        default=None,
        description="AUTH=jwt: the iss a token must carry, exactly as the provider writes it",
    )
    jwt_audience: str | None = Field(
        default=None, description="AUTH=jwt: the aud a token must carry (one of, if a list)"
    )
    jwt_jwks_url: str | None = Field(
        default=None,
        description="AUTH=jwt: the provider's JSON Web Key Set (jwks_uri in its discovery "
        "document); https, or http on a loopback address",
    )
    jwt_workspace_claim: str = Field(
        default="taskhex_workspace",
        min_length=1,
        description="the claim holding the caller's workspace id (an integer, or its digits)",
    )
    jwt_role_claim: str = Field(
        default="taskhex_role",
        min_length=1,
        description="the claim holding the caller's role: reader, writer or admin",
    )
    jwt_algorithms: Annotated[list[str], NoDecode] = Field(
        default=["RS256", "ES256"],
        min_length=1,
        description="the signature algorithms accepted, comma-separated (or a JSON list); "
        f"public-key ones only: {', '.join(sorted(ASYMMETRIC_JWT_ALGORITHMS))}",
    )

    @field_validator("jwt_algorithms", mode="before")
    @classmethod
    def _algorithm_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [name.strip() for name in text.split(",") if name.strip()]
        return value

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        refused = [name for name in value if name not in ASYMMETRIC_JWT_ALGORITHMS]
        if refused:
            raise ValueError(
                f"JWT_ALGORITHMS may name only {', '.join(sorted(ASYMMETRIC_JWT_ALGORITHMS))}; "
                f"not {', '.join(repr(name[:16]) for name in refused)}"
            )
        return value

    @field_validator("jwt_jwks_url")
    @classmethod
    def _fetched_safely(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlsplit(value)
        if url.scheme == "https" and url.hostname:
            return value
        if url.scheme == "http" and _is_loopback(url.hostname):
            return value
        # Keys fetched in the clear could be replaced on the way: anyone could sign tokens.
        raise ValueError("JWT_JWKS_URL must be an https:// URL (http:// only on a loopback host)")

    @model_validator(mode="after")
    def _jwt_is_configured(self) -> Settings:
        if self.auth == "jwt":
            missing = [
                name.upper()
                for name in ("jwt_issuer", "jwt_audience", "jwt_jwks_url")
                if not getattr(self, name)
            ]
            if missing:
                raise ValueError(
                    "AUTH=jwt needs JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL; "
                    f"not set: {', '.join(missing)}"
                )
        return self


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
