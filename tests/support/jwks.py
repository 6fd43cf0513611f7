"""An identity provider for tests: signing keys, the tokens they sign, and a JWKS server.

``JwksServer`` serves ``keys`` as a JSON Web Key Set over real HTTP on 127.0.0.1
(an ephemeral port, a thread of its own) and counts the fetches. ``status`` and
``body`` make it answer badly; ``hang`` makes it accept and never answer, until
``reset()`` or the end.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://idp.test/realms/taskhex"
AUDIENCE = "taskhex-api"
JWKS_PATH = "/protocol/openid-connect/certs"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def rsa(cls, kid: str) -> SigningKey:
        return cls(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def ec(cls, kid: str) -> SigningKey:
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    def jwk(self, **extra: str) -> dict[str, Any]:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            document = RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            document = ECAlgorithm.to_jwk(public, as_dict=True)
        return {**document, "kid": self.kid, "use": "sig", "alg": self.algorithm, **extra}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        return jwt.encode(
            claims, self.private, algorithm=self.algorithm, headers={"kid": kid or self.kid}
        )


def claims(**changes: Any) -> dict[str, Any]:
    """A valid access token's claims; a change of ``None`` leaves the claim out."""
    now = int(time.time())
    document: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "taskhex_workspace": 7,
        "taskhex_role": "writer",
    }
    document.update(changes)
    return {name: value for name, value in document.items() if value is not None}


@dataclass
class JwksServer:
    keys: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: bytes | None = None
    """Served instead of the key set when set."""
    hang: bool = False
    hits: int = 0
    port: int = 0
    _released: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{JWKS_PATH}"

    def reset(self, *keys: SigningKey) -> None:
        self._released.set()
        with self._lock:
            self.keys = [key.jwk() for key in keys]
            self.status, self.body, self.hang, self.hits = 200, None, False, 0
        self._released = threading.Event()

    def publish(self, *keys: SigningKey) -> None:
        self.keys = [key.jwk() for key in keys]

    def _answer(self) -> tuple[int, bytes, threading.Event | None]:
        with self._lock:
            self.hits += 1
            if self.hang:
                return 0, b"", self._released
            body = self.body if self.body is not None else json.dumps({"keys": self.keys}).encode()
            return self.status, body, None

    @contextmanager
    def running(self) -> Iterator[JwksServer]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._released.set()
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def _handler(jwks: JwksServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, hold = jwks._answer()
            if hold is not None:
                hold.wait(timeout=10)
                return
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def refused_url() -> str:
    """A loopback URL where nothing listens (a port just freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{JWKS_PATH}"
