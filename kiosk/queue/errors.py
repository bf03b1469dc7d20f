"""Errors the queue service raises; the API turns each into its HTTP status with a clear message.

Every error has a machine ``code`` and a human ``message`` (Chinese first, via ``kiosk.i18n``); ``extra``
carries fields such as the request's current ``state`` or the ``helper`` who holds it.
"""

from __future__ import annotations

from kiosk.i18n import tr


class QueueError(Exception):
    status = 400

    def __init__(self, code: str, language: str | None = None, **extra: object):
        self.code = code
        self.extra = {k: v for k, v in extra.items() if v is not None}
        self.language = language
        super().__init__(self.message())

    def message(self, language: str | None = None) -> str:
        return tr(f"queue.errors.{self.code}", language or self.language, **self.extra)


class Unauthorized(QueueError):
    status = 401


class Forbidden(QueueError):
    status = 403


class NotFound(QueueError):
    status = 404


class Conflict(QueueError):
    """The request is not in a state that allows the action; ``extra['state']`` is its state now."""

    status = 409


class Gone(QueueError):
    """The endpoint was retired; ``extra['use']`` names the one that replaces it."""

    status = 410


class Locked(QueueError):
    status = 423


class Invalid(QueueError):
    status = 422
