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
        lang = language or self.language
        words = {k: _word(k, v, lang) for k, v in self.extra.items() if k in WORDED}
        return tr(f"queue.errors.{self.code}", lang, **{**self.extra, **words})


WORDED = ("state", "action")  # machine values worded for people (queue.words.<field>.<value>) in messages


def _word(field: str, value: object, language: str | None) -> object:
    key = f"queue.words.{field}.{value}"
    text = tr(key, language)
    return value if text == key else text


def _kind(name: str, status: int, doc: str) -> type[QueueError]:
    """A :class:`QueueError` subclass answered with HTTP ``status``."""
    return type(name, (QueueError,), {"status": status, "__doc__": doc, "__module__": __name__})


Unauthorized = _kind("Unauthorized", 401, "No token, a bad or an expired one, or a wrong login.")
Forbidden = _kind("Forbidden", 403, "The caller may not do this (role, site, not the holder).")
NotFound = _kind("NotFound", 404, "Unknown, or outside the caller's sites (it does not exist for them).")
Conflict = _kind("Conflict", 409, "Not allowed in the current state; ``extra['state']`` is the state now.")
Gone = _kind("Gone", 410, "The endpoint was retired; ``extra['use']`` names the one that replaces it.")
Invalid = _kind("Invalid", 422, "The input is well-formed but unusable; the message says what to give.")
Unavailable = _kind("Unavailable", 503, "Cannot be served now (the database out of reach); retry after ``retry_after`` s.")
