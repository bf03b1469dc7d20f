"""The API fuzzed from its own OpenAPI document (schemathesis): whatever comes in, never a 500.

Runs on SQLite only (the contract suite covers both backends), authenticated as a kiosk for the kiosk
endpoints and as a supervisor for the rest, so the fuzzer reaches the handlers instead of the 401 wall.
Example counts are kept small so the whole module runs in well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.queue.conftest import auth

KIOSK_PATHS = {("POST", "/api/v1/requests"), ("POST", "/api/v1/heartbeats")}


@pytest.fixture
def db_url(sqlite_url):  # overrides the two-backend parametrisation for this module
    return sqlite_url


@pytest.fixture
def api_schema(ctx, world):
    from kiosk.queue.api import create_app

    app = create_app(ctx.settings, ctx)
    app.state.fuzz_tokens = {"kiosk": world.kiosk_tokens["k1"], "staff": world.token("sup")}
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    tokens = case.operation.schema.app.state.fuzz_tokens
    who = "kiosk" if (case.method.upper(), case.path) in KIOSK_PATHS else "staff"
    response = case.call(headers=auth(tokens[who]))
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
