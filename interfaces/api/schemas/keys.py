"""HTTP shapes of API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interfaces.api.schemas.common import Name, PageOut, RequestBody

RoleName = Literal["reader", "writer", "admin"]


class KeyCreate(RequestBody):
    name: Name
    role: RoleName = Field(
        description="reader: every GET; writer: reader and every data write; admin: writer and keys"
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "ci", "role": "writer"}]})


class KeyOut(BaseModel):
    id: int
    name: str
    role: RoleName
    prefix: str = Field(description="The public part of the key, after `thx_`, to recognise it")
    created_at: datetime
    last_used_at: datetime | None = Field(
        description="When a request last used the key (kept within seconds, not per request)"
    )


class KeyCreated(KeyOut):
    secret: str = Field(
        description="The key, `thx_<prefix>_<secret>`: send it as `Authorization: Bearer "
        "<secret>`. It is in this answer only; the server keeps a one-way hash of it."
    )


class KeyPage(PageOut[KeyOut]):
    pass
