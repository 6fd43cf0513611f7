"""Failures of a use case that are not broken domain rules."""

from __future__ import annotations

from enum import Enum

from domain.errors import DomainError, Violation


class ApplicationError(Exception):
    """Base class of the errors a use case reports to its caller."""


class NotFound(ApplicationError):
    def __init__(self, resource: str, identifier: int | str) -> None:
        self.resource = resource
        self.identifier = identifier
        super().__init__(f"{resource} {identifier} does not exist")


class PreconditionFailed(ApplicationError):
    """The caller's expected version is not the current one; nothing was changed."""

    def __init__(self, resource: str, identifier: int, current_version: int | None = None) -> None:
        self.current_version = current_version
        now = "has changed" if current_version is None else f"is at version {current_version}"
        super().__init__(f"{resource} {identifier} {now}; it does not match If-Match")


class InvalidCursor(ApplicationError):
    """A cursor that was tampered with, truncated, or made for another sort or filter."""

    def __init__(self) -> None:
        super().__init__(
            "The cursor is not valid for this collection, sort and filter; "
            "start again from the first page"
        )


class ConcurrentUpdate(ApplicationError):
    """Someone else changed the aggregate between our read and our write."""

    def __init__(self, resource: str, identifier: int | None = None) -> None:
        super().__init__(f"{resource} {identifier} was changed concurrently; retry the request")


class InvalidQuery(DomainError):
    """A query parameter (sort, limit, filter) that the use case cannot honour."""

    def __init__(self, field: str, message: str, code: str = "value_error") -> None:
        super().__init__([Violation(field, message, code)])


class Conflict(ApplicationError):
    """The change would break a uniqueness rule (a taken email, a project name in use)."""


class LastAdminKey(Conflict):
    """A workspace keeps at least one admin key: nobody could manage its keys without one."""

    def __init__(self, key_id: int) -> None:
        super().__init__(
            f"API key {key_id} is the last admin key of its workspace; "
            "create another admin key before revoking it"
        )


class InvalidReference(DomainError):
    """A field names a user or project that does not exist."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(
            [
                Violation(field, f"{resource} does not exist", "reference_not_found")
                for field, resource in fields.items()
            ]
        )


class IdempotencyMismatch(DomainError):
    """The idempotency key was already used for a request with another body."""

    def __init__(self) -> None:
        super().__init__(
            [
                Violation(
                    "Idempotency-Key",
                    "this key was already used with a different request body",
                    "idempotency_key_reused",
                )
            ]
        )


class RequestInFlight(ApplicationError):
    """Another request with the same idempotency key is still being processed."""

    def __init__(self) -> None:
        super().__init__("A request with this Idempotency-Key is still in progress; retry shortly")


class Unauthenticated(ApplicationError):
    """No valid credentials: missing, malformed, unknown or revoked."""


class AuthenticationUnavailable(ApplicationError):
    """Credentials cannot be checked right now (a dependency of the authenticator is down):
    no fault of the caller. ``retry_after``: seconds until it is worth trying again."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class Forbidden(ApplicationError):
    """Valid credentials whose role does not allow the request."""

    def __init__(self, role: str, permission: Enum) -> None:
        self.role = role
        super().__init__(f"the role {role} may not {permission.value}")
