"""``/docs``: Swagger UI, served with a content security policy that lets it render.

The page is FastAPI's, built once: its script and style sheet come from the
CDN FastAPI names (its defaults, so the policy follows them), its one inline
script is allowed by its SHA-256 hash, and it may fetch nothing but this
service's ``/openapi.json``. Nothing else may run, load, frame it or be framed
by it. (ReDoc, FastAPI's other page, is not served.)
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import re
from typing import Final
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html, swagger_ui_default_parameters
from fastapi.responses import HTMLResponse, Response

DOCS_PATH: Final = "/docs"
_INLINE_SCRIPT: Final = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _default(name: str) -> str:
    value: str = inspect.signature(get_swagger_ui_html).parameters[name].default
    return value


def swagger_page(openapi_url: str, title: str) -> tuple[bytes, str]:
    """The Swagger UI page, and its ``Content-Security-Policy``."""
    # No validator badge: it would be an image from yet another host.
    parameters = {**swagger_ui_default_parameters, "validatorUrl": None}
    page = get_swagger_ui_html(
        openapi_url=openapi_url, title=title, swagger_ui_parameters=parameters
    )
    body = bytes(page.body).decode()
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(body)
    )
    assets = _origin(_default("swagger_js_url"))
    styles = _origin(_default("swagger_css_url"))
    icon = _origin(_default("swagger_favicon_url"))
    policy = "; ".join(
        (
            "default-src 'none'",
            f"script-src {assets} {hashes}",
            # Swagger UI sets style attributes as it renders.
            f"style-src {styles} 'unsafe-inline'",
            f"img-src 'self' data: {icon}",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )
    return body.encode(), policy


def router(openapi_url: str, title: str) -> APIRouter:
    body, policy = swagger_page(openapi_url, title)
    docs = APIRouter()

    @docs.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui() -> Response:
        return HTMLResponse(body, headers={"Content-Security-Policy": policy})

    return docs
