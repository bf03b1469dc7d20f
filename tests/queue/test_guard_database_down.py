"""The guard is the one place that turns "the database is out of reach" outside FastAPI's handlers into a 503
``database_unavailable`` with ``Retry-After`` (kiosk/queue/guard.py, kiosk/queue/db_down.py): raised by the app
(the hot paths) or by the caller's lookup before it; never once the answer has begun, never for a broken schema.
No database: the guard is driven with ASGI messages (the real relay that cuts PostgreSQL is in
test_database_down.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from types import SimpleNamespace

import orjson
import psycopg
import pytest

from kiosk.queue.guard import Guard


class _Auth:
    def __init__(self, error: BaseException | None):
        self.error = error

    async def principal_async(self, token, run):
        if self.error is not None:
            raise self.error
        return SimpleNamespace(kind="kiosk", kiosk_id="k1", user_id=None)


def _guard(lookup_error: BaseException | None = None) -> Guard:
    settings = SimpleNamespace(clock=None, kiosk_writes_per_minute=240, staff_writes_per_minute=1200)
    return Guard(SimpleNamespace(settings=settings, auth=_Auth(lookup_error), run=None))


def _call(guard: Guard, app, method: str = "GET", path: str = "/api/v1/requests", language: bytes = b"zh-CN"):
    sent: list[dict] = []
    headers = [(b"accept-language", language), (b"authorization", b"Bearer t")]
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "scheme": "http"}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(guard(scope, receive, send, app))
    return sent


def _raising(exc: BaseException, after_start: bool = False):
    async def app(scope, receive, send):
        if after_start:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        raise exc

    return app


@pytest.mark.parametrize("exc", [psycopg.OperationalError("connection to server lost"),
                                 sqlite3.OperationalError("database is locked")])
def test_the_database_out_of_reach_in_the_app_is_a_503_in_words_with_retry_after(exc):
    for language, word in ((b"zh-CN", "数据库"), (b"en", "database")):
        start, body = _call(_guard(), _raising(exc), language=language)
        assert start["status"] == 503
        headers = dict(start["headers"])
        assert int(headers[b"retry-after"]) > 0 and b"connection" not in headers  # the link stays usable
        answer = orjson.loads(body["body"])
        assert answer["code"] == "database_unavailable" and word in answer["detail"].lower()


def test_the_database_out_of_reach_while_looking_the_caller_up_is_a_503():
    app_called = []
    start, body = _call(_guard(psycopg.OperationalError("server closed the connection")),
                        lambda *a: app_called.append(a), method="POST")
    assert start["status"] == 503 and orjson.loads(body["body"])["code"] == "database_unavailable"
    assert not app_called


def test_an_answer_already_begun_is_not_answered_twice():
    with pytest.raises(psycopg.OperationalError):
        _call(_guard(), _raising(psycopg.OperationalError("lost"), after_start=True))


@pytest.mark.parametrize("exc", [sqlite3.OperationalError("no such table: requests"), RuntimeError("a bug")])
def test_a_broken_schema_or_a_bug_stays_an_error(exc):
    with pytest.raises(type(exc)):
        _call(_guard(), _raising(exc))
